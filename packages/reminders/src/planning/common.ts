import {
  type AccountOptions,
  type Channel,
  type Contact,
  type ErrorCodeValue,
  type LeadTime,
  type MessageKind,
  type PlannedSend,
  type SendRecipient,
  type SkippedSend,
  type SkipReason,
  ValidationError,
  type ValidationIssue,
} from "@rappel/core";
import { applyQuietHours } from "./time.js";

/** How much of the consent model applies to a contact-facing send. */
export type ConsentPolicy = "full" | "explicit";

/** A contact channel that can be used (with its address) or why not. */
export type ChannelCheck =
  | { ok: true; address: string; leadTime: LeadTime | undefined; recipient: SendRecipient }
  | { ok: false; reason: SkipReason; address?: string };

/**
 * The contact's email for a send (R-18, R-31). `full`: the account's consent model applies (opt-in needs the channel
 * switched on); `explicit`: only a channel the contact switched off is refused (surveys).
 */
export function contactEmail(
  contact: Contact,
  consent: AccountOptions["communication"]["consent"],
  policy: ConsentPolicy,
): ChannelCheck {
  const pref = contact.preferences?.email;
  const enabled = pref?.enabled;
  if (enabled === false || (policy === "full" && consent === "opt-in" && enabled !== true)) {
    return { ok: false, reason: "consent" };
  }
  if (!contact.email) return { ok: false, reason: "no-email" };
  const recipient: SendRecipient = { type: "contact", id: contact.id, address: contact.email };
  return { ok: true, address: contact.email, leadTime: pref?.leadTime, recipient };
}

/**
 * The contact's mobile for an SMS (R-18, R-31): the phone at `preferences.sms.phoneIndex` when it is a mobile,
 * else the first mobile. A STOP reply (`optedOut`) refuses every SMS, whatever the policy.
 */
export function contactMobile(
  contact: Contact,
  consent: AccountOptions["communication"]["consent"],
  policy: ConsentPolicy,
): ChannelCheck {
  const pref = contact.preferences?.sms;
  if (pref?.optedOut === true) return { ok: false, reason: "opted-out" };
  const enabled = pref?.enabled;
  if (enabled === false || (policy === "full" && consent === "opt-in" && enabled !== true)) {
    return { ok: false, reason: "consent" };
  }
  const phones = contact.phones ?? [];
  let number: string | undefined;
  const chosen = pref?.phoneIndex === undefined ? undefined : phones[pref.phoneIndex];
  if (chosen?.mobile) number = chosen.number;
  else {
    for (const p of phones) {
      if (p.mobile) {
        number = p.number;
        break;
      }
    }
  }
  if (number === undefined) return { ok: false, reason: "no-mobile" };
  const recipient: SendRecipient = { type: "contact", id: contact.id, address: number };
  return { ok: true, address: number, leadTime: pref?.leadTime, recipient };
}

/** How an SMS is billed (R-43): custom SMS at their own price, every other SMS as a reminder SMS; email free. */
export function billingOf(kind: MessageKind, channel: Channel): PlannedSend["billing"] {
  if (channel !== "sms") return "none";
  return kind === "custom-sms" ? "custom" : "reminder";
}

/** Quiet hours of the account when enabled, else `undefined`. */
export function quietOf(options: AccountOptions): { start: string; end: string } | undefined {
  const q = options.communication.sms.quietHours;
  // The options object itself (it has `start` and `end`): no allocation per planning call.
  return q.enabled && q.start !== q.end ? q : undefined;
}

const FAR_MS = 400 * 86_400_000;

/**
 * Quiet hours for a send that has no appointment to be "one hour before" (custom SMS, immediate notices whose
 * R-18 placement would fall in the past): a send inside the quiet hours moves to their end.
 */
export function quietEnd(sendAt: Date, timeZone: string, quiet: { start: string; end: string }): Date {
  return applyQuietHours(sendAt, new Date(sendAt.getTime() + FAR_MS), timeZone, quiet);
}

/** Builds a skipped-send record (one literal: this is on the hot path). */
export function skip(
  base: Omit<SkippedSend, "reason" | "recipient" | "sendAt">,
  reason: SkipReason,
  recipient?: SendRecipient,
  sendAt?: Date,
): SkippedSend {
  const s: SkippedSend = {
    key: base.key,
    structureId: base.structureId,
    accountId: base.accountId,
    kind: base.kind,
    channel: base.channel,
    reason,
  };
  if (recipient !== undefined) s.recipient = recipient;
  if (sendAt !== undefined) s.sendAt = sendAt;
  if (base.appointmentId !== undefined) s.appointmentId = base.appointmentId;
  if (base.contactId !== undefined) s.contactId = base.contactId;
  return s;
}

/** Collects argument problems and throws one {@link ValidationError} listing them all. */
export class Problems {
  readonly issues: (ValidationIssue & { code: ErrorCodeValue })[] = [];

  add(code: ErrorCodeValue, path: string, message: string): this {
    this.issues.push({ code, path, message });
    return this;
  }

  /** Adds `invalid-date` unless `value` is a valid `Date`. */
  date(value: unknown, path: string): this {
    if (!(value instanceof Date) || Number.isNaN(value.getTime()))
      this.add("invalid-date", path, "Expected a valid Date");
    return this;
  }

  /** Adds `invalid-input` unless `value` is a non-empty string. */
  id(value: unknown, path: string): this {
    if (typeof value !== "string" || value.length === 0) this.add("invalid-input", path, "Expected a non-empty id");
    return this;
  }

  /** Adds `invalid-input` unless `value` is a non-null object. */
  object(value: unknown, path: string): boolean {
    if (typeof value !== "object" || value === null) {
      this.add("invalid-input", path, "Expected an object");
      return false;
    }
    return true;
  }

  /** Throws when anything was added. */
  throwIfAny(what: string): void {
    if (this.issues.length === 0) return;
    const first = this.issues[0]!;
    const issues = this.issues.map(({ path, message }) => ({ path, message }));
    throw new ValidationError(
      first.code,
      `${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    );
  }
}
