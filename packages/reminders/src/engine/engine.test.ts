import { createMemoryStorage, ErrorCode, RappelError, TransportError, ValidationError } from "@rappel/core";
import { describe, expect, it } from "vitest";
import { S, SMS_ONLY, world } from "./__fixtures__/world.js";
import { createRappel } from "./createRappel.js";
import { createMemoryDataSource } from "./memoryData.js";
import { createWebhookSink } from "./twilioSink.js";

const R1_START = "2026-06-09T10:00:00Z";

describe("createRappel: start-up checks", () => {
  it("lists every missing adapter method in one adapter-incomplete error", () => {
    const storage = createMemoryStorage() as unknown as Record<string, unknown>;
    const broken = { ...storage, claimDue: undefined, beginSend: undefined };
    try {
      createRappel({
        storage: broken as never,
        data: { getAccount: () => null } as never,
        transports: { sms: { name: "x", channel: "sms" } as never },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RappelError);
      expect((e as RappelError).code).toBe(ErrorCode.ADAPTER_INCOMPLETE);
      expect((e as RappelError).details.missing).toEqual([
        "storage.claimDue",
        "storage.beginSend",
        "data.getAppointment",
        "data.getContact",
        "data.getAgenda",
        "transports.sms.send",
      ]);
    }
  });

  it("wraps a throwing data source as adapter-error with the cause", async () => {
    const boom = new Error("db down");
    const data = createMemoryDataSource();
    const engine = createRappel({
      storage: createMemoryStorage(),
      transports: {},
      data: {
        ...data,
        getAppointment: () => {
          throw boom;
        },
      },
    });
    const err = await engine
      .forStructure(S)
      .appointmentCreated({ appointmentId: "r1" })
      .catch((e) => e);
    expect(err.code).toBe("adapter-error");
    expect(err.cause).toBe(boom);
  });

  it("validates inputs with zod into ValidationError listing every path", async () => {
    const kit = world();
    const err = await kit.engine
      .forStructure(S)
      .appointmentMoved({ appointmentId: "", previousStart: "nope" } as never)
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i: { path: string }) => i.path)).toEqual(["appointmentId", "previousStart"]);
    expect(() => kit.engine.forStructure("")).toThrow(ValidationError);
  });
});

