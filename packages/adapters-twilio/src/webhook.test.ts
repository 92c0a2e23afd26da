import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { ValidationError } from "@rappel/core";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { furthestStatus, type TwilioMessageStatus } from "./status.js";
import {
  createTwilioWebhookHandler,
  type TwilioInboundEvent,
  type TwilioStatusEvent,
  type TwilioWebhookSink,
  toNodeHandler,
} from "./webhook.js";

// Real sockets on a shared machine: each test stops by itself well before this.
vi.setConfig({ testTimeout: 15_000 });

const TOKEN = "webhook-auth-token";
const AT = new Date("2026-06-08T10:00:00Z");

// A sink like the engine's: folds statuses per message, records inbound messages.
const statuses: TwilioStatusEvent[] = [];
const inbound: TwilioInboundEvent[] = [];
const journal = new Map<string, TwilioMessageStatus>();
let failSink = false;
const sink: TwilioWebhookSink = {
  async onStatus(e) {
    if (failSink) throw new Error("database down");
    statuses.push(e);
    journal.set(e.providerMessageId, furthestStatus(journal.get(e.providerMessageId), e.status));
  },
  async onInbound(e) {
    if (failSink) throw new Error("database down");
    inbound.push(e);
  },
};

let server: Server;
let url: string;
beforeAll(async () => {
  const handler = createTwilioWebhookHandler({ authToken: TOKEN, sink, clock: { now: () => AT } });
  server = createServer(toNodeHandler(handler));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/twilio?structure=s1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  statuses.length = 0;
  inbound.length = 0;
  journal.clear();
  failSink = false;
});

async function post(params: Record<string, string>, opts: { signature?: string | null; signedUrl?: string } = {}) {
  const signature =
    opts.signature === undefined ? getExpectedTwilioSignature(TOKEN, opts.signedUrl ?? url, params) : opts.signature;
  return fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(signature !== null ? { "X-Twilio-Signature": signature } : {}),
    },
    body: new URLSearchParams(params).toString(),
  });
}

const status = (sid: string, s: string, extra: Record<string, string> = {}) => ({
  AccountSid: "AC0123456789abcdef0123456789abcdef",
  MessageSid: sid,
  SmsSid: sid,
  MessageStatus: s,
  SmsStatus: s,
  To: "+33612345678",
  From: "+33757000000",
  ApiVersion: "2010-04-01",
  ...extra,
});

const incoming = (body: string, extra: Record<string, string> = {}) => ({
  AccountSid: "AC0123456789abcdef0123456789abcdef",
  MessageSid: "SM00000000000000000000000000000099",
  SmsSid: "SM00000000000000000000000000000099",
  SmsStatus: "received",
  From: "+33612345678",
  To: "+33757000000",
  Body: body,
  NumMedia: "0",
  NumSegments: "1",
  ...extra,
});

