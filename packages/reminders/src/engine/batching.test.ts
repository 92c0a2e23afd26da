import { createMemoryStorage, ErrorCode, type MemoryStorage, RappelError, type Storage } from "@rappel/core";
import { describe, expect, it } from "vitest";
import { S, SMS_ONLY, world } from "./__fixtures__/world.js";
import { createRappel } from "./createRappel.js";
import type { RappelDataSource } from "./types.js";

const BATCHED = ["beginSendMany", "completeMany", "smsOptedOutAmong"] as const;

/** The memory storage, counting calls by method; `single` hides the batched calls. */
function counted(single: boolean, overrides: (base: MemoryStorage) => Partial<Storage>) {
  const base: MemoryStorage = createMemoryStorage();
  const over = overrides(base);
  const calls = new Map<string, number>();
  const storage = new Proxy(base, {
    get(target, p, receiver) {
      if (single && (BATCHED as readonly PropertyKey[]).includes(p)) return undefined;
      const f = (over as Record<PropertyKey, unknown>)[p] ?? Reflect.get(target, p, receiver);
      if (typeof f !== "function" || p === "inspect") return f;
      return (...args: unknown[]) => {
        calls.set(String(p), (calls.get(String(p)) ?? 0) + 1);
        return (f as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage, base, calls };
}

async function scenario(single: boolean, over: (base: MemoryStorage) => Partial<Storage> = () => ({})) {
  const { storage, base, calls } = counted(single, over);
  const kit = world({ options: SMS_ONLY, contacts: 6, engine: { storage, batchSize: 100 } });
  const s = kit.engine.forStructure(S);
  for (let i = 0; i < 6; i++) {
    kit.appointment(`r${i}`, `c${i}`, "2026-06-03T10:00:00Z");
    await s.appointmentCreated({ appointmentId: `r${i}` });
  }
  // c1 said STOP before the reminders fall due (recorded straight in the storage: no cancel of its plan).
  await base.setSmsOptOut(S, "+33610000001", true, kit.clock.now());
  kit.clock.set(new Date("2026-06-02T10:00:00Z"));
  calls.clear();
  const r = await kit.engine.runDue();
  const journal = [];
  for (let i = 0; i < 6; i++) journal.push((await base.readJournal(S, `c${i}`)).map((e) => e.event));
  return { r, calls: Object.fromEntries(calls), kit, base, journal };
}

describe("batched delivery", () => {
  it("one beginSendMany, one completeMany and one opt-out question per batch, same outcome as single calls", async () => {
    const batched = await scenario(false);
    expect(batched.r).toMatchObject({ claimed: 6, sent: 5, skipped: 1, lost: 0 });
    expect(batched.calls).toMatchObject({
      claimDue: 1,
      beginSendMany: 1,
      // One for what ended before the hand-off (the opt-out skip), one for the transport outcomes.
      completeMany: 2,
      smsOptedOutAmong: 1,
      appendJournal: 1,
      addUsage: 1,
    });
    for (const m of ["beginSend", "complete", "reschedule", "isSmsOptedOut"]) expect(batched.calls[m]).toBeUndefined();
    const single = await scenario(true);
    expect(single.r).toEqual(batched.r);
    expect(single.calls).toMatchObject({ beginSend: 5, complete: 6, isSmsOptedOut: 6 });
    expect(single.journal).toEqual(batched.journal);
    expect(batched.journal[1]).toEqual(["planned", "skipped"]);
    expect(batched.journal[0]).toEqual(["planned", "sent"]);
    expect(batched.kit.transports.sms.sent).toHaveLength(5);
    expect(batched.kit.transports.sms.sent.map((m) => m.message.to).sort()).toEqual(
      single.kit.transports.sms.sent.map((m) => m.message.to).sort(),
    );
  });

  /** 600 sends due in one `runDue` (batch size 600), on a storage that counts the calls named in `counted`. */
  async function bigBatch(direct: boolean) {
    const base = createMemoryStorage();
    const calls = new Map<string, number>();
    const countedNames = ["claimDue", "beginSendMany", "completeMany", "smsOptedOutAmong", "appendJournal", "addUsage"];
    // `direct`: only the batched calls are wrapped, so the engine keeps the memory storage's in-process claim path;
    // otherwise every call is, as for any other storage.
    const wrapped = direct ? countedNames.filter((m) => m !== "claimDue") : countedNames;
    const storage = new Proxy(base, {
      get(target, p, receiver) {
        const f = Reflect.get(target, p, receiver);
        if (typeof f !== "function" || !wrapped.includes(String(p))) return f;
        return (...args: unknown[]) => {
          calls.set(String(p), (calls.get(String(p)) ?? 0) + 1);
          return (f as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const n = 600;
    const kit = world({ options: SMS_ONLY, contacts: n, onlineBooking: false, engine: { storage, batchSize: n } });
    const s = kit.engine.forStructure(S);
    for (let i = 0; i < n; i++) {
      kit.appointment(`r${i}`, `c${i}`, "2026-06-03T10:00:00Z");
      await s.appointmentCreated({ appointmentId: `r${i}` });
    }
    kit.clock.set(new Date("2026-06-02T10:00:00Z"));
    calls.clear();
    const r = await kit.engine.runDue();
    const counts = Object.fromEntries(calls);
    expect(r).toMatchObject({ claimed: n, sent: n, skipped: 0, failed: 0, lost: 0 });
    const sent = kit.transports.sms.sent.map((m) => m.message.idempotencyKey);
    expect(sent).toHaveLength(n);
    expect(new Set(sent).size).toBe(n);
    for (const i of [0, 63, 64, 575, 576, n - 1])
      expect((await base.readJournal(S, `c${i}`)).map((e) => e.event)).toEqual(["planned", "sent"]);
    expect((await base.getUsage(S, "a1", "2026-06")).reminderSmsCredits).toBe(n);
    expect(await kit.engine.runDue()).toMatchObject({ claimed: 0 });
    return counts;
  }

  it("on the memory storage a batch larger than a chunk goes out chunk after chunk: each send once, one claim", async () => {
    // Chunks of 64 (9 × 64 + 24), each with its own hand-off, outcomes, opt-out question and journal append.
    expect(await bigBatch(true)).toEqual({
      beginSendMany: 10,
      completeMany: 10,
      smsOptedOutAmong: 10,
      appendJournal: 10,
      addUsage: 1,
    });
  });

  it("on another storage the whole batch goes through each phase at once: one call of each kind", async () => {
    expect(await bigBatch(false)).toEqual({
      claimDue: 1,
      beginSendMany: 1,
      completeMany: 1,
      smsOptedOutAmong: 1,
      appendJournal: 1,
      addUsage: 1,
    });
  });

  it("a lease lost on one item of beginSendMany leaves the others unaffected; the lost send goes out later", async () => {
    let lostKey: string | undefined;
    const { kit, r, base } = await scenario(false, (base) => ({
      async beginSendMany(refs, now) {
        if (lostKey !== undefined) return (base.beginSendMany as NonNullable<Storage["beginSendMany"]>)(refs, now);
        lostKey = refs[2]!.key;
        const kept = refs.filter((x) => x.key !== lostKey);
        const results = await (base.beginSendMany as NonNullable<Storage["beginSendMany"]>)(kept, now);
        return refs.map((x) =>
          x.key === lostKey
            ? { ok: false as const, error: new RappelError(ErrorCode.LEASE_LOST, "lost") }
            : results.shift()!,
        );
      },
    }));
    expect(r).toMatchObject({ claimed: 6, sent: 4, skipped: 1, lost: 1 });
    expect((await base.getSend(S, lostKey!))?.status).toBe("sending");
    // Its lease lapses; the next worker sends it (it was never handed off, so it is not "interrupted").
    kit.clock.set(new Date(kit.clock.now().getTime() + 120_000));
    const again = await kit.engine.runDue();
    expect(again).toMatchObject({ claimed: 1, sent: 1, unknown: 0 });
    expect((await base.getSend(S, lostKey!))?.attempts).toBe(1);
  });

  it("an item the storage fails on is reported after the batch; the rest of the batch is recorded", async () => {
    const { storage, base } = counted(false, (base) => ({
      async completeMany(items, now) {
        const rest = await (base.completeMany as NonNullable<Storage["completeMany"]>)(items.slice(1), now);
        return [{ ok: false as const, error: new RappelError(ErrorCode.ADAPTER_ERROR, "disk full") }, ...rest];
      },
    }));
    const kit = world({ options: SMS_ONLY, contacts: 3, engine: { storage } });
    const s = kit.engine.forStructure(S);
    for (let i = 0; i < 3; i++) {
      kit.appointment(`r${i}`, `c${i}`, "2026-06-03T10:00:00Z");
      await s.appointmentCreated({ appointmentId: `r${i}` });
    }
    kit.clock.set(new Date("2026-06-02T10:00:00Z"));
    const err = await kit.engine.runDue().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RappelError);
    expect((err as RappelError).code).toBe("adapter-error");
    const sends = await base.listSends(S);
    expect(sends.map((x) => x.status).sort()).toEqual(["sending", "sent", "sent"]);
    // The two recorded sends are journaled even though the batch reports the failure.
    const events = [];
    for (let i = 0; i < 3; i++) events.push(...(await base.readJournal(S, `c${i}`)).map((e) => e.event));
    expect(events.filter((e) => e === "sent")).toHaveLength(2);
  });

  it("a data source answering with promises delivers as a synchronous one; a rejected read fails only its send", async () => {
    const kit = world({ options: SMS_ONLY, contacts: 4 });
    const s = kit.engine.forStructure(S);
    for (let i = 0; i < 4; i++) {
      kit.appointment(`r${i}`, `c${i}`, "2026-06-03T10:00:00Z");
      await s.appointmentCreated({ appointmentId: `r${i}` });
    }
    // Every read answers a turn later; c2's contact read rejects.
    const reads: string[] = [];
    const later = new Proxy(kit.data, {
      get(target, p, receiver) {
        const f = Reflect.get(target, p, receiver);
        if (typeof f !== "function") return f;
        return (...args: unknown[]) => {
          reads.push(String(p));
          if (p === "getContact" && args[1] === "c2") return Promise.reject(new Error("db down"));
          return new Promise((resolve) => setTimeout(() => resolve(f.apply(target, args)), 1));
        };
      },
    }) as RappelDataSource;
    const engine = createRappel({ storage: kit.storage, data: later, clock: kit.clock, transports: kit.transports });
    kit.clock.set(new Date("2026-06-02T10:00:00Z"));
    const err = await engine.runDue().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "adapter-error" });
    expect(reads).toContain("getAgenda");
    const sent = kit.transports.sms.sent.map((m) => m.message.to).sort();
    expect(sent).toEqual(["+33610000000", "+33610000001", "+33610000003"]);
    expect(kit.transports.sms.sent[0]!.message.body).toContain("Cabinet Dupont");
    const status = new Map((await kit.storage.listSends(S)).map((x) => [x.contactId, x.status]));
    expect([...status.entries()].sort()).toEqual([
      ["c0", "sent"],
      ["c1", "sent"],
      ["c2", "sending"],
      ["c3", "sent"],
    ]);
  });
});
