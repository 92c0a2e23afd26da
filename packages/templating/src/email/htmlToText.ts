import { ErrorCode, RappelError } from "@rappel/core";

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  eacute: "é",
  egrave: "è",
  agrave: "à",
  ccedil: "ç",
  euro: "€",
  laquo: "«",
  raquo: "»",
  rsquo: "’",
  hellip: "…",
  ndash: "–",
  mdash: "—",
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === "#") {
      const cp = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
    }
    const named = NAMED[e.toLowerCase()];
    return named === undefined || !Object.hasOwn(NAMED, e.toLowerCase()) ? whole : named;
  });
}

/**
 * Plain-text version of an HTML email fragment: line breaks for `<br>` and block ends, `- ` for list items,
 * `label (url)` for links, tags removed, entities decoded, whitespace collapsed as a browser would.
 *
 * @param html - HTML (a fragment or a document).
 * @returns Readable plain text.
 * @example
 * ```ts
 * htmlToText("<p>Bonjour&nbsp;<b>Camille</b>,</p><p>À bientôt<br>Dr Dubois</p>") //=> "Bonjour Camille,\n\nÀ bientôt\nDr Dubois"
 * ```
 */
export function htmlToText(html: string): string {
  if (typeof html !== "string") throw new RappelError(ErrorCode.INVALID_INPUT, "htmlToText expects a string");
  let s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/[ \t\r\n\f]+/g, " ");
  s = s
    .replace(
      /<a\b[^>]*?\bhref\s*=\s*("([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi,
      (_m, _q, d, sq, label: string) => {
        const href = decodeEntities(d ?? sq ?? "");
        const text = label.replace(/<[^>]*>/g, "").trim();
        const plainHref = href.replace(/^mailto:/i, "");
        return text === "" ? plainHref : decodeEntities(text) === plainHref ? text : `${text} (${href})`;
      },
    )
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n- ")
    .replace(/<\/(p|h[1-6]|ul|ol|table|blockquote)\s*>/gi, "\n\n")
    .replace(/<\/(div|tr)\s*>/gi, "\n")
    .replace(/<hr\b[^>]*>/gi, "\n---\n")
    .replace(/<\/?(td|th)\b[^>]*>/gi, " ")
    .replace(/<[^>]*>/g, "");
  s = decodeEntities(s);
  return s
    .split("\n")
    .map((line) => line.replace(/ {2,}/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
