import { isRappelError, type PlanResult } from "@rappel/core";
import { describe, expect, it } from "vitest";
import { account, agenda, apply, appt, contact, created, lines, options, pending } from "./__fixtures__/build.js";
import { planAppointmentEvent } from "./index.js";

const START = "2026-06-09T10:00:00.000Z"; // Tuesday 9 June 2026, 12:00 in Paris
const P = `s1:apt:r1@${START}`;
const reasons = (r: PlanResult) => r.skipped.map((s) => `${s.key.slice(s.key.indexOf("Z:") + 2)} ${s.reason}`);

describe("planAppointmentEvent: created (R-16, R-30, R-33)", () => {
  it("plans the default first reminder by email and SMS 24 h before, keyed by appointment, start, slot, channel", () => {
    const r = planAppointmentEvent(created());
    expect(r.plan.map((s) => s.key)).toEqual([`${P}:reminder:first:email`, `${P}:reminder:first:sms`]);
    expect(lines(r)).toEqual(["reminder email 2026-06-08T10:00:00.000Z", "reminder sms 2026-06-08T10:00:00.000Z"]);
    expect(r.plan[1]).toMatchObject({
      recipient: { type: "contact", id: "c1", address: "+33612345678" },
      billing: "reminder",
      expiresAt: new Date(START),
      appointmentId: "r1",
      contactId: "c1",
    });
    // About its own appointment alone (see reminderAppointments): the same shared data as the email.
    expect(r.plan[1]!.data).toEqual({ slot: "first" });
    expect(r.plan[1]!.data).toBe(r.plan[0]!.data);
    expect(r.plan[0]!.billing).toBe("none");
    expect(r.cancel).toEqual([]);
    expect(r.skipped).toEqual([]);
  });

  it("plans both slots with day offsets at a time of day, channels per slot", () => {
    const o = options({
      reminders: {
        first: { channel: "sms", offset: { value: 1, unit: "days", at: "18:00" } },
        second: { mode: "enabled", channel: "email", offset: { value: 7, unit: "days" } },
      },
    });
    expect(lines(planAppointmentEvent(created({ options: o })))).toEqual([
      "reminder sms 2026-06-08T16:00:00.000Z",
      "reminder email 2026-06-02T10:00:00.000Z",
    ]);
  });

  it("skips a reminder whose instant is already past (booking inside the lead time), never sends it late", () => {
    const r = planAppointmentEvent(created({ now: new Date("2026-06-08T12:00:00Z") }));
    expect(r.plan).toEqual([]);
    expect(reasons(r)).toEqual(["reminder:first:email past", "reminder:first:sms past"]);
    expect(r.skipped[0]!.sendAt).toEqual(new Date("2026-06-08T10:00:00Z"));
  });

  it("moves an SMS out of quiet hours but not an email (R-18)", () => {
    // 07:30 appointment: 24 h before is 07:30 local, inside 21:00–08:00 → 08:00 that morning.
    const a = appt({ start: "2026-06-09T05:30:00Z" });
    expect(lines(planAppointmentEvent(created({ appointment: a })))).toEqual([
      "reminder email 2026-06-08T05:30:00.000Z",
      "reminder sms 2026-06-08T06:00:00.000Z",
    ]);
    // 2 h before: 05:30, and 08:00 is not ≥ 1 h before 07:30 → 21:00 the evening before.
    const o = options({ reminders: { first: { offset: { value: 2, unit: "hours" } } } });
    expect(lines(planAppointmentEvent(created({ appointment: a, options: o })))).toEqual([
      "reminder email 2026-06-09T03:30:00.000Z",
      "reminder sms 2026-06-08T19:00:00.000Z",
    ]);
  });

  it("plans nothing for disabled slots and records nothing for them", () => {
    const o = options({ reminders: { first: { mode: "disabled" } } });
    const r = planAppointmentEvent(created({ options: o }));
    expect(r).toEqual({ plan: [], cancel: [], skipped: [] });
  });

  it("new-contacts-only: a contact with an earlier non-cancelled appointment with the account is not new (R-32)", () => {
    const o = options({ reminders: { first: { mode: "new-contacts-only", channel: "email" } } });
    const earlier = appt({ id: "r0", start: "2026-05-01T10:00:00Z" });
    const later = appt({ id: "r9", start: "2026-07-01T10:00:00Z" });
    const cancelled = appt({ id: "r0", start: "2026-05-01T10:00:00Z", status: "cancelled" });
    const otherAccount = appt({ id: "r0", start: "2026-05-01T10:00:00Z", accountId: "a2" });
    expect(reasons(planAppointmentEvent(created({ options: o, contactAppointments: [earlier] })))).toEqual([
      "reminder:first:email not-new-contact",
    ]);
    for (const others of [[later], [cancelled], [otherAccount], []]) {
      expect(planAppointmentEvent(created({ options: o, contactAppointments: others })).plan).toHaveLength(1);
    }
  });

  it("second slot landing on the first slot's instant is merged into it", () => {
    const o = options({
      reminders: { second: { mode: "enabled", channel: "email", offset: { value: 1, unit: "days" } } },
    });
    const r = planAppointmentEvent(created({ options: o }));
    expect(r.plan).toHaveLength(2);
    expect(reasons(r)).toEqual(["reminder:second:email merged"]);
  });
});

