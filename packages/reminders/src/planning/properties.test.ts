import type { AccountOptionsInput, Appointment } from "@rappel/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { zonedDateParts } from "../timing/zonedDateParts.js";
import { account, agenda, apply, appt, contact, options, pending } from "./__fixtures__/build.js";
import { usesContactAppointments } from "./appointment.js";
import { type ExistingSend, planAppointmentEvent, replanForOptionsChange } from "./index.js";

const ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];
const T0 = Date.UTC(2026, 2, 20); // around the 2026 DST changes

const offsetArb = fc.oneof(
  fc.record({ value: fc.integer({ min: 0, max: 72 }), unit: fc.constant("hours" as const) }),
  fc.record({ value: fc.integer({ min: 0, max: 10 }), unit: fc.constant("days" as const) }),
  fc.record({
    value: fc.integer({ min: 0, max: 10 }),
    unit: fc.constant("days" as const),
    at: fc.constantFrom("00:00", "02:30", "07:45", "18:00", "21:30", "23:59"),
  }),
);
const slotArb = fc.record({
  mode: fc.constantFrom("disabled", "enabled", "new-contacts-only"),
  channel: fc.constantFrom("email", "sms", "email+sms"),
  offset: offsetArb,
});
const optionsArb = fc
  .record({
    first: slotArb,
    second: slotArb,
    consent: fc.constantFrom("opt-out", "opt-in"),
    quiet: fc.boolean(),
    quietStart: fc.constantFrom("21:00", "20:00", "22:30"),
    quietEnd: fc.constantFrom("08:00", "07:00", "09:15"),
    onePerDay: fc.boolean(),
    immediate: fc.record({ email: fc.boolean(), sms: fc.boolean() }),
    survey: fc.boolean(),
    notify: fc.record({ message: fc.boolean(), email: fc.boolean(), sms: fc.boolean() }),
  })
  .map(
    (o): AccountOptionsInput => ({
      reminders: { first: o.first, second: o.second },
      communication: {
        consent: o.consent,
        sms: { onePerDay: o.onePerDay, quietHours: { enabled: o.quiet, start: o.quietStart, end: o.quietEnd } },
      },
      immediateReminder: o.immediate,
      survey: { agendaIds: o.survey ? ["g1"] : [] },
      notifications: { created: o.notify, moved: o.notify, cancelled: o.notify },
    }),
  );
const apptArb = (id: string) =>
  fc
    .record({
      minutes: fc.integer({ min: 0, max: 20 * 24 * 60 }),
      zone: fc.constantFrom(...ZONES),
      status: fc.constantFrom("confirmed", "confirmed", "cancelled", "pending-confirmation"),
      source: fc.constantFrom("online", "staff"),
      agendaId: fc.constantFrom("g1", "g2"),
    })
    .map((a) =>
      appt({
        id,
        start: new Date(T0 + a.minutes * 60_000).toISOString(),
        timeZone: a.zone,
        status: a.status,
        source: a.source,
        agendaId: a.agendaId,
      }),
    );
const contactArb = fc
  .record({
    email: fc.boolean(),
    mobile: fc.boolean(),
    emailPref: fc.constantFrom(undefined, true, false),
    smsPref: fc.constantFrom(undefined, true, false),
    optedOut: fc.boolean(),
    lead: fc.option(fc.record({ value: fc.integer({ min: 0, max: 48 }), unit: fc.constant("hours" as const) })),
  })
  .map((c) =>
    contact({
      email: c.email ? "jeanne@example.org" : undefined,
      phones: c.mobile ? [{ number: "06 12 34 56 78" }] : [],
      preferences: {
        email: { enabled: c.emailPref },
        sms: { enabled: c.smsPref, optedOut: c.optedOut, leadTime: c.lead ?? undefined },
      },
    }),
  );
const stateArb = fc.record({
  options: optionsArb,
  contact: contactArb,
  subject: apptArb("r1").map((a) => ({ ...a, agendaId: "g1", status: "confirmed" as const })),
  others: fc.tuple(apptArb("r2"), apptArb("r3"), apptArb("r4")).chain((l) => fc.subarray(l)),
  event: fc.constantFrom("created", "confirmed", "moved", "cancelled"),
  previous: apptArb("r1"),
  nowMinutes: fc.integer({ min: -2 * 24 * 60, max: 12 * 24 * 60 }),
});

type State = typeof stateArb extends fc.Arbitrary<infer T> ? T : never;

function inputOf(s: State) {
  const subject = s.event === "cancelled" ? { ...s.subject, status: "cancelled" as const } : s.subject;
  return {
    event: s.event,
    appointment: subject,
    previous: s.event === "moved" ? s.previous : undefined,
    account,
    options: options(s.options),
    agenda,
    contact: s.contact,
    contactAppointments: s.others,
    now: new Date(T0 + s.nowMinutes * 60_000),
  };
}

const CONTACT_SMS = new Set(["reminder", "immediate-reminder", "confirmation", "pending-confirmation", "cancellation"]);
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