describe("delivery end to end", () => {
  it("plans, claims, renders with the latest data and sends once, journaling each step", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    const plan = await s.appointmentCreated({ appointmentId: "r1" });
    expect(plan.planned).toEqual(["s1:apt:r1@2026-06-09T10:00:00.000Z:reminder:first:sms"]);
    // The account is renamed before the reminder goes: the SMS carries the new name.
    kit.data.putAccount(
      {
        id: "a1",
        structureId: S,
        name: "Cabinet Martin",
        email: "cabinet@example.org",
        signupDate: "2026-01-01",
        onlineBooking: true,
      },
      SMS_ONLY,
    );
    await kit.advance({ days: 8 }, 3_600_000);
    expect(kit.transports.sms.sent).toHaveLength(1);
    expect(kit.transports.sms.sent[0]!.message.body).toBe(
      "Cabinet Martin, vous rappelle votre rendez-vous le 09/06/2026 à 12h00",
    );
    expect(kit.transports.sms.sent[0]!.message.idempotencyKey).toBe(plan.planned[0]);
    const rec = await s.sendStatus(plan.planned[0]!);
    expect(rec?.status).toBe("sent");
    expect(rec?.providerMessageId).toBe("memory-sms-1");
    const journal = await s.journal("c0");
    expect(journal.map((e) => e.event)).toEqual(["planned", "sent"]);
    expect(journal[1]!.providerMessageId).toBe("memory-sms-1");
  });

  it("renders emails with the signature cascade and the slot supplement", async () => {
    const kit = world({
      options: { reminders: { first: { channel: "email", emailSupplement: "Apportez votre carte." } } },
    });
    kit.data.putAccount(
      {
        id: "a1",
        structureId: S,
        name: "Cabinet Dupont",
        email: "cabinet@example.org",
        signupDate: "2026-01-01",
        signatureId: "sig-account",
      },
      { reminders: { first: { channel: "email", emailSupplement: "Apportez votre carte." } } },
    );
    kit.data.putService(
      { id: "sv1", accountId: "a1", label: "Consultation", durationMinutes: 30, signatureId: "sig-sv" },
      S,
    );
    kit.data.putSignature(S, { id: "sig-account", html: "<p>Signature compte</p>" });
    kit.data.putSignature(S, { id: "sig-sv", html: "<p>Signature service</p>" });
    kit.appointment("r1", "c0", R1_START, { serviceId: "sv1" });
    await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" });
    await kit.advance({ days: 8 }, 3_600_000);
    expect(kit.transports.email.sent).toHaveLength(1);
    const m = kit.transports.email.sent[0]!.message;
    expect(m.to.address).toBe("c0@example.org");
    expect(m.subject).toBe("Rappel : rendez-vous le 09/06/2026 à 12h00");
    expect(m.html).toContain("Signature service");
    expect(m.html).not.toContain("Signature compte");
    expect(m.text).toContain("Apportez votre carte.");
  });

  it("the email supplement is the account's plain text: markup escaped, macros rendered, line breaks kept", async () => {
    const supplement = "Apportez <b>votre</b> carte & l'ordonnance, {{client.firstName}}.\nMerci !";
    const options = { reminders: { first: { channel: "email" as const, emailSupplement: supplement } } };
    const kit = world({ options });
    kit.appointment("r1", "c0", R1_START);
    await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" });
    await kit.advance({ days: 8 }, 3_600_000);
    const m = kit.transports.email.sent[0]!.message;
    expect(m.html).not.toContain("<b>");
    expect(m.html).toContain("&#60;b&#62;votre&#60;/b&#62;");
    expect(m.html).toContain("Jeanne.<br>Merci !");
    expect(m.text).toContain("Apportez <b>votre</b> carte & l'ordonnance, Jeanne.");
  });

  it("account notices name the contact (client.name)", async () => {
    const kit = world({ options: { notifications: { created: { message: true } } } });
    kit.appointment("r1", "c0", R1_START);
    await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" });
    await kit.advance({ minutes: 5 });
    const notices = kit.transports.message.sent.map((r) => r.message.text);
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.join("\n")).toContain("Jeanne Test0");
  });

  it("cancel: nothing goes after the call; move: one reminder for the new time, none for the old", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    kit.appointment("r2", "c0", "2026-06-10T10:00:00Z");
    const s = kit.engine.forStructure(S);
    await s.appointmentCreated({ appointmentId: "r1" });
    await s.appointmentCreated({ appointmentId: "r2" });
    kit.appointment("r1", "c0", R1_START, { status: "cancelled" });
    const c = await s.appointmentCancelled({ appointmentId: "r1" });
    expect(c.cancelled).toEqual(["s1:apt:r1@2026-06-09T10:00:00.000Z:reminder:first:sms"]);
    kit.appointment("r2", "c0", "2026-06-10T14:00:00Z");
    const m = await s.appointmentMoved({ appointmentId: "r2", previousStart: "2026-06-10T10:00:00Z" });
    expect(m.cancelled).toEqual(["s1:apt:r2@2026-06-10T10:00:00.000Z:reminder:first:sms"]);
    expect(m.planned).toContain("s1:apt:r2@2026-06-10T14:00:00.000Z:reminder:first:sms");
    await kit.advance({ days: 10 }, 3_600_000);
    expect(kit.transports.sms.sent.map((x) => x.message.idempotencyKey)).toEqual([
      "s1:apt:r2@2026-06-10T14:00:00.000Z:reminder:first:sms",
    ]);
  });

  it("re-planning the same state plans nothing new (idempotent events)", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    const a = await s.appointmentCreated({ appointmentId: "r1" });
    const b = await s.appointmentCreated({ appointmentId: "r1" });
    expect(a.planned).toHaveLength(1);
    expect(b.planned).toEqual([]);
    expect(b.cancelled).toEqual([]);
  });

  it("skips at send time a contact whose SMS preference was turned off, with the reason", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    await s.appointmentCreated({ appointmentId: "r1" });
    kit.data.putContact({
      id: "c0",
      structureId: S,
      accountIds: ["a1"],
      lastName: "Test0",
      phones: [{ number: "+33610000000", mobile: true }],
      preferences: { sms: { enabled: false } },
    });
    await kit.advance({ days: 8 }, 3_600_000);
    expect(kit.transports.sms.sent).toHaveLength(0);
    const j = await s.journal("c0");
    expect(j.at(-1)).toMatchObject({ event: "skipped", reason: "consent" });
  });
});

