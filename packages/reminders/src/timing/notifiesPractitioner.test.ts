import { describe, expect, it } from "vitest";
import { at, expectInvalid } from "./__fixtures__/testing.js";
import { notifiesPractitioner } from "./notifiesPractitioner.js";

describe("notifiesPractitioner (R-34)", () => {
  const start = at("2026-06-09T12:00:00+02:00"); // the seed's appointment: 9 June 12:00

  it("the seed's example: changed 8 June 14:00 → notified; 8 June 08:00 → not", () => {
    expect(notifiesPractitioner("cancel", at("2026-06-08T14:00:00+02:00"), start)).toBe(true);
    expect(notifiesPractitioner("move", at("2026-06-08T14:00:00+02:00"), start)).toBe(true);
    expect(notifiesPractitioner("cancel", at("2026-06-08T08:00:00+02:00"), start)).toBe(false);
    expect(notifiesPractitioner("move", at("2026-06-08T08:00:00+02:00"), start)).toBe(false);
  });

  it("exactly 24 h before does not notify; 1 ms later does", () => {
    expect(notifiesPractitioner("cancel", at("2026-06-08T12:00:00+02:00"), start)).toBe(false);
    expect(notifiesPractitioner("cancel", at("2026-06-08T12:00:00.001+02:00"), start)).toBe(true);
  });

  it("at or after the start does not notify", () => {
    expect(notifiesPractitioner("cancel", at("2026-06-09T11:59:59.999+02:00"), start)).toBe(true);
    expect(notifiesPractitioner("cancel", at("2026-06-09T12:00:00+02:00"), start)).toBe(false);
    expect(notifiesPractitioner("move", at("2026-06-09T12:30:00+02:00"), start)).toBe(false);
  });

  it("counts real hours across a DST change", () => {
    const sunday = at("2026-03-29T12:00:00+02:00"); // Paris, the day clocks go forward
    // Saturday 11:30 CET is 24.5 wall-clock hours earlier but only 23.5 real hours: notified.
    expect(notifiesPractitioner("cancel", at("2026-03-28T11:30:00+01:00"), sunday)).toBe(true);
    expect(notifiesPractitioner("cancel", at("2026-03-28T11:00:00+01:00"), sunday)).toBe(false); // exactly 24 h
  });

  it("does not mutate its inputs", () => {
    const a = at("2026-06-08T14:00:00+02:00");
    notifiesPractitioner("cancel", a, start);
    expect(a.toISOString()).toBe("2026-06-08T12:00:00.000Z");
    expect(start.toISOString()).toBe("2026-06-09T10:00:00.000Z");
  });

  it("bad input is a typed error", () => {
    const a = at("2026-06-08T14:00:00+02:00");
    expectInvalid(() => notifiesPractitioner("delete" as never, a, start), "invalid-input", ["change"]);
    expectInvalid(() => notifiesPractitioner("cancel", new Date(Number.NaN), start), "invalid-date", ["at"]);
    expectInvalid(() => notifiesPractitioner("move", a, null as never), "invalid-date", ["start"]);
    expectInvalid(() => notifiesPractitioner(undefined as never, "x" as never, 0 as never), "invalid-input", [
      "change",
      "at",
      "start",
    ]);
  });
});
