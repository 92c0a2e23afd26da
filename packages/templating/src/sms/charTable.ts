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
// SpacingMark), format characters (ZWJ, ZWNJ, Prepend number signs), the halfwidth voiced marks U+FF9E–U+FF9F
// (Other_Grapheme_Extend), the Prepend letter U+0D4E, the SpacingMark letters U+0E33, U+0EB3, U+1CF2 and U+1CF3
// (still marks in grapheme-splitter's Unicode), Hangul jamo and syllables, and surrogates (astral characters: emoji,
// regional indicators, modifiers, tags). Over-approximating only costs speed (such texts take a slower path); the
// tests check on every code unit that nothing outside this set ever glues.
const GLUE = /[\p{M}\p{Cf}\uFF9E\uFF9F\u0D4E\u0E33\u0EB3\u1CF2\u1CF3\u1100-\u11FF\uA960-\uA97F\uAC00-\uD7FF]/u;

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

// Astral code points that can glue to a neighbour: marks, format characters (tags), regional indicators (flags),
// emoji modifiers (skin tones), and Prepend letters of grapheme-splitter's Unicode.
const ASTRAL_GLUE =
  /[\p{M}\p{Cf}\p{Emoji_Modifier}\u{1F1E6}-\u{1F1FF}\u{110BD}\u{110CD}\u{111C2}\u{111C3}\u{11A3A}\u{11A84}-\u{11A89}\u{11D46}]/u;
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

// Islands repeat (the same emoji with the same neighbours): memoise their clusters, bounded.
const islands = new Map<string, readonly number[]>();
function islandSizes(island: string): readonly number[] {
  let sizes = islands.get(island);
  if (sizes === undefined) {
    sizes = graphemes(island).map((g) => g.length);
    if (islands.size >= 4096) islands.clear();
    islands.set(island, sizes);
  }
  return sizes;
}

/**
 * Sizes (UTF-16 units) of the grapheme clusters of `text`, as Twilio's calculator sees them, without running the
 * grapheme splitter over the whole text: a boundary always exists between two units that cannot glue, so only the
 * islands around gluing units (one unit of context on each side, islands merged when they touch) are split.
 */
export function graphemeSizes(text: string): number[] {
  const t = charTable();
  const n = text.length;
  const sizes: number[] = [];
  let i = 0;
  while (i < n) {
    // Next gluing unit at or after i.
    let c = i;
    while (c < n && t[text.charCodeAt(c)] !== COMPLEX) c++;
    if (c === n) {
      for (; i < n; i++) sizes.push(1);
      break;
    }
    const start = Math.max(i, c - 1);
    for (; i < start; i++) sizes.push(1);
    // Extend the island while gluing units keep coming within one unit of its end.
    let end = c + 1;
    for (;;) {
      let next = end;
      while (next < n && next <= end + 1 && t[text.charCodeAt(next)] !== COMPLEX) next++;
      if (next < n && next <= end + 1) end = next + 1;
      else break;
    }
    end = Math.min(n, end + 1);
    for (const size of islandSizes(text.slice(start, end))) sizes.push(size);
    i = end;
  }
  return sizes;
}

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
