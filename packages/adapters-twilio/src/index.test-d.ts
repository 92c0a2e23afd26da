import type { SmsMessage, Transport } from "@rappel/core";
import { expectTypeOf, test } from "vitest";
import {
  createTwilioTransport,
  createTwilioWebhookHandler,
  furthestStatus,
  type TwilioMessageStatus,
  type TwilioWebhookSink,
  toNodeHandler,
} from "./index.js";

test("public types", () => {
  const sms = createTwilioTransport({ accountSid: "AC", authToken: "t", from: "+33757000000" });
  expectTypeOf(sms).toMatchTypeOf<Transport<SmsMessage>>();
  expectTypeOf(sms.name).toEqualTypeOf<"twilio">();
  expectTypeOf(sms.verify).returns.toEqualTypeOf<Promise<void>>();
  expectTypeOf(furthestStatus).returns.toEqualTypeOf<TwilioMessageStatus>();
  expectTypeOf(furthestStatus).parameter(0).toEqualTypeOf<TwilioMessageStatus | undefined>();
  const sink: TwilioWebhookSink = { onStatus: async () => {}, onInbound: async () => {} };
  const handler = createTwilioWebhookHandler({ authToken: "t", sink });
  expectTypeOf(handler).toEqualTypeOf<(request: Request) => Promise<Response>>();
  expectTypeOf(toNodeHandler(handler)).parameters.toMatchTypeOf<[unknown, unknown]>();
  expectTypeOf<Parameters<TwilioWebhookSink["onInbound"]>[0]["optOut"]>().toEqualTypeOf<
    "stop" | "start" | "help" | undefined
  >();
  // @ts-expect-error a transport needs an account SID
  createTwilioTransport({ authToken: "t", from: "+33757000000" });
});
