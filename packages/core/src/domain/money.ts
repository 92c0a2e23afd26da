import { z } from "zod";

/**
 * Money as integer minor units plus an ISO 4217 currency code. Never floats.
 *
 * @example
 * ```ts
 * const tenCentimes: Money = { amount: 10, currency: "CHF" }; // CHF 0.10
 * ```
 */
export interface Money {
  /** Integer amount in the currency's minor units (centimes, cents). May be negative for credits. */
  amount: number;
  /** ISO 4217 alphabetic code, upper case (`"CHF"`, `"EUR"`). */
  currency: string;
}

/**
 * zod schema of {@link Money}: `amount` a safe integer, `currency` three upper-case letters.
 *
 * @example
 * ```ts
 * MoneySchema.parse({ amount: 1250, currency: "EUR" }) //=> { amount: 1250, currency: "EUR" }
 * ```
 */
export const MoneySchema = z.object({
  amount: z.number().int().refine(Number.isSafeInteger, "Expected a safe integer number of minor units"),
  currency: z.string().regex(/^[A-Z]{3}$/, "Expected an ISO 4217 code such as CHF or EUR"),
});

const minorDigitsCache = new Map<string, number>();

/**
 * Number of minor-unit digits of a currency (2 for CHF and EUR, 0 for JPY, 3 for KWD), from `Intl`.
 *
 * @example
 * ```ts
 * currencyMinorDigits("CHF") //=> 2
 * currencyMinorDigits("JPY") //=> 0
 * ```
 */
export function currencyMinorDigits(currency: string): number {
  let digits = minorDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * Adds amounts of one currency. Throws a `RangeError` on mixed currencies (a programming error, not input).
 *
 * @example
 * ```ts
 * addMoney({ amount: 10, currency: "CHF" }, { amount: 15, currency: "CHF" }) //=> { amount: 25, currency: "CHF" }
 * ```
 */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`Cannot add ${a.currency} and ${b.currency}`);
  return { amount: a.amount + b.amount, currency: a.currency };
}

/**
 * Multiplies an amount by an integer count (e.g. a unit price by a number of SMS credits).
 *
 * @example
 * ```ts
 * multiplyMoney({ amount: 10, currency: "CHF" }, 3) //=> { amount: 30, currency: "CHF" }
 * ```
 */
export function multiplyMoney(a: Money, count: number): Money {
  if (!Number.isInteger(count)) throw new RangeError("Money can only be multiplied by an integer");
  return { amount: a.amount * count, currency: a.currency };
}