describe("SMS policy", () => {
  it("rejects an SMS over the segment limit as skipped too-long, truncates under truncate", async () => {
    for (const overflow of ["reject", "truncate"] as const) {
      const options = {
        ...SMS_ONLY,
        reminders: { first: { channel: "sms" as const, smsSupplement: "x".repeat(200) } },
        communication: { sms: { quietHours: { enabled: false }, onePerDay: false, overflow } },
      };
      const kit = world({ options });
      kit.appointment("r1", "c0", R1_START);
      await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" });
      await kit.advance({ days: 8 }, 3_600_000);
      if (overflow === "reject") {
        expect(kit.transports.sms.sent).toHaveLength(0);
        expect((await kit.engine.forStructure(S).journal("c0")).at(-1)).toMatchObject({ reason: "too-long" });
      } else {
        expect(kit.transports.sms.sent[0]!.message.body).toHaveLength(160);
      }
    }
  });

  it("transliterates look-alikes under gsm-transliterate", async () => {
    const kit = world({
      options: {
        reminders: { first: { channel: "sms", smsSupplement: "« À bientôt »" } },
        communication: { sms: { quietHours: { enabled: false }, onePerDay: false, encoding: "gsm-transliterate" } },
      },
    });
    kit.appointment("r1", "c0", R1_START);
    await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" });
    await kit.advance({ days: 8 }, 3_600_000);
    expect(kit.transports.sms.sent[0]!.message.body).not.toMatch(/[«»ô]/);
  });
});

