// Proleptic Gregorian calendar arithmetic on "day numbers" (days since 1970-01-01) and "local milliseconds"
// (a wall-clock reading encoded as if it were UTC). Pure integer arithmetic: no Date objects, no host time zone.

/**
 * Milliseconds in a day.
 *
 * @example
 * ```ts
 * Math.floor(Date.UTC(2026, 5, 9, 10) / DAY_MS); //=> 20613 (the day number of 2026-06-09)
 * ```
 */
export const DAY_MS = 86_400_000;

/**
 * The earliest instant the zone engine converts with its transition table: 0001-01-04T00:00:00Z. Intl cannot
 * name years before 1 without an era, and the margin keeps every intermediate local reading (at most a day away
 * from an accepted instant) inside years 1..9999.
 *
 * @example
 * ```ts
 * new Date(MIN_INSTANT_MS).toISOString(); //=> "0001-01-04T00:00:00.000Z"
 * ```
 */
export const MIN_INSTANT_MS = -62_135_337_600_000;

/**
 * The latest instant the zone engine converts with its transition table: 9999-12-28T00:00:00Z (see
 * {@link MIN_INSTANT_MS}).
 *
 * @example
 * ```ts
 * new Date(MAX_INSTANT_MS).toISOString(); //=> "9999-12-28T00:00:00.000Z"
 * ```
 */
export const MAX_INSTANT_MS = 253_401_955_200_000;

/**
 * Day number (days since 1970-01-01) of a proleptic Gregorian date; `month` is 1..12. Integer arithmetic only,
 * valid for any year (negative years too).
 *
 * @example
 * ```ts
 * daysFromCivil(1970, 1, 1); //=> 0
 * daysFromCivil(2026, 6, 9); //=> 20613
 * ```
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * A proleptic Gregorian date; `month` is 1..12.
 *
 * @example
 * ```ts
 * const d: CivilDate = { year: 2026, month: 6, day: 9 };
 * ```
 */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/**
 * The proleptic Gregorian date of a day number (days since 1970-01-01); the inverse of {@link daysFromCivil}.
 *
 * @example
 * ```ts
 * civilFromDays(20613); //=> { year: 2026, month: 6, day: 9 }
 * ```
 */
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
