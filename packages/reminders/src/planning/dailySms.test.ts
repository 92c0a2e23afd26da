import { describe, expect, it } from "vitest";
import { apply, appt, created, options, pending } from "./__fixtures__/build.js";
import type { ExistingSend } from "./index.js";
import { groupDueSends, planAppointmentEvent, reminderAppointments } from "./index.js";

// Contact c1 has two appointments with account a1 on Tuesday 9 June 2026 (Paris): 12:00 (r1) and 16:00 (r2).
const r1 = appt({ id: "r1", start: "2026-06-09T10:00:00Z" });
const r2 = appt({ id: "r2", start: "2026-06-09T14:00:00Z" });
const smsOnly = options({ reminders: { first: { channel: "sms" } } });
const key = (a: { id: string; start: Date }) => `s1:apt:${a.id}@${a.start.toISOString()}:reminder:first:sms`;

describe("one reminder SMS per contact, account and local day (R-39)", () => {
  it("two appointments the same day get one SMS listing both, carried by the first one's key", () => {
    const fromR2 = planAppointmentEvent(created({ appointment: r2, contactAppointments: [r1], options: smsOnly }));
    expect(fromR2.plan).toHaveLength(1);
    expect(fromR2.plan[0]).toMatchObject({
      key: key(r1),
      appointmentId: "r1",
      sendAt: new Date("2026-06-08T10:00:00Z"),
      groupKey: "s1:sms-day:a1:c1:2026-06-09:first",
      data: { slot: "first", appointmentIds: ["r1", "r2"] },
    });
    expect(fromR2.skipped.map((s) => [s.key, s.reason])).toEqual([[key(r2), "merged"]]);
    expect(fromR2.cancel).toEqual([{ keys: [key(r2)] }]);
    // Planning from r1's side of the same state gives the same send: idempotent upserts by key.
    const fromR1 = planAppointmentEvent(created({ appointment: r1, contactAppointments: [r2], options: smsOnly }));
    expect(fromR1.plan).toEqual(fromR2.plan);
  });

  it("stays one SMS through create, create, cancel and move, with the storage applying each result", () => {
    let state: ExistingSend[] = [];
    const step = (input: Parameters<typeof created>[0]) => {
      state = apply(state, planAppointmentEvent(created({ options: smsOnly, existing: state, ...input })));
      return pending(state).map((s) => `${s.key.split(":")[2]} ${String(reminderAppointments(s).ids)}`);
    };
    expect(step({ appointment: r2 })).toEqual(["r2@2026-06-09T14 r2"]);
    expect(step({ appointment: r1, contactAppointments: [r2] })).toEqual(["r1@2026-06-09T10 r1,r2"]);
    // r1 is cancelled: r2 leads again with its own (revived) key.
    const r1x = { ...r1, status: "cancelled" as const };
    expect(step({ event: "cancelled", appointment: r1x, contactAppointments: [r2] })).toEqual(["r2@2026-06-09T14 r2"]);
    // r2 moves to the next day while r1 is back: two days, two SMS.
    const r2moved = appt({ id: "r2", start: "2026-06-10T14:00:00Z" });
    step({ appointment: r1, contactAppointments: [r2] });
    expect(step({ event: "moved", previous: r2, appointment: r2moved, contactAppointments: [r1] })).toEqual([
      "r1@2026-06-09T10 r1",
      "r2@2026-06-10T14 r2",
    ]);
    // Same state again: nothing to do.
    const again = planAppointmentEvent(
      created({
        event: "moved",
        previous: r2,
        appointment: r2moved,
        contactAppointments: [r1],
        options: smsOnly,
        existing: state,
      }),
    );
    expect(again).toMatchObject({ plan: [], cancel: [] });
  });

  it("an appointment whose day's SMS already went out gets its own SMS, and the sent one is never re-planned", () => {
    const first = planAppointmentEvent(created({ appointment: r1, options: smsOnly }));
    const sent: ExistingSend[] = first.plan.map((s) => ({ ...s, status: "done" }));
    const now = new Date("2026-06-08T11:00:00Z"); // after r1's reminder went at 12:00 Paris
    const r = planAppointmentEvent(
      created({ appointment: r2, contactAppointments: [r1], options: smsOnly, existing: sent, now }),
    );
    expect(r.plan.map((s) => [s.key, reminderAppointments(s).ids])).toEqual([[key(r2), ["r2"]]]);
    expect(r.cancel).toEqual([]);
  });

  it("pending-confirmation, cancelled and other accounts' appointments are not merged; the option can be off", () => {
    const others = [
      appt({ id: "r3", start: "2026-06-09T15:00:00Z", status: "pending-confirmation" }),
      appt({ id: "r4", start: "2026-06-09T16:00:00Z", status: "cancelled" }),
      appt({ id: "r5", start: "2026-06-09T17:00:00Z", accountId: "a2" }),
    ];
    const r = planAppointmentEvent(created({ appointment: r1, contactAppointments: others, options: smsOnly }));
    expect(r.plan.map((s) => reminderAppointments(s).ids)).toEqual([["r1"]]);
    const off = options({ reminders: { first: { channel: "sms" } }, communication: { sms: { onePerDay: false } } });
    const two = planAppointmentEvent(created({ appointment: r2, contactAppointments: [r1], options: off }));
    expect(two.plan.map((s) => s.key)).toEqual([key(r2)]);
    expect(two.plan[0]!.groupKey).toBeUndefined();
  });

  it("an SMS about one appointment carries { slot } only: its appointment and start are its own fields", () => {
    const [s] = planAppointmentEvent(created({ appointment: r2, options: smsOnly })).plan;
    expect(s!.data).toEqual({ slot: "first" });
    expect(s).toMatchObject({ appointmentId: "r2", expiresAt: r2.start });
    expect(reminderAppointments(s!)).toEqual({ ids: ["r2"], starts: ["2026-06-09T14:00:00.000Z"] });
    // A day's merged SMS lists its members, in start order.
    const [merged] = planAppointmentEvent(
      created({ appointment: r2, contactAppointments: [r1], options: smsOnly }),
    ).plan;
    expect(merged!.data).toEqual({
      slot: "first",
      appointmentIds: ["r1", "r2"],
      appointmentStarts: ["2026-06-09T10:00:00.000Z", "2026-06-09T14:00:00.000Z"],
    });
    expect(reminderAppointments(merged!).ids).toEqual(["r1", "r2"]);
  });

  it("a sent one-appointment SMS covers its appointment, whether its data lists it (earlier shape) or not", () => {
    const [planned] = planAppointmentEvent(created({ appointment: r1, options: smsOnly })).plan;
    const now = new Date("2026-06-08T11:00:00Z"); // after r1's reminder went at 12:00 Paris
    const shapes: ExistingSend["data"][] = [
      { slot: "first", appointmentIds: ["r1"], appointmentStarts: ["2026-06-09T10:00:00.000Z"] },
      { slot: "first" },
    ];
    for (const data of shapes) {
      const sent: ExistingSend[] = [{ ...planned!, data, status: "done" }];
      const r = planAppointmentEvent(
        created({ appointment: r2, contactAppointments: [r1], options: smsOnly, existing: sent, now }),
      );
      expect(r.plan.map((s) => [s.key, reminderAppointments(s).ids])).toEqual([[key(r2), ["r2"]]]);
      expect(r.cancel).toEqual([]);
    }
    // Coverage decides when r1's own instant is still ahead: here its reminder moved to 2 h before (options changed)
    // after its SMS went out at 24 h. Covered, r1 is left out of the day's SMS; r2 gets its own.
    const twoHours = options({ reminders: { first: { channel: "sms", offset: { value: 2, unit: "hours" } } } });
    for (const data of shapes) {
      const sent: ExistingSend[] = [{ ...planned!, data, status: "done" }];
      const r = planAppointmentEvent(
        created({ appointment: r2, contactAppointments: [r1], options: twoHours, existing: sent, now }),
      );
      expect(r.plan.map((s) => [s.key, reminderAppointments(s).ids])).toEqual([[key(r2), ["r2"]]]);
    }
    // Not covered (nothing sent), the same state merges both under r1's key.
    const fresh = planAppointmentEvent(created({ appointment: r2, contactAppointments: [r1], options: twoHours, now }));
    expect(fresh.plan.map((s) => [s.key, reminderAppointments(s).ids])).toEqual([[key(r1), ["r1", "r2"]]]);
    // Had r1 moved since (another start), its SMS would not cover it: it joins r2's.
    const movedR1 = appt({ id: "r1", start: "2026-06-09T15:00:00Z" });
    const sent: ExistingSend[] = [{ ...planned!, status: "done" }];
    const r = planAppointmentEvent(
      created({ appointment: r2, contactAppointments: [movedR1], options: smsOnly, existing: sent, now }),
    );
    expect(r.plan.map((s) => reminderAppointments(s).ids)).toEqual([["r2", "r1"]]);
  });

  it("the local day is the appointment's zone's: 23:30 and 00:30 Paris are two days", () => {
    const late = appt({ id: "r1", start: "2026-06-09T21:30:00Z" }); // 23:30 Paris, 9 June
    const early = appt({ id: "r2", start: "2026-06-09T22:30:00Z" }); // 00:30 Paris, 10 June
    const r = planAppointmentEvent(created({ appointment: early, contactAppointments: [late], options: smsOnly }));
    expect(r.plan.map((s) => reminderAppointments(s).ids)).toEqual([["r2"]]);
  });
});

