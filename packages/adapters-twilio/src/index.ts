/**
 * `@rappel/adapters-twilio`: the Twilio SMS transport of Rappel, and the handler for Twilio's webhooks (status
 * callbacks, inbound messages with STOP/START/HELP).
 *
 * @example
 * ```ts
 * import { createTwilioTransport, createTwilioWebhookHandler } from "@rappel/adapters-twilio";
 * const sms = createTwilioTransport({ accountSid, authToken, from: "CabDupont" });
 * const webhook = createTwilioWebhookHandler({ authToken, sink });
 * ```
 *
 * @packageDocumentation
 */

export type { InboundKeyword } from "./keywords.js";
export type { TwilioMessageStatus } from "./status.js";
export { furthestStatus, isTerminalStatus } from "./status.js";
export type { TwilioTransport, TwilioTransportOptions } from "./twilioTransport.js";
export { createTwilioTransport } from "./twilioTransport.js";
export type {
  NodeHandlerOptions,
  TwilioInboundEvent,
  TwilioStatusEvent,
  TwilioWebhookHandler,
  TwilioWebhookOptions,
  TwilioWebhookSink,
} from "./webhook.js";
export { createTwilioWebhookHandler, toNodeHandler } from "./webhook.js";
