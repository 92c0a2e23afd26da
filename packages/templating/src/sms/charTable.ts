import { isGsmChar } from "@trt2/gsm-charset-utils";
import GraphemeSplitter from "grapheme-splitter";

/** GSM 03.38 basic table: one septet. */
export const GSM_BASIC = 1;
/** GSM 03.38 extension table (escape + char): two septets. */
export const GSM_EXTENSION = 2;
/** Not GSM-7, one UTF-16 unit, and always a grapheme of its own. */
export const UCS_SIMPLE = 0x10;
/** May join its neighbours into one grapheme cluster (marks, ZWJ, surrogates, Hangul…): the exact path decides. */
export const COMPLEX = 0x40;

/** The ten characters of the GSM extension table that Twilio and gsm-charset-utils accept. */
export const GSM_EXTENSION_CHARS = "\f^{}\\[~]|€";

// Everything that can glue to a neighbour under UAX #29 as grapheme-splitter implements it: marks (Extend,
// SpacingMark), format characters (ZWJ, ZWNJ, Prepend number signs), modifier letters (halfwidth voiced marks),
// unassigned code points (their class may differ between Unicode versions), the Prepend letter U+0D4E, the
// SpacingMark letters U+0E33 and U+0EB3, Hangul jamo and syllables, and surrogates (astral characters: emoji,
// regional indicators, modifiers, tags). Over-approximating only costs speed: such texts take the exact path.
const GLUE = /[\p{M}\p{Cf}\p{Lm}\p{Cn}\u0D4E\u0E33\u0EB3\u1CF2\u1CF3\u1100-\u11FF\uA960-\uA97F\uAC00-\uD7FF]/u;

let table: Uint8Array | undefined;

/** Class of each UTF-16 code unit (built once, on first use: 64 KiB). */
export function charTable(): Uint8Array {
  if (table) return table;
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    const s = String.fromCharCode(c);
    if (c >= 0xd800 && c <= 0xdfff) t[c] = COMPLEX;
    else if (isGsmChar(s)) t[c] = GSM_EXTENSION_CHARS.includes(s) ? GSM_EXTENSION : GSM_BASIC;
    else if (GLUE.test(s)) t[c] = COMPLEX;
    else t[c] = UCS_SIMPLE;
  }
  table = t;
  return t;
}

// Astral code points that can glue to a neighbour: marks, format characters (tags), modifier letters, unassigned,
// regional indicators (flags), emoji modifiers (skin tones), and Prepend letters of grapheme-splitter's Unicode.
const ASTRAL_GLUE =
  /[\p{M}\p{Cf}\p{Lm}\p{Cn}\p{Emoji_Modifier}\u{1F1E6}-\u{1F1FF}\u{110BD}\u{110CD}\u{111C2}\u{111C3}\u{11A3A}\u{11A84}-\u{11A89}\u{11D46}]/u;
let plane1: Uint8Array | undefined;

/**
 * Whether an astral code point is always a grapheme of its own (when its neighbours are too): most emoji, CJK
 * extensions, historic scripts. Cached for plane 1 (emoji live there).
 */
export function isSimpleAstral(cp: number): boolean {
  if (cp < 0x20000) {
    plane1 ??= new Uint8Array(0x10000);
    const i = cp - 0x10000;
    let v = plane1[i]!;
    if (v === 0) {
      v = ASTRAL_GLUE.test(String.fromCodePoint(cp)) ? 2 : 1;
      plane1[i] = v;
    }
    return v === 1;
  }
  return !ASTRAL_GLUE.test(String.fromCodePoint(cp));
}

let splitter: GraphemeSplitter | undefined;

/**
 * Grapheme clusters exactly as Twilio's segment calculator sees them: grapheme-splitter's UAX #29 clusters, with
 * CR LF kept as two characters.
 */
export function graphemes(text: string): string[] {
  splitter ??= new GraphemeSplitter();
  const out: string[] = [];
  for (const g of splitter.iterateGraphemes(text)) {
    if (g === "\r\n") out.push("\r", "\n");
    else out.push(g);
  }
  return out;
}
