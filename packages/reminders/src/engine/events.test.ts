import { type AccountOptionsInput, createMemoryStorage, ValidationError } from "@rappel/core";
import { describe, expect, it } from "vitest";
import { S, SMS_ONLY, world } from "./__fixtures__/world.js";
import { createRappel, monthOf } from "./createRappel.js";
import { createWebhookSink } from "./twilioSink.js";

const R1_START = "2026-06-09T10:00:00Z";

describe("events other than appointments", () => {
  it("a new message notifies the account by email with the subject template (R-37)", async () => {
    const kit = world({ options: { messages: { notify: { email: true } } } });
    const s = kit.engine.forStructure(S);
    const r = await s.messageTaken({
      message: { id: "m1", accountId: "a1", subject: "Rappeler le patient", contactId: "c0" },
    });
    expect(r.planned).toEqual(["s1:msg:m1:new-message:email"]);
    await kit.engine.drain();
    const m = kit.transports.email.sent[0]!.message;
    expect(m.to.address).toBe("cabinet@example.org");
    expect(m.subject).toBe("Nouveau message : Rappeler le patient (Jeanne Test0)");
  });

  it("a security event emails the user's previous address (R-36)", async () => {
    const kit = world();
    const s = kit.engine.forStructure(S);
    await s.securityEvent({
      event: "email-changed",
      eventId: "e1",
      user: { id: "u1", email: "new@example.org" },
      previousEmail: "old@example.org",
    });
    await kit.engine.drain();
    expect(kit.transports.email.sent.map((x) => x.message.to.address)).toEqual(["old@example.org"]);
    // Replaying the same event plans nothing new.
    const again = await s.securityEvent({
      event: "email-changed",
      eventId: "e1",
      user: { id: "u1", email: "new@example.org" },
      previousEmail: "old@example.org",
    });
    await kit.engine.drain();
    expect(again.planned).toEqual([]);
    expect(kit.transports.email.sent).toHaveLength(1);
  });

  it("a birthday SMS goes at 09:00 local on the birthday, billed as custom (R-38)", async () => {
    const kit = world();
    kit.data.putContact({
      id: "c0",
      structureId: S,
      accountIds: ["a1"],
      firstName: "Jeanne",
      lastName: "Test0",
      birthDate: "1980-06-03",
      phones: [{ number: "+33610000000", mobile: true }],
    });
    const s = kit.engine.forStructure(S);
    const r = await s.customSms({
      kind: "birthday",
      id: "bday",
      accountId: "a1",
      contactIds: ["c0"],
      text: "Joyeux anniversaire !",
    });
    expect(r.planned).toEqual(["s1:custom:bday:c0:2026:sms"]);
    await kit.advance({ days: 3 }, 15 * 60_000);
    expect(kit.transports.sms.sent).toHaveLength(1);
    expect(kit.transports.sms.sent[0]!.message.body).toBe("Cabinet Dupont : Joyeux anniversaire !");
    expect((await s.sendStatus("s1:custom:bday:c0:2026:sms"))!.updatedAt.toISOString()).toBe(
      "2026-06-03T07:00:00.000Z",
    );
    expect((await s.usage("a1", "2026-06")).counters.customSmsCredits).toBe(1);
  });

  it("contact preference change re-plans the reminder at the contact's own lead time (R-31)", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    const [key] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    kit.data.putContact({
      id: "c0",
      structureId: S,
      accountIds: ["a1"],
      lastName: "Test0",
      phones: [{ number: "+33610000000", mobile: true }],
      preferences: { sms: { leadTime: { value: 48, unit: "hours" } } },
    });
    const r = await s.contactPreferencesChanged({ contactId: "c0" });
    expect(r.planned).toEqual([key]);
    expect((await s.sendStatus(key!))!.sendAt.toISOString()).toBe("2026-06-07T10:00:00.000Z");
  });
});

describe("grouping", () => {
  it("one SMS a day lists the contact's appointments of that day (R-39)", async () => {
    const kit = world({
      options: { ...SMS_ONLY, communication: { sms: { quietHours: { enabled: false }, onePerDay: true } } },
    });
    kit.appointment("r1", "c0", R1_START);
    kit.appointment("r2", "c0", "2026-06-09T14:30:00Z");
    const s = kit.engine.forStructure(S);
    await s.appointmentCreated({ appointmentId: "r1" });
    await s.appointmentCreated({ appointmentId: "r2" });
    await kit.advance({ days: 8 }, 3_600_000);
    expect(kit.transports.sms.sent.map((m) => m.message.body)).toEqual([
      "Cabinet Dupont, vous rappelle votre rendez-vous le 09/06/2026 à 12h00 (et à 16h30)",
    ]);
  });

  it("online bookings of one practitioner within 10 minutes are told in one message (R-34)", async () => {
    const kit = world({ options: { reminders: { first: { mode: "disabled" } } }, contacts: 2 });
    kit.data.putAgenda(
      { id: "g1", accountId: "a1", name: "Dr Dupont", ownerUserId: "u1", practitioner: { email: "dr@example.org" } },
      S,
    );
    kit.appointment("r1", "c0", R1_START, { source: "online" });
    kit.appointment("r2", "c1", "2026-06-09T11:00:00Z", { source: "online" });
    const s = kit.engine.forStructure(S);
    await s.appointmentCreated({ appointmentId: "r1" });
    kit.clock.advance({ minutes: 3 });
    await s.appointmentCreated({ appointmentId: "r2" });
    await kit.advance({ minutes: 20 });
    const toDr = kit.transports.email.sent.filter((m) => m.message.to.address === "dr@example.org");
    expect(toDr).toHaveLength(1);
  });
});

