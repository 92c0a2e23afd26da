import { ErrorCode, RappelError } from "@rappel/core";
import { COMPLEX, charTable, GSM_EXTENSION, graphemeSizes, isSimpleAstral, UCS_SIMPLE } from "./charTable.js";

/**
 * What an SMS text costs: its encoding, its length in that encoding's units, the number of parts, the capacity
 * of each part and how many units are still free in the last part.
 *
 * @example
 * ```ts
 * const info: SmsInfo = { encoding: "GSM-7", units: 5, segments: 1, perSegment: 160, remaining: 155 };
 * ```
 */
export interface SmsInfo {
  /** `GSM-7` when every character is in the GSM 03.38 tables, else `UCS-2`. */
  encoding: "GSM-7" | "UCS-2";
  /** Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2. */
  units: number;
  /** Number of parts the message is sent in (at least 1, also for the empty text). */
  segments: number;
  /** Units per part: 160 / 70 for a single part, 153 / 67 per part of a concatenated message. */
  perSegment: number;
  /** Units still free in the last part (never negative). */
  remaining: number;
}

const BITS = 1120; // 140 octets per part
const UDH = 48; // 6 octets of concatenation header in each part of a multi-part message

/**
 * Encoding and segment count of an SMS text, identical to Twilio's public segment calculator
 * (`sms-segments-calculator`) on every input: GSM-7 when every grapheme is one GSM 03.38 character (extension
 * characters `€ [ ] { } ^ ~ | \` and form feed count two septets), else UCS-2; 160 / 153 septets or 70 / 67 code
 * units per part; a part never ends inside an extension character, a surrogate pair or a grapheme cluster (flag,
 * ZWJ sequence, letter + combining accent), which moves whole to the next part.
 *
 * Plain texts take a table-driven fast path; texts with characters that can form clusters take an exact path.
 *
 * @param text - The message body, exactly as it will be sent.
 * @returns Encoding, units, segments, units per segment and units left in the last segment.
 * @example
 * ```ts
 * smsInfo("Bonjour, RDV le 09/06/2026 à 12h00")
 * //=> { encoding: "GSM-7", units: 34, segments: 1, perSegment: 160, remaining: 126 }
 * smsInfo("Rappel : RDV demain ✅")
 * //=> { encoding: "UCS-2", units: 21, segments: 1, perSegment: 70, remaining: 49 }
 * ```
 */
export function smsInfo(text: string): SmsInfo {
  if (typeof text !== "string") throw new RappelError(ErrorCode.INVALID_INPUT, "smsInfo expects a string");
  const t = charTable();
  const n = text.length;
  let acc = 0;
  let septets = 0;
  for (let i = 0; i < n; i++) {
    const c = t[text.charCodeAt(i)]!;
    acc |= c;
    septets += c; // only read when every class is 1 or 2 (GSM-7)
  }
  if (acc & COMPLEX) return withPairs(text, t);
  if (acc & UCS_SIMPLE) {
    // Every unit is its own grapheme of 16 bits.
    if (n <= 70) return { encoding: "UCS-2", units: n, segments: 1, perSegment: 70, remaining: 70 - n };
    const segments = Math.ceil(n / 67);
    return { encoding: "UCS-2", units: n, segments, perSegment: 67, remaining: segments * 67 - n };
  }
  if (septets <= 160) {
    return { encoding: "GSM-7", units: septets, segments: 1, perSegment: 160, remaining: 160 - septets };
  }
  if (!(acc & GSM_EXTENSION)) {
    const segments = Math.ceil(septets / 153);
    return { encoding: "GSM-7", units: septets, segments, perSegment: 153, remaining: segments * 153 - septets };
  }
  // Extension characters are never split: pack greedily, 153 septets per part.
  let segments = 1;
  let fill = 0;
  for (let i = 0; i < n; i++) {
    const s = t[text.charCodeAt(i)]! & 3;
    if (fill + s > 153) {
      segments++;
      fill = s;
    } else fill += s;
  }
  return { encoding: "GSM-7", units: septets, segments, perSegment: 153, remaining: 153 - fill };
}

/**
 * Texts whose only "complex" units are surrogate pairs of stand-alone astral characters (most emoji): UCS-2, every
 * grapheme one or two units, packed greedily (a pair is never split). Anything else takes the exact path.
 */
function withPairs(text: string, t: Uint8Array): SmsInfo {
  const n = text.length;
  let units = 0;
  let segments = 1;
  let fill = 0; // units in the current part of 67
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let size = 1;
    if (t[c] === COMPLEX) {
      const d = c <= 0xdbff && i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff || !isSimpleAstral(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000))
        return exact(text);
      size = 2;
      i++;
    }
    units += size;
    if (fill + size > 67) {
      segments++;
      fill = size;
    } else fill += size;
  }
  if (units <= 70) return { encoding: "UCS-2", units, segments: 1, perSegment: 70, remaining: 70 - units };
  return { encoding: "UCS-2", units, segments, perSegment: 67, remaining: 67 - fill };
}

/**
 * The exact path: graphemes as Twilio's calculator splits them, then its part-building rule replayed in bits
 * (a part holds 1120 bits; once a second part is needed the first gets a 48-bit header and gives back whole
 * graphemes from its end until it fits, and those go to the second part unchecked).
 */
function exact(text: string): SmsInfo {
  const t = charTable();
  const sizes = graphemeSizes(text);
  let gsm = true;
  for (let i = 0, at = 0; i < sizes.length; at += sizes[i]!, i++) {
    if (sizes[i] !== 1 || !(t[text.charCodeAt(at)]! & 3)) {
      gsm = false;
      break;
    }
  }
  const unitBits = gsm ? 7 : 16;
  const first: number[] = [];
  let segments = 1;
  let cur = 0; // bits used in the current part, header included
  let total = 0; // message units
  for (let i = 0, at = 0; i < sizes.length; at += sizes[i]!, i++) {
    const units = gsm ? t[text.charCodeAt(at)]! & 3 : sizes[i]!;
    const bits = units * unitBits;
    total += units;
    if (BITS - cur < bits) {
      if (segments === 1) {
        let firstBits = cur + UDH;
        let moved = 0;
        while (firstBits > BITS && first.length > 0) {
          const b = first.pop()!;
          firstBits -= b;
          moved += b;
        }
        cur = UDH + moved;
      } else cur = UDH;
      segments++;
    }
    if (segments === 1) first.push(bits);
    cur += bits;
  }
  const perSegment = gsm ? (segments === 1 ? 160 : 153) : segments === 1 ? 70 : 67;
  const remaining = Math.max(0, Math.floor((BITS - cur) / unitBits));
  return { encoding: gsm ? "GSM-7" : "UCS-2", units: total, segments, perSegment, remaining };
}
