import { createServer } from "node:net";
import { type LogFields, type SmsMessage, TransportError, ValidationError } from "@rappel/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeTwilioApi, startFakeTwilioApi } from "./__fixtures__/twilioApi.js";
import { createTwilioTransport, type TwilioTransportOptions } from "./twilioTransport.js";

// Real sockets on a shared machine: each test stops by itself well before this.
vi.setConfig({ testTimeout: 15_000 });

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "test-auth-token";
const SERVICE = "MG0123456789abcdef0123456789abcdef";
let api: FakeTwilioApi;

beforeAll(async () => {
  api = await startFakeTwilioApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => api.reset());

function transport(extra: Partial<TwilioTransportOptions> = {}) {
  return createTwilioTransport({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    from: "+33757000000",
    baseUrl: api.baseUrl,
    timeoutMs: 5000, // generous: a loaded CI machine must not turn a slow loopback answer into a timeout
    ...extra,
  });
}

function sms(overrides: Partial<SmsMessage> = {}): SmsMessage {
  return {
    channel: "sms",
    idempotencyKey: "send-1",
    structureId: "s1",
    accountId: "a1",
    to: "+33612345678",
    body: "Cabinet Dupont : rappel de votre rendez-vous le 09/06/2026 à 12h00. Répondez STOP pour ne plus recevoir.",
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error("expected a failure");
}

describe("createTwilioTransport: the request", () => {
  it("POSTs the form Twilio's Messages API expects, with HTTP Basic auth", async () => {
    const result = await transport({ statusCallback: "https://rappel.example.org/webhooks/twilio" }).send(sms());
    expect(result).toMatchObject({ provider: "twilio", status: "queued", segments: 1 });
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const [req] = api.requests;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(req!.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString("base64")}`);
    expect(req!.contentType).toBe("application/x-www-form-urlencoded");
    expect(req!.form).toEqual({
      To: "+33612345678",
      From: "+33757000000",
      Body: sms().body,
      StatusCallback: "https://rappel.example.org/webhooks/twilio",
    });
  });

  it("uses MessagingServiceSid when configured, the message's own from first, and an API key for auth", async () => {
    const t = transport({
      messagingServiceSid: SERVICE,
      apiKey: { sid: "SK0123456789abcdef0123456789abcdef", secret: "s3cret" },
      statusCallback: (m) => `https://rappel.example.org/twilio?structure=${m.structureId}`,
    });
    api.action = { kind: "ok", status: "accepted", numSegments: "0" };
    const r = await t.send(sms());
    expect(r.status).toBe("accepted");
    expect(r.segments).toBeUndefined(); // a Messaging Service answers 0 segments: unknown yet
    expect(api.requests[0]!.form).toMatchObject({
      MessagingServiceSid: SERVICE,
      StatusCallback: "https://rappel.example.org/twilio?structure=s1",
    });
    expect(api.requests[0]!.form.From).toBeUndefined();
    expect(api.requests[0]!.authorization).toBe(
      `Basic ${Buffer.from("SK0123456789abcdef0123456789abcdef:s3cret").toString("base64")}`,
    );
    await t.send(sms({ from: "CabDupont" }));
    expect(api.requests[1]!.form.From).toBe("CabDupont");
    expect(api.requests[1]!.form.MessagingServiceSid).toBeUndefined();
  });

  it("reports the segment count Twilio gives", async () => {
    api.action = { kind: "ok", numSegments: "3" };
    expect((await transport().send(sms())).segments).toBe(3);
  });

  it("refuses an invalid number or an empty body as permanent without calling Twilio", async () => {
    for (const bad of [sms({ to: "0612345678" }), sms({ to: "+33 6 12 34 56 78" }), sms({ body: "  " })]) {
      const e = await failure(transport().send(bad));
      expect(e.failure).toBe("permanent");
    }
    expect(api.requests).toHaveLength(0);
  });
});

