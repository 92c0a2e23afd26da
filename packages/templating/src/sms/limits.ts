import { ErrorCode, RappelError } from "@rappel/core";
import { COMPLEX, charTable, graphemeSizes } from "./charTable.js";
import { type SmsInfo, smsInfo } from "./smsInfo.js";
import { transliterateToGsm } from "./transliterateToGsm.js";

/**
 * What to do with an SMS longer than the account's maximum number of segments (SPEC ).
 *
 * @example
 * ```ts
 * const p: SmsOverflowPolicy = "truncate";
 * ```
 */
export type SmsOverflowPolicy = "reject" | "truncate" | "allow";

/**
 * Options of {@link applySmsLimit}, mirroring the account's SMS options.
 *
 * @example
 * ```ts
 * const o: SmsLimitOptions = { maxSegments: 1, overflow: "reject", encoding: "gsm-transliterate" };
 * ```
 */
export interface SmsLimitOptions {
  /** Maximum number of parts, a positive integer. @default 1 */
  maxSegments?: number;
  /** Policy beyond the maximum. @default "reject" */
  overflow?: SmsOverflowPolicy;
  /** `gsm-transliterate` replaces look-alikes by GSM-7 characters first ({@link transliterateToGsm}). @default "auto" */
  encoding?: "auto" | "gsm-transliterate";
}

/**
 * The text to send and what it costs.
 *
 * @example
 * ```ts
 * const r: SmsLimitResult = { text: "Bonjour", info: smsInfo("Bonjour"), truncated: false, overLimit: false };
 * ```
 */
export interface SmsLimitResult {
  /** The text to send (transliterated and/or truncated as the options say). */
  text: string;
  /** {@link smsInfo} of `text`. */
  info: SmsInfo;
  /** Whether the text was cut to fit. */
  truncated: boolean;
  /** Whether the text is still over the maximum (only with `allow`). */
  overLimit: boolean;
}

/**
 * Applies an account's SMS limit to a rendered text (SPEC R-26): within `maxSegments` the text is returned as is;
 * beyond it `reject` throws a `RappelError` with code `sms-too-long` (details: segments, maxSegments, units,
 * encoding), `truncate` keeps the longest prefix that fits, never cutting an extension character, a surrogate pair
 * or a grapheme cluster, and `allow` sends it anyway (`overLimit: true`, each part is billed).
 * With `encoding: "gsm-transliterate"` look-alikes are replaced first. Invalid options throw `invalid-input`.
 *
 * @param text - The rendered SMS.
 * @param options - Maximum segments (default 1), overflow policy (default `reject`), encoding (default `auto`).
 * @example
 * ```ts
 * applySmsLimit("a".repeat(170), { overflow: "truncate" }).text.length //=> 160
 * applySmsLimit("a".repeat(170), { overflow: "allow" }).info.segments //=> 2
 * applySmsLimit("a".repeat(170)) // throws RappelError { code: "sms-too-long" }
 * ```
 */
export function applySmsLimit(text: string, options: SmsLimitOptions = {}): SmsLimitResult {
  const { maxSegments = 1, overflow = "reject", encoding = "auto" } = options ?? {};
  if (typeof text !== "string") throw new RappelError(ErrorCode.INVALID_INPUT, "SMS text must be a string");
  if (!Number.isInteger(maxSegments) || maxSegments < 1) {
    throw new RappelError(ErrorCode.INVALID_INPUT, "maxSegments must be a positive integer", {
      details: { maxSegments },
    });
  }
  if (overflow !== "reject" && overflow !== "truncate" && overflow !== "allow") {
    throw new RappelError(ErrorCode.INVALID_INPUT, "overflow must be reject, truncate or allow");
  }
  if (encoding !== "auto" && encoding !== "gsm-transliterate") {
    throw new RappelError(ErrorCode.INVALID_INPUT, "encoding must be auto or gsm-transliterate");
  }
  const body = encoding === "gsm-transliterate" ? transliterateToGsm(text) : text;
  const info = smsInfo(body);
  if (info.segments <= maxSegments) return { text: body, info, truncated: false, overLimit: false };
  if (overflow === "allow") return { text: body, info, truncated: false, overLimit: true };
  if (overflow === "reject") {
    throw new RappelError(
      ErrorCode.SMS_TOO_LONG,
      `SMS needs ${info.segments} segments (${info.units} ${info.encoding} units); the maximum is ${maxSegments}`,
      { details: { segments: info.segments, maxSegments, units: info.units, encoding: info.encoding } },
    );
  }
  const cut = truncateSms(body, maxSegments);
  return { text: cut, info: smsInfo(cut), truncated: true, overLimit: false };
}

/** Longest prefix of `text`, cut at a boundary Twilio's calculator never splits, that fits `maxSegments` parts. */
function truncateSms(text: string, maxSegments: number): string {
  const t = charTable();
  let complex = false;
  for (let i = 0; i < text.length; i++) {
    if (t[text.charCodeAt(i)] === COMPLEX) {
      complex = true;
      break;
    }
  }
  // Candidate cut points: every code unit for plain texts, else every grapheme boundary.
  let ends: number[] | undefined;
  if (complex) {
    ends = [];
    let at = 0;
    for (const size of graphemeSizes(text)) {
      at += size;
      ends.push(at);
    }
  }
  const count = ends ? ends.length : text.length;
  const cutAt = (k: number): number => (k === 0 ? 0 : ends ? ends[k - 1]! : k);
  // Segments grow with the prefix: binary search the largest k that fits.
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (smsInfo(text.slice(0, cutAt(mid))).segments <= maxSegments) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, cutAt(lo));
}

/**
 * Maximum length of an email body in characters (UTF-16 code units), from seed 002.
 *
 * @example
 * ```ts
 * EMAIL_MAX_LENGTH //=> 65535
 * ```
 */
export const EMAIL_MAX_LENGTH = 65_535;

/**
 * Throws a `RappelError` with code `email-too-long` when an email body is longer than {@link EMAIL_MAX_LENGTH}
 * (SPEC R-26); returns the body otherwise.
 *
 * @param body - An email body (HTML or text part).
 * @param part - Which part, for the error message. @default "body"
 * @example
 * ```ts
 * checkEmailLength("Bonjour") //=> "Bonjour"
 * checkEmailLength("x".repeat(65_536)) // throws RappelError { code: "email-too-long" }
 * ```
 */
export function checkEmailLength(body: string, part = "body"): string {
  if (typeof body !== "string") throw new RappelError(ErrorCode.INVALID_INPUT, "Email body must be a string");
  if (body.length > EMAIL_MAX_LENGTH) {
    throw new RappelError(
      ErrorCode.EMAIL_TOO_LONG,
      `Email ${part} has ${body.length} characters; the maximum is ${EMAIL_MAX_LENGTH}`,
      { details: { length: body.length, max: EMAIL_MAX_LENGTH, part } },
    );
  }
  return body;
}
