import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { civilFromDays, DAY_MS, daysFromCivil, MAX_INSTANT_MS, MIN_INSTANT_MS, pad, parseTimeOfDay } from "./civil.js";

describe("civil calendar arithmetic", { timeout: 30_000 }, () => {
  it("agrees with Date's proleptic Gregorian calendar over years 1..9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_162, max: 2_932_896 }), (days) => {
        const d = new Date(days * DAY_MS);
        const civil = civilFromDays(days);
        expect(civil).toEqual({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
        expect(daysFromCivil(civil.year, civil.month, civil.day)).toBe(days);
      }),
      { numRuns: 2000 },
    );
  });

  it("knows the fixed points", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 2, 29)).toBe(11_016);
    expect(civilFromDays(-1)).toEqual({ year: 1969, month: 12, day: 31 });
  });

  it("states the supported range exactly", () => {
    expect(new Date(MIN_INSTANT_MS).toISOString()).toBe("0001-01-04T00:00:00.000Z");
    expect(new Date(MAX_INSTANT_MS).toISOString()).toBe("9999-12-28T00:00:00.000Z");
  });
});

describe("parseTimeOfDay", () => {
  it("reads strict HH:mm", () => {
    expect(parseTimeOfDay("00:00")).toBe(0);
    expect(parseTimeOfDay("18:00")).toBe(18 * 3_600_000);
    expect(parseTimeOfDay("23:59")).toBe(23 * 3_600_000 + 59 * 60_000);
  });

  it.each(["24:00", "8:00", "08:0", "08:60", "08h00", " 08:00", "08:00 ", "08:00:00", "", "ab:cd", "2a:00", "-1:00"])(
    "rejects %j",
    (v) => {
      expect(parseTimeOfDay(v)).toBe(-1);
    },
  );

  it("rejects non-strings", () => {
    for (const v of [undefined, null, 800, {}, ["08:00"]]) expect(parseTimeOfDay(v)).toBe(-1);
  });

  it("pads keys", () => {
    expect(pad(7)).toBe("07");
    expect(pad(7, 4)).toBe("0007");
    expect(pad(2026, 4)).toBe("2026");
  });
});
