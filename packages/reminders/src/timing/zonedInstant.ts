import * as zoneEngine from "@rappel/core";
import * as civil from "./civil.js";
import * as validate from "./validate.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time); a module constant costs nothing in
// either module system (as ES modules, and in the bundled dist, the difference is within noise). No import cycle
// here, so the bindings are initialised when read.
const { DAY_MS, daysFromCivil, MAX_INSTANT_MS, MIN_INSTANT_MS } = civil;
const { Checks, checkResult } = validate;
const { zoneTable } = zoneEngine;

/**
 * A local date and wall time, as read on a clock in some time zone.
 *
 * @example
 * ```ts
 * const birthdaySms: LocalDateTime = { year: 2026, month: 6, day: 9, hour: 9, minute: 0 };
 * ```
 */
export interface LocalDateTime {
  /** Year, 1 to 9999. */
  year: number;
  /** Month, 1 to 12. */
  month: number;
  /** Day of the month, 1 to the month's length. */
  day: number;
  /** Hour, 0 to 23. @default 0 */
  hour?: number;
  /** Minute, 0 to 59. @default 0 */
  minute?: number;
  /** Second, 0 to 59. @default 0 */
  second?: number;
  /** Millisecond, 0 to 999. @default 0 */
  millisecond?: number;
}

const FIELDS: readonly [keyof LocalDateTime, number, number][] = [
  ["year", 1, 9999],
  ["month", 1, 12],
  ["day", 1, 31],
  ["hour", 0, 23],
  ["minute", 0, 59],
  ["second", 0, 59],
  ["millisecond", 0, 999],
];

function daysInMonth(year: number, month: number): number {
  const next = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
  return next - daysFromCivil(year, month, 1);
}

/**
 * The instant at which the clock in `timeZone` reads `local`, with R-30's rules: a nonexistent reading (DST gap)
 * is read with the offset in force before the gap (moved forward by the gap's length), an ambiguous one (overlap)
 * takes the earlier instant. For scheduled sends at a local time (R-38: birthday SMS at 09:00).
 *
 * @param local - The wall-clock reading; missing time fields are 0.
 * @param timeZone - An IANA time zone.
 * @returns The instant.
 * @throws {@link @rappel/core!ValidationError} listing every bad field: code `invalid-input` (a field not an integer
 *   in range, or a day the month does not have) or `invalid-time-zone`.
 *
 * @example
 * ```ts
 * zonedInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, "Europe/Paris").toISOString();
 * //=> "2026-03-29T01:30:00.000Z" (03:30 CEST: 02:30 does not exist)
 * zonedInstant({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, "Europe/Paris").toISOString();
 * //=> "2026-10-25T00:30:00.000Z" (the first, CEST, of the two 02:30)
 * ```
 */
export function zonedInstant(local: LocalDateTime, timeZone: string): Date {
  const zone = zoneTable(timeZone);
  const checks = new Checks();
  if (typeof local !== "object" || local === null)
    checks.add("invalid-input", "local", "Expected { year, month, day }");
  else {
    for (const [key, min, max] of FIELDS) {
      const v = local[key] ?? (key === "year" || key === "month" || key === "day" ? undefined : 0);
      if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
        checks.add("invalid-input", `local.${key}`, `Expected an integer from ${min} to ${max}`);
      }
    }
    if (checks.problems.length === 0 && local.day > daysInMonth(local.year, local.month)) {
      checks.add("invalid-input", "local.day", `${local.year}-${local.month} has no day ${local.day}`);
    }
  }
  if (zone === undefined) checks.timeZone(timeZone, "timeZone");
  if (checks.problems.length > 0 || zone === undefined) return checks.fail("zonedInstant");
  const ms =
    daysFromCivil(local.year, local.month, local.day) * DAY_MS +
    (local.hour ?? 0) * 3_600_000 +
    (local.minute ?? 0) * 60_000 +
    (local.second ?? 0) * 1000 +
    (local.millisecond ?? 0);
  const t = ms >= MIN_INSTANT_MS - DAY_MS && ms <= MAX_INSTANT_MS + DAY_MS ? zone.resolve(ms) : Number.NaN;
  return checkResult(t, "invalid-input", "local", "zonedInstant");
}