describe("planAppointmentEvent: DST (R-30)", () => {
  const emailOnly = (offset: { value: number; unit: "hours" | "days" }) =>
    options({ reminders: { first: { channel: "email", offset } } });
  const at = (start: string, timeZone: string, offset: { value: number; unit: "hours" | "days" }) =>
    planAppointmentEvent(
      created({
        appointment: appt({ start, timeZone }),
        options: emailOnly(offset),
        now: new Date("2026-03-01T00:00:00Z"),
      }),
    ).plan[0]!.sendAt.toISOString();

  it("Paris, spring forward: a day before 02:30 is 03:30 CEST; 24 hours are exact", () => {
    expect(at("2026-03-30T00:30:00Z", "Europe/Paris", { value: 1, unit: "days" })).toBe("2026-03-29T01:30:00.000Z");
    expect(at("2026-03-29T08:00:00Z", "Europe/Paris", { value: 24, unit: "hours" })).toBe("2026-03-28T08:00:00.000Z");
    expect(at("2026-03-29T08:00:00Z", "Europe/Paris", { value: 1, unit: "days" })).toBe("2026-03-28T09:00:00.000Z");
  });

  it("Paris, fall back: a day before the repeated 02:30 takes the earlier (CEST) instant", () => {
    expect(at("2026-10-26T01:30:00Z", "Europe/Paris", { value: 1, unit: "days" })).toBe("2026-10-25T00:30:00.000Z");
  });

  it("Lord Howe's 30-minute change: a day before keeps the wall time, 24 hours do not", () => {
    // Sunday 5 April 2026 10:00 (+10:30, after the change) — the day before is Saturday 10:00 (+11).
    expect(at("2026-04-04T23:30:00Z", "Australia/Lord_Howe", { value: 1, unit: "days" })).toBe(
      "2026-04-03T23:00:00.000Z",
    );
    expect(at("2026-04-04T23:30:00Z", "Australia/Lord_Howe", { value: 24, unit: "hours" })).toBe(
      "2026-04-03T23:30:00.000Z",
    );
  });
});

