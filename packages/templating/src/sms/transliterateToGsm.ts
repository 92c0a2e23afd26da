import { ErrorCode, RappelError } from "@rappel/core";
import { charTable, GSM_BASIC, GSM_EXTENSION } from "./charTable.js";

const groups: [string, string][] = [
  ["\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u02bc\u02b9", "'"],
  ["\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a", '"'],
  ["\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2022", "-"],
  ["\u00a0\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u3000", " "],
  ["\u200b\u2060\ufeff\u00ad", ""],
  ["êëÊË", "e"],
  ["âáãÂÀÁÃ", "a"],
  ["îíÎÍÏÌï", "i"],
  ["ôóõÔÓÒÕ", "o"],
  ["ûúÛÚÙ", "u"],
  ["ÿýŸÝ", "y"],
  ["ç", "c"],
];
const MAP = new Map<string, string>();
for (const [chars, to] of groups) {
  for (const ch of chars) {
    // Upper-case letters keep their case (Ê → E, Â → A); the lowercase targets above are for lowercase letters.
    MAP.set(ch, to.length === 1 && /\p{Lu}/u.test(ch) ? to.toUpperCase() : to);
  }
}
MAP.set("\u2026", "...");
MAP.set("œ", "oe");
MAP.set("Œ", "OE");
MAP.set("È", "E");

const GUILLEMET_OPEN = /«[ \u00a0\u202f]?/g;
const GUILLEMET_CLOSE = /[ \u00a0\u202f]?»/g;
const isGsm = (t: Uint8Array, code: number): boolean => (t[code]! & (GSM_BASIC | GSM_EXTENSION)) !== 0;
const isCombining = (code: number): boolean => code >= 0x0300 && code <= 0x036f;

/**
 * Replaces French typography by GSM-7 look-alikes (SPEC R-18) so that one typographic apostrophe or accented
 * capital does not switch a whole SMS to UCS-2 and halve its capacity: ’ ‘ → `'`; “ ” « » → `"`; … → `...`;
 * – — → `-` (French guillemets lose their inner space: `« RDV »` → `"RDV"`); œ → `oe`; ê â î ô û ë ï ÿ ç → e a i o u e i y c (capitals keep their case); no-break and thin spaces →
 * space; zero-width spaces and soft hyphens are removed; a letter written with combining accents (e + U+0302) is
 * composed first. GSM-7 characters (é è à ù ì ò Ç Ä Ö Ñ Ü ä ö ñ ü ß…) and anything without a look-alike (emoji, other
 * scripts) are left untouched.
 *
 * @param text - Any text.
 * @returns The text with look-alikes replaced.
 * @example
 * ```ts
 * transliterateToGsm("L’hôpital « Sainte-Thérèse » vous rappelle…") //=> "L'hopital \"Sainte-Thérèse\" vous rappelle..."
 * transliterateToGsm("Cœur ❤") //=> "Coeur ❤"
 * ```
 */
export function transliterateToGsm(text: string): string {
  if (typeof text !== "string") throw new RappelError(ErrorCode.INVALID_INPUT, "transliterateToGsm expects a string");
  // French guillemets carry a (no-break) space inside: « RDV » becomes "RDV", not " RDV ".
  if (text.includes("«") || text.includes("»")) text = text.replace(GUILLEMET_OPEN, "«").replace(GUILLEMET_CLOSE, "»");
  const t = charTable();
  const n = text.length;
  let i = 0;
  while (i < n && isGsm(t, text.charCodeAt(i))) i++;
  if (i === n) return text;
  // A combining mark belongs to the letter before it: start the slow loop at that letter.
  if (i > 0 && isCombining(text.charCodeAt(i))) i--;
  let out = text.slice(0, i);
  while (i < n) {
    const code = text.charCodeAt(i);
    let j = i + 1;
    while (j < n && isCombining(text.charCodeAt(j))) j++;
    if (j > i + 1 && !isCombining(code)) {
      const cluster = text.slice(i, j);
      const composed = cluster.normalize("NFC");
      const mapped =
        composed.length === 1 ? (isGsm(t, composed.charCodeAt(0)) ? composed : MAP.get(composed)) : undefined;
      out += mapped ?? cluster;
      i = j;
      continue;
    }
    const ch = text[i]!;
    out += isGsm(t, code) ? ch : (MAP.get(ch) ?? ch);
    i++;
  }
  return out;
}
