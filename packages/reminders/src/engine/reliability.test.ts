// Reliability tests of the engine on the memory storage (issue 5): exactly-once dispatch under 16 concurrent workers,
// cancels and moves racing the workers around the due instant, a 72-hour outage, and a flaky transport.
import {
  createManualClock,
  createMemoryStorage,
  createMemoryTransport,
  type MemoryStorage,
  type PlannedSend,
  type SmsMessage,
  type Transport,
  TransportError,
} from "@rappel/core";
import { describe, expect, it } from "vitest";
import { S, SMS_ONLY, world } from "./__fixtures__/world.js";
import { createRappel } from "./createRappel.js";
import { createMemoryDataSource } from "./memoryData.js";
import type { Rappel } from "./types.js";

const T0 = Date.parse("2026-06-08T08:00:00Z");

/** A small deterministic PRNG (mulberry32) so failures and interleavings replay. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A record-only SMS transport that yields to the event loop on some calls, so workers really interleave. */
function yieldingSms(rand: () => number) {
  let seq = 0;
  const log: { key: string; seq: number }[] = [];
  const t: Transport<SmsMessage> = {
    name: "sms",
    channel: "sms",
    async send(m) {
      if (rand() < 0.2) await new Promise((r) => setImmediate(r));
      log.push({ key: m.idempotencyKey, seq: ++seq });
      return { providerMessageId: `sms-${seq}` };
    },
  };
  return { t, log, seq: () => seq };
}

function customSends(n: number, dueMs: (i: number) => number): PlannedSend[] {
  const out: PlannedSend[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      key: `${S}:custom:load:c${i}:sms`,
      structureId: S,
      accountId: "a1",
      kind: "custom-sms",
      channel: "sms",
      recipient: { type: "contact", id: `c${i}`, address: `+3361${String(i).padStart(7, "0")}` },
      sendAt: new Date(dueMs(i)),
      contactId: `c${i}`,
      billing: "custom",
      data: { customKind: "group", campaignId: "load", text: "Le cabinet sera fermé lundi." },
    });
  }
  return out;
}

function account(data: ReturnType<typeof createMemoryDataSource>) {
  data.putAccount(
    { id: "a1", structureId: S, name: "Cabinet Dupont", email: "cabinet@example.org", signupDate: "2026-01-01" },
    { communication: { sms: { quietHours: { enabled: false } } } },
  );
}

