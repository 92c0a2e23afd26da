import type { ProviderStatus } from "@rappel/core";
import type { Rappel } from "./types.js";

/**
 * The events the Twilio webhook handler of `@rappel/adapters-twilio` hands to its sink (structurally the same as
 * its `TwilioStatusEvent`): a status callback for a message the engine sent.
 *
 * @example
 * ```ts
 * const e: WebhookStatusEvent = { providerMessageId: "SM123", status: "delivered", at: new Date() };
 * ```
 */
export interface WebhookStatusEvent {
  /** Twilio's message sid. */
  providerMessageId: string;
  /** Twilio's status (`accepted`, `scheduled`, `queued`, `sending`, `sent`, `delivered`, `undelivered`, `failed`, `canceled`). */
  status: string;
  /** Twilio's error code. */
  errorCode?: string;
  /** When it was received. */
  at: Date;
}

/**
 * An inbound SMS as the Twilio webhook hands it over (structurally its `TwilioInboundEvent`).
 *
 * @example
 * ```ts
 * const e: WebhookInboundEvent = { providerMessageId: "SM9", from: "+33612345678", to: "+33757000000",
 *   body: "STOP", optOut: "stop", at: new Date() };
 * ```
 */
export interface WebhookInboundEvent {
  /** Sid of the inbound message. */
  providerMessageId: string;
  /** The patient's number, E.164. */
  from: string;
  /** Our number. */
  to: string;
  /** The text: personal data, never logged. */
  body: string;
  /** `stop`, `start` or `help` when the text is a keyword. */
  optOut?: "stop" | "start" | "help";
  /** When it was received. */
  at: Date;
}

/**
 * Options of {@link createWebhookSink}.
 *
 * @example
 * ```ts
 * const o: WebhookSinkOptions = { structuresFor: (e) => ["s1"] };
 * ```
 */
export interface WebhookSinkOptions {
  /** Provider name the transport records (the Twilio transport's `name`). @default "twilio" */
  provider?: string;
  /**
   * The structures an inbound STOP/START applies to (the number that received it usually tells which tenant).
   * Return `[]` to ignore it.
   */
  structuresFor(event: WebhookInboundEvent): readonly string[] | Promise<readonly string[]>;
}

/**
 * The sink shape of `createTwilioWebhookHandler({ sink })` from `@rappel/adapters-twilio`.
 *
 * @example
 * ```ts
 * const sink: WebhookSink = createWebhookSink(engine, { structuresFor: () => ["s1"] });
 * ```
 */
export interface WebhookSink {
  /** A status callback. */
  onStatus(event: WebhookStatusEvent): Promise<void>;
  /** An inbound SMS. */
  onInbound(event: WebhookInboundEvent): Promise<void>;
}

const STATUS: Readonly<Record<string, ProviderStatus>> = {
  accepted: "accepted",
  scheduled: "queued",
  queued: "queued",
  sending: "queued",
  sent: "sent",
  delivered: "delivered",
  undelivered: "undelivered",
  failed: "failed",
  canceled: "failed",
};

/**
 * Wires the Twilio webhook to the engine: status callbacks are folded into the sends (R-49: duplicates and
 * out-of-order callbacks change nothing once a further or terminal state is recorded), STOP opts the number out and
 * cancels its pending SMS, START opts it back in. Unknown statuses are ignored.
 *
 * @param engine - The engine.
 * @param options - Which structures an inbound keyword applies to.
 * @returns `{ onStatus, onInbound }` for `createTwilioWebhookHandler({ authToken, url, sink })`.
 *
 * @example
 * ```ts
 * const webhook = createTwilioWebhookHandler({
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   url: "https://rappel.example.org/webhooks/twilio",
 *   sink: createWebhookSink(engine, { structuresFor: (e) => (e.to === "+33757000000" ? ["s1"] : []) }),
 * });
 * ```
 */
export function createWebhookSink(engine: Rappel, options: WebhookSinkOptions): WebhookSink {
  const provider = options.provider ?? "twilio";
  return {
    async onStatus(event) {
      const status = STATUS[event.status];
      if (status === undefined) return;
      await engine.providerStatus({
        provider,
        providerMessageId: event.providerMessageId,
        status,
        at: event.at,
        ...(event.errorCode ? { errorCode: event.errorCode } : {}),
      });
    },
    async onInbound(event) {
      if (event.optOut !== "stop" && event.optOut !== "start") return;
      for (const sid of await options.structuresFor(event)) {
        await engine.forStructure(sid).smsKeyword({ phone: event.from, keyword: event.optOut, at: event.at });
      }
    },
  };
}
