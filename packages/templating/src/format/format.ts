import { currencyMinorDigits, ErrorCode, type Money, RappelError } from "@rappel/core";
import { asciiSpaces, getLocaleProfile } from "./locale.js";
import { getZone, localFields } from "./zone.js";

/**
 * Locale and time zone of a formatting call.
 *
 * @example
 * ```ts
 * const o: FormatOptions = { locale: "en-US", timeZone: "America/New_York" };
 * ```
 */
export interface FormatOptions {
  /** BCP 47 tag. @default "fr-FR" */
  locale?: string;
  /** IANA time zone name. @default "UTC" */
  timeZone?: string;
}

/** The instant of a `Date`, or `invalid-date`. */
export function instant(date: unknown, what = "date"): number {
  const t = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw new RappelError(ErrorCode.INVALID_DATE, `${what} is not a valid Date`);
  return t;
}

/**
 * Formats the calendar date of an instant in a time zone and locale, with ASCII characters only where the locale
 * allows it: `fr-FR` `09/06/2026`, `en-US` `06/09/2026`, `de` `09.06.2026`. Independent of the host's time zone.
 *
 * @param date - The instant. An invalid `Date` throws `invalid-date`.
 * @param options - `locale` (default `fr-FR`) and `timeZone` (default `UTC`; unknown zone: `invalid-time-zone`).
 * @example
 * ```ts
 * formatDate(new Date("2026-06-09T10:00:00Z"), { timeZone: "Europe/Paris" }) //=> "09/06/2026"
 * formatDate(new Date("2026-06-09T10:00:00Z"), { locale: "en-US", timeZone: "Europe/Paris" }) //=> "06/09/2026"
 * ```
 */
export function formatDate(date: Date, options: FormatOptions = {}): string {
  const t = instant(date);
  return getLocaleProfile(options?.locale ?? "fr-FR").date(localFields(getZone(options?.timeZone ?? "UTC"), t));
}

/**
 * Formats the wall-clock time of an instant in a time zone and locale: `fr-FR` `12h00`, `en-US` `12:00 PM` with a
 * plain ASCII space (never ICU's U+202F, which is not GSM-7 and would switch an SMS to UCS-2).
 *
 * @param date - The instant. An invalid `Date` throws `invalid-date`.
 * @param options - `locale` (default `fr-FR`) and `timeZone` (default `UTC`).
 * @example
 * ```ts
 * formatTime(new Date("2026-06-09T10:00:00Z"), { timeZone: "Europe/Paris" }) //=> "12h00"
 * formatTime(new Date("2026-06-09T16:00:00Z"), { locale: "en-US", timeZone: "America/New_York" }) //=> "12:00 PM"
 * ```
 */
export function formatTime(date: Date, options: FormatOptions = {}): string {
  const t = instant(date);
  return getLocaleProfile(options?.locale ?? "fr-FR").time(localFields(getZone(options?.timeZone ?? "UTC"), t));
}

/**
 * Formats a duration in whole minutes (rounded): `30 min`, `1 h 30`, `2 h` in French and other languages;
 * `1 h 30 min` in English. Negative or non-finite input throws `invalid-input`.
 *
 * @param minutes - Duration in minutes.
 * @param options - `locale` (default `fr-FR`).
 * @example
 * ```ts
 * formatDuration(30) //=> "30 min"
 * formatDuration(90) //=> "1 h 30"
 * formatDuration(90, { locale: "en-US" }) //=> "1 h 30 min"
 * ```
 */
export function formatDuration(minutes: number, options: Pick<FormatOptions, "locale"> = {}): string {
  if (typeof minutes !== "number" || !Number.isFinite(minutes) || minutes < 0) {
    throw new RappelError(ErrorCode.INVALID_INPUT, "Duration must be a finite, non-negative number of minutes");
  }
  const total = Math.round(minutes);
  const english = getLocaleProfile(options?.locale ?? "fr-FR").english;
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  if (m === 0) return `${h} h`;
  return english ? `${h} h ${m} min` : `${h} h ${m < 10 ? `0${m}` : m}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * Formats money held in integer minor units (R-09) with the locale's currency conventions, exactly (no floating
 * point), and plain ASCII spaces: `fr-FR` `12,50 €` and `0,10 CHF`; `en-US` and `de-CH` `CHF 0.10`.
 * Invalid amounts or currency codes throw `invalid-input`.
 *
 * @param money - `{ amount, currency }`, amount in minor units.
 * @param options - `locale` (default `fr-FR`).
 * @example
 * ```ts
 * formatMoney({ amount: 1250, currency: "EUR" }) //=> "12,50 €"
 * formatMoney({ amount: 10, currency: "CHF" }, { locale: "en-US" }) //=> "CHF 0.10"
 * ```
 */
export function formatMoney(money: Money, options: Pick<FormatOptions, "locale"> = {}): string {
  const amount = money?.amount;
  const currency = money?.currency;
  if (!Number.isSafeInteger(amount) || typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency)) {
    throw new RappelError(ErrorCode.INVALID_INPUT, "Money must be { amount: safe integer, currency: ISO 4217 code }");
  }
  const tag = getLocaleProfile(options?.locale ?? "fr-FR").tag;
  const key = `${tag}|${currency}`;
  let nf = moneyFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(tag, { style: "currency", currency });
    if (moneyFormats.size >= 256) moneyFormats.clear();
    moneyFormats.set(key, nf);
  }
  const digits = currencyMinorDigits(currency);
  const negative = amount < 0;
  const abs = `${Math.abs(amount)}`.padStart(digits + 1, "0");
  const decimal = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  // Intl.NumberFormat v3 formats decimal strings exactly (no float rounding of large amounts).
  const formatted = nf.format((negative ? `-${decimal}` : decimal) as unknown as number);
  return asciiSpaces(formatted);
}