describe("createTwilioWebhookHandler over Node http (toNodeHandler)", () => {
  it("hands a signed status callback to the sink and answers 200 with empty TwiML", async () => {
    const res = await post(status("SM1", "undelivered", { ErrorCode: "30003" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect(statuses).toEqual([{ providerMessageId: "SM1", status: "undelivered", errorCode: "30003", at: AT }]);
  });

  it("missing signature → 400, wrong signature → 403, and the sink is not called", async () => {
    expect((await post(status("SM1", "sent"), { signature: null })).status).toBe(400);
    expect((await post(status("SM1", "sent"), { signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" })).status).toBe(403);
    const signedForOther = getExpectedTwilioSignature(TOKEN, url, status("SM1", "sent"));
    expect((await post(status("SM1", "delivered"), { signature: signedForOther })).status).toBe(403);
    const otherToken = getExpectedTwilioSignature("other-token", url, status("SM1", "sent"));
    expect((await post(status("SM1", "sent"), { signature: otherToken })).status).toBe(403);
    expect(statuses).toHaveLength(0);
  });

  it("duplicated and shuffled callbacks end in the furthest state (R-49)", async () => {
    const sequence = ["delivered", "queued", "sent", "sent", "sending", "queued", "delivered", "accepted"];
    for (const s of sequence) expect((await post(status("SM7", s))).status).toBe(200);
    for (const s of ["sent", "failed", "queued"]) await post(status("SM8", s));
    expect(journal.get("SM7")).toBe("delivered");
    expect(journal.get("SM8")).toBe("failed");
    expect(statuses).toHaveLength(11);
  });

  it("acknowledges and ignores a status it does not know", async () => {
    expect((await post(status("SM1", "read"))).status).toBe(200);
    expect(statuses).toHaveLength(0);
  });

  it("inbound STOP (and its French forms) → optOut stop; START → start; HELP → help; a sentence → none", async () => {
    for (const body of ["STOP", "Arrêt", "stop sms", "START", "HELP", "Je ne pourrai pas venir, stop"]) {
      expect((await post(incoming(body))).status).toBe(200);
    }
    expect(inbound.map((e) => e.optOut)).toEqual(["stop", "stop", "stop", "start", "help", undefined]);
    expect(inbound[0]).toEqual({
      providerMessageId: "SM00000000000000000000000000000099",
      from: "+33612345678",
      to: "+33757000000",
      body: "STOP",
      optOut: "stop",
      at: AT,
    });
  });

  it("Twilio's OptOutType decides over the body when present", async () => {
    await post(incoming("Désinscription svp", { OptOutType: "STOP" }));
    await post(incoming("Oui", { OptOutType: "START" }));
    expect(inbound.map((e) => e.optOut)).toEqual(["stop", "start"]);
  });

  it("passes Twilio's idempotency token on", async () => {
    const params = status("SM1", "sent");
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": getExpectedTwilioSignature(TOKEN, url, params),
        "I-Twilio-Idempotency-Token": "tok-1",
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    expect(statuses[0]!.idempotencyToken).toBe("tok-1");
  });

  it("a failing sink → 500 (Twilio may retry)", async () => {
    failSink = true;
    expect((await post(status("SM1", "sent"))).status).toBe(500);
  });

  it("GET → 405; an oversized body → 413; an unrecognised payload → 400", async () => {
    expect((await fetch(url)).status).toBe(405);
    expect((await post({ Junk: "x".repeat(70_000) })).status).toBe(413);
    expect((await post({ Hello: "world" })).status).toBe(400);
  });
});

describe("createTwilioWebhookHandler options", () => {
  it("lists every invalid option at once", () => {
    try {
      createTwilioWebhookHandler({ authToken: "", url: "relative/path", sink: {} } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
        "authToken",
        "sink.onStatus",
        "sink.onInbound",
        "url",
      ]);
    }
  });
});

describe("createTwilioWebhookHandler as a Web handler (Next.js route handlers, Hono, Bun…)", () => {
  const publicUrl = "https://rappel.example.org/webhooks/twilio";
  const handler = createTwilioWebhookHandler({ authToken: TOKEN, url: publicUrl, sink, clock: { now: () => AT } });

  function request(body: string, signature: string, contentType = "application/x-www-form-urlencoded", at = publicUrl) {
    // The server sees an internal URL (behind a proxy): the `url` option gives the public one Twilio signed.
    return new Request(`http://10.0.0.5:3000/webhooks/twilio${new URL(at).search}`, {
      method: "POST",
      headers: { "Content-Type": contentType, "X-Twilio-Signature": signature },
      body,
    });
  }

  it("validates against the public URL, with or without the explicit :443", async () => {
    const params = status("SM2", "delivered");
    const body = new URLSearchParams(params).toString();
    const withPort = getExpectedTwilioSignature(TOKEN, "https://rappel.example.org:443/webhooks/twilio", params);
    expect((await handler(request(body, withPort))).status).toBe(200);
    const without = getExpectedTwilioSignature(TOKEN, publicUrl, params);
    expect((await handler(request(body, without))).status).toBe(200);
    expect(statuses.map((s) => s.status)).toEqual(["delivered", "delivered"]);
  });

  it("validates a JSON body through bodySHA256, and refuses a tampered one", async () => {
    const body = JSON.stringify({ MessageSid: "SM3", MessageStatus: "sent" });
    const hash = createHash("sha256").update(body).digest("hex");
    const signedUrl = `${publicUrl}?bodySHA256=${hash}`;
    const jsonHandler = createTwilioWebhookHandler({ authToken: TOKEN, url: signedUrl, sink });
    const signature = getExpectedTwilioSignature(TOKEN, signedUrl, {});
    const ok = await jsonHandler(request(body, signature, "application/json", signedUrl));
    expect(ok.status).toBe(200);
    expect(statuses.at(-1)).toMatchObject({ providerMessageId: "SM3", status: "sent" });
    const tampered = body.replace("sent", "failed");
    expect((await jsonHandler(request(tampered, signature, "application/json", signedUrl))).status).toBe(403);
  });
});
