/**
 * The channels Rappel delivers on: email, SMS, fax and the in-app message inbox.
 *
 * @example
 * ```ts
 * const channel: Channel = "sms";
 * ```
 */
export type Channel = "email" | "sms" | "fax" | "message";

/**
 * The list of every {@link Channel}, in a stable order.
 *
 * @example
 * ```ts
 * CHANNELS //=> ["email", "sms", "fax", "message"]
 * ```
 */
export const CHANNELS: readonly Channel[] = Object.freeze(["email", "sms", "fax", "message"] as const);

/** Fields every outbound message carries. */
interface OutboundBase {
  /**
   * Idempotency key: the planned send's stable key. The same key is never handed to a transport twice by the
   * engine; transports whose provider honours idempotency keys pass it on.
   */
  idempotencyKey: string;
  /** The tenant (structure) this message belongs to. */
  structureId: string;
  /** The client account on whose behalf it is sent. */
  accountId: string;
  /** Free-form, non-personal metadata for the provider (ids, kinds), e.g. Twilio's status-callback context. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * An email ready to send. Headers are built by the transport from these fields only: no raw headers from data.
 *
 * @example
 * ```ts
 * const m: EmailMessage = {
 *   channel: "email", idempotencyKey: "k1", structureId: "s1", accountId: "a1",
 *   to: { address: "patient@example.org", name: "Jeanne Martin" },
 *   from: { address: "cabinet@example.org", name: "Cabinet Dupont" },
 *   subject: "Rappel de rendez-vous", text: "…", html: "<p>…</p>",
 * };
 * ```
 */
export interface EmailMessage extends OutboundBase {
  /** Discriminant. */
  channel: "email";
  /** Recipient. */
  to: EmailAddress;
  /** Sender; transports may apply a default. */
  from?: EmailAddress;
  /** Reply-to address. */
  replyTo?: EmailAddress;
  /** Subject: single line (renderers guarantee no CR/LF; transports enforce it again). */
  subject: string;
  /** Plain-text part. */
  text: string;
  /** HTML part, when any. */
  html?: string;
}

/**
 * An email address with an optional display name.
 *
 * @example
 * ```ts
 * const a: EmailAddress = { address: "cabinet@example.org", name: "Cabinet Dupont" };
 * ```
 */
export interface EmailAddress {
  /** The address itself (`local@domain`). */
  address: string;
  /** Display name. */
  name?: string;
}

/**
 * An SMS ready to send.
 *
 * @example
 * ```ts
 * const m: SmsMessage = {
 *   channel: "sms", idempotencyKey: "k2", structureId: "s1", accountId: "a1",
 *   to: "+33612345678", body: "Cabinet Dupont, vous rappelle votre rendez-vous le 09/06/2026 à 12h00",
 * };
 * ```
 */
export interface SmsMessage extends OutboundBase {
  /** Discriminant. */
  channel: "sms";
  /** Recipient mobile number in E.164. */
  to: string;
  /** Sender id or number; transports may apply a default. */
  from?: string;
  /** The text, already within the account's segment limit. */
  body: string;
}

/**
 * A fax ready to send: a host-provided gateway turns it into pages.
 *
 * @example
 * ```ts
 * const m: FaxMessage = {
 *   channel: "fax", idempotencyKey: "k3", structureId: "s1", accountId: "a1",
 *   to: "+33140000000", subject: "Nouveau message", text: "…",
 * };
 * ```
 */
export interface FaxMessage extends OutboundBase {
  /** Discriminant. */
  channel: "fax";
  /** Recipient fax number in E.164. */
  to: string;
  /** Title of the cover page. */
  subject: string;
  /** Body text. */
  text: string;
  /** Optional HTML rendering of the body. */
  html?: string;
}

/**
 * An in-app message for a client account's inbox (R-08, R-13 channel `message`).
 *
 * @example
 * ```ts
 * const m: InAppMessage = {
 *   channel: "message", idempotencyKey: "k4", structureId: "s1", accountId: "a1",
 *   to: "a1", subject: "Nouveau rendez-vous", text: "…",
 * };
 * ```
 */
export interface InAppMessage extends OutboundBase {
  /** Discriminant. */
  channel: "message";
  /** The client account (or collaborator user) id whose inbox receives it. */
  to: string;
  /** Subject line. */
  subject: string;
  /** Body text. */
  text: string;
}

/**
 * Any outbound message, discriminated by `channel`.
 *
 * @example
 * ```ts
 * function recipient(m: OutboundMessage) { return m.channel === "email" ? m.to.address : m.to; }
 * ```
 */
export type OutboundMessage = EmailMessage | SmsMessage | FaxMessage | InAppMessage;

/**
 * What a transport returns when the provider accepted the message.
 *
 * @example
 * ```ts
 * const r: SendResult = { providerMessageId: "SM0123", provider: "twilio", status: "queued", segments: 1 };
 * ```
 */
export interface SendResult {
  /** The provider's id for the message; status callbacks refer to it. */
  providerMessageId: string;
  /** Name of the provider that accepted it (useful with fallback chains). */
  provider?: string;
  /** The provider's initial status. @default "sent" */
  status?: "accepted" | "queued" | "sent" | "delivered";
  /** Billable units as counted by the provider (SMS segments), when it says. */
  segments?: number;
}

/**
 * The contract every delivery provider implements. A host may plug in its own provider for any channel.
 *
 * - `send` resolves with a {@link SendResult} when the provider accepted the message; it rejects with a
 *   `TransportError` whose `failure` says whether to retry (`transient`), stop (`permanent`) or record and not
 *   resend (`unknown`, R-48). Any other rejection is treated as `transient` by the engine, except a timeout
 *   after the request was sent, which the transport must report as `unknown`.
 * - Concurrency: `send` may be called concurrently; a transport limits its own connections.
 *
 * @example
 * ```ts
 * const consoleSms: Transport<SmsMessage> = {
 *   name: "my-gateway", channel: "sms",
 *   async send(m) { const id = await gateway.post(m.to, m.body); return { providerMessageId: id }; },
 * };
 * ```
 */
export interface Transport<M extends OutboundMessage = OutboundMessage> {
  /** Provider name, recorded in the journal (`"smtp"`, `"twilio"`, `"memory"`). */
  readonly name: string;
  /** The channel it delivers on. */
  readonly channel: M["channel"];
  /** Optional capabilities the engine can use. */
  readonly capabilities?: {
    /** The provider deduplicates on `idempotencyKey`, so an `unknown` outcome may safely be retried. */
    idempotencyKey?: boolean;
  };
  /** Sends one message. See the interface docs for the resolve/reject rules. */
  send(message: M): Promise<SendResult>;
  /** Checks credentials and connectivity; rejects with a `TransportError` when unusable. */
  verify?(): Promise<void>;
  /** Releases connections; in-flight sends finish first. */
  close?(): Promise<void>;
}
