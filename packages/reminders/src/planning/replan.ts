import type { AccountOptions, Appointment, Contact, PlanResult } from "@rappel/core";
import { makeCtx, planSteady, STEADY_KINDS } from "./appointment.js";
import { Problems } from "./common.js";
import { addScope, finish, newDraft } from "./reconcile.js";
import type { ExistingSend, PlannerAccount } from "./types.js";

/**
 * The input of {@link replanForOptionsChange}.
 *
 * @example
 * ```ts
 * const input: ReplanInput = { account, options: newOptions, appointments: future, contacts, history: [],
 *   existing: storedSendsOfThoseAppointments, now: new Date("2026-06-01T08:00:00Z") };
 * ```
 */
export interface ReplanInput {
  /** The account whose options changed. */
  account: PlannerAccount;
  /** The account's new resolved options. */
  options: AccountOptions;
  /** The account's future appointments (start after `now`; others are ignored). */
  appointments: readonly Appointment[];
  /** The contacts of those appointments. */
  contacts: readonly Contact[];
  /**
   * Other appointments of those contacts (past ones, other accounts' ones): they decide "new contact" (R-32) and the
   * survey (R-35). @default []
   */
  history?: readonly Appointment[];
  /** Every stored send of those appointments (any status): what is compared, kept, updated or cancelled. */
  existing: readonly ExistingSend[];
  /** The current instant. */
  now: Date;
}

/**
 * Re-plans the reminders and surveys of an account's future appointments after its options changed:
 * returns exactly what to cancel (pending sends the new options no longer want) and what to plan (new sends, and
 * pending ones whose instant, recipient or data changed). Sends already in flight or done are never planned again,
 * and a pending send whose time has just passed is left to the engine's lateness rule. Idempotent: applying the
 * result and calling again with the updated `existing` returns nothing to plan and nothing to cancel.
 *
 * Event-driven sends (immediate reminders, account and practitioner notifications) belong to their event and are
 * left alone: an options change does not re-announce past bookings.
 *
 * @param input - See {@link ReplanInput}.
 * @returns What to cancel (one `{ keys }` spec) and what to upsert.
 * @throws {@link @rappel/core!ValidationError} `invalid-input` / `invalid-date` listing every bad argument (an
 *   appointment of another account, a contact missing from `contacts`).
 *
 * @example
 * ```ts
 * // The first reminder moves from 24 h to the day before at 18:00: the 24 h sends go, the 18:00 ones come.
 * const r = replanForOptionsChange({ account, options: resolveOptions({ reminders: { first: {
 *   offset: { value: 1, unit: "days", at: "18:00" } } } }), appointments: [r1], contacts: [c1],
 *   existing: storedSends, now });
 * r.plan.map((s) => s.sendAt.toISOString()); //=> ["2026-06-08T16:00:00.000Z", "2026-06-08T16:00:00.000Z"]
 * r.cancel; //=> [] (same keys: the pending sends are updated in place)
 * ```
 */
export function replanForOptionsChange(input: ReplanInput): PlanResult {
  const p = new Problems();
  if (!p.object(input, "input")) p.throwIfAny("replanForOptionsChange");
  p.date(input.now, "now");
  p.object(input.account, "account");
  p.object(input.options, "options");
  if (!Array.isArray(input.appointments)) p.add("invalid-input", "appointments", "Expected an array");
  if (!Array.isArray(input.contacts)) p.add("invalid-input", "contacts", "Expected an array");
  if (!Array.isArray(input.existing)) p.add("invalid-input", "existing", "Expected the stored sends");
  if (p.issues.length === 0) {
    const known = new Set(input.contacts.map((c) => c.id));
    input.appointments.forEach((a, i) => {
      if (a.accountId !== input.account.id)
        p.add("invalid-input", `appointments.${i}.accountId`, "Not the given account");
      if (!known.has(a.contactId)) p.add("invalid-input", `appointments.${i}.contactId`, "Contact not in contacts");
      p.date(a.start, `appointments.${i}.start`);
    });
  }
  p.throwIfAny("replanForOptionsChange");

  const now = input.now.getTime();
  const draft = newDraft();
  draft.dedupe = true;
  const byContact = new Map<string, Appointment[]>();
  const seen = new Set<string>();
  for (const list of [input.appointments, input.history ?? []]) {
    for (const a of list) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      let l = byContact.get(a.contactId);
      if (!l) {
        l = [];
        byContact.set(a.contactId, l);
      }
      l.push(a);
    }
  }
  for (const contact of input.contacts) {
    const all = byContact.get(contact.id);
    if (!all) continue;
    const ctx = makeCtx(input.account, input.options, contact, input.now, input.existing);
    for (const a of input.appointments) {
      if (a.contactId !== contact.id || a.start.getTime() <= now) continue;
      addScope(draft, { appointmentId: a.id, kinds: STEADY_KINDS });
      if (a.status === "confirmed") planSteady(ctx, a, all, draft);
    }
  }
  return finish(draft, input.existing);
}
