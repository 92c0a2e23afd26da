import type { MessageKind } from "./kinds.js";
import type { Channel } from "./transport.js";

/**
 * A JSON value: what planned sends carry as template data, so any storage can persist them.
 *
 * @example
 * ```ts
 * const v: JsonValue = { appointmentIds: ["r1", "r2"], action: "moved" };
 * ```
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Who receives a send. `address` is resolved at planning time (email address, E.164 mobile, fax number, or
 * the inbox owner's id for in-app messages); the engine re-reads the latest data at send time.
 *
 * @example
 * ```ts
 * const r: SendRecipient = { type: "contact", id: "c1", address: "+33612345678" };
 * ```
 */
export interface SendRecipient {
  /** What the id refers to. */
  type: "contact" | "account" | "user" | "practitioner";
  /** Contact, account or user id; for `practitioner`, the agenda id. */
  id: string;
  /** Email address, E.164 number or inbox id, per channel. */
  address: string;
}

/**
 * Why a send was not planned or not sent. Recorded in the journal.
 *
 * | reason | meaning |
 * | --- | --- |
 * | `past` | its send time had already passed when planned (R-30) |
 * | `disabled` | the option or slot is disabled |
 * | `not-new-contact` | slot in `new-contacts-only` mode and the contact has earlier appointments (R-32) |
 * | `consent` | opt-in model and the contact has not opted in, or the contact turned this channel off (R-18, R-31) |
 * | `opted-out` | the number replied STOP (R-31) |
 * | `no-email` / `no-mobile` / `no-fax` | the recipient has no address for the channel (R-31) |
 * | `merged` | folded into another send (one SMS per day R-39, grouped practitioner notices R-34) |
 * | `not-late-change` | a practitioner is only told of changes less than 24 h before the appointment (R-34) |
 * | `survey-too-recent` | the contact's previous appointment with the agenda is less than a month old (R-35) |
 * | `quota-exhausted` | free SMS used up, no overage allowed, and no email to fall back to (R-45) |
 * | `too-long` | the rendered SMS exceeds the segment limit under the `reject` policy (R-26) |
 *
 * @example
 * ```ts
 * const reason: SkipReason = "no-mobile";
 * ```
 */
export type SkipReason =
  | "past"
  | "disabled"
  | "not-new-contact"
  | "consent"
  | "opted-out"
  | "no-email"
  | "no-mobile"
  | "no-fax"
  | "merged"
  | "not-late-change"
  | "survey-too-recent"
  | "quota-exhausted"
  | "too-long";

/**
 * A send the planner wants to exist. Keys are stable: planning the same state twice yields the same keys and
 * the same content, so storing the plan again changes nothing.
 *
 * @example
 * ```ts
 * const send: PlannedSend = {
 *   key: "s1:apt:r1:reminder:first:sms", structureId: "s1", accountId: "a1",
 *   kind: "reminder", channel: "sms", recipient: { type: "contact", id: "c1", address: "+33612345678" },
 *   sendAt: new Date("2026-06-08T10:00:00Z"), expiresAt: new Date("2026-06-09T10:00:00Z"),
 *   appointmentId: "r1", contactId: "c1", billing: "reminder", data: { slot: "first" },
 * };
 * ```
 */
export interface PlannedSend {
  /** Stable idempotency key, unique within the structure. */
  key: string;
  /** Tenant. */
  structureId: string;
  /** Client account on whose behalf it goes. */
  accountId: string;
  /** What it is. */
  kind: MessageKind;
  /** How it goes. */
  channel: Channel;
  /** Who receives it. */
  recipient: SendRecipient;
  /** When it is due. */
  sendAt: Date;
  /** Past this instant it is no longer useful (e.g. the appointment's start): recorded as missed. */
  expiresAt?: Date;
  /** The appointment it is about, if any: cancelling or moving the appointment cancels it. */
  appointmentId?: string;
  /** The contact it is about, if any: the journal is per contact, STOP cancels its pending SMS. */
  contactId?: string;
  /** How an SMS is billed: reminder SMS use the free quota, custom SMS have their own price. */
  billing?: "reminder" | "custom" | "none";
  /** Sends with the same group key and send time are merged into one message. */
  groupKey?: string;
  /** What the template needs beyond the latest domain data (slot, action, ids of grouped appointments…). */
  data: { readonly [key: string]: JsonValue };
}

/**
 * A send the planner decided not to plan, with its reason (recorded in the journal).
 *
 * @example
 * ```ts
 * const s: SkippedSend = { key: "s1:apt:r1:reminder:first:sms", structureId: "s1", accountId: "a1",
 *   kind: "reminder", channel: "sms", reason: "no-mobile", appointmentId: "r1", contactId: "c1" };
 * ```
 */
export interface SkippedSend {
  /** The key it would have had. */
  key: string;
  /** Tenant. */
  structureId: string;
  /** Client account. */
  accountId: string;
  /** What it would have been. */
  kind: MessageKind;
  /** How it would have gone. */
  channel: Channel;
  /** Why not. */
  reason: SkipReason;
  /** Who would have received it, when known. */
  recipient?: SendRecipient;
  /** When it would have been due, when known. */
  sendAt?: Date;
  /** The appointment it was about. */
  appointmentId?: string;
  /** The contact it was about. */
  contactId?: string;
}

/**
 * Which pending sends to cancel: by key, or every pending send of an appointment (optionally of some kinds).
 *
 * @example
 * ```ts
 * const c: CancelSpec = { appointmentId: "r1" };
 * ```
 */
export type CancelSpec =
  | { keys: readonly string[] }
  | { appointmentId: string; kinds?: readonly MessageKind[]; channels?: readonly Channel[] }
  | { contactId: string; channels: readonly Channel[] };

/**
 * The planner's answer to an event: sends to store (idempotently), pending sends to cancel, and sends skipped
 * with their reasons.
 *
 * @example
 * ```ts
 * const result: PlanResult = { plan: [], cancel: [{ appointmentId: "r1" }], skipped: [] };
 * ```
 */
export interface PlanResult {
  /** Sends to upsert by key. */
  plan: PlannedSend[];
  /** Pending sends to cancel before the plan is stored. */
  cancel: CancelSpec[];
  /** Sends not planned, with the reason. */
  skipped: SkippedSend[];
}