describe("createTwilioTransport: failure classes (R-41, R-48)", () => {
  it("21211 invalid To → permanent, phone number redacted from Twilio's text", async () => {
    api.action = {
      kind: "error",
      httpStatus: 400,
      code: 21211,
      message: "The 'To' number +33612345678 is not a valid phone number.",
    };
    const e = await failure(transport().send(sms()));
    expect(e).toMatchObject({ failure: "permanent", responseCode: 400, providerCode: "21211", optedOut: false });
    expect(e.command).toBe("POST /Messages");
    expect(e.providerText).toBe("The 'To' number <redacted> is not a valid phone number.");
    expect(e.message).not.toContain("612345678");
    expect(e.details.moreInfo).toBe("https://www.twilio.com/docs/errors/21211");
  });

  it("21610 unsubscribed → permanent with optedOut", async () => {
    api.action = { kind: "error", httpStatus: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" };
    const e = await failure(transport().send(sms()));
    expect(e).toMatchObject({ failure: "permanent", providerCode: "21610", optedOut: true });
    expect(e.code).toBe("transport-permanent");
  });

  it("another 4xx → permanent; a known 'not now' code → transient", async () => {
    api.action = { kind: "error", httpStatus: 400, code: 21408, message: "Permission to send to this region" };
    expect((await failure(transport().send(sms()))).failure).toBe("permanent");
    api.action = { kind: "error", httpStatus: 400, code: 21611, message: "Too many queued messages" };
    expect((await failure(transport().send(sms()))).failure).toBe("transient");
    api.action = { kind: "error", httpStatus: 401, code: 20003, message: "Authenticate" };
    expect((await failure(transport().send(sms()))).failure).toBe("transient");
  });

  it("429 → transient with Retry-After (seconds or HTTP date)", async () => {
    api.action = {
      kind: "error",
      httpStatus: 429,
      code: 20429,
      message: "Too Many Requests",
      headers: { "Retry-After": "7" },
    };
    const e = await failure(transport().send(sms()));
    expect(e).toMatchObject({ failure: "transient", responseCode: 429, retryAfterMs: 7000 });
    const now = new Date("2026-06-08T10:00:00Z");
    api.action = {
      kind: "error",
      httpStatus: 503,
      message: "Service Unavailable",
      headers: { "Retry-After": "Mon, 08 Jun 2026 10:00:30 GMT" },
    };
    const e2 = await failure(transport({ clock: { now: () => now } }).send(sms()));
    expect(e2).toMatchObject({ failure: "transient", responseCode: 503, retryAfterMs: 30_000 });
  });

  it("500 (even with a non-JSON body) → transient", async () => {
    api.action = { kind: "raw", httpStatus: 500, body: "<html>oops</html>" };
    const e = await failure(transport().send(sms()));
    expect(e).toMatchObject({ failure: "transient", responseCode: 500 });
  });

  it("a message created already failed → permanent, with Twilio's sid in the details", async () => {
    api.action = { kind: "ok", status: "failed" };
    const e = await failure(transport().send(sms()));
    expect(e.failure).toBe("permanent");
    expect(e.details.providerMessageId).toMatch(/^SM/);
  });

  it("a 2xx without a sid → unknown (Twilio may have queued it)", async () => {
    api.action = { kind: "raw", httpStatus: 201, body: "{not json" };
    expect((await failure(transport().send(sms()))).failure).toBe("unknown");
  });

  it("no answer before the timeout → unknown, and it stops by itself", async () => {
    api.action = { kind: "hang" };
    const started = Date.now();
    const e = await failure(transport({ timeoutMs: 200 }).send(sms()));
    expect(e.failure).toBe("unknown");
    expect(e.code).toBe("transport-unknown");
    expect(e.details.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(api.requests).toHaveLength(1); // the request did reach the server
  });

  it("socket reset after the request was read → unknown", async () => {
    api.action = { kind: "reset" };
    const e = await failure(transport().send(sms()));
    expect(e.failure).toBe("unknown");
    expect(api.requests).toHaveLength(1);
  });

  it("connection refused → transient; DNS failure → transient", async () => {
    const port = await freePort();
    const refused = await failure(transport({ baseUrl: `http://127.0.0.1:${port}` }).send(sms()));
    expect(refused.failure).toBe("transient");
    expect(refused.details.errorCode).toBe("ECONNREFUSED");
    const dns = await failure(transport({ baseUrl: "http://rappel-test.invalid", timeoutMs: 2000 }).send(sms()));
    expect(dns.failure).toBe("transient");
  });

  it("an injected fetch is used, and a throw from it without a code is unknown", async () => {
    const calls: string[] = [];
    const t = transport({
      fetch: async (input) => {
        calls.push(String(input));
        throw new Error("boom");
      },
    });
    expect((await failure(t.send(sms()))).failure).toBe("unknown");
    expect(calls).toEqual([`${api.baseUrl}/2010-04-01/Accounts/${ACCOUNT}/Messages.json`]);
  });
});

describe("createTwilioTransport: verify, close, options, logs", () => {
  it("verify() reads the account; rejects (transient) when unreachable or unauthorised", async () => {
    await expect(transport().verify()).resolves.toBeUndefined();
    expect(api.requests[0]).toMatchObject({ method: "GET", path: `/2010-04-01/Accounts/${ACCOUNT}.json` });
    api.action = { kind: "error", httpStatus: 401, code: 20003, message: "Authenticate" };
    expect((await failure(transport().verify())).failure).toBe("transient");
    api.action = { kind: "hang" };
    expect((await failure(transport({ timeoutMs: 100 }).verify())).failure).toBe("transient");
  });

  it("close() waits for the in-flight send", async () => {
    const t = transport();
    const sending = t.send(sms());
    await t.close();
    await expect(sending).resolves.toMatchObject({ provider: "twilio" });
  });

  it("lists every invalid option at once", () => {
    try {
      createTwilioTransport({ accountSid: "nope", baseUrl: "ftp://x", timeoutMs: -1 } as TwilioTransportOptions);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
        "accountSid",
        "authToken",
        "from",
        "baseUrl",
        "timeoutMs",
      ]);
    }
  });

  it("logs ids and outcomes only: never the number or the text", async () => {
    const events: [string, LogFields | undefined][] = [];
    const record = (event: string, fields?: LogFields) => events.push([event, fields]);
    const t = transport({ logger: { debug: record, info: record, warn: record, error: record } });
    await t.send(sms());
    api.action = { kind: "error", httpStatus: 400, code: 21610, message: "unsubscribed +33612345678" };
    await failure(t.send(sms()));
    expect(events.map(([e]) => e)).toEqual(["twilio.send.accepted", "twilio.send.failed"]);
    expect(JSON.stringify(events)).not.toMatch(/612345678|Cabinet|rendez-vous/);
    expect(events[1]![1]).toMatchObject({
      sendKey: "send-1",
      failure: "permanent",
      providerCode: "21610",
      optedOut: true,
    });
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