describe("the contact's other appointments are read only when a rule uses them", () => {
  /** An engine on the world's data whose `listContactAppointments` counts its calls. */
  function counting(options: AccountOptionsInput) {
    const kit = world({ options });
    kit.appointment("r0", "c0", "2026-05-20T10:00:00Z");
    kit.appointment("r1", "c0", R1_START);
    const calls: string[] = [];
    const data = {
      ...kit.data,
      listContactAppointments: (sid: string, id: string) => {
        calls.push(id);
        return kit.data.listContactAppointments!(sid, id);
      },
    };
    const engine = createRappel({
      storage: createMemoryStorage(),
      data,
      clock: kit.clock,
      transports: { sms: kit.transports.sms, email: kit.transports.email },
    });
    return { kit, calls, s: engine.forStructure(S) };
  }

  it.each([
    ["reminders by SMS only", 0, 1, SMS_ONLY],
    ["one SMS a day (R-39)", 1, 1, { ...SMS_ONLY, communication: { sms: { onePerDay: true } } }],
    ["a survey of another agenda", 0, 1, { ...SMS_ONLY, survey: { agendaIds: ["g2"] } }],
    ["a survey of the appointment's agenda (R-35)", 1, 1, { ...SMS_ONLY, survey: { agendaIds: ["g1"] } }],
  ] as const)("%s: %i read(s), %i planned send(s)", async (_, reads, planned, options) => {
    const { calls, s } = counting(options as AccountOptionsInput);
    const r = await s.appointmentCreated({ appointmentId: "r1" });
    expect(calls).toEqual(reads === 0 ? [] : ["c0"]);
    expect(r.planned).toHaveLength(planned);
  });

  it("the survey read them: the contact's visit of 20 May makes the 9 June survey too recent (R-35)", async () => {
    const { s } = counting({ ...SMS_ONLY, survey: { agendaIds: ["g1"] } });
    const r = await s.appointmentCreated({ appointmentId: "r1" });
    expect(r.skipped).toEqual([
      { key: "s1:apt:r1@2026-06-09T10:00:00.000Z:survey:email", reason: "survey-too-recent" },
    ]);
  });

  it("a second reminder for new contacts only reads them, and skips the contact seen before (R-32)", async () => {
    const { calls, s } = counting({
      ...SMS_ONLY,
      reminders: { ...SMS_ONLY.reminders, second: { mode: "new-contacts-only", channel: "email" } },
    });
    const r = await s.appointmentCreated({ appointmentId: "r1" });
    expect(calls).toEqual(["c0"]);
    expect(r.planned).toHaveLength(1);
    expect(r.skipped).toEqual([expect.objectContaining({ reason: "not-new-contact" })]);
  });

  it("an options change reads them only when the new options use them (R-46)", async () => {
    const { kit, calls, s } = counting(SMS_ONLY);
    await s.appointmentCreated({ appointmentId: "r1" });
    kit.data.setAccountOptions(S, "a1", {
      ...SMS_ONLY,
      reminders: { first: { channel: "sms", offset: { value: 2, unit: "hours" } } },
    });
    expect((await s.accountOptionsChanged({ accountId: "a1" })).planned).toHaveLength(1);
    expect(calls).toEqual([]);
    kit.data.setAccountOptions(S, "a1", { ...SMS_ONLY, survey: { agendaIds: ["g1"] } });
    const r = await s.accountOptionsChanged({ accountId: "a1" });
    expect(calls).toEqual(["c0"]);
    // Too recent after the visit of 20 May: known only from the contact's other appointments.
    expect(r.planned.filter((k) => k.includes(":survey:"))).toEqual([]);
    expect(r.skipped).toEqual([
      { key: "s1:apt:r1@2026-06-09T10:00:00.000Z:survey:email", reason: "survey-too-recent" },
    ]);
  });
});

