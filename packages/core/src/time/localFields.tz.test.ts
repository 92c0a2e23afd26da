import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { civilFromDays, DAY_MS, daysFromCivil, MAX_INSTANT_MS, MIN_INSTANT_MS, zoneTable } from "../index.js";

const ZONES = Intl.supportedValuesOf("timeZone");
const formatters = new Map<string, Intl.DateTimeFormat>();
function intlFields(zone: string, t: number) {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(t)) p[part.type] = part.value;
  const year = Number(p.year);
  return {
    year: p.era === "BC" || p.era === "B" ? 1 - year : year,
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
  };
}

describe("core zone engine: ZoneTable.localFields", () => {
  it("property: equals Intl's wall clock in every IANA zone, years 1..9999", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: MIN_INSTANT_MS, max: MAX_INSTANT_MS }), (zone, t) => {
        expect(zoneTable(zone)!.localFields(t)).toEqual(intlFields(zone, t));
      }),
      { numRuns: 5_000 },
    );
  }, 120_000);

  it("property: equals Intl's wall clock within a day of every transition sampled from 1900–2100", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.integer({ min: -DAY_MS, max: DAY_MS }),
        (zone, t, delta) => {
          const table = zoneTable(zone)!;
          // Jump to the next change of offset within 200 days of t, if any, and look around it.
          let at = t;
          const o = table.offsetAt(t);
          for (let k = 1; k <= 200; k++) {
            if (table.offsetAt(t + k * DAY_MS) !== o) {
              at = t + k * DAY_MS + delta;
              break;
            }
          }
          expect(table.localFields(at)).toEqual(intlFields(zone, at));
        },
      ),
      { numRuns: 5_000 },
    );
  }, 120_000);

  it("reads instants outside years 1..9999 from Intl, era included", () => {
    for (const t of [-8.64e15, 8.64e15, MIN_INSTANT_MS - 1, MAX_INSTANT_MS + 1, -62_198_755_200_000]) {
      for (const zone of ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"]) {
        expect(zoneTable(zone)!.localFields(t)).toEqual(intlFields(zone, t));
      }
    }
    expect(zoneTable("Europe/Paris")!.localFields(8.64e15)).toMatchObject({ year: 275760, month: 9, day: 13 });
    expect(zoneTable("UTC")!.localFields(-8.64e15)).toMatchObject({ year: -271821, month: 4, day: 20 });
  });

  it("civil arithmetic round-trips over the whole Date range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_001, max: 100_000_001 }), (days) => {
        const c = civilFromDays(days);
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(days);
        if (Math.abs(days) <= 100_000_000) {
          const d = new Date(days * DAY_MS);
          expect(c).toEqual({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it("rejects what is not a zone", () => {
    for (const bad of ["", "Europe/Lyon", "+01:00", "-05:00", 42, null, undefined])
      expect(zoneTable(bad)).toBe(undefined);
    expect(zoneTable("europe/paris")!.id).toBe("Europe/Paris");
  });
});
