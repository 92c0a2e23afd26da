import type { AccountOptionsInput } from "@rappel/core";
import { createTestKit, type TestKit } from "../testKit.js";
import type { RappelOptions } from "../types.js";

export const S = "s1";

/** A kit with one account (a1), one agenda (g1) and `contacts` contacts c0…c(n-1) with an email and a mobile. */
export function world(
  opts: {
    options?: AccountOptionsInput;
    contacts?: number;
    onlineBooking?: boolean;
    start?: Date;
    engine?: Partial<RappelOptions>;
    structureId?: string;
  } = {},
): TestKit & { appointment(id: string, contact: string, start: string | Date, extra?: object): void } {
  const sid = opts.structureId ?? S;
  const kit = createTestKit({ start: opts.start ?? new Date("2026-06-01T08:00:00Z"), ...(opts.engine ?? {}) });
  kit.data.putAccount(
    {
      id: "a1",
      structureId: sid,
      name: "Cabinet Dupont",
      email: "cabinet@example.org",
      signupDate: "2026-01-01",
      onlineBooking: opts.onlineBooking ?? true,
    },
    opts.options ?? {},
  );
  kit.data.putAgenda({ id: "g1", accountId: "a1", name: "Dr Dupont", ownerUserId: "u1" }, sid);
  const n = opts.contacts ?? 1;
  for (let i = 0; i < n; i++) {
    const num = String(10_000_000 + i).slice(-8);
    kit.data.putContact({
      id: `c${i}`,
      structureId: sid,
      accountIds: ["a1"],
      firstName: "Jeanne",
      lastName: `Test${i}`,
      email: `c${i}@example.org`,
      phones: [{ number: `+336${num}`, mobile: true }],
    });
  }
  return Object.assign(kit, {
    appointment(id: string, contact: string, start: string | Date, extra: object = {}) {
      const s = new Date(start);
      kit.data.putAppointment({
        id,
        structureId: sid,
        accountId: "a1",
        agendaId: "g1",
        contactId: contact,
        start: s,
        end: new Date(s.getTime() + 30 * 60_000),
        timeZone: "Europe/Paris",
        ...extra,
      });
    },
  });
}

/** Options: only the first reminder, by SMS, 24 h before; no quiet hours; one SMS a day off. */
export const SMS_ONLY: AccountOptionsInput = {
  reminders: { first: { channel: "sms", offset: { value: 24, unit: "hours" } } },
  communication: { sms: { quietHours: { enabled: false }, onePerDay: false } },
};
