// Proleptic Gregorian calendar arithmetic on "day numbers" (days since 1970-01-01) and "local milliseconds"
// (a wall-clock reading encoded as if it were UTC). Pure integer arithmetic: no Date objects, no host time zone.

/** Milliseconds in a minute, an hour, a day. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * The instants Rappel's timing functions accept and return: 0001-01-04T00:00:00Z through 9999-12-28T00:00:00Z.
 * Intl cannot name years before 1 without an era, and the margin keeps every intermediate local reading (at most
 * a day away from an accepted instant) inside years 1..9999.
 */
export const MIN_INSTANT_MS = -62_135_337_600_000;
export const MAX_INSTANT_MS = 253_401_955_200_000;

/** Day number (days since 1970-01-01) of a proleptic Gregorian date; `month` is 1..12. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** A proleptic Gregorian date. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The proleptic Gregorian date of a day number. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Parses a strict `HH:mm` (00:00–23:59) into milliseconds after midnight, or returns -1. Hand-rolled rather than a
 * regular expression because it runs on the hot path of {@link reminderInstant}.
 */
export function parseTimeOfDay(value: unknown): number {
  if (typeof value !== "string" || value.length !== 5 || value.charCodeAt(2) !== 58) return -1;
  const h1 = value.charCodeAt(0) - 48;
  const h2 = value.charCodeAt(1) - 48;
  const m1 = value.charCodeAt(3) - 48;
  const m2 = value.charCodeAt(4) - 48;
  if (h1 < 0 || h1 > 2 || h2 < 0 || h2 > 9 || m1 < 0 || m1 > 5 || m2 < 0 || m2 > 9) return -1;
  const hours = h1 * 10 + h2;
  if (hours > 23) return -1;
  return hours * HOUR_MS + (m1 * 10 + m2) * MINUTE_MS;
}

/** Two-digit (or wider) zero padding for keys such as `2026-06-09`. */
export function pad(value: number, width = 2): string {
  const s = String(Math.abs(value));
  return (value < 0 ? "-" : "") + (s.length >= width ? s : "0".repeat(width - s.length) + s);
}