describe("planAppointmentEvent: consent and contact preferences (R-18, R-31)", () => {
  it("no email → no-email, no mobile → no-mobile (a landline does not count)", () => {
    const c = contact({ email: undefined, phones: [{ number: "01 44 55 66 77" }] });
    const r = planAppointmentEvent(created({ contact: c }));
    expect(r.plan).toEqual([]);
    expect(reasons(r)).toEqual(["reminder:first:email no-email", "reminder:first:sms no-mobile"]);
  });

  it("STOP → opted-out; a channel switched off → consent", () => {
    const c = contact({ preferences: { sms: { optedOut: true }, email: { enabled: false } } });
    expect(reasons(planAppointmentEvent(created({ contact: c })))).toEqual([
      "reminder:first:email consent",
      "reminder:first:sms opted-out",
    ]);
  });

  it("opt-in: nothing without the contact's consent, per channel", () => {
    const o = options({ communication: { consent: "opt-in" } });
    expect(reasons(planAppointmentEvent(created({ options: o })))).toEqual([
      "reminder:first:email consent",
      "reminder:first:sms consent",
    ]);
    const c = contact({ preferences: { sms: { enabled: true } } });
    const r = planAppointmentEvent(created({ options: o, contact: c }));
    expect(lines(r)).toEqual(["reminder sms 2026-06-08T10:00:00.000Z"]);
    expect(reasons(r)).toEqual(["reminder:first:email consent"]);
  });

  it("the contact's lead time per channel replaces the slot's offset; phoneIndex chooses the mobile", () => {
    const c = contact({
      phones: [{ number: "06 12 34 56 78" }, { number: "07 81 22 33 44" }],
      preferences: {
        email: { leadTime: { value: 48, unit: "hours" } },
        sms: { leadTime: { value: 2, unit: "hours" }, phoneIndex: 1 },
      },
    });
    const r = planAppointmentEvent(created({ contact: c }));
    expect(lines(r)).toEqual(["reminder email 2026-06-07T10:00:00.000Z", "reminder sms 2026-06-09T08:00:00.000Z"]);
    expect(r.plan[1]!.recipient.address).toBe("+33781223344");
  });

  it("with a contact lead time both slots collapse into one reminder per channel", () => {
    const o = options({ reminders: { second: { mode: "enabled", channel: "email+sms" } } });
    const c = contact({ preferences: { sms: { leadTime: { value: 3, unit: "hours" } } } });
    const r = planAppointmentEvent(created({ options: o, contact: c }));
    expect(lines(r)).toEqual([
      "reminder email 2026-06-08T10:00:00.000Z",
      "reminder sms 2026-06-09T07:00:00.000Z",
      "reminder email 2026-06-02T10:00:00.000Z",
    ]);
    expect(reasons(r)).toEqual(["reminder:second:sms merged"]);
  });
});

describe("planAppointmentEvent: immediate reminder and confirmations (R-14)", () => {
  const o = options({ immediateReminder: { email: true, sms: true } });

  it("goes now on create, SMS after quiet hours; per-operation overrides untick (recorded disabled) or tick", () => {
    const r = planAppointmentEvent(created({ options: o }));
    expect(lines(r).filter((l) => l.startsWith("immediate"))).toEqual([
      "immediate-reminder email 2026-06-01T08:00:00.000Z",
      "immediate-reminder sms 2026-06-01T08:00:00.000Z",
    ]);
    const night = planAppointmentEvent(created({ options: o, now: new Date("2026-06-01T21:00:00Z") }));
    expect(lines(night).filter((l) => l.startsWith("immediate sms"))).toEqual([]);
    expect(lines(night)).toContain("immediate-reminder sms 2026-06-02T06:00:00.000Z");
    const off = planAppointmentEvent(created({ options: o, overrides: { contact: { sms: false } } }));
    expect(reasons(off)).toEqual(["immediate-reminder:created:sms disabled"]);
    const on = planAppointmentEvent(created({ overrides: { contact: { email: true } } }));
    expect(lines(on)).toContain("immediate-reminder email 2026-06-01T08:00:00.000Z");
  });

  it("a booking awaiting confirmation gets a pending-confirmation notice and no reminders until confirmed", () => {
    const a = appt({ start: START, status: "pending-confirmation", source: "online" });
    const pend = planAppointmentEvent(created({ options: o, appointment: a, agenda: { ...agenda, practitioner: {} } }));
    expect(pend.plan.map((s) => `${s.kind} ${s.channel}`)).toEqual([
      "pending-confirmation email",
      "pending-confirmation sms",
    ]);
    const conf = planAppointmentEvent(
      created({ event: "confirmed", options: o, appointment: { ...a, status: "confirmed" } }),
    );
    expect(conf.plan.map((s) => `${s.kind} ${s.channel}`)).toEqual([
      "reminder email",
      "reminder sms",
      "confirmation email",
      "confirmation sms",
    ]);
  });
});