describe("failures", () => {
  it("permanent: stops and records failed with the provider code", async () => {
    const kit = world({ options: SMS_ONLY });
    const sms = kit.transports.sms;
    const failing = {
      ...sms,
      name: "gw",
      send: async () => {
        throw new TransportError("invalid number", { failure: "permanent", providerCode: "21211", responseCode: 400 });
      },
    };
    const engine = createRappel({
      storage: kit.storage,
      data: kit.data,
      clock: kit.clock,
      transports: { sms: failing },
    });
    kit.appointment("r1", "c0", R1_START);
    const s = engine.forStructure(S);
    const p = await s.appointmentCreated({ appointmentId: "r1" });
    kit.clock.set(new Date("2026-06-08T10:00:00Z"));
    const r = await engine.drain();
    expect(r.failed).toBe(1);
    expect(await s.sendStatus(p.planned[0]!)).toMatchObject({ status: "failed", failureCode: "21211", attempts: 1 });
    expect((await s.usage("a1", "2026-06")).counters.reminderSmsCredits).toBe(0);
  });

  it("transient: retries with capped exponential backoff and full jitter, then fails after maxAttempts", async () => {
    const kit = world({ options: SMS_ONLY });
    let calls = 0;
    const flaky = {
      name: "gw",
      channel: "sms" as const,
      send: async () => {
        calls++;
        throw new TransportError("busy", { failure: "transient", responseCode: 503 });
      },
    };
    const engine = createRappel({
      storage: kit.storage,
      data: kit.data,
      clock: kit.clock,
      transports: { sms: flaky },
      retry: { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 3_000 },
      random: () => 0.999,
    });
    kit.appointment("r1", "c0", R1_START);
    const s = engine.forStructure(S);
    const [key] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    kit.clock.set(new Date("2026-06-08T10:00:00Z"));
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await engine.runDue();
      const rec = (await s.sendStatus(key!))!;
      if (rec.status !== "planned") break;
      delays.push(rec.nextAttemptAt.getTime() - kit.clock.now().getTime());
      kit.clock.set(rec.nextAttemptAt);
    }
    // Ceilings 1 s, 2 s, 3 s (capped); random 0.999 → just under each.
    expect(delays).toEqual([999, 1998, 2997]);
    expect(calls).toBe(4);
    expect(await s.sendStatus(key!)).toMatchObject({ status: "failed", attempts: 4 });
    expect((await s.journal("c0")).map((e) => e.event)).toEqual(["planned", "retry", "retry", "retry", "failed"]);
  });

  it("provider fallback: the next SMS provider is tried on a transient failure (R-44)", async () => {
    const kit = world({ options: SMS_ONLY });
    const primary = {
      name: "primary",
      channel: "sms" as const,
      send: async () => {
        throw new TransportError("429", { failure: "transient", responseCode: 429 });
      },
    };
    const engine = createRappel({
      storage: kit.storage,
      data: kit.data,
      clock: kit.clock,
      transports: { sms: [primary, kit.transports.sms] },
    });
    kit.appointment("r1", "c0", R1_START);
    const s = engine.forStructure(S);
    const [key] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    kit.clock.set(new Date("2026-06-08T10:00:00Z"));
    await engine.drain();
    expect(kit.transports.sms.sent).toHaveLength(1);
    expect(await s.sendStatus(key!)).toMatchObject({ status: "sent", provider: "memory-sms", attempts: 1 });
  });

  it("unknown: recorded, never resent unless the provider honours idempotency keys (R-48)", async () => {
    for (const idempotent of [false, true]) {
      const kit = world({ options: SMS_ONLY });
      let calls = 0;
      const t = {
        name: "gw",
        channel: "sms" as const,
        capabilities: { idempotencyKey: idempotent },
        send: async () => {
          calls++;
          if (calls === 1) throw new TransportError("timeout", { failure: "unknown" });
          return { providerMessageId: "X1" };
        },
      };
      const engine = createRappel({
        storage: kit.storage,
        data: kit.data,
        clock: kit.clock,
        transports: { sms: t },
        random: () => 0,
      });
      kit.appointment("r1", "c0", R1_START);
      const s = engine.forStructure(S);
      const [key] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
      kit.clock.set(new Date("2026-06-08T10:00:00Z"));
      await engine.drain();
      expect(calls).toBe(idempotent ? 2 : 1);
      expect((await s.sendStatus(key!))!.status).toBe(idempotent ? "sent" : "unknown");
    }
  });

  it("a claim interrupted mid hand-off is recorded unknown, not resent", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    const [key] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    kit.clock.set(new Date("2026-06-08T10:00:00Z"));
    // A worker claims and begins, then dies.
    const [c] = await kit.storage.claimDue({ now: kit.clock.now(), limit: 1, leaseMs: 1_000, owner: "dead" });
    await kit.storage.beginSend({ structureId: S, key: key!, token: c!.token }, kit.clock.now());
    kit.clock.advance({ seconds: 5 });
    await kit.engine.drain();
    expect(kit.transports.sms.sent).toHaveLength(0);
    expect((await s.sendStatus(key!))!.status).toBe("unknown");
  });

  it("a 21610-style opted-out failure marks the number and cancels its other pending SMS", async () => {
    const kit = world({ options: SMS_ONLY });
    const t = {
      name: "gw",
      channel: "sms" as const,
      send: async () => {
        throw new TransportError("unsubscribed", { failure: "permanent", providerCode: "21610", optedOut: true });
      },
    };
    const engine = createRappel({ storage: kit.storage, data: kit.data, clock: kit.clock, transports: { sms: t } });
    kit.appointment("r1", "c0", R1_START);
    kit.appointment("r2", "c0", "2026-06-20T10:00:00Z");
    const s = engine.forStructure(S);
    await s.appointmentCreated({ appointmentId: "r1" });
    const [k2] = (await s.appointmentCreated({ appointmentId: "r2" })).planned;
    kit.clock.set(new Date("2026-06-08T10:00:00Z"));
    await engine.drain();
    expect(await kit.storage.isSmsOptedOut(S, "+33610000000")).toBe(true);
    expect((await s.sendStatus(k2!))!.status).toBe("cancelled");
  });
});