describe("grouped practitioner notifications (R-34)", () => {
  const online = (id: string, now: string) =>
    planAppointmentEvent(
      created({
        appointment: appt({ id, start: "2026-06-20T10:00:00Z", source: "online" }),
        options: options({ reminders: { first: { mode: "disabled" } } }),
        now: new Date(now),
      }),
    ).plan;

  it("two online bookings in one 10-minute window become one message per channel; the next window is another", () => {
    const sends = [...online("r1", "2026-06-08T12:02:00Z"), ...online("r2", "2026-06-08T12:07:59Z")];
    expect(new Set(sends.map((s) => s.key)).size).toBe(4);
    const groups = groupDueSends(sends);
    expect(groups.map((g) => `${g.channel} ${g.sendAt.toISOString()} ${g.appointmentIds}`)).toEqual([
      "email 2026-06-08T12:10:00.000Z r1,r2",
      "sms 2026-06-08T12:10:00.000Z r1,r2",
    ]);
    expect(groups[0]!.key).toMatch(
      /^s1:practitioner:g1:email:2026-06-08T12:00:00.000Z@2026-06-08T12:10:00.000Z#[0-9a-f]{8}$/,
    );
    expect(groupDueSends([...sends].reverse())).toEqual(groups);
    const later = groupDueSends([...sends, ...online("r3", "2026-06-08T12:10:00Z")]);
    expect(later.map((g) => g.appointmentIds.join(","))).toEqual(["r1,r2", "r1,r2", "r3", "r3"]);
  });

  it("ungrouped sends stay alone under their own key", () => {
    const sends = planAppointmentEvent(created()).plan.filter((s) => s.channel === "email");
    expect(groupDueSends(sends).map((g) => g.key)).toEqual([sends[0]!.key]);
  });
});