describe("planAppointmentEvent: account notifications (R-13)", () => {
  it("default recipient is the account's own email; channels per operation", () => {
    const o = options({ notifications: { created: { email: true, message: true } } });
    const r = planAppointmentEvent(created({ options: o }));
    const n = r.plan.filter((s) => s.kind === "account-notification");
    expect(n.map((s) => `${s.channel} ${s.recipient.address}`)).toEqual(["message a1", "email martin@cabinet.example"]);
    expect(n[1]!.key).toBe(`${P}:account-notification:created:account-a1:email`);
    expect(n[1]!.contactId).toBeUndefined();
  });

  it("notification recipients are frozen: shared by the sends that name them, no send changes another's", () => {
    const o = options({ notifications: { created: { email: true, message: true } } });
    const a = appt({ start: START, source: "online" });
    const first = planAppointmentEvent(created({ options: o, appointment: a }));
    const second = planAppointmentEvent(
      created({ options: o, appointment: appt({ id: "r2", start: START, source: "online" }) }),
    );
    const notices = [...first.plan, ...second.plan].filter((s) => s.kind.endsWith("-notification"));
    expect(notices.map((s) => `${s.kind} ${s.channel}`)).toEqual([
      "account-notification message",
      "account-notification email",
      "practitioner-notification email",
      "practitioner-notification sms",
      "account-notification message",
      "account-notification email",
      "practitioner-notification email",
      "practitioner-notification sms",
    ]);
    for (const s of notices) expect(Object.isFrozen(s.recipient)).toBe(true);
    // The same recipient in two results is one object: writing to it fails instead of changing the other result.
    expect(second.plan.find((s) => s.channel === "email" && s.kind === "account-notification")!.recipient).toBe(
      notices[1]!.recipient,
    );
    expect(() => {
      (notices[1]!.recipient as { address: string }).address = "x@example.org";
    }).toThrow(TypeError);
    expect(notices[5]!.recipient).toEqual({ type: "account", id: "a1", address: "martin@cabinet.example" });
    // A changed address is a new recipient, never the one remembered for the old address.
    const moved = planAppointmentEvent(
      created({ options: o, account: { ...account, email: "new@cabinet.example" }, appointment: a }),
    );
    expect(moved.plan.find((s) => s.channel === "email" && s.kind === "account-notification")!.recipient).toEqual({
      type: "account",
      id: "a1",
      address: "new@cabinet.example",
    });
  });

  it("chosen recipients (accounts, managers) with their addresses; overrides per operation", () => {
    const o = options({
      notifications: {
        moved: { email: true, sms: true },
        recipients: [
          { type: "user", userId: "u-manager" },
          { type: "account", accountId: "a2" },
        ],
      },
    });
    const directory = {
      users: [
        { id: "u-manager", role: "manager" as const, email: "gerant@permanence.example", mobile: "+33633333333" },
      ],
      accounts: [{ id: "a2", structureId: "s1", name: "Cabinet B", email: "b@cabinet.example" }],
    };
    const previous = appt({ start: "2026-06-12T10:00:00Z" });
    const r = planAppointmentEvent(
      created({ event: "moved", previous, options: o, directory, overrides: { account: { email: false } } }),
    );
    const n = r.plan.filter((s) => s.kind === "account-notification");
    expect(n.map((s) => `${s.channel} ${s.recipient.type} ${s.recipient.address}`)).toEqual(["sms user +33633333333"]);
    expect(n[0]!.data).toEqual({ event: "moved", previousStart: "2026-06-12T10:00:00.000Z" });
    expect(reasons(r).filter((x) => x.startsWith("account"))).toEqual([
      "account-notification:moved:user-u-manager:email disabled",
      "account-notification:moved:account-a2:email disabled",
      "account-notification:moved:account-a2:sms no-mobile",
    ]);
  });
});

