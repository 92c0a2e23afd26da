import { z } from "zod";

const zoneCache = new Map<string, boolean>();

/**
 * Whether `timeZone` is an IANA time zone name this runtime knows (`"Europe/Paris"`, `"UTC"`, `"Etc/GMT+5"`).
 *
 * @example
 * ```ts
 * isValidTimeZone("Europe/Paris") //=> true
 * isValidTimeZone("Europe/Lyon") //=> false
 * ```
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== "string" || timeZone.length === 0) return false;
  let valid = zoneCache.get(timeZone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
      valid = true;
    } catch {
      valid = false;
    }
    if (zoneCache.size < 2_000) zoneCache.set(timeZone, valid);
  }
  return valid;
}

/**
 * zod schema of an IANA time zone name.
 *
 * @example
 * ```ts
 * TimeZoneSchema.parse("Europe/Paris") //=> "Europe/Paris"
 * ```
 */
export const TimeZoneSchema = z.string().refine(isValidTimeZone, { message: "Expected an IANA time zone name" });

/**
 * zod schema of a local time of day `HH:mm` (00:00–23:59).
 *
 * @example
 * ```ts
 * TimeOfDaySchema.parse("18:00") //=> "18:00"
 * ```
 */
export const TimeOfDaySchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "Expected a time of day HH:mm");

/**
 * zod schema of an instant: a valid `Date`, or an ISO 8601 date-time string with an offset (`Z` or `+02:00`),
 * parsed to a `Date`.
 *
 * @example
 * ```ts
 * InstantSchema.parse("2026-06-09T10:00:00Z") //=> Date 2026-06-09T10:00:00.000Z
 * ```
 */
export const InstantSchema = z
  .union([z.date(), z.iso.datetime({ offset: true })])
  .transform((value) => (value instanceof Date ? new Date(value.getTime()) : new Date(value)))
  .refine((d) => !Number.isNaN(d.getTime()), { message: "Expected a valid instant" });

/**
 * zod schema of a calendar date `YYYY-MM-DD` (birth dates, signup dates): a real date of the proleptic
 * Gregorian calendar.
 *
 * @example
 * ```ts
 * CalendarDateSchema.parse("1984-02-29") //=> "1984-02-29"
 * ```
 */
export const CalendarDateSchema = z.iso.date();

/** Minutes since midnight of an `HH:mm` string. @internal */
export function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** `HH:mm` of minutes since midnight (0–1439). @internal */
export function formatMinutesOfDay(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();

/**
 * The local calendar date (`year`, `month` 1–12, `day`) of an instant in a time zone.
 * @internal
 */
export function localDate(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  let fmt = partsCache.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    partsCache.set(timeZone, fmt);
  }
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of fmt.formatToParts(instant)) {
    if (part.type === "year") year = Number(part.value);
    else if (part.type === "month") month = Number(part.value);
    else if (part.type === "day") day = Number(part.value);
  }
  return { year, month, day };
}
