// Memory-specific behaviour. The shared conformance suite runs against the memory storage in
// packages/adapter-tests/src/memoryStorage.conformance.test.ts (core cannot depend on adapter-tests: workspace cycle).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlannedSend } from "../contracts/sends.js";
import {
  createMemoryStorage,
  MEMORY_STORAGE_DIRECT,
  type MemoryClaim,
  type MemoryStorageDirectCalls,
} from "./memoryStorage.js";

const T0 = Date.parse("2026-06-08T08:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);

function send(key: string, over: Partial<PlannedSend> = {}): PlannedSend {
  return {
    key,
    structureId: "s1",
    accountId: "a1",
    kind: "reminder",
    channel: "sms",
    recipient: { type: "contact", id: "c1", address: "+33612345678" },
    sendAt: at(0),
    appointmentId: "r1",
    contactId: "c1",
    data: {},
    ...over,
  };
}

/** Deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("createMemoryStorage", () => {
  it("declares its capabilities", () => {
    expect(createMemoryStorage().capabilities).toEqual({ persistent: false, multiProcess: false });
  });

  it("claims in nextAttemptAt order through the due index, with cancels and moves removing and re-keying", async () => {
    const storage = createMemoryStorage();
    const rnd = random(1);
    const n = 5000;
    const sends = Array.from({ length: n }, (_, i) =>
      send(`k${i}`, { sendAt: at(Math.floor(rnd() * 100_000)), appointmentId: `r${i}` }),
    );
    await storage.upsertPlanned("s1", sends, at(-1));
    const cancelled = new Set<string>();
    const expected = new Map<string, number>();
    for (const [i, s] of sends.entries()) {
      const r = rnd();
      if (r < 0.2) {
        await storage.cancel("s1", { appointmentId: `r${i}` }, at(-1));
        cancelled.add(s.key);
      } else if (r < 0.4) {
        const moved = Math.floor(rnd() * 100_000);
        await storage.upsertPlanned("s1", [{ ...s, sendAt: at(moved) }], at(-1));
        expected.set(s.key, moved);
      } else expected.set(s.key, s.sendAt.getTime() - T0);
    }
    expect(storage.inspect().stats()).toMatchObject({ sends: n, due: expected.size, leased: 0 });
    const claimed: { key: string; t: number }[] = [];
    for (let now = 0; now <= 100_000; now += 10_000) {
      for (;;) {
        const batch = await storage.claimDue({ now: at(now), limit: 97, leaseMs: 10_000_000, owner: "w" });
        if (batch.length === 0) break;
        for (const c of batch) {
          expect(c.send.nextAttemptAt.getTime() - T0).toBeLessThanOrEqual(now);
          claimed.push({ key: c.send.key, t: c.send.nextAttemptAt.getTime() - T0 });
        }
      }
    }
    expect(claimed).toHaveLength(expected.size);
    for (const c of claimed) {
      expect(cancelled.has(c.key)).toBe(false);
      expect(c.t).toBe(expected.get(c.key));
    }
    // Within one claim window the order is by due time.
    const inWindow = claimed.filter((c) => c.t <= 0 || c.t <= 10_000);
    expect(inWindow.map((c) => c.t)).toEqual([...inWindow.map((c) => c.t)].sort((a, b) => a - b));
    expect(storage.inspect().stats()).toMatchObject({ due: 0, leased: expected.size });
  });

  it("claims in exact (nextAttemptAt, creation) order across minute buckets, with sends added, moved, cancelled and retried while claims consume a bucket", async () => {
    const storage = createMemoryStorage();
    const rnd = random(7);
    // The model: what is planned, with its due time and creation rank (ties are broken by creation order).
    const model = new Map<string, { t: number; rank: number }>();
    let rank = 0;
    let next = 0;
    const add = async (t: number) => {
      const key = `k${next++}`;
      await storage.upsertPlanned("s1", [send(key, { sendAt: at(t), appointmentId: `r-${key}` })], at(-1));
      model.set(key, { t, rank: rank++ });
    };
    // Five minutes of due times, some equal, added out of order.
    for (let i = 0; i < 3000; i++) await add(Math.floor(rnd() * 300) * 1000);
    const claimedOrder: string[] = [];
    for (let now = 0; now <= 400_000; now += 7_000) {
      const batch = await storage.claimDue({ now: at(now), limit: 40, leaseMs: 10_000_000, owner: "w" });
      const expected = [...model.entries()]
        .filter(([, v]) => v.t <= now)
        .sort((a, b) => a[1].t - b[1].t || a[1].rank - b[1].rank)
        .slice(0, 40)
        .map(([k]) => k);
      expect(batch.map((c) => c.send.key)).toEqual(expected);
      for (const c of batch) {
        model.delete(c.send.key);
        claimedOrder.push(c.send.key);
        // Every fifth claim is retried a little later (back into a bucket, possibly the one being read).
        if (rnd() < 0.2) {
          const t = now + Math.floor(rnd() * 90) * 1000;
          await storage.reschedule(
            { structureId: "s1", key: c.send.key, token: c.token },
            { nextAttemptAt: at(t) },
            at(now),
          );
          const created = Number(c.send.key.slice(1));
          model.set(c.send.key, { t, rank: created });
        }
      }
      // Meanwhile: new sends (some due now, in the bucket being consumed), moves and cancels.
      for (let i = 0; i < 5; i++) await add(now + Math.floor(rnd() * 120) * 1000 - 30_000);
      const pending = [...model.keys()];
      for (let i = 0; i < 3 && pending.length > 0; i++) {
        const key = pending[Math.floor(rnd() * pending.length)]!;
        if (rnd() < 0.5) {
          await storage.cancel("s1", { keys: [key] }, at(now));
          model.delete(key);
        } else {
          const t = now + Math.floor(rnd() * 200) * 1000;
          await storage.upsertPlanned("s1", [send(key, { sendAt: at(t), appointmentId: `r-${key}` })], at(now));
          model.set(key, { t, rank: model.get(key)!.rank });
        }
      }
    }
    expect(claimedOrder.length).toBeGreaterThan(2000);
    expect(storage.inspect().stats().due).toBe(model.size);
  });

  it("answers its direct (synchronous) calls as its public methods do, errors thrown instead of rejected", async () => {
    const storage = createMemoryStorage();
    const direct = (storage as unknown as Record<symbol, MemoryStorageDirectCalls>)[MEMORY_STORAGE_DIRECT]!;
    expect(direct.methods.claimDue).toBe(storage.claimDue);
    expect(Object.keys({ ...storage })).not.toContain(MEMORY_STORAGE_DIRECT.toString());
    expect(Object.getOwnPropertySymbols({ ...storage })).toEqual([]);
    expect(direct.upsertPlanned("s1", [send("k1"), send("k2")], at(0))).toMatchObject({ inserted: 2 });
    expect(() => direct.upsertPlanned("s1", [send("")], at(0))).toThrow(
      expect.objectContaining({ code: "invalid-input" }),
    );
    expect(direct.listSends("s1", { appointmentId: "r1" }).map((s) => s.key)).toEqual(["k1", "k2"]);
    const [c1, c2] = direct.claimDue({ now: at(0), limit: 2, leaseMs: 1000, owner: "w" });
    const refs = [c1!, c2!].map((c) => ({ structureId: "s1", key: c.send.key, token: c.token }));
    // A stale token for a real key is lease-lost, on the direct and the public path alike.
    const stale = { ...refs[0]!, token: refs[1]!.token };
    expect(direct.beginSendMany([refs[0]!, stale], at(1))).toMatchObject([
      { ok: true, value: { ok: true, attempts: 1 } },
      { ok: false, error: { code: "lease-lost" } },
    ]);
    expect(
      direct.completeMany(
        [{ ref: refs[0]!, outcome: { status: "sent", provider: "p", providerMessageId: "m1" } }],
        at(2),
      ),
    ).toMatchObject([{ ok: true, value: { status: "sent" } }]);
    expect(await storage.complete(refs[0]!, { status: "sent", provider: "p" }, at(3)).catch((e) => e.code)).toBe(
      "lease-lost",
    );
    expect(direct.appendJournal("s1", [{ structureId: "s1", contactId: "c1", at: at(0), event: "sent" }])).toBe(
      undefined,
    );
    expect(await storage.readJournal("s1", "c1")).toMatchObject([{ seq: 1, event: "sent" }]);
    expect(() => direct.appendJournal("s1", [{ structureId: "s2", at: at(0), event: "sent" }])).toThrow(
      expect.objectContaining({ code: "invalid-input" }),
    );
    await storage.setSmsOptOut("s1", "+33612345678", true, at(0));
    expect(direct.smsOptedOutAmong("s1", ["+33612345678", "+33698765432"])).toEqual(["+33612345678"]);
    expect(
      await storage.recordProviderStatus({ provider: "p", providerMessageId: "m1", status: "delivered", at: at(4) }),
    ).toMatchObject({ key: c1!.send.key, status: "delivered", changed: true });
  });

  it("answers the engine's view calls as the public claim, begin, complete and journal calls, item by item", async () => {
    // Two storages set up alike: one driven through the public methods, one through the direct view calls.
    const pub = createMemoryStorage();
    const dir = createMemoryStorage();
    const direct = (dir as unknown as Record<symbol, MemoryStorageDirectCalls>)[MEMORY_STORAGE_DIRECT]!;
    expect(direct.methods.completeMany).toBe(dir.completeMany);
    const plan = [
      send("k1", { data: { slot: "first" }, expiresAt: at(9_000), billing: "reminder" }),
      send("k2", { sendAt: at(1), groupKey: "g" }),
      send("k3", { sendAt: at(2) }),
      send("k4", { sendAt: at(3) }),
    ];
    for (const s of [pub, dir]) await s.upsertPlanned("s1", plan, at(-1));
    const claimOpts = { now: at(10), limit: 10, leaseMs: 1000, owner: "w" };
    const copies = await pub.claimDue(claimOpts);
    const views = direct.claimViews(claimOpts);
    expect(views.map((c) => [c.send.key, c.token, c.leaseExpiresAt, c.interrupted])).toEqual(
      copies.map((c) => [c.send.key, c.token, c.leaseExpiresAt.getTime(), c.interrupted]),
    );
    for (let i = 0; i < views.length; i++) {
      const v = views[i]!.send;
      const r = copies[i]!.send;
      expect({
        structureId: v.structureId,
        accountId: v.accountId,
        kind: v.kind,
        channel: v.channel,
        recipient: { type: v.rType, id: v.rId, address: v.rAddress },
        sendAt: v.sendAt,
        expiresAt: v.expiresAt,
        nextAttemptAt: v.nextAttemptAt,
        appointmentId: v.appointmentId,
        contactId: v.contactId,
        billing: v.billing,
        groupKey: v.groupKey,
        data: JSON.parse(v.data),
      }).toEqual({
        structureId: r.structureId,
        accountId: r.accountId,
        kind: r.kind,
        channel: r.channel,
        recipient: r.recipient,
        sendAt: r.sendAt.getTime(),
        expiresAt: r.expiresAt?.getTime(),
        nextAttemptAt: r.nextAttemptAt.getTime(),
        appointmentId: r.appointmentId,
        contactId: r.contactId,
        billing: r.billing,
        groupKey: r.groupKey,
        data: r.data,
      });
    }
    // A cancel between claim and hand-off, a stale token, and a ref of another structure.
    for (const s of [pub, dir]) await s.cancel("s1", { keys: ["k2"] }, at(11));
    const refs = copies.map((c) => ({ structureId: "s1", key: c.send.key, token: c.token }));
    const stale = { structureId: "s1", key: "k3", token: refs[3]!.token };
    const foreign = { structureId: "s2", key: "k4", token: refs[3]!.token };
    const begun = await pub.beginSendMany!([refs[0]!, refs[1]!, stale, foreign, refs[2]!], at(12));
    const begunDirect = direct.beginClaims(
      [views[0]!, views[1]!, { send: stale, token: stale.token }, { send: foreign, token: foreign.token }, views[2]!],
      at(12),
    );
    expect(begunDirect.map((r) => (typeof r === "number" ? r : r.code))).toEqual(
      begun.map((r) => (r.ok ? (r.value.ok ? r.value.attempts : 0) : r.error.code)),
    );
    expect(begunDirect.slice(0, 3)).toEqual([1, 0, expect.objectContaining({ code: "lease-lost" })]);
    const outcomes = [
      { ref: refs[0]!, outcome: { status: "sent", provider: "p", providerMessageId: "m1" } as const },
      { ref: refs[1]!, outcome: { status: "cancelled" } as const },
      { ref: refs[2]!, reschedule: { nextAttemptAt: at(60_000), failureCode: "429" } },
      { ref: refs[0]!, outcome: { status: "sent", provider: "p" } as const },
      { ref: refs[3]!, outcome: { status: "bogus" } as never },
    ];
    const done = await pub.completeMany!(outcomes, at(13));
    const doneDirect = direct.completeClaims(
      outcomes.map((o, i) => ({
        claim: views[[0, 1, 2, 0, 3][i]!]!,
        outcome: "outcome" in o ? o.outcome : undefined,
        reschedule: "reschedule" in o ? o.reschedule : undefined,
      })),
      at(13),
    );
    expect(doneDirect.map((r) => (r === null ? "ok" : r.code))).toEqual(done.map((r) => (r.ok ? "ok" : r.error.code)));
    expect(doneDirect.map((r) => (r === null ? "ok" : r.code))).toEqual([
      "ok",
      "ok",
      "ok",
      "lease-lost",
      "invalid-input",
    ]);
    for (const key of ["k1", "k2", "k3", "k4"]) {
      const { updatedAt: _a, ...a } = pub.inspect().send("s1", key)!;
      const { updatedAt: _b, ...b } = dir.inspect().send("s1", key)!;
      expect(b).toEqual(a);
    }
    // The engine's journal: the planned instant is kept as a number and read back as the public call stores it.
    const entry = { structureId: "s1", contactId: "c1", at: at(14), event: "planned" as const, key: "k1" };
    await pub.appendJournal("s1", [
      { ...entry, data: { sendAt: at(0).toISOString() } },
      { ...entry, event: "sent" },
    ]);
    direct.appendEngineJournal("s1", [
      { ...entry, plannedSendAt: T0 },
      { ...entry, event: "sent" },
    ]);
    expect(await dir.readJournal("s1", "c1")).toEqual(await pub.readJournal("s1", "c1"));
    expect(() => direct.appendEngineJournal("s1", [{ ...entry, structureId: "s2" }])).toThrow(
      expect.objectContaining({ code: "invalid-input" }),
    );
  });

  it("checks a view claim's lease in place: lapsed, claimed again, of another storage, or completed by its key", async () => {
    const a = createMemoryStorage();
    const b = createMemoryStorage();
    const da = (a as unknown as Record<symbol, MemoryStorageDirectCalls>)[MEMORY_STORAGE_DIRECT]!;
    const db = (b as unknown as Record<symbol, MemoryStorageDirectCalls>)[MEMORY_STORAGE_DIRECT]!;
    for (const s of [a, b]) await s.upsertPlanned("s1", [send("k1"), send("k2"), send("k3")], at(-1));
    // Storage b claims one send more first: its tokens are not a's.
    await b.upsertPlanned("s1", [send("k0", { sendAt: at(-5) })], at(-1));
    const claim = (d: MemoryStorageDirectCalls, now: number) =>
      d.claimViews({ now: at(now), limit: 3, leaseMs: 100, owner: "w" });
    const [a1, a2, a3] = claim(da, 0);
    const [, b1] = claim(db, 0);
    expect([a1!.send.key, b1!.send.key, a1!.token === b1!.token]).toEqual(["k1", "k1", false]);
    const reason = (r: unknown) => (r instanceof Error ? [(r as Error & { code: string }).code, r.message] : r);
    const sent = { status: "sent", provider: "p" } as const;
    /** Completes one claim through the direct calls: `null`, or the error's code and message. */
    const complete = (d: MemoryStorageDirectCalls, claim: MemoryClaim, now: number) =>
      reason(d.completeClaims([{ claim, outcome: sent, reschedule: undefined }], at(now))[0]);
    // A claim of storage a given to storage b is looked up in b: b's own claim of k1 holds another token.
    expect(reason(db.beginClaims([a1!], at(10))[0])).toEqual(["lease-lost", expect.stringContaining("another claim")]);
    expect(db.beginClaims([b1!], at(10))).toEqual([1]);
    // A lapsed lease, then the same send claimed again: the first claim has lost it, the second holds it.
    expect(reason(da.beginClaims([a1!], at(100))[0])).toEqual(["lease-lost", expect.stringContaining("lapsed")]);
    const [again] = da.claimViews({ now: at(100), limit: 1, leaseMs: 100, owner: "w2" });
    expect(again!.send.key).toBe("k1");
    expect(complete(da, a1!, 101)).toEqual(["lease-lost", expect.stringContaining("another claim")]);
    expect(complete(da, again!, 101)).toBeNull();
    // A view claim's send completed through the public calls by key and token, then through the view: done once.
    const ref = { structureId: "s1", key: a2!.send.key, token: a2!.token };
    expect((await a.completeMany!([{ ref, outcome: sent }], at(50)))[0]).toMatchObject({ ok: true });
    expect(complete(da, a2!, 51)).toEqual(["lease-lost", expect.stringContaining("released")]);
    expect(complete(da, a3!, 99)).toBeNull();
    expect(["k1", "k2", "k3"].map((k) => a.inspect().send("s1", k)!.status)).toEqual(["sent", "sent", "sent"]);
  });

  it("keeps the appointment and contact indexes right when a pending send changes appointment", async () => {
    const storage = createMemoryStorage();
    await storage.upsertPlanned("s1", [send("k1"), send("k2")], at(-1));
    await storage.upsertPlanned("s1", [send("k1", { appointmentId: "r2", contactId: "c2" })], at(-1));
    expect((await storage.listSends("s1", { appointmentId: "r1" })).map((s) => s.key)).toEqual(["k2"]);
    expect((await storage.listSends("s1", { contactId: "c2" })).map((s) => s.key)).toEqual(["k1"]);
    expect((await storage.cancel("s1", { appointmentId: "r1" }, at(0))).cancelled.map((s) => s.key)).toEqual(["k2"]);
    expect((await storage.cancel("s1", { appointmentId: "r2" }, at(0))).cancelled.map((s) => s.key)).toEqual(["k1"]);
  });

  it("reads back every contact's journal as appended, in order, from any `after`, across tenants (property)", async () => {
    // The journal is kept in columns chained per contact; appends past 1,024 entries grow the columns.
    const op = fc.record({
      tenant: fc.constantFrom("s1", "s2"),
      contactId: fc.option(fc.constantFrom("c1", "c2", "c3", "c4"), { nil: undefined }),
      event: fc.constantFrom("planned" as const, "sent" as const, "failed" as const),
      data: fc.option(fc.record({ n: fc.integer() }), { nil: undefined }),
      count: fc.integer({ min: 1, max: 400 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), fc.nat(3000), async (ops, after) => {
        const storage = createMemoryStorage();
        const model = new Map<string, { seq: number; key: string; data: unknown }[]>();
        let seq = 0;
        for (const [b, o] of ops.entries()) {
          const entries = Array.from({ length: o.count }, (_, i) => ({
            structureId: o.tenant,
            ...(o.contactId === undefined ? {} : { contactId: o.contactId }),
            at: at(b),
            event: o.event,
            key: `k${b}.${i}`,
            ...(o.data === undefined ? {} : { data: o.data }),
            ...(o.event === "failed" ? { reason: "because" } : {}),
          }));
          const stored = await storage.appendJournal(o.tenant, entries);
          for (const e of stored) {
            seq++;
            expect(e.seq).toBe(seq);
            if (o.contactId === undefined) continue;
            const list = model.get(`${o.tenant}/${o.contactId}`) ?? [];
            list.push({ seq: e.seq, key: e.key!, data: o.data });
            model.set(`${o.tenant}/${o.contactId}`, list);
          }
        }
        expect(storage.inspect().stats().journal).toBe(seq);
        for (const tenant of ["s1", "s2"])
          for (const contactId of ["c1", "c2", "c3", "c4", "c5"]) {
            const want = model.get(`${tenant}/${contactId}`) ?? [];
            const all = await storage.readJournal(tenant, contactId, { limit: 1000 });
            expect(all.map((e) => [e.seq, e.key, e.data])).toEqual(
              want.slice(0, 1000).map((w) => [w.seq, w.key, w.data]),
            );
            expect(all.every((e) => e.structureId === tenant && e.contactId === contactId)).toBe(true);
            const page = await storage.readJournal(tenant, contactId, { after, limit: 50 });
            expect(page.map((e) => e.seq)).toEqual(
              want
                .filter((w) => w.seq > after)
                .slice(0, 50)
                .map((w) => w.seq),
            );
            expect(
              storage
                .inspect()
                .journal(tenant, contactId)
                .map((e) => e.seq),
            ).toEqual(want.map((w) => w.seq));
          }
      }),
      { numRuns: 40 },
    );
  });

  it("keeps a contact's sends and journal entries apart, whatever came first and wherever its sends move", async () => {
    const storage = createMemoryStorage();
    const entry = (contactId: string, n: number) => ({
      structureId: "s1",
      contactId,
      at: at(n),
      event: "sent" as const,
      key: `j${n}`,
    });
    const keys = async (contactId: string) => (await storage.listSends("s1", { contactId })).map((s) => s.key);
    const journal = async (contactId: string) => (await storage.readJournal("s1", contactId)).map((e) => e.key ?? "");
    // c1: a send, then journal entries; c2: a journal entry, then sends; c3: journal entries only.
    await storage.upsertPlanned("s1", [send("k1")], at(-1));
    await storage.appendJournal("s1", [entry("c1", 1), entry("c2", 2), entry("c3", 3)]);
    await storage.upsertPlanned("s1", [send("k2", { contactId: "c2" }), send("k3", { contactId: "c2" })], at(-1));
    await storage.appendJournal("s1", [entry("c1", 4), entry("c3", 5), entry("c2", 6)]);
    expect(await keys("c1")).toEqual(["k1"]);
    expect(await keys("c2")).toEqual(["k2", "k3"]);
    expect(await keys("c3")).toEqual([]);
    expect(await journal("c1")).toEqual(["j1", "j4"]);
    expect(await journal("c2")).toEqual(["j2", "j6"]);
    expect(await journal("c3")).toEqual(["j3", "j5"]);
    expect((await storage.readJournal("s1", "c2", { after: 2 })).map((e) => e.key)).toEqual(["j6"]);
    // Sends leaving a contact (to one with journal entries only) leave its journal where it is.
    await storage.upsertPlanned("s1", [send("k2", { contactId: "c3" }), send("k1", { contactId: "c3" })], at(-1));
    expect(await keys("c1")).toEqual([]);
    expect(await keys("c2")).toEqual(["k3"]);
    expect(await keys("c3")).toEqual(["k1", "k2"]);
    expect(await journal("c1")).toEqual(["j1", "j4"]);
    expect(await journal("c3")).toEqual(["j3", "j5"]);
    expect(
      (await storage.cancel("s1", { contactId: "c3", channels: ["sms"] }, at(0))).cancelled.map((s) => s.key).sort(),
    ).toEqual(["k1", "k2"]);
    await storage.upsertPlanned("s1", [send("k3", { contactId: "c4" })], at(-1));
    expect(await keys("c2")).toEqual([]);
    expect(await journal("c2")).toEqual(["j2", "j6"]);
    expect(await keys("c4")).toEqual(["k3"]);
    expect(await journal("c4")).toEqual([]);
  });

  it("keeps early provider statuses up to its bound, oldest dropped first", async () => {
    const storage = createMemoryStorage({ maxEarlyProviderStatuses: 2 });
    for (const id of ["m1", "m2", "m3"])
      expect(
        await storage.recordProviderStatus({ provider: "p", providerMessageId: id, status: "delivered", at: at(0) }),
      ).toBeNull();
    expect(storage.inspect().stats().earlyProviderStatuses).toBe(2);
    await storage.upsertPlanned("s1", [send("k1"), send("k3")], at(-1));
    const claims = await storage.claimDue({ now: at(0), limit: 2, leaseMs: 1000, owner: "w" });
    const ids = new Map([
      ["k1", "m1"],
      ["k3", "m3"],
    ]);
    const done = await Promise.all(
      claims.map((c) =>
        storage.complete(
          { structureId: "s1", key: c.send.key, token: c.token },
          { status: "sent", provider: "p", providerMessageId: ids.get(c.send.key)! },
          at(1),
        ),
      ),
    );
    const status = new Map(claims.map((c, i) => [c.send.key, done[i]?.status]));
    expect(status.get("k1")).toBe("sent"); // m1's early status was dropped
    expect(status.get("k3")).toBe("delivered");
    expect(storage.inspect().stats().earlyProviderStatuses).toBe(1);
  });

  it("stores journal entries without a contact (not readable per contact)", async () => {
    const storage = createMemoryStorage();
    const [e] = await storage.appendJournal("s1", [{ structureId: "s1", at: at(0), event: "sent", key: "k" }]);
    expect(e?.seq).toBe(1);
    expect(storage.inspect().stats().journal).toBe(1);
  });

  it("breaks an opt-out tie at the same instant in favour of STOP", async () => {
    const storage = createMemoryStorage();
    await storage.setSmsOptOut("s1", "+33612345678", false, at(0));
    expect((await storage.setSmsOptOut("s1", "+33612345678", true, at(0))).optedOut).toBe(true);
    expect((await storage.setSmsOptOut("s1", "+33612345678", false, at(0))).optedOut).toBe(true);
  });

  it("hands out copies from its inspector", async () => {
    const storage = createMemoryStorage();
    await storage.upsertPlanned("s1", [send("k1")], at(0));
    const raw = storage.inspect().send("s1", "k1")!;
    raw.status = "sent";
    expect(storage.inspect().send("s1", "k1")?.status).toBe("planned");
    expect(storage.inspect().send("s1", "nope")).toBeNull();
  });

  it("rejects every call after close with invalid-state", async () => {
    const storage = createMemoryStorage();
    await storage.close();
    await expect(storage.getSend("s1", "k1")).rejects.toMatchObject({ code: "invalid-state" });
    await expect(storage.claimDue({ now: at(0), limit: 1, leaseMs: 1, owner: "w" })).rejects.toMatchObject({
      code: "invalid-state",
    });
  });

  it("reports every failing path of an invalid plan", async () => {
    const storage = createMemoryStorage();
    const bad = { ...send("k1"), sendAt: new Date(Number.NaN), data: [] as unknown as PlannedSend["data"] };
    await expect(storage.upsertPlanned("s1", [bad, send("", { structureId: "s2" })], at(0))).rejects.toMatchObject({
      code: "invalid-input",
      issues: [
        { path: "sends.0.sendAt" },
        { path: "sends.0.data" },
        { path: "sends.1.key" },
        { path: "sends.1.structureId" },
      ],
    });
  });
});
