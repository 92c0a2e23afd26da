import type { ZoneTable } from "@rappel/core";
import * as zoneEngine from "@rappel/core";
import * as civil from "./civil.js";
import * as validate from "./validate.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time); a module constant costs nothing in
// either module system (as ES modules, and in the bundled dist, the difference is within noise). No import cycle
// here, so the bindings are initialised when read.
const { civilFromDays, DAY_MS, pad } = civil;
const { Checks, instantOf } = validate;
const { zoneTable } = zoneEngine;

/**
 * The wall-clock reading of an instant in a time zone.
 *
 * @example
 * ```ts
 * const parts: ZonedDateParts = {
 *   year: 2026, month: 6, day: 9, hour: 12, minute: 0, second: 0, millisecond: 0, weekday: 2, offsetMinutes: 120,
 * };
 * ```
 */
export interface ZonedDateParts {
  /** Full proleptic Gregorian year, e.g. `2026`. */
  year: number;
  /** Month, 1 (January) to 12. */
  month: number;
  /** Day of the month, 1 to 31. */
  day: number;
  /** Hour, 0 to 23. */
  hour: number;
  /** Minute, 0 to 59. */
  minute: number;
  /** Second, 0 to 59. */
  second: number;
  /** Millisecond, 0 to 999. */
  millisecond: number;
  /** ISO weekday: 1 (Monday) to 7 (Sunday). */
  weekday: number;
  /** UTC offset in minutes (local minus UTC), e.g. `120` for CEST; fractional for historical local mean time. */
  offsetMinutes: number;
}

function readZone(instant: Date, timeZone: string, what: string): { t: number; zone: ZoneTable } {
  const t = instantOf(instant);
  const zone = zoneTable(timeZone);
  if (Number.isNaN(t) || zone === undefined) {
    return new Checks().date(instant, "instant").timeZone(timeZone, "timeZone").fail(what);
  }
  return { t, zone };
}

/**
 * The wall-clock reading of `instant` in `timeZone`: date, time, ISO weekday and UTC offset. Uses the same cached
 * transition tables as {@link reminderInstant}, so it is cheap enough for planning loops.
 *
 * @param instant - Any valid instant from 0001-01-04 to 9999-12-28 UTC.
 * @param timeZone - An IANA time zone.
 * @returns The local reading.
 * @throws {@link @rappel/core!ValidationError} with code `invalid-date` or `invalid-time-zone`.
 *
 * @example
 * ```ts
 * zonedDateParts(new Date("2026-10-25T00:30:00Z"), "Europe/Paris");
 * //=> { year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0, millisecond: 0, weekday: 7, offsetMinutes: 120 }
 * zonedDateParts(new Date("2026-10-25T01:30:00Z"), "Europe/Paris").offsetMinutes; //=> 60 (the second 02:30)
 * ```
 */
export function zonedDateParts(instant: Date, timeZone: string): ZonedDateParts {
  const { t, zone } = readZone(instant, timeZone, "zonedDateParts");
  const offset = zone.offsetAt(t);
  const local = t + offset;
  const days = Math.floor(local / DAY_MS);
  let rest = local - days * DAY_MS;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  // 1970-01-01 was a Thursday (ISO 4).
  const weekday = ((((days + 3) % 7) + 7) % 7) + 1;
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    millisecond: rest - second * 1000,
    weekday,
    offsetMinutes: offset / 60_000,
  };
}

/**
 * The local calendar day of `instant` in `timeZone` as `YYYY-MM-DD`: a key for "one SMS per day per contact"
 * and other per-local-day grouping.
 *
 * @param instant - Any valid instant from 0001-01-04 to 9999-12-28 UTC.
 * @param timeZone - An IANA time zone.
 * @returns The local date, e.g. `"2026-06-09"`.
 * @throws {@link @rappel/core!ValidationError} with code `invalid-date` or `invalid-time-zone`.
 *
 * @example
 * ```ts
 * localDayKey(new Date("2026-06-08T22:30:00Z"), "Europe/Paris"); //=> "2026-06-09"
 * localDayKey(new Date("2026-06-08T22:30:00Z"), "America/New_York"); //=> "2026-06-08"
 * ```
 */
export function localDayKey(instant: Date, timeZone: string): string {
  return dayKey(localDayNumber(instant, timeZone));
}

/**
 * The local calendar day of `instant` in `timeZone` as a day number (days since 1970-01-01): {@link localDayKey}
 * without building the string, with the same checks and errors.
 *
 * @internal
 */
export function localDayNumber(instant: Date, timeZone: string): number {
  const t = instantOf(instant);
  const zone = zoneTable(timeZone);
  if (Number.isNaN(t) || zone === undefined) readZone(instant, timeZone, "localDayKey");
  // DAY_MS as a literal: a bundled module constant is reloaded and type-checked on every use.
  return Math.floor((t + zone!.offsetAt(t)) / 86_400_000);
}

/**
 * A day number as `YYYY-MM-DD` (the format of {@link localDayKey}).
 *
 * @internal
 */
export function dayKey(days: number): string {
  // Direct-mapped cache: the days a planning run names cluster on a few hundred.
  const slot = days & (DAY_KEY_SLOTS - 1);
  if (dayKeyDays[slot] === days) return dayKeyTexts[slot]!;
  const { year, month, day } = civilFromDays(days);
  const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  dayKeyDays[slot] = days;
  dayKeyTexts[slot] = text;
  return text;
}

const DAY_KEY_SLOTS = 1024;
const dayKeyDays = new Float64Array(DAY_KEY_SLOTS).fill(Number.NaN);
const dayKeyTexts: string[] = new Array<string>(DAY_KEY_SLOTS).fill("");
