import { type CountryCode, getCountries, parsePhoneNumberWithError } from "libphonenumber-js/max";
import { z } from "zod";
import { ErrorCode, RappelError } from "../errors/errors.js";

/**
 * A phone number normalised by {@link normalizePhone}.
 *
 * @example
 * ```ts
 * const p: NormalizedPhone = { e164: "+33612345678", country: "FR", type: "mobile", mobile: true };
 * ```
 */
export interface NormalizedPhone {
  /** The number in E.164 (`+33612345678`). */
  e164: string;
  /** ISO 3166-1 alpha-2 country of the number, when known. */
  country: string | undefined;
  /** The numbering plan's type for it. */
  type: "mobile" | "fixed-line" | "fixed-line-or-mobile" | "voip" | "other";
  /**
   * Whether SMS may go to it: `true` for mobile numbers, and for plans where mobile and fixed lines cannot be
   * told apart (`fixed-line-or-mobile`, e.g. the US).
   */
  mobile: boolean;
}

/**
 * Options of {@link normalizePhone}.
 *
 * @example
 * ```ts
 * const o: NormalizePhoneOptions = { defaultRegion: "CH" };
 * ```
 */
export interface NormalizePhoneOptions {
  /** Region used to read national numbers (`06 12 34 56 78`). @default "FR" */
  defaultRegion?: string;
}

const countries = new Set<string>(getCountries());

/**
 * Whether `region` is an ISO 3166-1 alpha-2 region that phone numbers can be read for.
 *
 * @example
 * ```ts
 * isPhoneRegion("FR") //=> true
 * isPhoneRegion("XX") //=> false
 * ```
 */
export function isPhoneRegion(region: string): boolean {
  return countries.has(region);
}

/**
 * Normalises a phone number to E.164 with libphonenumber's metadata and tells whether it is a mobile.
 * National numbers are read in `defaultRegion` (France unless said otherwise). Throws a `RappelError` with
 * code `invalid-phone` when the number is not a valid number (the message never contains the number itself).
 *
 * @example
 * ```ts
 * normalizePhone("06 12 34 56 78") //=> { e164: "+33612345678", country: "FR", type: "mobile", mobile: true }
 * normalizePhone("01 42 68 53 00").mobile //=> false
 * normalizePhone("079 123 45 67", { defaultRegion: "CH" }).e164 //=> "+41791234567"
 * ```
 */
export function normalizePhone(input: string, options: NormalizePhoneOptions = {}): NormalizedPhone {
  const region = options.defaultRegion ?? "FR";
  if (!isPhoneRegion(region)) {
    throw new RappelError(ErrorCode.INVALID_PHONE, `Unknown default region "${region}"`, { details: { region } });
  }
  if (typeof input !== "string" || input.trim().length === 0) {
    throw new RappelError(ErrorCode.INVALID_PHONE, "Expected a phone number");
  }
  let parsed: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    parsed = parsePhoneNumberWithError(input, region as CountryCode);
  } catch (cause) {
    throw new RappelError(ErrorCode.INVALID_PHONE, "Not a phone number", { cause: new Error(String(cause)) });
  }
  if (!parsed.isValid()) throw new RappelError(ErrorCode.INVALID_PHONE, "Not a valid phone number");
  const raw = parsed.getType();
  const type =
    raw === "MOBILE"
      ? "mobile"
      : raw === "FIXED_LINE"
        ? "fixed-line"
        : raw === "FIXED_LINE_OR_MOBILE"
          ? "fixed-line-or-mobile"
          : raw === "VOIP"
            ? "voip"
            : "other";
  return {
    e164: parsed.number,
    country: parsed.country,
    type,
    mobile: type === "mobile" || type === "fixed-line-or-mobile",
  };
}

/**
 * A zod schema reading a phone number in `defaultRegion` and outputting its E.164 form.
 *
 * @example
 * ```ts
 * phoneNumberSchema("FR").parse("06 12 34 56 78") //=> "+33612345678"
 * ```
 */
export function phoneNumberSchema(defaultRegion = "FR"): z.ZodType<string, string> {
  return z.string().transform((value, ctx) => {
    try {
      return normalizePhone(value, { defaultRegion }).e164;
    } catch {
      ctx.addIssue({ code: "custom", message: "Expected a valid phone number" });
      return z.NEVER;
    }
  });
}

/**
 * zod schema of a phone number in E.164 or French national form, output in E.164.
 *
 * @example
 * ```ts
 * PhoneNumberSchema.parse("+33 6 12 34 56 78") //=> "+33612345678"
 * ```
 */
export const PhoneNumberSchema = phoneNumberSchema("FR");
