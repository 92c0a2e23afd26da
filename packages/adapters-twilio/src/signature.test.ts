// The validator against the official `twilio` package (the oracle): over thousands of random URLs, parameter
// sets and tokens they agree, and any one-character change to the URL, a parameter or the signature is rejected.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { getExpectedTwilioSignature, validateRequest, validateRequestWithBody } from "twilio/lib/webhooks/webhooks.js";
import { describe, expect, it, vi } from "vitest";
import { candidateUrls, computeTwilioSignature, validateTwilioSignature } from "./signature.js";

// Thousands of runs per property: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 30_000 });

const RUNS = 2000;
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const scheme = fc.constantFrom("http", "https");
const host = fc.constantFrom("example.com", "rappel.example.org", "127.0.0.1", "xn--mdecin-bva.fr", "localhost");
const port = fc.constantFrom("", ":443", ":80", ":8080", ":3000");
const pathSegment = fc.stringMatching(/^[a-z0-9]{1,12}$/);
const queryChar = fc.constantFrom(..."abcXYZ019-_.~ %&=+/?:@!$'()*,;é€[]".split(""));
const query = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.stringMatching(/^[a-zA-Z0-9_]{1,6}$/),
        fc.array(queryChar, { maxLength: 8 }).map((a) => a.join("")),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`),
);
const urlParts = fc.record({
  scheme,
  host,
  port,
  segments: fc.array(pathSegment, { minLength: 1, maxLength: 3 }),
  query,
});
type UrlParts = typeof urlParts extends fc.Arbitrary<infer T> ? T : never;
const buildUrl = (u: UrlParts) => `${u.scheme}://${u.host}${u.port}/${u.segments.join("/")}${u.query}`;

const paramValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }) },
  { weight: 1, arbitrary: fc.uniqueArray(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }) },
);
const params = fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/), paramValue, { maxKeys: 8 });
const oneChar = fc.string({ minLength: 1, maxLength: 1 });
const token = fc.string({ minLength: 1, maxLength: 40 });

function mine(authToken: string, signature: string, url: string, p: Record<string, string | string[]>) {
  return validateTwilioSignature({ authToken, signature, url, params: p });
}

