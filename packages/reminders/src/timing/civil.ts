// Proleptic Gregorian calendar arithmetic on "day numbers" (days since 1970-01-01) and "local milliseconds"
// (a wall-clock reading encoded as if it were UTC). Pure integer arithmetic: no Date objects, no host time zone.

// The calendar arithmetic itself lives in @rappel/core, shared with @rappel/templating's formatting.
export type { CivilDate } from "@rappel/core";
export { civilFromDays, DAY_MS, daysFromCivil, MAX_INSTANT_MS, MIN_INSTANT_MS } from "@rappel/core";

/** Milliseconds in a minute, an hour. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

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
