// End to end over loopback: the transport sends through a local server speaking Twilio's Messages API, which
// then posts signed status callbacks — duplicated and out of order — to the webhook handler mounted on Node's
// http; the sink's journal ends in the furthest state, and a forged callback changes nothing.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeTwilioApi, startFakeTwilioApi } from "./__fixtures__/twilioApi.js";
import { furthestStatus, type TwilioMessageStatus } from "./status.js";
import { createTwilioTransport } from "./twilioTransport.js";
import { createTwilioWebhookHandler, toNodeHandler } from "./webhook.js";

// Real sockets on a shared machine: each test stops by itself well before this.
vi.setConfig({ testTimeout: 15_000 });

const TOKEN = "round-trip-token";
const journal = new Map<string, TwilioMessageStatus>();
let api: FakeTwilioApi;
let webhook: Server;
let callbackUrl: string;

beforeAll(async () => {
  api = await startFakeTwilioApi({ authToken: TOKEN });
  const handler = createTwilioWebhookHandler({
    authToken: TOKEN,
    sink: {
      async onStatus(e) {
        journal.set(e.providerMessageId, furthestStatus(journal.get(e.providerMessageId), e.status));
      },
      async onInbound() {},
    },
  });
  webhook = createServer(toNodeHandler(handler));
  await new Promise<void>((r) => webhook.listen(0, "127.0.0.1", () => r()));
  callbackUrl = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/twilio/status?s=s1`;
});
afterAll(async () => {
  webhook.closeAllConnections();
  await new Promise((r) => webhook.close(r));
  await api.close();
});

describe("transport → Twilio → webhook → journal", () => {
  it("folds the callbacks of each sent message to its furthest state", async () => {
    const sms = createTwilioTransport({
      accountSid: "AC0123456789abcdef0123456789abcdef",
      authToken: TOKEN,
      from: "+33757000000",
      baseUrl: api.baseUrl,
      statusCallback: callbackUrl,
      timeoutMs: 5000,
    });
    const message = (key: string) => ({
      channel: "sms" as const,
      idempotencyKey: key,
      structureId: "s1",
      accountId: "a1",
      to: "+33612345678",
      body: "Rappel : rendez-vous demain à 09h30.",
    });
    const a = await sms.send(message("a"));
    const b = await sms.send(message("b"));
    expect(api.created.get(a.providerMessageId)).toBe(callbackUrl);

    const forA = ["sent", "queued", "delivered", "sending", "sent", "delivered"];
    const forB = ["queued", "undelivered", "sent", "queued"];
    const all = [
      ...forA.map((s) => [a.providerMessageId, s] as const),
      ...forB.map((s) => [b.providerMessageId, s] as const),
    ];
    // Interleaved, concurrently: order of arrival is not order of sending.
    const codes = await Promise.all(all.map(([sid, s]) => api.postStatus(sid, s)));
    expect(codes.every((c) => c === 200)).toBe(true);
    expect(journal.get(a.providerMessageId)).toBe("delivered");
    expect(journal.get(b.providerMessageId)).toBe("undelivered");

    // A forged callback (not signed with the account's token) is refused and changes nothing.
    const forged = await fetch(callbackUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": "Zm9yZ2VkIHNpZ25hdHVyZQ==",
      },
      body: new URLSearchParams({ MessageSid: a.providerMessageId, MessageStatus: "failed" }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(journal.get(a.providerMessageId)).toBe("delivered");
  });
});
