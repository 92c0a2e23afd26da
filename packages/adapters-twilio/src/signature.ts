import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { parse as parseQuery, stringify as stringifyQuery } from "node:querystring";

/** Webhook parameters: form fields, a repeated field holding several values. */
export type WebhookParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * The signature Twilio puts in `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the account's auth token,
 * over the full URL followed by every parameter name and value, parameters sorted by name (code-unit order), a
 * repeated parameter contributing each distinct value in sorted order.
 */
export function computeTwilioSignature(authToken: string, url: string, params: WebhookParams): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    if (typeof value === "string") data += key + value;
    else for (const v of [...new Set(value)].sort()) data += key + v;
  }
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

/**
 * The URL spellings Twilio may have signed for one webhook URL: the URL is normalised (WHATWG), then taken with
 * and without its port (the scheme's default port made explicit when absent), and each of those again with the
 * query string re-encoded the legacy way (Node's `querystring`), because Twilio's signing side is not consistent
 * about either.
 */
export function candidateUrls(url: string): string[] {
  const parsed = new URL(url);
  const withoutPort = new URL(parsed.href);
  withoutPort.port = "";
  const withPort = parsed.port ? parsed.href : explicitDefaultPort(parsed);
  const out = [withoutPort.href, withPort];
  for (const u of [withoutPort.href, withPort]) out.push(legacyQuery(u));
  return [...new Set(out)];
}

function explicitDefaultPort(u: URL): string {
  const port = u.protocol === "https:" ? ":443" : ":80";
  const credentials = u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ""}@` : "";
  return `${u.protocol}//${credentials}${u.host}${port}${u.pathname}${u.search}${u.hash}`;
}

function legacyQuery(url: string): string {
  const u = new URL(url);
  if (!u.search) return url;
  const query = stringifyQuery(parseQuery(u.search.slice(1)));
  u.search = "";
  return `${u.href}?${query}`;
}

/** Constant-time string equality (lengths may leak, contents do not). */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What {@link validateTwilioSignature} checks. */
export interface SignatureInput {
  /** The account's auth token (webhooks are always signed with it, even when the API is used with an API key). */
  authToken: string;
  /** The `X-Twilio-Signature` header value. */
  signature: string;
  /** The full URL Twilio requested, query string included. */
  url: string;
  /** Form parameters (`application/x-www-form-urlencoded` bodies). */
  params?: WebhookParams;
  /**
   * The raw body of a JSON webhook: the signature then covers the URL alone, and the URL's `bodySHA256` query
   * parameter must be the hex SHA-256 of this body.
   */
  body?: string;
}

/**
 * Validates a Twilio webhook signature exactly as Twilio specifies: every candidate spelling of the URL is tried
 * (see {@link candidateUrls}), comparisons are constant-time, and a JSON body must match `bodySHA256`.
 * Returns `false` (never throws) for a malformed URL or an empty signature.
 */
export function validateTwilioSignature(input: SignatureInput): boolean {
  if (!input.signature || !input.authToken) return false;
  let urls: string[];
  try {
    urls = candidateUrls(input.url);
  } catch {
    return false;
  }
  const params = input.body !== undefined ? {} : (input.params ?? {});
  let valid = false;
  // Every candidate is computed and compared, so the time taken does not say which one matched.
  for (const u of urls) {
    if (safeEqual(input.signature, computeTwilioSignature(input.authToken, u, params))) valid = true;
  }
  if (!valid) return false;
  if (input.body !== undefined) {
    const expected = createHash("sha256").update(Buffer.from(input.body, "utf8")).digest("hex");
    return safeEqual(new URL(input.url).searchParams.get("bodySHA256") ?? "", expected);
  }
  return true;
}