describe("planAppointmentEvent: moves and cancellations (R-33)", () => {
  const previous = appt({ start: "2026-06-05T10:00:00Z" });

  it("a move cancels the old time's pending contact sends and plans new keys", () => {
    const r = planAppointmentEvent(created({ event: "moved", previous }));
    expect(r.cancel).toEqual([
      {
        appointmentId: "r1",
        kinds: ["reminder", "immediate-reminder", "confirmation", "pending-confirmation", "cancellation", "survey"],
      },
    ]);
    expect(r.plan.map((s) => s.key)).toEqual([`${P}:reminder:first:email`, `${P}:reminder:first:sms`]);
  });

  it("with the stored sends, the move cancels exact keys, and the old reminder can never be taken for the new", () => {
    let state = apply([], planAppointmentEvent(created({ appointment: previous })));
    const r = planAppointmentEvent(created({ event: "moved", previous, existing: state }));
    expect(r.cancel).toEqual([
      {
        keys: [
          "s1:apt:r1@2026-06-05T10:00:00.000Z:reminder:first:email",
          "s1:apt:r1@2026-06-05T10:00:00.000Z:reminder:first:sms",
        ],
      },
    ]);
    state = apply(state, r);
    expect(pending(state).map((s) => s.sendAt.toISOString())).toEqual([
      "2026-06-08T10:00:00.000Z",
      "2026-06-08T10:00:00.000Z",
    ]);
    expect(planAppointmentEvent(created({ event: "moved", previous, existing: state }))).toMatchObject({
      plan: [],
      cancel: [],
    });
  });

  it("moving back to the original time plans the original keys again (the storage revives them)", () => {
    const a = appt({ start: START });
    const b = appt({ start: "2026-06-12T10:00:00Z" });
    let state = apply([], planAppointmentEvent(created({ appointment: a })));
    state = apply(
      state,
      planAppointmentEvent(created({ event: "moved", previous: a, appointment: b, existing: state })),
    );
    const back = planAppointmentEvent(created({ event: "moved", previous: b, appointment: a, existing: state }));
    expect(back.plan.map((s) => s.key)).toEqual([`${P}:reminder:first:email`, `${P}:reminder:first:sms`]);
    state = apply(state, back);
    expect(pending(state).map((s) => s.key)).toEqual([`${P}:reminder:first:email`, `${P}:reminder:first:sms`]);
  });

  it("a pending send whose time has just passed is left to the engine's lateness rule, not cancelled", () => {
    const state = apply([], planAppointmentEvent(created()));
    const late = planAppointmentEvent(created({ existing: state, now: new Date("2026-06-08T10:05:00Z") }));
    expect(late).toEqual({ plan: [], cancel: [], skipped: [] });
    const done = state.map((s) => ({ ...s, status: "sent" as const }));
    expect(planAppointmentEvent(created({ existing: done, now: new Date("2026-06-08T10:05:00Z") }))).toEqual({
      plan: [],
      cancel: [],
      skipped: [],
    });
  });

  it("a confirmation plans the reminders even if the caller's status still says pending", () => {
    const a = appt({ start: START, status: "pending-confirmation" });
    const r = planAppointmentEvent(created({ event: "confirmed", appointment: a }));
    expect(r.plan.map((s) => s.kind)).toEqual(["reminder", "reminder"]);
  });

  it("a cancel cancels every pending send and tells the contact on the immediate channels (onModify)", () => {
    const o = options({ immediateReminder: { email: true }, notifications: { cancelled: { email: true } } });
    const a = appt({ start: START, status: "cancelled" });
    const r = planAppointmentEvent(created({ event: "cancelled", appointment: a, options: o }));
    expect(r.cancel).toEqual([{ appointmentId: "r1" }]);
    expect(r.plan.map((s) => `${s.kind} ${s.channel}`)).toEqual(["cancellation email", "account-notification email"]);
    let state = apply([], planAppointmentEvent(created({ options: o })));
    state = apply(
      state,
      planAppointmentEvent(created({ event: "cancelled", appointment: a, options: o, existing: state })),
    );
    expect(pending(state).map((s) => s.kind)).toEqual(["cancellation", "account-notification"]);
  });
});

describe("planAppointmentEvent: practitioner notifications (R-34)", () => {
  it("an online booking notifies the practitioner by email and SMS at the end of its 10-minute window", () => {
    const a = appt({ start: START, source: "online" });
    const r = planAppointmentEvent(created({ appointment: a, now: new Date("2026-06-01T08:03:20Z") }));
    const n = r.plan.filter((s) => s.kind === "practitioner-notification");
    expect(n.map((s) => `${s.channel} ${s.recipient.address} ${s.sendAt.toISOString()}`)).toEqual([
      "email dr.martin@example.org 2026-06-01T08:10:00.000Z",
      "sms +33622222222 2026-06-01T08:10:00.000Z",
    ]);
    expect(n[0]!.groupKey).toBe("s1:practitioner:g1:email:2026-06-01T08:00:00.000Z");
    const staff = planAppointmentEvent(created());
    expect(staff.plan.some((s) => s.kind === "practitioner-notification")).toBe(false);
  });

  it("the seed's example: appointment 9 June 12:00, cancelled 8 June 14:00 → notified; 8 June 08:00 → not", () => {
    const a = appt({ start: START, status: "cancelled" });
    const at14 = planAppointmentEvent(
      created({ event: "cancelled", appointment: a, now: new Date("2026-06-08T12:00:00Z") }),
    );
    expect(at14.plan.filter((s) => s.kind === "practitioner-notification").map((s) => s.channel)).toEqual([
      "email",
      "sms",
    ]);
    const at08 = planAppointmentEvent(
      created({ event: "cancelled", appointment: a, now: new Date("2026-06-08T06:00:00Z") }),
    );
    expect(at08.plan.filter((s) => s.kind === "practitioner-notification")).toEqual([]);
    expect(reasons(at08)).toEqual([
      "practitioner-notification:cancelled:email not-late-change",
      "practitioner-notification:cancelled:sms not-late-change",
    ]);
  });

  it("a move notifies when less than 24 h before the old start, or the new one", () => {
    const previous = appt({ start: START });
    const later = appt({ start: "2026-06-20T10:00:00Z" });
    const n = (r: PlanResult) => r.plan.filter((s) => s.kind === "practitioner-notification").length;
    expect(
      n(
        planAppointmentEvent(
          created({ event: "moved", previous, appointment: later, now: new Date("2026-06-08T12:00:00Z") }),
        ),
      ),
    ).toBe(2);
    expect(
      n(
        planAppointmentEvent(
          created({ event: "moved", previous, appointment: later, now: new Date("2026-06-08T06:00:00Z") }),
        ),
      ),
    ).toBe(0);
    expect(
      n(
        planAppointmentEvent(
          created({ event: "moved", previous: later, appointment: previous, now: new Date("2026-06-08T12:00:00Z") }),
        ),
      ),
    ).toBe(2);
  });
});