describe("inputs, callbacks and small rules", () => {
  it("rejects bad runDue options and bad keywords with ValidationError", async () => {
    const kit = world();
    await expect(kit.engine.runDue({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      kit.engine.forStructure(S).smsKeyword({ phone: "0612345678", keyword: "stop" }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(kit.engine.forStructure(S).usage("a1", "2026-13")).rejects.toBeInstanceOf(ValidationError);
  });

  it("the webhook sink ignores unknown statuses and HELP; callbacks for unknown ids are kept for later", async () => {
    const kit = world();
    const sink = createWebhookSink(kit.engine, { structuresFor: () => [S] });
    await sink.onStatus({ providerMessageId: "SMx", status: "read", at: kit.clock.now() });
    await sink.onInbound({
      providerMessageId: "i",
      from: "+33610000000",
      to: "+33700000000",
      body: "HELP",
      optOut: "help",
      at: kit.clock.now(),
    });
    expect(await kit.storage.isSmsOptedOut(S, "+33610000000")).toBe(false);
    expect(
      await kit.engine.providerStatus({
        provider: "twilio",
        providerMessageId: "SMy",
        status: "delivered",
        at: kit.clock.now(),
      }),
    ).toBeNull();
  });

  it("counts usage in the account's month, not UTC's", () => {
    expect(monthOf(new Date("2026-05-31T22:30:00Z"), "Europe/Paris")).toBe("2026-06");
    expect(monthOf(new Date("2026-06-01T02:00:00Z"), "America/New_York")).toBe("2026-05");
  });

  it("a storage failure surfaces as adapter-error with the cause", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const boom = new Error("disk full");
    const storage = { ...createMemoryStorage(), upsertPlanned: async () => Promise.reject(boom) };
    const engine = createRappel({ storage, data: kit.data, transports: {}, clock: kit.clock });
    const err = await engine
      .forStructure(S)
      .appointmentCreated({ appointmentId: "r1" })
      .catch((e) => e);
    expect(err).toMatchObject({
      code: "adapter-error",
      cause: boom,
      details: { adapter: "storage", method: "upsertPlanned" },
    });
  });

  it("stop() is safe when not running and start() twice runs one loop", async () => {
    const kit = world({ engine: { scheduler: { sleep: () => new Promise((r) => setImmediate(r)) } } });
    await kit.engine.stop();
    kit.engine.start();
    kit.engine.start();
    await new Promise((r) => setTimeout(r, 2));
    await kit.engine.stop();
    expect(kit.engine.running).toBe(false);
  });
});

describe("leases", () => {
  it("renews a claim's lease that spent half of it before the hand-off, so a slow send still completes", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const slowData = {
      ...kit.data,
      getContact: (s: string, id: string) => {
        kit.clock.advance({ seconds: 50 });
        return kit.data.getContact(s, id);
      },
    };
    const slowSms = {
      name: "slow",
      channel: "sms" as const,
      send: async () => {
        kit.clock.advance({ seconds: 20 });
        return { providerMessageId: "P1" };
      },
    };
    const engine = createRappel({
      storage: kit.storage,
      data: slowData,
      clock: kit.clock,
      transports: { sms: slowSms },
      leaseMs: 60_000,
    });
    const s = engine.forStructure(S);
    const [key] = (await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" })).planned;
    kit.clock.set(new Date("2026-06-08T10:00:00Z"));
    const r = await engine.runDue();
    expect(r, JSON.stringify(r)).toMatchObject({ sent: 1, lost: 0 });
    expect((await s.sendStatus(key!))!.status).toBe("sent");
  });
});

describe("account notifications (R-13)", () => {
  it("notifies another account of the structure and a manager by email on creation", async () => {
    const kit = world({
      options: {
        reminders: { first: { mode: "disabled" } },
        notifications: {
          created: { email: true },
          recipients: [
            { type: "account", accountId: "a2" },
            { type: "user", userId: "u-boss" },
          ],
        },
      },
    });
    kit.data.putAccount({
      id: "a2",
      structureId: S,
      name: "Cabinet B",
      email: "b@example.org",
      signupDate: "2026-01-01",
    });
    kit.data.putUser({
      id: "u-boss",
      structureId: S,
      role: "manager",
      firstName: "Anne",
      lastName: "Chef",
      email: "gerant@example.org",
    });
    kit.appointment("r1", "c0", R1_START);
    await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" });
    await kit.engine.drain();
    expect(kit.transports.email.sent.map((m) => m.message.to.address).sort()).toEqual([
      "b@example.org",
      "gerant@example.org",
    ]);
  });
});

describe("in-app messages", () => {
  it("go to the storage's inbox when no message transport is given", async () => {
    const kit = world({
      options: { reminders: { first: { mode: "disabled" } }, notifications: { created: { message: true } } },
    });
    const engine = createRappel({ storage: kit.storage, data: kit.data, clock: kit.clock, transports: {} });
    kit.appointment("r1", "c0", R1_START);
    const s = engine.forStructure(S);
    const r = await s.appointmentCreated({ appointmentId: "r1" });
    expect(r.planned).toHaveLength(1);
    await engine.drain();
    const box = await s.inbox("a1");
    expect(box).toHaveLength(1);
    expect(box[0]!.subject).toContain("09/06/2026");
    expect(await engine.forStructure("s2").inbox("a1")).toEqual([]);
  });
});