describe("reliability (memory storage)", () => {
  it("16 concurrent workers, 50,000 due sends: each handed to the transport exactly once", async () => {
    const N = 50_000;
    const clock = createManualClock(new Date(T0));
    const storage = createMemoryStorage();
    const data = createMemoryDataSource();
    account(data);
    const sms = yieldingSms(prng(1));
    await storage.upsertPlanned(
      S,
      customSends(N, (i) => T0 - (i % 600) * 1000),
      clock.now(),
    );
    const workers: Rappel[] = [];
    for (let w = 0; w < 16; w++) {
      workers.push(createRappel({ storage, data, clock, transports: { sms: sms.t }, workerId: `w${w}` }));
    }
    const results = await Promise.all(workers.map((w) => w.drain({ limit: 100 })));
    const perKey = new Map<string, number>();
    for (const { key } of sms.log) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    expect(perKey.size).toBe(N);
    expect([...perKey.values()].every((c) => c === 1)).toBe(true);
    expect(results.reduce((a, r) => a + r.sent, 0)).toBe(N);
    // Work was really shared.
    expect(results.filter((r) => r.sent > 0).length).toBeGreaterThan(8);
    const stats = storage.inspect().stats();
    expect(stats).toMatchObject({ leased: 0 });
  }, 60_000);

  it("cancels and moves of 10,000 appointments within ±5 s of their reminder race the workers safely", async () => {
    const N = 10_000;
    const kit = world({
      options: SMS_ONLY,
      contacts: 0,
      start: new Date(T0 - 10_000),
      engine: { workerId: "w0" },
    });
    const sms = yieldingSms(prng(2));
    // Contacts are stored already parsed (phone parsing is not what this test is about).
    const base = kit.data.putContact({
      id: "proto",
      structureId: S,
      accountIds: ["a1"],
      lastName: "Proto",
      phones: [{ number: "+33610000000", mobile: true }],
    });
    const contacts = new Map<string, typeof base>();
    const data = {
      ...kit.data,
      getContact: (s: string, id: string) =>
        s === S && contacts.has(id) ? contacts.get(id)! : kit.data.getContact(s, id),
    };
    // The transport's sequence number when each appointment's cancel commits (the memory storage commits a call
    // synchronously when it is made).
    const seqAtCancel = new Map<string, number>();
    const storage = {
      ...kit.storage,
      cancel: (sid: string, spec: Parameters<MemoryStorage["cancel"]>[1], now: Date) => {
        if ("appointmentId" in spec && !seqAtCancel.has(spec.appointmentId))
          seqAtCancel.set(spec.appointmentId, sms.seq());
        return kit.storage.cancel(sid, spec, now);
      },
    };
    const engines: Rappel[] = [];
    for (let w = 0; w < 4; w++) {
      engines.push(createRappel({ storage, data, clock: kit.clock, transports: { sms: sms.t }, workerId: `w${w}` }));
    }
    const scope = engines[0]!.forStructure(S);
    // Reminder i is due at T0 + i × 10 ms (24 h before its start).
    const start = (i: number) => new Date(T0 + i * 10 + 86_400_000);
    for (let i = 0; i < N; i++) {
      contacts.set(`c${i}`, {
        ...base,
        id: `c${i}`,
        phones: [{ number: `+3361${String(i).padStart(7, "0")}`, mobile: true }],
      });
      kit.appointment(`r${i}`, `c${i}`, start(i));
      await scope.appointmentCreated({ appointmentId: `r${i}` });
    }
    const oldKey = (i: number) => `${S}:apt:r${i}@${start(i).toISOString()}:reminder:first:sms`;
    const movedStart = (i: number) => new Date(start(i).getTime() + 2 * 3_600_000);
    const newKey = (i: number) => `${S}:apt:r${i}@${movedStart(i).toISOString()}:reminder:first:sms`;
    const rand = prng(3);
    // Each appointment is changed at a random instant within ±5 s of its reminder's due time.
    const changeAt = Array.from({ length: N }, (_, i) => T0 + i * 10 + Math.floor((rand() * 2 - 1) * 5_000));
    const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => changeAt[a]! - changeAt[b]!);
    const tooLate = new Set<string>();
    let next = 0;
    const mutate = async (upTo: number) => {
      while (next < N && changeAt[order[next]!]! <= upTo) {
        const i = order[next++]!;
        let r: Awaited<ReturnType<typeof scope.appointmentCancelled>>;
        if (i % 2 === 0) {
          kit.appointment(`r${i}`, `c${i}`, start(i), { status: "cancelled" });
          r = await scope.appointmentCancelled({ appointmentId: `r${i}` });
        } else {
          kit.appointment(`r${i}`, `c${i}`, movedStart(i));
          r = await scope.appointmentMoved({ appointmentId: `r${i}`, previousStart: start(i) });
        }
        for (const k of r.tooLate) tooLate.add(k);
        if (next % 7 === 0) await new Promise((res) => setImmediate(res));
      }
    };
    // Step the clock 250 ms at a time through the window; workers and the host run concurrently at each step.
    for (let t = T0 - 5_000; t <= T0 + N * 10 + 5_000; t += 250) {
      kit.clock.set(new Date(t));
      await Promise.all([mutate(t), ...engines.map((e) => e.drain({ limit: 25 }))]);
    }
    // Then deliver the moved reminders (due 2 h later).
    kit.clock.set(new Date(T0 + 2 * 3_600_000 + N * 10 + 1_000));
    await Promise.all(engines.map((e) => e.drain({ limit: 200 })));

    const perKey = new Map<string, { count: number; seq: number }>();
    for (const { key, seq } of sms.log) {
      const e = perKey.get(key);
      perKey.set(key, { count: (e?.count ?? 0) + 1, seq: e?.seq ?? seq });
    }
    let oldSentBefore = 0;
    let cancelledSaved = 0;
    for (let i = 0; i < N; i++) {
      const old = perKey.get(oldKey(i));
      expect(old?.count ?? 0).toBeLessThanOrEqual(1);
      // Nothing sent after the cancel committed: an old reminder that went out after the change began was
      // already handed off (reported tooLate).
      if (old && old.seq > seqAtCancel.get(`r${i}`)!) expect(tooLate.has(oldKey(i))).toBe(true);
      if (old) oldSentBefore++;
      else if (i % 2 === 0) cancelledSaved++;
      if (i % 2 === 1) expect(perKey.get(newKey(i))?.count).toBe(1);
      else expect(perKey.has(newKey(i))).toBe(false);
    }
    // Both sides of the race happened.
    expect(oldSentBefore).toBeGreaterThan(1_000);
    expect(cancelledSaved).toBeGreaterThan(1_000);
    expect(kit.storage.inspect().stats()).toMatchObject({ leased: 0 });
  }, 120_000);

  it("stop, advance the clock 72 h, restart: every send is sent once or recorded missed per R-47", async () => {
    const N = 3_000;
    const clock = createManualClock(new Date(T0));
    const storage: MemoryStorage = createMemoryStorage();
    const data = createMemoryDataSource();
    account(data);
    const sms = createMemoryTransport({ channel: "sms", name: "sms" });
    const H = 3_600_000;
    // Due from T0 − 30 min to T0 + 73 h, each expiring 24 h after it is due.
    const due = (i: number) => T0 - 30 * 60_000 + Math.floor((i * (73.5 * H)) / N);
    const sends = customSends(N, due).map((s, i) => ({ ...s, expiresAt: new Date(due(i) + 24 * H) }));
    await storage.upsertPlanned(S, sends, clock.now());
    const scheduler = { sleep: () => new Promise<void>((r) => setImmediate(r)) };
    const make = () => createRappel({ storage, data, clock, transports: { sms }, scheduler, batchSize: 50 });
    /** Resolves once nothing is due at the clock's instant and nothing is claimed. */
    const idle = async () => {
      for (;;) {
        const open = await storage.listSends(S, { status: ["planned", "sending"], limit: 10_000 });
        if (!open.some((s) => s.status === "sending" || s.nextAttemptAt.getTime() <= clock.now().getTime())) return;
        await new Promise((r) => setImmediate(r));
      }
    };
    let engine = make();
    engine.start();
    await idle();
    await engine.stop();
    expect(await storage.listSends(S, { status: "sending" })).toEqual([]);
    // The outage: 72 hours with no worker.
    clock.set(new Date(T0 + 72 * H));
    engine = make();
    engine.start();
    await idle();
    for (let step = 0; step < 4; step++) {
      clock.advance({ minutes: 30 });
      await idle();
    }
    await engine.stop();
    const restart = T0 + 72 * H;
    const counts = new Map<string, number>();
    for (const r of sms.sent) counts.set(r.message.idempotencyKey, (counts.get(r.message.idempotencyKey) ?? 0) + 1);
    let sent = 0;
    let missed = 0;
    for (let i = 0; i < N; i++) {
      const s = (await storage.getSend(S, sends[i]!.key))!;
      const d = due(i);
      if (d <= T0 || d > restart - H) {
        // Due while a worker ran, or less than an hour late at the restart: sent, once.
        expect(s.status).toBe("sent");
        expect(counts.get(s.key)).toBe(1);
        sent++;
      } else {
        // Due during the outage and more than an hour late at the restart (or expired): missed, never sent.
        expect(s.status).toBe("missed");
        expect(counts.has(s.key)).toBe(false);
        missed++;
      }
    }
    expect(sent + missed).toBe(N);
    expect(missed).toBeGreaterThan(2_000);
    expect(sent).toBeGreaterThan(50);
  }, 60_000);

  it("a transport failing 30 % of calls with 429/5xx: everything delivered once, retries within backoff bounds", async () => {
    const N = 5_000;
    const clock = createManualClock(new Date(T0));
    const storage = createMemoryStorage();
    const data = createMemoryDataSource();
    account(data);
    const rand = prng(4);
    const codes = [429, 500, 502, 503];
    const sms = createMemoryTransport({
      channel: "sms",
      name: "sms",
      fail: () =>
        rand() < 0.3
          ? new TransportError("provider busy", {
              failure: "transient",
              responseCode: codes[Math.floor(rand() * codes.length)]!,
            })
          : undefined,
    });
    const retry = { maxAttempts: 25, baseDelayMs: 1_000, maxDelayMs: 60_000 };
    const engines = [0, 1, 2, 3].map((w) =>
      createRappel({ storage, data, clock, transports: { sms }, retry, random: prng(10 + w), workerId: `w${w}` }),
    );
    await storage.upsertPlanned(
      S,
      customSends(N, () => T0),
      clock.now(),
    );
    let rounds = 0;
    for (;;) {
      await Promise.all(engines.map((e) => e.drain({ limit: 100 })));
      if (storage.inspect().stats().due === 0) break;
      clock.advance({ seconds: 2 });
      rounds++;
    }
    const delivered = new Map<string, number>();
    for (const r of sms.sent)
      delivered.set(r.message.idempotencyKey, (delivered.get(r.message.idempotencyKey) ?? 0) + 1);
    expect(delivered.size).toBe(N);
    expect([...delivered.values()].every((c) => c === 1)).toBe(true);
    let retries = 0;
    for (let i = 0; i < N; i += 1) {
      const journal = await engines[0]!.forStructure(S).journal(`c${i}`);
      for (const e of journal) {
        if (e.event !== "retry") continue;
        retries++;
        const { attempt, nextAttemptAt } = e.data as { attempt: number; nextAttemptAt: string };
        const wait = Date.parse(nextAttemptAt) - e.at.getTime();
        const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThan(ceiling);
      }
      expect(journal.at(-1)!.event).toBe("sent");
    }
    // About 30 % of first attempts fail, and 30 % of those again…
    expect(retries).toBeGreaterThan(N * 0.3);
    expect(retries).toBeLessThan(N * 0.6);
    expect(rounds).toBeGreaterThan(3);
  }, 60_000);
});
