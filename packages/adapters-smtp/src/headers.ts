// Header safety: every value that reaches a header comes from here. Nothing user-derived is ever passed to
// nodemailer as a pre-formatted header; names and subjects are single-lined, addresses are validated.

/** C0/C1 controls (CR, LF, TAB, NUL…), DEL, and the Unicode line/paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

// nodemailer's encoded-word splitter keeps surrogate pairs together only for the emoji planes (high surrogates
// D83C–D83E); any other astral character may be cut in two and arrive as two U+FFFD. Those rare characters (and
// lone surrogates) become one U+FFFD here, so what is sent is always what we mean.
const RARE_ASTRAL =
  /[\uD800-\uD83B\uD83F-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Makes a string safe for a header value: control characters (CR and LF included) become one space, runs of
 * spaces are collapsed, ends are trimmed. Encoding (RFC 2047) is left to nodemailer.
 */
export function singleLine(value: string): string {
  return value.replace(CONTROL, " ").replace(/ {2,}/g, " ").trim();
}

/**
 * The text of a header value built from data: {@link singleLine}; the RFC 2047 encoded-word opener `=?` is
 * broken up (`= ?`), so a literal `=?UTF-8?B?DQpCY2M6…?=` in a name or subject cannot be decoded by the
 * recipient's mail client into a CR/LF or a fake address; rare astral characters become U+FFFD.
 */
export function headerText(value: string): string {
  return singleLine(singleLine(value).replace(/=\?/g, "= ?")).replace(RARE_ASTRAL, "\uFFFD");
}

// dot-atom local part (RFC 5322 atext, ASCII only) @ domain of LDH labels (Unicode letters allowed: nodemailer
// converts them to punycode).
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

/**
 * Whether `address` is a plain `local@domain` mailbox we are willing to put in an envelope and a header: a
 * dot-atom local part (≤ 64 chars) and a domain of at least two labels, no quotes, brackets, spaces, commas or
 * control characters, ≤ 254 chars in all.
 */
export function isValidAddress(address: string): boolean {
  if (typeof address !== "string" || address.length > 254) return false;
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  return labels.every((label) => LABEL.test(label));
}

/** Replaces anything that looks like an email address in provider text, so errors and logs carry none. */
export function redactAddresses(text: string): string {
  return text.replace(/<?[^\s<>@,;:"]+@[^\s<>@,;:"]+>?/g, "<redacted>");
}
