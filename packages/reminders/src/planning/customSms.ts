import type { AccountOptions, Contact, CustomSmsKind, PlannedSend, PlanResult } from "@rappel/core";
import { contactMobile, Problems, quietEnd, quietOf, skip } from "./common.js";
import { seg } from "./keys.js";
import { finish, newDraft } from "./reconcile.js";
import { zonedDateParts, zonedInstant } from "./time.js";
import type { ExistingSend, PlannerAccount } from "./types.js";

/**
 * The input of {@link planCustomSms}.
 *
 * @example
 * ```ts
 * const input: PlanCustomSmsInput = { kind: "group", id: "camp-7", account, options, contacts: [c1, c2],
 *   text: "Le cabinet sera fermé le 14 juillet.", now: new Date("2026-07-01T08:00:00Z") };
 * ```
 */
export interface PlanCustomSmsInput {
  /** `individual` (one contact, now), `scheduled` (at `sendAt`), `group` (many contacts, at `sendAt` or now), `birthday`. */
  kind: CustomSmsKind;
  /** Stable id of this custom SMS or campaign (the host's record): it makes the keys. */
  id: string;
  /** The account sending it. */
  account: PlannerAccount;
  /** The account's resolved options (consent model, quiet hours). */
  options: AccountOptions;
  /** The recipients: exactly one for `individual`. */
  contacts: readonly Contact[];
  /** The text as written (rendered and counted at send time). */
  text: string;
  /** For `scheduled` (required) and `group` (optional, default now): when it goes. */
  sendAt?: Date;
  /** For `birthday`: local time of day `HH:mm` it goes on the birthday. @default "09:00" */
  at?: string;
  /** Zone of the birthday's local date and time. @default account.timeZone, else "Europe/Paris" */
  timeZone?: string;
  /** Sends already stored for this custom SMS (see {@link ExistingSend}). */
  existing?: readonly ExistingSend[];
  /** The current instant. */
  now: Date;
}

const KINDS: ReadonlySet<string> = new Set(["individual", "scheduled", "group", "birthday"]);
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** The next birthday instant at or after `now` (29 February → 28 February in common years). */
function nextBirthday(birthDate: string, at: string, timeZone: string, now: Date): { year: number; sendAt: Date } {
  const month = Number(birthDate.slice(5, 7));
  const day = Number(birthDate.slice(8, 10));
  const hour = Number(at.slice(0, 2));
  const minute = Number(at.slice(3, 5));
  let year = zonedDateParts(now, timeZone).year;
  for (;;) {
    const d = month === 2 && day === 29 && !isLeap(year) ? 28 : day;
    const sendAt = zonedInstant({ year, month, day: d, hour, minute }, timeZone);
    if (sendAt.getTime() >= now.getTime()) return { year, sendAt };
    year++;
  }
}

function validate(input: PlanCustomSmsInput): void {
  const p = new Problems();
  if (!p.object(input, "input")) p.throwIfAny("planCustomSms");
  if (!KINDS.has(input.kind))
    p.add("invalid-input", "kind", 'Expected "individual", "scheduled", "group" or "birthday"');
  p.id(input.id, "id").date(input.now, "now");
  p.object(input.account, "account");
  p.object(input.options, "options");
  if (typeof input.text !== "string") p.add("invalid-input", "text", "Expected the SMS text");
  if (!Array.isArray(input.contacts)) p.add("invalid-input", "contacts", "Expected an array of contacts");
  else if (input.kind === "individual" && input.contacts.length !== 1) {
    p.add("invalid-input", "contacts", "An individual SMS goes to exactly one contact");
  }
  if (input.kind === "scheduled" && input.sendAt === undefined)
    p.add("invalid-input", "sendAt", "A scheduled SMS needs sendAt");
  if (input.sendAt !== undefined) p.date(input.sendAt, "sendAt");
  if (input.at !== undefined && (typeof input.at !== "string" || !TIME.test(input.at))) {
    p.add("invalid-time-of-day", "at", 'Expected a local time "HH:mm"');
  }
  p.throwIfAny("planCustomSms");
}

