// Runs under several host TZ values in CI.
import { describe, expect, it } from "vitest";
import { at, expectInvalid, iso } from "./__fixtures__/testing.js";
import { surveyInstant } from "./surveyInstant.js";

const s = (start: string, zone: string) => iso(surveyInstant(at(start), zone));

describe("surveyInstant (R-35)", () => {
  it("21:00 local on the appointment's day", () => {
    expect(s("2026-06-09T12:00:00+02:00", "Europe/Paris")).toBe("2026-06-09T19:00:00.000Z");
    expect(s("2026-06-09T00:00:00+02:00", "Europe/Paris")).toBe("2026-06-09T19:00:00.000Z");
    expect(s("2026-06-09T20:59:59.999+02:00", "Europe/Paris")).toBe("2026-06-09T19:00:00.000Z");
    expect(s("2026-06-09T10:00:00+05:30", "Asia/Kolkata")).toBe("2026-06-09T15:30:00.000Z");
    expect(s("2026-06-09T10:00:00-04:00", "America/New_York")).toBe("2026-06-10T01:00:00.000Z");
  });

  it("an appointment at or after 21:00 local gets it at 21:00 the next day", () => {
    expect(s("2026-06-09T21:00:00+02:00", "Europe/Paris")).toBe("2026-06-10T19:00:00.000Z");
    expect(s("2026-06-09T23:59:00+02:00", "Europe/Paris")).toBe("2026-06-10T19:00:00.000Z");
  });

  it("the local day, not the UTC day, decides", () => {
    // 23:30 UTC on 8 June is 01:30 on 9 June in Paris.
    expect(iso(surveyInstant(at("2026-06-08T23:30:00Z"), "Europe/Paris"))).toBe("2026-06-09T19:00:00.000Z");
    // 02:00 UTC on 9 June is 22:00 on 8 June in New York (after 21:00): 21:00 on 9 June there.
    expect(iso(surveyInstant(at("2026-06-09T02:00:00Z"), "America/New_York"))).toBe("2026-06-10T01:00:00.000Z");
  });

  it("on DST change days (Paris, Lord_Howe)", () => {
    expect(s("2026-03-29T10:00:00+02:00", "Europe/Paris")).toBe("2026-03-29T19:00:00.000Z"); // CEST
    expect(s("2026-03-28T21:30:00+01:00", "Europe/Paris")).toBe("2026-03-29T19:00:00.000Z");
    expect(s("2026-10-25T02:30:00+01:00", "Europe/Paris")).toBe("2026-10-25T20:00:00.000Z"); // CET
    expect(s("2026-10-24T22:00:00+02:00", "Europe/Paris")).toBe("2026-10-25T20:00:00.000Z");
    expect(s("2026-10-04T09:00:00+11:00", "Australia/Lord_Howe")).toBe("2026-10-04T10:00:00.000Z");
    expect(s("2026-04-05T09:00:00+10:30", "Australia/Lord_Howe")).toBe("2026-04-05T10:30:00.000Z");
  });

  it("Apia's skipped day: an appointment on 29 December 2011 at 22:00 gets 31 December 21:00", () => {
    expect(s("2011-12-29T22:00:00-10:00", "Pacific/Apia")).toBe("2011-12-31T07:00:00.000Z");
  });

  it("never mutates, always a new Date; bad input is a typed error", () => {
    const start = at("2026-06-09T19:00:00Z");
    const out = surveyInstant(start, "UTC");
    expect(iso(out)).toBe("2026-06-09T21:00:00.000Z");
    expect(iso(start)).toBe("2026-06-09T19:00:00.000Z");
    expectInvalid(() => surveyInstant(new Date(Number.NaN), "Europe/Paris"), "invalid-date", ["start"]);
    expectInvalid(() => surveyInstant(start, "Paris"), "invalid-time-zone", ["timeZone"]);
    expectInvalid(() => surveyInstant(undefined as never, undefined as never), "invalid-date", ["start", "timeZone"]);
    expectInvalid(() => surveyInstant(at("9999-12-27T23:00:00Z"), "Pacific/Kiritimati"), "invalid-date", ["start"]);
  });
});
