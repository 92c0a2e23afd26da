// Test fixtures for the planner: a structure s1 with account a1, agenda g1 and contact c1 (email + mobile).
import {
  type AccountOptionsInput,
  type Appointment,
  AppointmentSchema,
  type Contact,
  ContactSchema,
  type PlanResult,
  resolveOptions,
} from "@rappel/core";
import type { ExistingSend, PlanAppointmentEventInput, PlannerAccount, PlannerAgenda } from "../types.js";

export const account: PlannerAccount = {
  id: "a1",
  structureId: "s1",
  name: "Dr Martin",
  email: "martin@cabinet.example",
  mobile: "+33611111111",
  fax: "+33144444444",
  timeZone: "Europe/Paris",
};

export const agenda: PlannerAgenda = {
  id: "g1",
  accountId: "a1",
  ownerUserId: "u-owner",
  practitioner: { email: "dr.martin@example.org", mobile: "+33622222222" },
  access: [],
};

export function contact(input: Record<string, unknown> = {}): Contact {
  return ContactSchema.parse({
    id: "c1",
    structureId: "s1",
    accountIds: ["a1"],
    firstName: "Jeanne",
    lastName: "Martin",
    email: "jeanne@example.org",
    phones: [{ number: "01 44 55 66 77" }, { number: "06 12 34 56 78" }],
    ...input,
  });
}

export function appt(input: Partial<Record<keyof Appointment, unknown>> & { start: string }): Appointment {
  const start = new Date(input.start);
  return AppointmentSchema.parse({
    id: "r1",
    structureId: "s1",
    accountId: "a1",
    agendaId: "g1",
    contactId: "c1",
    end: new Date(start.getTime() + 30 * 60_000),
    timeZone: "Europe/Paris",
    ...input,
    start,
  });
}

export function options(input: AccountOptionsInput = {}) {
  return resolveOptions(input);
}

/** A created-event input with sensible defaults. */
export function created(over: Partial<PlanAppointmentEventInput> = {}): PlanAppointmentEventInput {
  return {
    event: "created",
    appointment: appt({ start: "2026-06-09T10:00:00Z" }),
    account,
    options: options(),
    agenda,
    contact: contact(),
    contactAppointments: [],
    now: new Date("2026-06-01T08:00:00Z"),
    ...over,
  };
}

/** What the storage holds after applying `result` on top of `existing` (cancel first, then upsert). */
export function apply(existing: readonly ExistingSend[], result: PlanResult): ExistingSend[] {
  const byKey = new Map(existing.map((e) => [e.key, { ...e }]));
  for (const c of result.cancel) {
    for (const e of byKey.values()) {
      if (e.status !== "pending") continue;
      if (
        "keys" in c ? c.keys.includes(e.key) : "appointmentId" in c ? matchesAppointment(c, e) : matchesContact(c, e)
      ) {
        e.status = "cancelled";
      }
    }
  }
  for (const s of result.plan) {
    const e = byKey.get(s.key);
    if (e && (e.status === "done" || e.status === "in-flight")) continue;
    byKey.set(s.key, { ...s, status: "pending" });
  }
  return [...byKey.values()];
}

function matchesAppointment(
  c: { appointmentId: string; kinds?: readonly string[]; channels?: readonly string[] },
  e: ExistingSend,
): boolean {
  return (
    e.appointmentId === c.appointmentId &&
    (c.kinds === undefined || c.kinds.includes(e.kind)) &&
    (c.channels === undefined || c.channels.includes(e.channel))
  );
}

function matchesContact(c: { contactId: string; channels: readonly string[] }, e: ExistingSend): boolean {
  return e.contactId === c.contactId && c.channels.includes(e.channel);
}

/** Pending sends of a storage state. */
export const pending = (state: readonly ExistingSend[]) => state.filter((e) => e.status === "pending");

/** Short "kind channel sendAt" lines, for readable assertions. */
export const lines = (r: { plan: readonly { kind: string; channel: string; sendAt: Date }[] }) =>
  r.plan.map((s) => `${s.kind} ${s.channel} ${s.sendAt.toISOString()}`);