/**
 * Plans custom SMS, one send per contact, billed `custom`:
 *
 * - `individual`: to one contact, now; `scheduled`: at `sendAt`; `group`: one text to many contacts, one send each
 *   (at `sendAt`, default now).
 * - `birthday`: on each contact's next birthday (29 February → 28 February in common years) at `at` local time in
 *   `timeZone`; the key carries the birthday's year, so each year's SMS is its own send and re-planning within a
 *   year plans nothing new: after it goes, plan again to get next year's. Contacts without a birth date are left
 *   out (nothing to record).
 *
 * Consent: custom SMS follow the account's consent model like reminders (opt-in needs SMS switched on), a STOP
 * reply refuses them (`opted-out`), no mobile gives `no-mobile`. Quiet hours: a send inside them moves to their
 * end. A `scheduled` or `group` send time already past is recorded `past`.
 * Keys: `<structure>:custom:<id>:<contact>:sms` (birthday: `…:<contact>:<year>:sms`).
 *
 * @param input - See {@link PlanCustomSmsInput}.
 * @returns The SMS to plan (`kind: "custom-sms"`, data `{ customKind, campaignId, text }`), none to cancel.
 * @throws {@link @rappel/core!ValidationError} `invalid-input` / `invalid-date` / `invalid-time-of-day` listing every
 *   bad argument (unknown kind, an individual SMS to other than one contact, a scheduled one without `sendAt`).
 *
 * @example
 * ```ts
 * const r = planCustomSms({
 *   kind: "birthday", id: "bday", account, options: resolveOptions({}), text: "Joyeux anniversaire !",
 *   contacts: [ContactSchema.parse({ id: "c1", structureId: "s1", accountIds: ["a1"], lastName: "Martin",
 *     birthDate: "1984-06-09", phones: [{ number: "06 12 34 56 78" }] })],
 *   now: new Date("2026-06-01T08:00:00Z"),
 * });
 * r.plan[0].key; //=> "s1:custom:bday:c1:2026:sms"
 * r.plan[0].sendAt.toISOString(); //=> "2026-06-09T07:00:00.000Z" (09:00 in Paris)
 * ```
 */
export function planCustomSms(input: PlanCustomSmsInput): PlanResult {
  validate(input);
  const { account, options, kind, now } = input;
  const draft = newDraft();
  const timeZone = input.timeZone ?? account.timeZone ?? "Europe/Paris";
  const quiet = quietOf(options);
  const prefix = `${seg(account.structureId)}:custom:${seg(input.id)}`;
  for (const contact of input.contacts) {
    let key = `${prefix}:${seg(contact.id)}:sms`;
    let sendAt = kind === "individual" ? now : (input.sendAt ?? now);
    if (kind === "birthday") {
      if (!contact.birthDate) continue;
      const next = nextBirthday(contact.birthDate, input.at ?? "09:00", timeZone, now);
      key = `${prefix}:${seg(contact.id)}:${next.year}:sms`;
      sendAt = next.sendAt;
    }
    const b = {
      key,
      structureId: account.structureId,
      accountId: account.id,
      kind: "custom-sms" as const,
      channel: "sms" as const,
      contactId: contact.id,
    };
    const check = contactMobile(contact, options.communication.consent, "full");
    if (!check.ok) {
      draft.skipped.push(skip(b, check.reason));
      continue;
    }
    const recipient = { type: "contact" as const, id: contact.id, address: check.address };
    if (quiet !== undefined) sendAt = quietEnd(sendAt, timeZone, quiet);
    if (sendAt.getTime() < now.getTime()) {
      draft.skipped.push(skip(b, "past", recipient, sendAt));
      continue;
    }
    const send: PlannedSend = {
      ...b,
      recipient,
      sendAt: new Date(sendAt.getTime()),
      billing: "custom",
      data: { customKind: kind, campaignId: input.id, text: input.text },
    };
    draft.plan.push(send);
  }
  return finish(draft, input.existing);
}
