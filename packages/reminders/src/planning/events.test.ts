import { isRappelError, SECURITY_EVENTS } from "@rappel/core";
import { describe, expect, it } from "vitest";
import { account, contact, options } from "./__fixtures__/build.js";
import { planCustomSms, planNewMessage, planSecurityEvent } from "./index.js";

const now = new Date("2026-06-08T12:00:00Z");
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isRappelError(e) ? e.code : "untyped";
  }
  return "no error";
};

describe("planSecurityEvent (R-36)", () => {
  const users = [
    { id: "admin1", role: "admin" as const, email: "admin1@permanence.example" },
    { id: "admin2", role: "admin" as const, email: "admin2@permanence.example" },
    { id: "owner1", role: "operator" as const, email: "owner1@permanence.example" },
    { id: "owner2", role: "manager" as const, email: "owner2@permanence.example" },
    { id: "u9", role: "operator" as const, email: "u9@permanence.example" },
  ];
  const agendas = [
    {
      id: "g1",
      accountId: "a1",
      ownerUserId: "owner1",
      practitioner: {},
      access: [{ userId: "u9", level: "read" as const }],
    },
    {
      id: "g2",
      accountId: "a1",
      ownerUserId: "owner2",
      practitioner: { email: "dr.b@example.org" },
      access: [{ userId: "u9", level: "none" as const }],
    },
    {
      id: "g3",
      accountId: "a1",
      ownerUserId: "owner1",
      practitioner: {},
      access: [{ userId: "u9", level: "admin" as const }],
    },
  ];
  const base = { eventId: "e1", structureId: "s1", user: { id: "u9", email: "u9@permanence.example" }, users, now };
  const to = (input: Parameters<typeof planSecurityEvent>[0]) =>
    planSecurityEvent(input).plan.map((s) => s.recipient.address);

  it("sends each event's immediate email to the seed's recipients", () => {
    expect(to({ ...base, event: "administrator-added" })).toEqual([
      "admin1@permanence.example",
      "admin2@permanence.example",
    ]);
    expect(to({ ...base, event: "export-right-granted" })).toEqual([
      "admin1@permanence.example",
      "admin2@permanence.example",
    ]);
    expect(to({ ...base, event: "agenda-access-changed", agenda: agendas[1] })).toEqual(["owner2@permanence.example"]);
    // Owners of agendas where u9's access is not "none", once each.
    expect(to({ ...base, event: "agenda-user-added", agendas })).toEqual(["owner1@permanence.example"]);
    expect(to({ ...base, event: "agenda-user-removed", agendas })).toEqual(["owner1@permanence.example"]);
    expect(to({ ...base, event: "patient-base-exported", agendas: agendas.slice(0, 2) })).toEqual([
      "admin1@permanence.example",
      "admin2@permanence.example",
      "owner1@permanence.example",
      "dr.b@example.org",
    ]);
    for (const event of ["password-changed", "phone-changed", "new-device-login", "account-locked"] as const) {
      expect(to({ ...base, event })).toEqual(["u9@permanence.example"]);
    }
  });

  it("an email change is told to the previous address", () => {
    const r = planSecurityEvent({ ...base, event: "email-changed", previousEmail: "old@permanence.example" });
    expect(r.plan).toEqual([
      {
        key: "s1:security:email-changed:e1:user-u9",
        structureId: "s1",
        accountId: "s1",
        kind: "security",
        channel: "email",
        recipient: { type: "user", id: "u9", address: "old@permanence.example" },
        sendAt: now,
        billing: "none",
        data: { event: "email-changed", userId: "u9" },
      },
    ]);
    expect(code(() => planSecurityEvent({ ...base, event: "email-changed" }))).toBe("invalid-input");
  });

  it("covers every security event, records owners without email, rejects bad input", () => {
    for (const event of SECURITY_EVENTS) {
      const r = planSecurityEvent({ ...base, event, agenda: agendas[0], agendas, previousEmail: "old@x.example" });
      expect(
        r.plan.every((s) => s.kind === "security" && s.channel === "email" && s.sendAt.getTime() === now.getTime()),
      ).toBe(true);
    }
    const r = planSecurityEvent({ ...base, users: [], event: "agenda-access-changed", agenda: agendas[0] });
    expect(r.skipped.map((s) => s.reason)).toEqual(["no-email"]);
    expect(code(() => planSecurityEvent({ ...base, event: "hacked" as never }))).toBe("invalid-input");
    expect(code(() => planSecurityEvent({ ...base, event: "password-changed", now: new Date("x") }))).toBe(
      "invalid-date",
    );
  });
});