describe("planner properties (fast-check)", () => {
  it("is deterministic, never plans before now, keeps SMS out of quiet hours, keys unique, and re-planning plans nothing", () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const input = inputOf(s);
        const r = planAppointmentEvent(input);
        expect(planAppointmentEvent(input)).toEqual(r);
        const keys = r.plan.map((p) => p.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const p of r.plan) {
          expect(p.sendAt.getTime()).toBeGreaterThanOrEqual(input.now.getTime());
          const q = input.options.communication.sms.quietHours;
          if (p.channel === "sms" && CONTACT_SMS.has(p.kind) && q.enabled) {
            const appointment = [input.appointment, ...input.contactAppointments].find(
              (a) => a.id === p.appointmentId,
            )!;
            const l = zonedDateParts(p.sendAt, appointment.timeZone);
            const m = l.hour * 60 + l.minute + (l.second + l.millisecond / 1000) / 60;
            const [a, b] = [minutes(q.start), minutes(q.end)];
            const quiet = a > b ? m > a || m < b : m > a && m < b;
            expect(quiet, `${p.key} at ${l.hour}:${l.minute}`).toBe(false);
          }
        }
        // The storage applies the result; the same state planned again changes nothing.
        const state = apply([], r);
        const again = planAppointmentEvent({ ...input, existing: state });
        expect(again.plan).toEqual([]);
        expect(again.cancel).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("plans the same with or without the contact's other appointments when no rule uses them", () => {
    let used = 0;
    fc.assert(
      fc.property(stateArb, (s) => {
        const input = inputOf(s);
        const without = planAppointmentEvent({ ...input, contactAppointments: [] });
        if (usesContactAppointments(input.options, input.appointment.agendaId)) {
          used++;
          return;
        }
        expect(planAppointmentEvent(input)).toEqual(without);
        const appointments = [input.appointment, ...input.contactAppointments];
        const future = appointments.filter((a) => a.start.getTime() > input.now.getTime());
        const base = { account, options: input.options, appointments: future, contacts: [input.contact], existing: [] };
        expect(replanForOptionsChange({ ...base, history: appointments, now: input.now })).toEqual(
          replanForOptionsChange({ ...base, now: input.now }),
        );
      }),
      { numRuns: 400 },
    );
    // Both sides of the predicate are exercised.
    expect(used).toBeGreaterThan(100);
    expect(used).toBeLessThan(380);
  });

  it("an options change re-plans to exactly what planning afresh gives, and a second re-plan does nothing (R-46)", () => {
    fc.assert(
      fc.property(stateArb, optionsArb, (s, next) => {
        const input = inputOf({ ...s, event: "created" });
        const appointments: Appointment[] = [input.appointment, ...input.contactAppointments];
        const future = appointments.filter((a) => a.start.getTime() > input.now.getTime());
        const base = { account, contacts: [input.contact], history: appointments, now: input.now };
        let state: ExistingSend[] = apply(
          [],
          replanForOptionsChange({ ...base, options: input.options, appointments: future, existing: [] }),
        );
        const nextOptions = options(next);
        state = apply(
          state,
          replanForOptionsChange({ ...base, options: nextOptions, appointments: future, existing: state }),
        );
        const again = replanForOptionsChange({ ...base, options: nextOptions, appointments: future, existing: state });
        expect(again.plan).toEqual([]);
        expect(again.cancel).toEqual([]);
        const fresh = apply(
          [],
          replanForOptionsChange({ ...base, options: nextOptions, appointments: future, existing: [] }),
        );
        const view = (l: ExistingSend[]) =>
          pending(l)
            .map((e) => `${e.key} ${e.sendAt.toISOString()} ${JSON.stringify(e.data)}`)
            .sort();
        expect(view(state)).toEqual(view(fresh));
      }),
      { numRuns: 200 },
    );
  });
});

describe("replanForOptionsChange (R-46)", () => {
  const r1 = appt({ id: "r1", start: "2026-06-09T10:00:00Z" });
  const c1 = contact();
  const now = new Date("2026-06-01T08:00:00Z");

  it("moves pending reminders to the new offset in place and cancels the ones no longer wanted", () => {
    const before = options({ reminders: { second: { mode: "enabled", channel: "email" } } });
    let state = apply(
      [],
      replanForOptionsChange({ account, options: before, appointments: [r1], contacts: [c1], existing: [], now }),
    );
    expect(pending(state)).toHaveLength(3);
    const after = options({ reminders: { first: { offset: { value: 1, unit: "days", at: "18:00" } } } });
    const r = replanForOptionsChange({
      account,
      options: after,
      appointments: [r1],
      contacts: [c1],
      existing: state,
      now,
    });
    expect(r.plan.map((s) => `${s.key.split(":").slice(-3).join(":")} ${s.sendAt.toISOString()}`)).toEqual([
      "reminder:first:email 2026-06-08T16:00:00.000Z",
      "reminder:first:sms 2026-06-08T16:00:00.000Z",
    ]);
    expect(r.cancel).toEqual([{ keys: ["s1:apt:r1@2026-06-09T10:00:00.000Z:reminder:second:email"] }]);
    state = apply(state, r);
    expect(
      replanForOptionsChange({ account, options: after, appointments: [r1], contacts: [c1], existing: state, now }),
    ).toEqual({
      plan: [],
      cancel: [],
      skipped: [],
    });
  });

  it("never re-plans a send already out, and leaves event sends (notifications) alone", () => {
    const sent: ExistingSend[] = planAppointmentEvent({
      event: "created",
      appointment: r1,
      account,
      options: options({ notifications: { created: { email: true } } }),
      agenda,
      contact: c1,
      now,
    }).plan.map((s) => ({ ...s, status: s.kind === "reminder" ? "done" : "pending" }));
    const r = replanForOptionsChange({
      account,
      options: options(),
      appointments: [r1],
      contacts: [c1],
      existing: sent,
      now,
    });
    expect(r).toEqual({ plan: [], cancel: [], skipped: [] });
    expect(() =>
      replanForOptionsChange({ account, options: options(), appointments: [r1], contacts: [], existing: [], now }),
    ).toThrow(/contactId/);
  });
});
