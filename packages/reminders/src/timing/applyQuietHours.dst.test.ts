// Quiet hours across DST changes; runs under several host TZ values in CI.
import { describe, expect, it } from "vitest";
import { at, iso } from "./__fixtures__/testing.js";
import { applyQuietHours } from "./applyQuietHours.js";

const NIGHT = { start: "21:00", end: "08:00" };
const q = (sendAt: string, start: string, zone: string, quiet = NIGHT) =>
  iso(applyQuietHours(at(sendAt), at(start), zone, quiet));

describe("quiet hours across DST", () => {
  it("Paris, night of the spring change: 08:00 CEST, or 21:00 CET the evening before", () => {
    expect(q("2026-03-29T01:30:00+01:00", "2026-03-29T10:00:00+02:00", "Europe/Paris")).toBe(
      "2026-03-29T06:00:00.000Z",
    );
    expect(q("2026-03-29T04:00:00+02:00", "2026-03-29T08:30:00+02:00", "Europe/Paris")).toBe(
      "2026-03-28T20:00:00.000Z",
    );
  });

  it("Paris, night of the autumn change: the second 02:30 moves to 08:00 CET", () => {
    expect(q("2026-10-25T02:30:00+01:00", "2026-10-25T10:00:00+01:00", "Europe/Paris")).toBe(
      "2026-10-25T07:00:00.000Z",
    );
    expect(q("2026-10-25T02:30:00+02:00", "2026-10-25T08:45:00+01:00", "Europe/Paris")).toBe(
      "2026-10-24T19:00:00.000Z",
    );
  });

  it("a window end inside the overlap is never placed at or before the send", () => {
    const late = { start: "23:00", end: "02:30" };
    // 02:15 CET (the second pass): 02:30 CEST already passed, so 02:30 CET.
    expect(q("2026-10-25T02:15:00+01:00", "2026-10-26T10:00:00+01:00", "Europe/Paris", late)).toBe(
      "2026-10-25T01:30:00.000Z",
    );
    // 02:15 CEST (the first pass): the first 02:30.
    expect(q("2026-10-25T02:15:00+02:00", "2026-10-26T10:00:00+01:00", "Europe/Paris", late)).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });

  it("a window end inside the gap moves forward by the gap (02:30 → 03:30 CEST)", () => {
    const late = { start: "22:00", end: "02:30" };
    expect(q("2026-03-29T01:00:00+01:00", "2026-03-30T10:00:00+02:00", "Europe/Paris", late)).toBe(
      "2026-03-29T01:30:00.000Z",
    );
  });

  it("Lord_Howe (30-minute shift) and Kolkata", () => {
    // 5 April 2026 01:45 +10:30 (after the fall back) → 08:00 +10:30.
    expect(q("2026-04-05T01:45:00+10:30", "2026-04-05T11:00:00+10:30", "Australia/Lord_Howe")).toBe(
      "2026-04-04T21:30:00.000Z",
    );
    // 4 October 2026 (spring forward) 05:00 +11, appointment 08:30 → 21:00 +10:30 on 3 October.
    expect(q("2026-10-04T05:00:00+11:00", "2026-10-04T08:30:00+11:00", "Australia/Lord_Howe")).toBe(
      "2026-10-03T10:30:00.000Z",
    );
    expect(q("2026-06-09T22:00:00+05:30", "2026-06-10T11:00:00+05:30", "Asia/Kolkata")).toBe(
      "2026-06-10T02:30:00.000Z",
    );
  });
});