describe("planNewMessage (R-17, R-37)", () => {
  const message = { id: "m1", structureId: "s1", accountId: "a1", subject: "Rappeler", contactId: "c1" };
  const c = { id: "c1", firstName: "Jeanne", lastName: "Martin" };

  it("notifies the account on each ticked channel with the data the subject template needs", () => {
    const o = options({ messages: { notify: { email: true, fax: true, sms: true } } });
    const r = planNewMessage({ message, account, options: o, contact: c, now });
    expect(r.plan.map((s) => `${s.channel} ${s.recipient.address} ${s.billing}`)).toEqual([
      "email martin@cabinet.example none",
      "fax +33144444444 none",
      "sms +33611111111 reminder",
    ]);
    expect(r.plan[0]!.data).toEqual({
      messageId: "m1",
      subject: "Rappeler",
      contact: "Jeanne Martin",
      subjectTemplate: "Nouveau message : [sujet] ([contact])",
    });
    expect(r.plan[0]!.key).toBe("s1:msg:m1:new-message:email");
  });

  it("each channel needs the address on the account; per-message overrides", () => {
    const o = options({ messages: { notify: { fax: true, sms: true } } });
    const bare = { ...account, fax: undefined, mobile: undefined };
    expect(planNewMessage({ message, account: bare, options: o, now }).skipped.map((s) => s.reason)).toEqual([
      "no-fax",
      "no-mobile",
    ]);
    const r = planNewMessage({ message, account, options: o, now, overrides: { sms: false, email: true } });
    expect(r.plan.map((s) => s.channel)).toEqual(["email", "fax"]);
    expect(r.skipped.map((s) => `${s.channel} ${s.reason}`)).toEqual(["sms disabled"]);
    expect(planNewMessage({ message, account, options: options(), now }).plan).toEqual([]);
    expect(code(() => planNewMessage({ message: { ...message, accountId: "a2" }, account, options: o, now }))).toBe(
      "invalid-input",
    );
  });
});

describe("planCustomSms (R-38)", () => {
  const o = options();
  const c1 = contact();
  const c2 = contact({ id: "c2", phones: [{ number: "06 98 76 54 32" }], birthDate: "1988-02-29" });
  const c3 = contact({ id: "c3", phones: [], birthDate: "1990-06-09" });
  const text = "Le cabinet sera fermé le 14 juillet.";

  it("individual goes now, scheduled at its time, group one send per contact; billed custom", () => {
    const ind = planCustomSms({ kind: "individual", id: "x1", account, options: o, contacts: [c1], text, now });
    expect(ind.plan).toMatchObject([
      {
        key: "s1:custom:x1:c1:sms",
        kind: "custom-sms",
        billing: "custom",
        sendAt: now,
        data: { customKind: "individual", text },
      },
    ]);
    const at = new Date("2026-07-01T08:00:00Z");
    const grp = planCustomSms({
      kind: "group",
      id: "x2",
      account,
      options: o,
      contacts: [c1, c2, c3],
      text,
      sendAt: at,
      now,
    });
    expect(grp.plan.map((s) => `${s.recipient.address} ${s.sendAt.toISOString()}`)).toEqual([
      "+33612345678 2026-07-01T08:00:00.000Z",
      "+33698765432 2026-07-01T08:00:00.000Z",
    ]);
    expect(grp.skipped.map((s) => `${s.contactId} ${s.reason}`)).toEqual(["c3 no-mobile"]);
    const past = planCustomSms({
      kind: "scheduled",
      id: "x3",
      account,
      options: o,
      contacts: [c1],
      text,
      sendAt: new Date("2026-06-01T00:00:00Z"),
      now,
    });
    expect(past.skipped.map((s) => s.reason)).toEqual(["past"]);
    // Quiet hours: 22:00 Paris moves to 08:00.
    const night = planCustomSms({
      kind: "scheduled",
      id: "x4",
      account,
      options: o,
      contacts: [c1],
      text,
      sendAt: new Date("2026-07-01T20:00:00Z"),
      now,
    });
    expect(night.plan[0]!.sendAt.toISOString()).toBe("2026-07-02T06:00:00.000Z");
  });

  it("birthday: next birthday at the configured local time, keyed by year; 29 February on the 28th", () => {
    const b = planCustomSms({
      kind: "birthday",
      id: "bd",
      account,
      options: o,
      contacts: [c1, c2, contact({ id: "c4", birthDate: "1970-06-08" })],
      text,
      at: "10:30",
      now,
    });
    expect(b.plan.map((s) => `${s.key} ${s.sendAt.toISOString()}`)).toEqual([
      "s1:custom:bd:c2:2027:sms 2027-02-28T09:30:00.000Z",
      "s1:custom:bd:c4:2027:sms 2027-06-08T08:30:00.000Z", // today 10:30 Paris is already past at 14:00
    ]);
  });

  it("follows the consent model and STOP", () => {
    const optIn = options({ communication: { consent: "opt-in" } });
    const r = planCustomSms({ kind: "individual", id: "x", account, options: optIn, contacts: [c1], text, now });
    expect(r.skipped.map((s) => s.reason)).toEqual(["consent"]);
    const stop = contact({ preferences: { sms: { optedOut: true } } });
    expect(
      planCustomSms({ kind: "individual", id: "x", account, options: o, contacts: [stop], text, now }).skipped[0]!
        .reason,
    ).toBe("opted-out");
  });

  it("rejects bad input with typed errors", () => {
    const base = { id: "x", account, options: o, text, now };
    expect(code(() => planCustomSms({ ...base, kind: "individual", contacts: [c1, c2] }))).toBe("invalid-input");
    expect(code(() => planCustomSms({ ...base, kind: "scheduled", contacts: [c1] }))).toBe("invalid-input");
    expect(code(() => planCustomSms({ ...base, kind: "birthday", contacts: [c1], at: "25:00" }))).toBe(
      "invalid-time-of-day",
    );
    expect(code(() => planCustomSms({ ...base, kind: "mass" as never, contacts: [c1] }))).toBe("invalid-input");
  });
});