describe("planAppointmentEvent: satisfaction survey (R-35)", () => {
  const o = options({ survey: { agendaIds: ["g1"] }, reminders: { first: { mode: "disabled" } } });

  it("first appointment with the agenda: an email at 21:00 local on the day", () => {
    const r = planAppointmentEvent(created({ options: o }));
    expect(lines(r)).toEqual(["survey email 2026-06-09T19:00:00.000Z"]);
    expect(r.plan[0]!.key).toBe(`${P}:survey:email`);
  });

  it("previous appointment with the agenda more than one calendar month earlier → survey; not more → skipped", () => {
    const prev = (start: string) => [appt({ id: "r0", start })];
    const at = (start: string) => planAppointmentEvent(created({ options: o, contactAppointments: prev(start) }));
    expect(at("2026-05-09T09:00:00Z").plan).toHaveLength(1); // 9 May 11:00 → 9 June 12:00: a month and an hour
    expect(reasons(at("2026-05-09T10:00:00Z"))).toEqual(["survey:email survey-too-recent"]); // exactly one month
    expect(reasons(at("2026-05-20T10:00:00Z"))).toEqual(["survey:email survey-too-recent"]);
    // Other agendas and cancelled appointments do not count.
    const other = [appt({ id: "r0", start: "2026-06-01T10:00:00Z", agendaId: "g2" })];
    expect(planAppointmentEvent(created({ options: o, contactAppointments: other })).plan).toHaveLength(1);
  });

  it("an agenda without the survey gets none", () => {
    expect(
      planAppointmentEvent(created({ options: options({ reminders: { first: { mode: "disabled" } } }) })).plan,
    ).toEqual([]);
  });
});

describe("planAppointmentEvent: bad input", () => {
  it("throws typed errors listing every problem", () => {
    const base = created();
    const cases: [unknown, string][] = [
      [{ ...base, event: "deleted" }, "invalid-input"],
      [{ ...base, now: new Date(Number.NaN) }, "invalid-date"],
      [{ ...base, event: "moved" }, "invalid-input"],
      [{ ...base, appointment: { ...base.appointment, accountId: "a2" } }, "invalid-input"],
      [{ ...base, contact: contact({ id: "c2" }) }, "invalid-input"],
      [{ ...base, appointment: { ...base.appointment, timeZone: "Europe/Lyon" } }, "invalid-time-zone"],
      [null, "invalid-input"],
    ];
    for (const [input, code] of cases) {
      try {
        planAppointmentEvent(input as never);
        expect.unreachable();
      } catch (e) {
        expect(isRappelError(e) && e.code).toBe(code);
      }
    }
  });

  it("does not mutate its input", () => {
    const input = created({
      options: options({ immediateReminder: { sms: true } }),
      contactAppointments: [appt({ id: "r2", start: START })],
    });
    const copy = structuredClone(input);
    planAppointmentEvent(input);
    expect(input).toEqual(copy);
    expect(account.id).toBe("a1");
  });
});