describe("late sends (R-47)", () => {
  it("sends what is less than `lateness` late and before the start; records the rest missed", async () => {
    const kit = world({ options: SMS_ONLY, engine: { lateness: 3_600_000 } });
    kit.appointment("r1", "c0", R1_START); // reminder due 8 June 10:00
    kit.appointment("r2", "c1", "2026-06-09T11:00:00Z", { contactId: "c0" });
    const s = kit.engine.forStructure(S);
    const [k1] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    const [k2] = (await s.appointmentCreated({ appointmentId: "r2" })).planned;
    kit.clock.set(new Date("2026-06-08T11:30:00Z")); // r1 90 min late, r2 30 min late
    await kit.engine.drain();
    expect((await s.sendStatus(k1!))!.status).toBe("missed");
    expect((await s.sendStatus(k2!))!.status).toBe("sent");
  });
});

describe("STOP and START (R-31)", () => {
  it("STOP cancels pending SMS for the number and later ones are skipped opted-out; START reopens", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    const [k1] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    const sink = createWebhookSink(kit.engine, { structuresFor: () => [S] });
    await sink.onInbound({
      providerMessageId: "IN1",
      from: "+33610000000",
      to: "+33757000000",
      body: "STOP",
      optOut: "stop",
      at: kit.clock.now(),
    });
    expect((await s.sendStatus(k1!))!.status).toBe("cancelled");
    kit.appointment("r2", "c0", "2026-06-12T10:00:00Z");
    const [k2] = (await s.appointmentCreated({ appointmentId: "r2" })).planned;
    await kit.advance({ days: 12 }, 3_600_000);
    expect(kit.transports.sms.sent).toHaveLength(0);
    expect(await s.sendStatus(k2!)).toMatchObject({ status: "skipped", skipReason: "opted-out" });
    const events = (await s.journal("c0")).map((e) => e.event);
    expect(events).toContain("opted-out");
    await s.smsKeyword({ phone: "+33610000000", keyword: "start" });
    expect(await kit.storage.isSmsOptedOut(S, "+33610000000")).toBe(false);
  });
});

describe("quota and billing (R-43, R-45)", () => {
  function quotaWorld(allowOverage: boolean, contacts = 5) {
    const kit = world({
      contacts,
      options: {
        ...SMS_ONLY,
        communication: { sms: { quietHours: { enabled: false }, onePerDay: false, allowOverage } },
      },
      engine: { pricing: { freeReminderSms: 3, reminderSms: 10, customSms: 15, currency: "CHF" } },
    });
    return kit;
  }

  it("counts credits, bills beyond the free quota, and prices custom SMS", async () => {
    const kit = quotaWorld(true);
    const s = kit.engine.forStructure(S);
    for (let i = 0; i < 5; i++) {
      kit.appointment(`r${i}`, `c${i}`, R1_START);
      await s.appointmentCreated({ appointmentId: `r${i}` });
    }
    await s.customSms({ kind: "group", id: "camp", accountId: "a1", contactIds: ["c0", "c1"], text: "Fermé le 14." });
    await kit.advance({ days: 8 }, 3_600_000);
    expect(kit.transports.sms.sent).toHaveLength(7);
    const u = await s.usage("a1", "2026-06");
    expect(u).toMatchObject({
      creditsUsed: 7,
      freeQuota: 3,
      freeLeft: 0,
      billableReminderCredits: 2,
      customCredits: 2,
    });
    expect(u.amountDue).toEqual({ amount: 2 * 10 + 2 * 15, currency: "CHF" });
  });

  it("without overage: falls back to email past the quota, else skips quota-exhausted", async () => {
    const kit = quotaWorld(false);
    kit.data.putContact({
      id: "c4",
      structureId: S,
      accountIds: ["a1"],
      lastName: "NoMail",
      phones: [{ number: "+33610000004", mobile: true }],
    });
    const s = kit.engine.forStructure(S);
    for (let i = 0; i < 5; i++) {
      kit.appointment(`r${i}`, `c${i}`, new Date(Date.parse(R1_START) + i * 60_000));
      await s.appointmentCreated({ appointmentId: `r${i}` });
    }
    const r = await kit.advance({ days: 8 }, 3_600_000);
    expect(kit.transports.sms.sent).toHaveLength(3);
    expect(kit.transports.email.sent).toHaveLength(1);
    expect(r.fallback).toBe(1);
    expect((await s.journal("c3")).map((e) => e.event)).toEqual(["planned", "fallback", "sent"]);
    expect((await s.journal("c4")).at(-1)).toMatchObject({ event: "skipped", reason: "quota-exhausted" });
    expect((await s.usage("a1", "2026-06")).amountDue.amount).toBe(0);
  });

  it("counts n segments as n credits", async () => {
    const kit = world({
      options: {
        ...SMS_ONLY,
        reminders: { first: { channel: "sms", smsSupplement: "y".repeat(150) } },
        communication: { sms: { quietHours: { enabled: false }, onePerDay: false, maxSegments: 3 } },
      },
    });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    await s.appointmentCreated({ appointmentId: "r1" });
    await kit.advance({ days: 8 }, 3_600_000);
    expect((await s.usage("a1", "2026-06")).counters.reminderSmsCredits).toBe(2);
  });
});

