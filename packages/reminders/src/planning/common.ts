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
  const reason = emailRefusal(contact, consent, policy);
  if (reason !== undefined) return { ok: false, reason };
  const address = contact.email!;
  const recipient: SendRecipient = { type: "contact", id: contact.id, address };
  return { ok: true, address, leadTime: contact.preferences?.email?.leadTime, recipient };
}

/** Why the contact's email cannot be used (the rule of {@link contactEmail}), `undefined` when it can. */
export function emailRefusal(
  contact: Contact,
  consent: AccountOptions["communication"]["consent"],
  policy: ConsentPolicy,
): SkipReason | undefined {
  const enabled = contact.preferences?.email?.enabled;
  if (enabled === false || (policy === "full" && consent === "opt-in" && enabled !== true)) return "consent";
  if (!contact.email) return "no-email";
  return undefined;
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
  const reason = mobileRefusal(contact, consent, policy);
  if (reason !== undefined) return { ok: false, reason };
  const number = mobileNumber(contact);
  if (number === undefined) return { ok: false, reason: "no-mobile" };
  const recipient: SendRecipient = { type: "contact", id: contact.id, address: number };
  return { ok: true, address: number, leadTime: contact.preferences?.sms?.leadTime, recipient };
}

/**
 * Why no SMS may go to the contact whatever its phones (the consent part of {@link contactMobile}: a STOP reply, a
 * channel switched off, opt-in without consent), `undefined` when one may.
 */
export function mobileRefusal(
  contact: Contact,
  consent: AccountOptions["communication"]["consent"],
  policy: ConsentPolicy,
): SkipReason | undefined {
  const pref = contact.preferences?.sms;
  if (pref?.optedOut === true) return "opted-out";
  const enabled = pref?.enabled;
  if (enabled === false || (policy === "full" && consent === "opt-in" && enabled !== true)) return "consent";
  return undefined;
}

/** The contact's mobile for an SMS (the phone part of {@link contactMobile}), `undefined` when it has none. */
export function mobileNumber(contact: Contact): string | undefined {
  const phones = contact.phones ?? [];
  const index = contact.preferences?.sms?.phoneIndex;
  const chosen = index === undefined ? undefined : phones[index];
  if (chosen?.mobile) return chosen.number;
  for (let i = 0; i < phones.length; i++) {
    const p = phones[i]!;
    if (p.mobile) return p.number;
  }
  return undefined;
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
