import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { zoneTable } from "./zoneEngine.js";

const H = 3_600_000;
const utc = (iso: string) => Date.parse(iso);
const local = (iso: string) => Date.parse(`${iso}Z`);

/** Offset straight from Intl, independently of the table (longOffset: "GMT+05:30", "GMT-00:44:30", "GMT"). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function intlOffset(timeZone: string, t: number): number {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    formatters.set(timeZone, f);
  }
  const name = f.formatToParts(t).find((p) => p.type === "timeZoneName")!.value;
  const m = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(name)!;
  if (m[1] === undefined) return 0;
  const ms = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === "-" ? -ms : ms;
}

describe("zone tables", { timeout: 60_000 }, () => {
  it("give Paris's 2026 offsets on both sides of each transition, to the millisecond", () => {
    const z = zoneTable("Europe/Paris")!;
    expect(z.offsetAt(utc("2026-03-29T00:59:59.999Z"))).toBe(H);
    expect(z.offsetAt(utc("2026-03-29T01:00:00.000Z"))).toBe(2 * H);
    expect(z.offsetAt(utc("2026-10-25T00:59:59.999Z"))).toBe(2 * H);
    expect(z.offsetAt(utc("2026-10-25T01:00:00.000Z"))).toBe(H);
  });

  it("agree with Intl at random instants in every zone, 1900–2100", () => {
    const zones = Intl.supportedValuesOf("timeZone");
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: utc("1900-01-01T00:00:00Z"), max: utc("2100-01-01T00:00:00Z") }),
        (zone, t) => {
          expect(zoneTable(zone)!.offsetAt(t)).toBe(intlOffset(zone, t));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("agree with Intl far from today too (years 1–9999: local mean time, rules projected forward)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Africa/Monrovia"),
        fc.integer({ min: -62_135_337_600_000, max: 253_401_955_200_000 }),
        (zone, t) => {
          expect(zoneTable(zone)!.offsetAt(t)).toBe(intlOffset(zone, t));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("find the exact second of every transition a coarse scan sees", () => {
    for (const zone of ["Europe/Paris", "Australia/Lord_Howe", "America/Santiago", "Africa/Casablanca", "Asia/Gaza"]) {
      const z = zoneTable(zone)!;
      for (let t = utc("2024-01-01T00:00:00Z"); t < utc("2028-01-01T00:00:00Z"); t += 6 * H) {
        if (intlOffset(zone, t) !== intlOffset(zone, t + 6 * H)) {
          let lo = t;
          let hi = t + 6 * H;
          while (hi - lo > 1000) {
            const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
            if (intlOffset(zone, mid) === intlOffset(zone, t)) lo = mid;
            else hi = mid;
          }
          expect(z.offsetAt(hi - 1)).toBe(intlOffset(zone, t));
          expect(z.offsetAt(hi)).toBe(intlOffset(zone, t + 6 * H));
        }
      }
    }
  });

  it("resolve a gap with the offset before it and an overlap to the earlier instant (Paris 2026)", () => {
    const z = zoneTable("Europe/Paris")!;
    expect(z.resolve(local("2026-03-29T02:30:00"))).toBe(utc("2026-03-29T01:30:00Z")); // 03:30 CEST
    expect(z.resolve(local("2026-03-29T02:00:00"))).toBe(utc("2026-03-29T01:00:00Z")); // 03:00 CEST
    expect(z.resolve(local("2026-03-29T03:00:00"))).toBe(utc("2026-03-29T01:00:00Z"));
    expect(z.resolve(local("2026-03-29T01:59:59.999"))).toBe(utc("2026-03-29T00:59:59.999Z"));
    expect(z.resolve(local("2026-10-25T02:30:00"))).toBe(utc("2026-10-25T00:30:00Z")); // CEST
    expect(z.resolve(local("2026-10-25T02:30:00"), true)).toBe(utc("2026-10-25T01:30:00Z")); // CET
    expect(z.resolve(local("2026-10-25T02:00:00"))).toBe(utc("2026-10-25T00:00:00Z"));
    expect(z.resolve(local("2026-10-25T03:00:00"))).toBe(utc("2026-10-25T02:00:00Z"));
  });

  it("handle a 30-minute shift (Australia/Lord_Howe) and a skipped day (Pacific/Apia, 30 December 2011)", () => {
    const lh = zoneTable("Australia/Lord_Howe")!;
    // 2026-10-04: 02:00 (+10:30) jumps to 02:30 (+11).
    expect(lh.resolve(local("2026-10-04T02:15:00"))).toBe(utc("2026-10-03T15:45:00Z")); // 02:45 +11
    // 2026-04-05: 02:00 (+11) falls back to 01:30 (+10:30).
    expect(lh.resolve(local("2026-04-05T01:45:00"))).toBe(utc("2026-04-04T14:45:00Z")); // +11
    expect(lh.resolve(local("2026-04-05T01:45:00"), true)).toBe(utc("2026-04-04T15:15:00Z")); // +10:30
    const apia = zoneTable("Pacific/Apia")!;
    expect(apia.resolve(local("2011-12-30T12:00:00"))).toBe(utc("2011-12-30T22:00:00Z")); // 31 Dec 12:00 +14
    expect(apia.resolve(local("2011-12-29T23:59:00"))).toBe(utc("2011-12-30T09:59:00Z")); // still -10
  });

  it("resolve consistently with offsetAt for random local readings (round trip)", () => {
    const zones = Intl.supportedValuesOf("timeZone");
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: local("2020-01-01T00:00:00"), max: local("2036-01-01T00:00:00") }),
        (zone, l) => {
          const z = zoneTable(zone)!;
          const t = z.resolve(l);
          const back = t + z.offsetAt(t);
          // Either the reading exists and is read back exactly, or it was in a gap and moved forward.
          if (back !== l) {
            expect(back).toBeGreaterThan(l);
            expect(z.offsetAt(t - 1)).toBeLessThan(z.offsetAt(t + 1) + 1); // a forward jump near t
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("accept aliases and fixed zones, share tables, and refuse what is not an IANA zone", () => {
    expect(zoneTable("UTC")!.offsetAt(0)).toBe(0);
    expect(zoneTable("Etc/GMT+5")!.offsetAt(utc("2026-06-01T00:00:00Z"))).toBe(-5 * H);
    expect(zoneTable("Etc/GMT-14")!.offsetAt(0)).toBe(14 * H);
    expect(zoneTable("europe/paris")).toBe(zoneTable("Europe/Paris"));
    expect(zoneTable("US/Eastern")!.id).toBe("America/New_York");
    for (const bad of ["", "+01:00", "-05:00", "Europe/Lyon", "Mars/Olympus", "Etc/Unknown", 42, null, undefined]) {
      expect(zoneTable(bad)).toBeUndefined();
    }
  });
});