describe("computeTwilioSignature", () => {
  it("matches Twilio's documented example", () => {
    // The worked example of Twilio's webhook security page: token 12345, this URL, these parameters.
    const signature = computeTwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", {
      CallSid: "CA1234567890ABCDE",
      Caller: "+12349013030",
      Digits: "1234",
      From: "+12349013030",
      To: "+18005551212",
    });
    expect(signature).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  });

  it("agrees with the oracle's signature for every URL and parameter set", () => {
    fc.assert(
      fc.property(token, urlParts, params, (t, u, p) => {
        const url = buildUrl(u);
        expect(computeTwilioSignature(t, url, p)).toBe(getExpectedTwilioSignature(t, url, p));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("validateTwilioSignature vs twilio.validateRequest", () => {
  it("accepts what Twilio signed — with or without the port — and agrees with the oracle", () => {
    fc.assert(
      fc.property(token, urlParts, params, fc.nat(), (t, u, p, pick) => {
        const url = buildUrl(u);
        // Twilio may have signed any spelling of the URL: the one we see, or another port spelling of it.
        const spellings = [url, ...candidateUrls(url)];
        const signedUrl = spellings[pick % spellings.length]!;
        const signature = getExpectedTwilioSignature(t, signedUrl, p);
        const expected = validateRequest(t, signature, url, p);
        expect(mine(t, signature, url, p)).toBe(expected);
        if (signedUrl !== url) expect(expected).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("accepts a URL signed with the explicit default port when the request has none, and the reverse", () => {
    const p = { MessageSid: "SM1", MessageStatus: "delivered" };
    const withPort = getExpectedTwilioSignature("tok", "https://rappel.example.org:443/twilio?x=1", p);
    expect(mine("tok", withPort, "https://rappel.example.org/twilio?x=1", p)).toBe(true);
    const without = getExpectedTwilioSignature("tok", "https://rappel.example.org/twilio?x=1", p);
    expect(mine("tok", without, "https://rappel.example.org:443/twilio?x=1", p)).toBe(true);
    // Like Twilio's own validator, any port is also tried stripped.
    expect(mine("tok", without, "https://rappel.example.org:8443/twilio?x=1", p)).toBe(true);
    expect(mine("tok", without, "https://rappel.example.org:8443/twilio?x=2", p)).toBe(false);
  });

  it("agrees with the oracle on arbitrary (forged) signatures", () => {
    fc.assert(
      fc.property(token, urlParts, params, fc.string({ maxLength: 30 }), (t, u, p, forged) => {
        const url = buildUrl(u);
        expect(mine(t, forged, url, p)).toBe(validateRequest(t, forged, url, p));
      }),
      { numRuns: RUNS },
    );
  });

  it("rejects any one-character change to the signature", () => {
    fc.assert(
      fc.property(token, urlParts, params, fc.nat(), fc.constantFrom(...BASE64.split("")), (t, u, p, at, c) => {
        const url = buildUrl(u);
        const signature = getExpectedTwilioSignature(t, url, p);
        const i = at % signature.length;
        fc.pre(signature[i] !== c);
        const changed = signature.slice(0, i) + c + signature.slice(i + 1);
        expect(mine(t, changed, url, p)).toBe(false);
        expect(validateRequest(t, changed, url, p)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("rejects any one-character change to the URL's path", () => {
    fc.assert(
      fc.property(
        token,
        urlParts,
        params,
        fc.nat(),
        fc.nat(),
        fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789".split("")),
        (t, u, p, seg, at, c) => {
          const signature = getExpectedTwilioSignature(t, buildUrl(u), p);
          const s = seg % u.segments.length;
          const segment = u.segments[s]!;
          const i = at % segment.length;
          fc.pre(segment[i] !== c);
          const segments = [...u.segments];
          segments[s] = segment.slice(0, i) + c + segment.slice(i + 1);
          const changed = buildUrl({ ...u, segments });
          expect(mine(t, signature, changed, p)).toBe(false);
          expect(validateRequest(t, signature, changed, p)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("rejects any one-character change to a parameter value, and agrees with the oracle on key changes", () => {
    fc.assert(
      fc.property(token, urlParts, params, fc.nat(), fc.nat(), fc.nat(), oneChar, (t, u, p, k, e, at, c) => {
        const keys = Object.keys(p);
        fc.pre(keys.length > 0);
        const url = buildUrl(u);
        const signature = getExpectedTwilioSignature(t, url, p);
        const key = keys[k % keys.length]!;
        const value = p[key]!;
        const values = typeof value === "string" ? [value] : [...value];
        const j = e % values.length;
        const v = values[j]!;
        fc.pre(v.length > 0);
        const i = at % v.length;
        fc.pre(v[i] !== c);
        values[j] = v.slice(0, i) + c + v.slice(i + 1);
        const changed = { ...p, [key]: typeof value === "string" ? values[0]! : values };
        expect(mine(t, signature, url, changed)).toBe(false);
        expect(validateRequest(t, signature, url, changed)).toBe(false);

        // Renaming a key by one character: whatever the oracle says, we say.
        const renamed = `${key.slice(0, -1)}${c}`;
        const moved: Record<string, string | string[]> = { ...p };
        delete moved[key];
        moved[renamed] = value as string | string[];
        expect(mine(t, signature, url, moved)).toBe(validateRequest(t, signature, url, moved));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("validateTwilioSignature vs twilio.validateRequestWithBody (JSON bodies)", () => {
  it("accepts a body matching bodySHA256 and rejects a one-character change to it", () => {
    fc.assert(
      fc.property(token, urlParts, fc.json(), fc.nat(), oneChar, (t, u, body, at, c) => {
        const hash = createHash("sha256").update(body).digest("hex");
        const url = `${buildUrl({ ...u, query: "" })}?bodySHA256=${hash}`;
        const signature = getExpectedTwilioSignature(t, url, {});
        expect(validateTwilioSignature({ authToken: t, signature, url, body })).toBe(true);
        expect(validateRequestWithBody(t, signature, url, body)).toBe(true);
        const i = at % body.length;
        fc.pre(body[i] !== c);
        const changed = body.slice(0, i) + c + body.slice(i + 1);
        expect(validateTwilioSignature({ authToken: t, signature, url, body: changed })).toBe(false);
        expect(validateRequestWithBody(t, signature, url, changed)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws on a malformed URL or an empty signature", () => {
    expect(validateTwilioSignature({ authToken: "t", signature: "x", url: "not a url", params: {} })).toBe(false);
    expect(validateTwilioSignature({ authToken: "t", signature: "", url: "https://a.example/", params: {} })).toBe(
      false,
    );
  });
});
