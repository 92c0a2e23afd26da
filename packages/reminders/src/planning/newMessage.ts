import type { AccountOptions, Contact, JsonValue, Message, PlanResult, SendRecipient } from "@rappel/core";
import { billingOf, Problems, skip } from "./common.js";
import { seg } from "./keys.js";
import { finish, newDraft } from "./reconcile.js";
import type { ExistingSend, PlannerAccount } from "./types.js";

/**
 * The input of {@link planNewMessage}.
 *
 * @example
 * ```ts
 * const input: PlanNewMessageInput = { message, account, options: resolveOptions({ messages: { notify: { email: true } } }),
 *   now: new Date("2026-06-08T09:00:00Z") };
 * ```
 */
export interface PlanNewMessageInput {
  /** The message just taken for the account. */
  message: Pick<Message, "id" | "structureId" | "accountId" | "subject"> & Partial<Pick<Message, "contactId">>;
  /** The account it was taken for: the notices go to its email, fax and mobile. */
  account: PlannerAccount;
  /** The account's resolved options (`messages.notify`, `messages.emailSubject`). */
  options: AccountOptions;
  /** The message's contact, for the `[contact]` variable of the subject. */
  contact?: Pick<Contact, "id" | "firstName" | "lastName">;
  /** Per-message overrides of the pre-ticked channels ("Envoyer" boxes of the new-message dialog). */
  overrides?: Partial<Record<"email" | "fax" | "sms", boolean>>;
  /** Sends already stored for this message (see {@link ExistingSend}). */
  existing?: readonly ExistingSend[];
  /** The current instant: the notices go now. */
  now: Date;
}

/**
 * Plans the notices of a new message to its account: one per channel ticked in
 * `options.messages.notify` (email, fax, SMS; each overridable per message), each to the account's own address for
 * that channel. A channel without the address on the account is recorded skipped (`no-email`, `no-fax`,
 * `no-mobile`); a default unticked for this message is recorded `disabled`. The email subject template (with
 * `[contact]` and `[sujet]`) is rendered at send time: the send carries the template and its two values.
 * Keys: `<structure>:msg:<message>:new-message:<channel>`.
 *
 * @param input - See {@link PlanNewMessageInput}.
 * @returns The notices to plan (`kind: "new-message"`, `sendAt: now`), none to cancel.
 * @throws {@link @rappel/core!ValidationError} `invalid-input` / `invalid-date` listing every bad argument (a message
 *   of another account, no subject).
 *
 * @example
 * ```ts
 * const r = planNewMessage({
 *   message: { id: "m1", structureId: "s1", accountId: "a1", subject: "Rappeler", contactId: "c1" },
 *   account: { id: "a1", structureId: "s1", name: "Dr Martin", email: "martin@cabinet.example" },
 *   options: resolveOptions({ messages: { notify: { email: true, fax: true } } }),
 *   contact: { id: "c1", firstName: "Jeanne", lastName: "Martin" },
 *   now: new Date("2026-06-08T09:00:00Z"),
 * });
 * r.plan.map((s) => s.channel); //=> ["email"]
 * r.skipped.map((s) => s.reason); //=> ["no-fax"]
 * r.plan[0].data; //=> { messageId: "m1", subject: "Rappeler", contact: "Jeanne Martin", subjectTemplate: "Nouveau message : [sujet] ([contact])" }
 * ```
 */
export function planNewMessage(input: PlanNewMessageInput): PlanResult {
  const p = new Problems();
  if (!p.object(input, "input")) p.throwIfAny("planNewMessage");
  p.date(input.now, "now");
  if (p.object(input.message, "message") && p.object(input.account, "account")) {
    p.id(input.message.id, "message.id");
    if (input.message.accountId !== input.account.id)
      p.add("invalid-input", "message.accountId", "Not the given account");
    if (typeof input.message.subject !== "string") p.add("invalid-input", "message.subject", "Expected a subject");
  }
  p.object(input.options, "options");
  p.throwIfAny("planNewMessage");

  const { message, account, options } = input;
  const draft = newDraft();
  const notify = options.messages.notify;
  const contactName = input.contact ? `${input.contact.firstName} ${input.contact.lastName}`.trim() : "";
  for (const channel of ["email", "fax", "sms"] as const) {
    const ticked = notify[channel];
    const on = input.overrides?.[channel] ?? ticked;
    if (!on && !ticked) continue;
    const key = `${seg(message.structureId)}:msg:${seg(message.id)}:new-message:${channel}`;
    const b = { key, structureId: message.structureId, accountId: account.id, kind: "new-message" as const, channel };
    const address = channel === "email" ? account.email : channel === "fax" ? account.fax : account.mobile;
    const recipient: SendRecipient | undefined = address ? { type: "account", id: account.id, address } : undefined;
    if (!on) {
      draft.skipped.push(skip(b, "disabled", recipient));
      continue;
    }
    if (recipient === undefined) {
      draft.skipped.push(skip(b, channel === "email" ? "no-email" : channel === "fax" ? "no-fax" : "no-mobile"));
      continue;
    }
    const data: Record<string, JsonValue> = { messageId: message.id, subject: message.subject, contact: contactName };
    if (channel === "email") data.subjectTemplate = options.messages.emailSubject;
    draft.plan.push({
      ...b,
      recipient,
      sendAt: new Date(input.now.getTime()),
      billing: billingOf("new-message", channel),
      data,
    });
  }
  return finish(draft, input.existing);
}