describe("status callbacks (R-49) and the journal", () => {
  it("folds duplicated, out-of-order callbacks: the furthest wins, terminal states stay", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    const [key] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    await kit.advance({ days: 8 }, 3_600_000);
    const sink = createWebhookSink(kit.engine, { provider: "memory-sms", structuresFor: () => [] });
    const at = kit.clock.now();
    for (const status of ["sent", "delivered", "queued", "delivered", "undelivered", "sending"]) {
      await sink.onStatus({ providerMessageId: "memory-sms-1", status, at });
    }
    expect(await s.sendStatus(key!)).toMatchObject({ status: "delivered", providerStatus: "delivered" });
    const j = await s.journal("c0");
    expect(j.map((e) => e.event)).toEqual(["planned", "sent", "delivered"]);
    expect(j.map((e) => e.seq)).toEqual([...j.map((e) => e.seq)].sort((a, b) => a - b));
  });
});

describe("tenant isolation (R-10)", () => {
  it("never reads or returns another structure's data", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    await kit.engine.forStructure(S).appointmentCreated({ appointmentId: "r1" });
    const other = kit.engine.forStructure("s2");
    await expect(other.appointmentCreated({ appointmentId: "r1" })).rejects.toMatchObject({ code: "not-found" });
    expect(await other.journal("c0")).toEqual([]);
    expect(await other.listSends()).toEqual([]);
    expect(await other.sendStatus("s1:apt:r1@2026-06-09T10:00:00.000Z:reminder:first:sms")).toBeNull();
    await expect(other.usage("a1", "2026-06")).rejects.toMatchObject({ code: "not-found" });
  });
});

describe("options change re-plans (R-46)", () => {
  it("moves pending reminders to the new offset, idempotently", async () => {
    const kit = world({ options: SMS_ONLY });
    kit.appointment("r1", "c0", R1_START);
    const s = kit.engine.forStructure(S);
    const [key] = (await s.appointmentCreated({ appointmentId: "r1" })).planned;
    kit.data.setAccountOptions(S, "a1", {
      ...SMS_ONLY,
      reminders: { first: { channel: "sms", offset: { value: 2, unit: "hours" } } },
    });
    const r = await s.accountOptionsChanged({ accountId: "a1" });
    expect(r.planned).toEqual([key]);
    expect((await s.sendStatus(key!))!.sendAt.toISOString()).toBe("2026-06-09T08:00:00.000Z");
    const again = await s.accountOptionsChanged({ accountId: "a1" });
    expect(again.planned).toEqual([]);
    expect(again.cancelled).toEqual([]);
  });
});

describe("start / stop", () => {
  it("runs in the background and stops gracefully with nothing claimed left behind", async () => {
    const kit = world({
      options: SMS_ONLY,
      contacts: 20,
      engine: { scheduler: { sleep: () => new Promise((r) => setImmediate(r)) }, batchSize: 3 },
    });
    const s = kit.engine.forStructure(S);
    for (let i = 0; i < 20; i++) {
      kit.appointment(`r${i}`, `c${i}`, R1_START);
      await s.appointmentCreated({ appointmentId: `r${i}` });
    }
    kit.clock.set(new Date("2026-06-08T10:00:00Z"));
    kit.engine.start();
    expect(kit.engine.running).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    await kit.engine.stop();
    expect(kit.engine.running).toBe(false);
    const sending = await s.listSends({ status: "sending" });
    expect(sending).toEqual([]);
    await kit.engine.drain();
    expect(kit.transports.sms.sent).toHaveLength(20);
  });
});
