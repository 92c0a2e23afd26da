// Runs under several host TZ values in CI.
import { describe, expect, it } from "vitest";
import { at, expectInvalid, iso } from "./__fixtures__/testing.js";
import { isValidTimeZone } from "./isValidTimeZone.js";
import { localDayKey, zonedDateParts } from "./zonedDateParts.js";
import { zonedInstant } from "./zonedInstant.js";

describe("zonedDateParts and localDayKey", () => {
  it("read the wall clock, both 02:30s of the Paris overlap included", () => {
    expect(zonedDateParts(at("2026-10-25T00:30:00Z"), "Europe/Paris")).toEqual({
      year: 2026,
      month: 10,
      day: 25,
      hour: 2,
      minute: 30,
      second: 0,
      millisecond: 0,
      weekday: 7,
      offsetMinutes: 120,
    });
    expect(zonedDateParts(at("2026-10-25T01:30:00Z"), "Europe/Paris").offsetMinutes).toBe(60);
    expect(zonedDateParts(at("2026-10-03T15:45:00.250Z"), "Australia/Lord_Howe")).toMatchObject({
      day: 4,
      hour: 2,
      minute: 45,
      millisecond: 250,
      weekday: 7,
      offsetMinutes: 660,
    });
    expect(zonedDateParts(at("2026-06-09T00:00:00Z"), "Asia/Kolkata")).toMatchObject({
      hour: 5,
      minute: 30,
      weekday: 2,
    });
    expect(zonedDateParts(at("1950-01-01T00:00:00Z"), "Africa/Monrovia").offsetMinutes).toBe(-44.5);
    expect(zonedDateParts(at("0001-01-04T00:00:00Z"), "UTC")).toMatchObject({ year: 1, month: 1, day: 4, weekday: 4 });
  });

  it("localDayKey groups by local day", () => {
    expect(localDayKey(at("2026-06-08T22:30:00Z"), "Europe/Paris")).toBe("2026-06-09");
    expect(localDayKey(at("2026-06-08T22:30:00Z"), "America/New_York")).toBe("2026-06-08");
    expect(localDayKey(at("2011-12-30T10:00:00Z"), "Pacific/Apia")).toBe("2011-12-31");
    expect(localDayKey(at("2011-12-30T09:59:59.999Z"), "Pacific/Apia")).toBe("2011-12-29");
    expect(localDayKey(at("0099-06-01T00:00:00Z"), "UTC")).toBe("0099-06-01");
  });

  it("bad input", () => {
    expectInvalid(() => zonedDateParts(new Date(Number.NaN), "UTC"), "invalid-date", ["instant"]);
    expectInvalid(() => localDayKey(at("2026-06-09T00:00:00Z"), "Nowhere/Land"), "invalid-time-zone", ["timeZone"]);
  });
});

describe("zonedInstant", () => {
  it("applies R-30: gap forward, overlap earlier", () => {
    expect(iso(zonedInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, "Europe/Paris"))).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    expect(iso(zonedInstant({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, "Europe/Paris"))).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    expect(iso(zonedInstant({ year: 2026, month: 6, day: 9 }, "Asia/Kolkata"))).toBe("2026-06-08T18:30:00.000Z");
    expect(
      iso(zonedInstant({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, millisecond: 999 }, "UTC")),
    ).toBe("2024-02-29T23:59:59.999Z");
  });

  it("bad input lists every failing field", () => {
    expectInvalid(() => zonedInstant({ year: 2026, month: 2, day: 29 }, "UTC"), "invalid-input", ["local.day"]);
    expectInvalid(() => zonedInstant({ year: 2026, month: 13, day: 1, hour: 24 }, "x"), "invalid-input", [
      "local.month",
      "local.hour",
      "timeZone",
    ]);
    expectInvalid(() => zonedInstant(null as never, "UTC"), "invalid-input", ["local"]);
    expectInvalid(() => zonedInstant({ year: 1, month: 1, day: 1 }, "UTC"), "invalid-input", ["local"]);
    expectInvalid(() => zonedInstant({ year: 2026, month: 6, day: 9.5 }, "UTC"), "invalid-input", ["local.day"]);
  });
});

describe("isValidTimeZone", () => {
  it("accepts zones, links and fixed zones; refuses the rest", () => {
    for (const z of [
      "Europe/Paris",
      "UTC",
      "Etc/GMT+5",
      "Etc/UTC",
      "GMT",
      "US/Eastern",
      "Asia/Calcutta",
      "europe/paris",
    ]) {
      expect(isValidTimeZone(z)).toBe(true);
    }
    for (const z of ["Europe/Lyon", "+01:00", "UTC+1", "", " Europe/Paris", 3, null, undefined, {}]) {
      expect(isValidTimeZone(z)).toBe(false);
    }
  });

  it("accepts every zone Intl lists", () => {
    for (const z of Intl.supportedValuesOf("timeZone")) expect(isValidTimeZone(z)).toBe(true);
  });
});
