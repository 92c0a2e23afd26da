import type {
  BatchItemResult,
  ClaimedSend,
  CompleteManyItem,
  LeaseRef,
  PlannedSend,
  ProviderStatus,
  ProviderStatusUpdate,
  SendStatus,
  Storage,
  UsageCounters,
} from "@rappel/core";
import { describe, expect, it } from "vitest";

/**
 * A value or a promise of it: inspectors may read synchronously (memory) or asynchronously (SQL).
 *
 * @example
 * ```ts
 * const n: Awaitable<number> = Promise.resolve(3);
 * ```
 */
export type Awaitable<T> = T | Promise<T>;

/**
 * A send as the adapter really persisted it, read by the adapter's own means (raw state, SQL), not through the
 * {@link Storage} methods under test. Instants are `Date`s, a `null` lease field means "no lease".
 *
 * @example
 * ```ts
 * const p: PersistedSend = { structureId: "s1", key: "k1", status: "sending", attempts: 0,
 *   sendAt: new Date("2026-06-08T08:00:00Z"), nextAttemptAt: new Date("2026-06-08T08:00:00Z"),
 *   leaseOwner: "w1", leaseToken: 7, leaseExpiresAt: new Date("2026-06-08T08:00:30Z"), cancelRequested: false,
 *   handedOff: false, providerMessageId: null, providerStatus: null, recipientAddress: "+33612345678",
 *   data: { slot: "first" } };
 * ```
 */
export interface PersistedSend {
  /** Tenant. */
  structureId: string;
  /** Key. */
  key: string;
  /** Status. */
  status: SendStatus;
  /** Attempts (hand-offs to a transport). */
  attempts: number;
  /** Due instant as planned. */
  sendAt: Date;
  /** Next attempt instant. */
  nextAttemptAt: Date;
  /** Owner of the current lease, or `null`. */
  leaseOwner: string | null;
  /** Token of the current lease, or `null` (adapters may keep the last token: only compared while leased). */
  leaseToken: number | null;
  /** Expiry of the current lease, or `null`. */
  leaseExpiresAt: Date | null;
  /** A cancel or newer plan arrived while claimed. */
  cancelRequested: boolean;
  /** The current claim has begun handing it to a transport. */
  handedOff: boolean;
  /** Provider message id, or `null`. */
  providerMessageId: string | null;
  /** Furthest provider status, or `null`. */
  providerStatus: ProviderStatus | null;
  /** Recipient address. */
  recipientAddress: string;
  /** Template data, parsed. */
  data: unknown;
}

/**
 * A persisted journal entry, as read by the adapter's own means.
 *
 * @example
 * ```ts
 * const e: PersistedJournalEntry = { seq: 4, event: "sent", key: "k1" };
 * ```
 */
export interface PersistedJournalEntry {
  /** Sequence number. */
  seq: number;
  /** Event. */
  event: string;
  /** Send key, if any. */
  key?: string | undefined;
}

/**
 * Reads what an adapter really persisted, bypassing the methods under test (for the memory storage its raw
 * state, for SQL adapters a few `SELECT`s).
 *
 * @example
 * ```ts
 * const inspector: StorageInspector = {
 *   send: async (s, k) => rowToPersisted(await sql`select * from rappel_sends where structure_id=${s} and key=${k}`),
 *   sendCount: async (s) => Number((await sql`select count(*) from rappel_sends where structure_id=${s}`)[0].count),
 *   journal: async (s, c) => sql`select seq, event, key from rappel_journal where structure_id=${s} and contact_id=${c} order by seq`,
 *   usage: async (s, a, m) => readUsage(s, a, m),
 *   smsOptOut: async (s, n) => readOptOut(s, n),
 * };
 * ```
 */
export interface StorageInspector {
  /** One persisted send, or `null` when there is none. */
  send(structureId: string, key: string): Awaitable<PersistedSend | null>;
  /** How many sends are persisted for a structure (any status). */
  sendCount(structureId: string): Awaitable<number>;
  /** A contact's persisted journal, in append order. */
  journal(structureId: string, contactId: string): Awaitable<PersistedJournalEntry[]>;
  /** Persisted usage counters, or `null` when none were written. */
  usage(structureId: string, accountId: string, month: string): Awaitable<UsageCounters | null>;
  /** Persisted opt-out state of a number, or `null` when never recorded. */
  smsOptOut(structureId: string, e164: string): Awaitable<boolean | null>;
}

/**
 * The name of every test of {@link runStorageConformance}, for `skip`.
 *
 * @example
 * ```ts
 * STORAGE_CONFORMANCE_TESTS.includes("claimDue: concurrent claimers each get a due send exactly once") //=> true
 * ```
 */
export const STORAGE_CONFORMANCE_TESTS = [
  "upsert: inserts new keys as planned with nextAttemptAt = sendAt",
  "upsert: the same plan twice changes nothing",
  "upsert: changed content updates a pending send",
  "upsert: never resets a claimed, handed-off or final send",
  "upsert: a cancelled send planned again is revived",
  "upsert: rejects sends of another structure and stores nothing",
  "upsert: concurrent upserts of one plan insert each key once",
  "getSend: null for unknown keys and for keys of another structure",
  "records are copies: mutating inputs or outputs changes nothing stored",
  "claimDue: only due pending sends, earliest first, with increasing tokens",
  "claimDue: concurrent claimers each get a due send exactly once",
  "lease: a lapsed lease is claimed again with a greater token",
  "fencing: a stale token cannot renew, begin, complete or reschedule",
  "renewLease: extends the lease; a lapsed lease cannot be renewed",
  "reschedule: back to planned at the given instant, attempts kept",
  "complete: records the outcome and releases the lease",
  "cancel before claim wins: a cancelled send is never claimed",
  "cancel after claim stops the send before hand-off",
  "cancel after hand-off reports the send too late",
  "cancel versus claim race: nothing cancelled or stopped is handed off",
  "cancel: matches by keys, appointment, kinds, channels and contact",
  "upsert on a claimed send: newer content supersedes it and applies on release",
  "interrupted: a send handed off by a lapsed holder is claimed as interrupted",
  "tenant isolation: shared ids and phone numbers across structures",
  "listSends: filters, key order and pagination",
  "journal: append order per contact, pagination and isolation",
  "usage: concurrent increments are never lost",
  "usage: max is an atomic quota reservation",
  "opt-outs: latest instant wins, per structure",
  "provider status: duplicated and shuffled callbacks end in the furthest state",
  "provider status: a callback before complete is folded in",
  "invalid input is rejected with invalid-input",
  "invalid input: the same edge cases and issue paths on every adapter",
  "inbox: idempotent by key, oldest first, per recipient, with read status",
  "inbox: tenant isolation",
  "batch: beginSendMany agrees item by item with beginSend",
  "batch: completeMany agrees item by item with complete and reschedule",
  "batch: per-item fencing, tenancy, empty batches and invalid items",
  "batch: cancel versus beginSendMany race: nothing cancelled or stopped is handed off",
  "batch: smsOptedOutAmong answers as isSmsOptedOut",
] as const;

/**
 * One of {@link STORAGE_CONFORMANCE_TESTS}.
 *
 * @example
 * ```ts
 * const t: StorageConformanceTest = "usage: concurrent increments are never lost";
 * ```
 */
export type StorageConformanceTest = (typeof STORAGE_CONFORMANCE_TESTS)[number];

/**
 * Options of {@link runStorageConformance}.
 *
 * @example
 * ```ts
 * const o: StorageConformanceOptions<MemoryStorage> = {
 *   createStorage: () => createMemoryStorage(),
 *   inspect: (s) => toInspector(s.inspect()),
 * };
 * ```
 */
export interface StorageConformanceOptions<S extends Storage = Storage> {
  /** Creates a fresh, empty storage; called once per test. */
  createStorage: () => Awaitable<S>;
  /** Reads what the storage really persisted. */
  inspect: (storage: S) => StorageInspector;
  /**
   * Tests to skip, by name, each with the reason and where the behaviour is tested instead. An unknown name
   * throws, so a renamed test cannot be skipped silently.
   */
  skip?: Partial<Record<StorageConformanceTest, string>>;
  /** Title of the enclosing `describe`. @default "storage conformance" */
  name?: string;
  /** Number of due sends in the concurrency tests. @default 2000 */
  sends?: number;
  /** Number of concurrent claimers in the concurrency tests. @default 16 */
  claimers?: number;
  /** Timeout of each test in milliseconds. @default 30000 */
  timeoutMs?: number;
  /** Called after each test to release the storage. @default storage.close?.() */
  dispose?: (storage: S) => Awaitable<void>;
}

const T0 = Date.parse("2026-06-08T08:00:00.000Z");
const at = (offsetMs: number): Date => new Date(T0 + offsetMs);
const MONTH = "2026-06";

function send(structureId: string, key: string, over: Partial<PlannedSend> = {}): PlannedSend {
  return {
    key,
    structureId,
    accountId: "a1",
    kind: "reminder",
    channel: "sms",
    recipient: { type: "contact", id: "c1", address: "+33612345678" },
    sendAt: at(0),
    appointmentId: "r1",
    contactId: "c1",
    billing: "reminder",
    data: { slot: "first" },
    ...over,
  };
}

function many(structureId: string, n: number, spreadMs = 0): PlannedSend[] {
  return Array.from({ length: n }, (_, i) =>
    send(structureId, `k${String(i).padStart(6, "0")}`, {
      sendAt: at(spreadMs === 0 ? 0 : (i * spreadMs) % 60_000),
      appointmentId: `r${i}`,
      contactId: `c${i % 97}`,
      recipient: { type: "contact", id: `c${i % 97}`, address: `+336${String(10_000_000 + (i % 97)).slice(0, 8)}` },
    }),
  );
}

const ref = (c: ClaimedSend): LeaseRef => ({ structureId: c.send.structureId, key: c.send.key, token: c.token });

async function upsertAll(storage: Storage, structureId: string, sends: PlannedSend[]): Promise<void> {
  for (let i = 0; i < sends.length; i += 500) await storage.upsertPlanned(structureId, sends.slice(i, i + 500), at(-1));
}

/** A small deterministic PRNG, so failures reproduce. */
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

function shuffle<T>(items: T[], rnd: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A single call's answer in the shape of a batch item: value, or the error code it threw. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, code: (e as { code?: unknown }).code };
  }
}

/** A batch item in the same shape as {@link settle}. */
function item<T>(r: BatchItemResult<T>): { ok: true; value: T } | { ok: false; code: unknown } {
  return r.ok ? { ok: true, value: r.value } : { ok: false, code: r.error.code };
}

/** What two structures set up alike must agree on: the persisted send without tenant, token or tenant-made ids. */
async function comparable(inspect: StorageInspector, structureId: string, key: string) {
  const p = await inspect.send(structureId, key);
  if (p === null) return null;
  const { structureId: _s, leaseToken, providerMessageId, ...rest } = p;
  return {
    ...rest,
    leaseToken: leaseToken === null ? null : "held",
    providerMessageId: providerMessageId?.replace(`${structureId}-`, "") ?? null,
  };
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Cancels half of `n` due sends (one per appointment, shuffled) while `claimers` workers claim the rest and hand
 * them off through `handOff`, which records each send it hands to a transport in `handedOff` and completes every
 * claim. Checks that nothing `cancel` reported cancelled or stopped was handed off, that every send was handed off
 * at most once, and that every send ended `sent` or `cancelled`.
 */
async function cancelRace(
  storage: Storage,
  inspect: StorageInspector,
  options: {
    n: number;
    claimers: number;
    seed: number;
    limit: (rnd: () => number) => number;
    handOff: (claims: ClaimedSend[], now: Date, rnd: () => number, handedOff: Map<string, number>) => Promise<void>;
  },
): Promise<void> {
  const { n } = options;
  const plan = many("s1", n, 13);
  await upsertAll(storage, "s1", plan);
  const rnd = random(options.seed);
  const order = shuffle(
    plan.map((p) => p.appointmentId!),
    rnd,
  );
  const handedOff = new Map<string, number>();
  const cannotSend = new Set<string>();
  const tooLate = new Set<string>();
  const now = at(60_000);
  let cancelling = true;
  const canceller = (async () => {
    for (const appointmentId of order.slice(0, n / 2)) {
      const r = await storage.cancel("s1", { appointmentId }, now);
      for (const s of [...r.cancelled, ...r.stopped]) cannotSend.add(s.key);
      for (const s of r.tooLate) tooLate.add(s.key);
      if (rnd() < 0.3) await yieldNow();
    }
    cancelling = false;
  })();
  const workers = Array.from({ length: options.claimers }, async (_, w) => {
    for (;;) {
      const claims = await storage.claimDue({ now, limit: options.limit(rnd), leaseMs: 600_000, owner: `w${w}` });
      if (claims.length === 0) {
        if (!cancelling) return;
        await yieldNow();
        continue;
      }
      await options.handOff(claims, now, rnd, handedOff);
    }
  });
  await Promise.all([canceller, ...workers]);
  for (const key of cannotSend) expect(handedOff.has(key), `${key} was cancelled but handed off`).toBe(false);
  for (const key of tooLate) expect(handedOff.get(key)).toBe(1);
  expect([...handedOff.values()].every((v) => v === 1)).toBe(true);
  expect(handedOff.size + cannotSend.size).toBe(n);
  for (const p of plan.filter((_, i) => i % 50 === 0)) {
    const raw = await inspect.send("s1", p.key);
    expect(raw?.status).toBe(cannotSend.has(p.key) ? "cancelled" : "sent");
  }
}

/**
 * Registers the storage conformance suite (vitest `describe`/`it`) against an adapter: idempotent upsert,
 * claim exclusivity under concurrent claimers, lease expiry and fencing, cancel versus claim, superseding plans,
 * interrupted hand-offs, tenant isolation, listing, journal order, usage counters and quota reservation, opt-outs,
 * provider status folding, input validation, and the optional batched calls (`beginSendMany`, `completeMany`,
 * `smsOptedOutAmong`: item-by-item agreement with the single calls; skipped when the storage lacks them). Call it
 * at the top level of a test file.
 *
 * @example
 * ```ts
 * // my-storage.test.ts
 * import { runStorageConformance } from "@rappel/adapter-tests";
 * runStorageConformance({
 *   createStorage: () => createMyStorage({ url: process.env.TEST_DATABASE_URL }),
 *   inspect: (storage) => myInspector(storage),
 *   skip: {
 *     // Our backend has no sub-second leases; lease lapse is tested in test/leases.test.ts with real time.
 *     "lease: a lapsed lease is claimed again with a greater token": "see test/leases.test.ts",
 *   },
 * });
 * //=> 39 tests registered under "storage conformance"
 * ```
 */
export function runStorageConformance<S extends Storage>(options: StorageConformanceOptions<S>): void {
  const skip = options.skip ?? {};
  for (const name of Object.keys(skip))
    if (!(STORAGE_CONFORMANCE_TESTS as readonly string[]).includes(name))
      throw new TypeError(`runStorageConformance: unknown test to skip: "${name}"`);
  const N = options.sends ?? 2000;
  const CLAIMERS = options.claimers ?? 16;
  const timeout = options.timeoutMs ?? 30_000;
  const dispose = options.dispose ?? ((s: S) => s.close?.());

  const test = (
    name: StorageConformanceTest,
    body: (storage: S, inspector: StorageInspector, skipTest: (why: string) => void) => Promise<void>,
  ) => {
    const reason = skip[name];
    if (reason !== undefined) {
      it.skip(`${name} (skipped: ${reason})`, () => {});
      return;
    }
    it(
      name,
      async (ctx) => {
        const storage = await options.createStorage();
        try {
          await body(storage, options.inspect(storage), (why) => ctx.skip(why));
        } finally {
          await dispose(storage);
        }
      },
      timeout,
    );
  };

  describe(options.name ?? "storage conformance", () => {
    test("upsert: inserts new keys as planned with nextAttemptAt = sendAt", async (storage, inspect) => {
      const r = await storage.upsertPlanned("s1", [send("s1", "k1"), send("s1", "k2", { sendAt: at(5000) })], at(-1));
      expect(r).toMatchObject({ inserted: 2, updated: 0, unchanged: 0, locked: 0 });
      const k2 = await storage.getSend("s1", "k2");
      expect(k2).toMatchObject({ key: "k2", structureId: "s1", status: "planned", attempts: 0, lease: null });
      expect(k2?.nextAttemptAt.getTime()).toBe(at(5000).getTime());
      expect(k2?.data).toEqual({ slot: "first" });
      const raw = await inspect.send("s1", "k2");
      expect(raw).toMatchObject({ status: "planned", attempts: 0, leaseOwner: null, cancelRequested: false });
      expect(raw?.nextAttemptAt.getTime()).toBe(at(5000).getTime());
      expect(await inspect.sendCount("s1")).toBe(2);
    });

    test("upsert: the same plan twice changes nothing", async (storage, inspect) => {
      const plan = [send("s1", "k1"), send("s1", "k2", { data: { slot: "second", ids: ["r1", "r2"] } })];
      await storage.upsertPlanned("s1", plan, at(-10));
      const before = await storage.getSend("s1", "k2");
      const r = await storage.upsertPlanned("s1", structuredClone(plan), at(-5));
      expect(r).toMatchObject({ inserted: 0, updated: 0, revived: 0, unchanged: 2, superseded: 0, locked: 0 });
      expect(await storage.getSend("s1", "k2")).toEqual(before);
      expect(await inspect.sendCount("s1")).toBe(2);
    });

    test("upsert: changed content updates a pending send", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-10));
      const r = await storage.upsertPlanned(
        "s1",
        [send("s1", "k1", { sendAt: at(60_000), data: { slot: "first", moved: true } })],
        at(-5),
      );
      expect(r).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
      const raw = await inspect.send("s1", "k1");
      expect(raw?.status).toBe("planned");
      expect(raw?.nextAttemptAt.getTime()).toBe(at(60_000).getTime());
      expect(raw?.data).toEqual({ slot: "first", moved: true });
      // Not due at the old instant any more.
      expect(await storage.claimDue({ now: at(0), limit: 10, leaseMs: 1000, owner: "w" })).toEqual([]);
      expect(await storage.claimDue({ now: at(60_000), limit: 10, leaseMs: 1000, owner: "w" })).toHaveLength(1);
    });

    test("upsert: never resets a claimed, handed-off or final send", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1"), send("s1", "k2"), send("s1", "k3")], at(-10));
      const claims = await storage.claimDue({ now: at(0), limit: 3, leaseMs: 60_000, owner: "w" });
      const byKey = new Map(claims.map((c) => [c.send.key, c]));
      await storage.beginSend(ref(byKey.get("k2")!), at(1));
      await storage.beginSend(ref(byKey.get("k3")!), at(1));
      await storage.complete(ref(byKey.get("k3")!), { status: "sent", provider: "p", providerMessageId: "m3" }, at(2));
      // Same content: unchanged everywhere.
      const same = await storage.upsertPlanned("s1", [send("s1", "k1"), send("s1", "k2"), send("s1", "k3")], at(3));
      expect(same).toMatchObject({ unchanged: 3, locked: 0, updated: 0, inserted: 0 });
      // New content for the handed-off and the sent one: locked, nothing reset.
      const moved = { sendAt: at(3_600_000) };
      const r = await storage.upsertPlanned("s1", [send("s1", "k2", moved), send("s1", "k3", moved)], at(4));
      expect(r).toMatchObject({ locked: 2, updated: 0, inserted: 0, revived: 0 });
      expect([...r.lockedKeys].sort()).toEqual(["k2", "k3"]);
      expect(await inspect.send("s1", "k2")).toMatchObject({ status: "sending", leaseOwner: "w", handedOff: true });
      expect(await inspect.send("s1", "k3")).toMatchObject({ status: "sent", providerMessageId: "m3" });
      expect((await inspect.send("s1", "k3"))?.sendAt.getTime()).toBe(at(0).getTime());
      // Nothing was put back in the due index (the leases are still held).
      expect(await storage.claimDue({ now: at(59_999), limit: 10, leaseMs: 1000, owner: "w2" })).toHaveLength(0);
    });

    test("upsert: a cancelled send planned again is revived", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-10));
      expect((await storage.cancel("s1", { appointmentId: "r1" }, at(-9))).cancelled).toHaveLength(1);
      const r = await storage.upsertPlanned("s1", [send("s1", "k1", { sendAt: at(1000) })], at(-8));
      expect(r).toMatchObject({ revived: 1, inserted: 0, updated: 0 });
      const raw = await inspect.send("s1", "k1");
      expect(raw?.status).toBe("planned");
      expect(raw?.nextAttemptAt.getTime()).toBe(at(1000).getTime());
      const claims = await storage.claimDue({ now: at(1000), limit: 10, leaseMs: 1000, owner: "w" });
      expect(claims.map((c) => c.send.key)).toEqual(["k1"]);
    });

    test("upsert: rejects sends of another structure and stores nothing", async (storage, inspect) => {
      await expect(
        storage.upsertPlanned("s1", [send("s1", "k1"), send("s2", "k2"), send("s1", "", {})], at(0)),
      ).rejects.toMatchObject({ code: "invalid-input" });
      expect(await inspect.sendCount("s1")).toBe(0);
      expect(await inspect.sendCount("s2")).toBe(0);
    });

    test("upsert: concurrent upserts of one plan insert each key once", async (storage, inspect) => {
      const plan = many("s1", 200);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => storage.upsertPlanned("s1", structuredClone(plan), at(-1))),
      );
      expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(200);
      expect(results.reduce((n, r) => n + r.unchanged, 0)).toBe(600);
      expect(await inspect.sendCount("s1")).toBe(200);
    });

    test("getSend: null for unknown keys and for keys of another structure", async (storage) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(0));
      expect(await storage.getSend("s1", "nope")).toBeNull();
      expect(await storage.getSend("s2", "k1")).toBeNull();
      expect(await storage.getSend("unknown-structure", "k1")).toBeNull();
    });

    test("records are copies: mutating inputs or outputs changes nothing stored", async (storage, inspect) => {
      const input = send("s1", "k1", { data: { slot: "first", ids: ["r1"] } });
      await storage.upsertPlanned("s1", [input], at(-1));
      input.recipient.address = "+33699999999";
      (input.data as { ids: string[] }).ids.push("mutated");
      input.sendAt.setTime(0);
      const out = await storage.getSend("s1", "k1");
      out!.recipient.address = "+33688888888";
      out!.sendAt.setTime(0);
      (out!.data as { ids: string[] }).ids.push("mutated-too");
      const raw = await inspect.send("s1", "k1");
      expect(raw?.recipientAddress).toBe("+33612345678");
      expect(raw?.data).toEqual({ slot: "first", ids: ["r1"] });
      expect(raw?.sendAt.getTime()).toBe(at(0).getTime());
      const again = await storage.getSend("s1", "k1");
      expect(again?.recipient.address).toBe("+33612345678");
      expect(again?.data).toEqual({ slot: "first", ids: ["r1"] });
    });

    test("claimDue: only due pending sends, earliest first, with increasing tokens", async (storage, inspect) => {
      await storage.upsertPlanned(
        "s1",
        [
          send("s1", "late", { sendAt: at(3000) }),
          send("s1", "first", { sendAt: at(1000) }),
          send("s1", "second", { sendAt: at(2000) }),
          send("s1", "future", { sendAt: at(10_000) }),
          send("s1", "cancelled", { sendAt: at(0), appointmentId: "rx" }),
        ],
        at(-1),
      );
      await storage.cancel("s1", { appointmentId: "rx" }, at(-1));
      expect(await storage.claimDue({ now: at(500), limit: 10, leaseMs: 1000, owner: "w" })).toEqual([]);
      const a = await storage.claimDue({ now: at(3000), limit: 2, leaseMs: 5000, owner: "w" });
      expect(a.map((c) => c.send.key)).toEqual(["first", "second"]);
      const b = await storage.claimDue({ now: at(3000), limit: 10, leaseMs: 5000, owner: "w" });
      expect(b.map((c) => c.send.key)).toEqual(["late"]);
      const tokens = [...a, ...b].map((c) => c.token);
      expect(tokens[0]! < tokens[1]! && tokens[1]! < tokens[2]!).toBe(true);
      for (const c of [...a, ...b]) {
        expect(c.interrupted).toBe(false);
        expect(c.send.status).toBe("sending");
        expect(c.send.lease).toEqual({ owner: "w", token: c.token, expiresAt: at(8000) });
        expect(c.leaseExpiresAt.getTime()).toBe(at(8000).getTime());
        expect(await inspect.send("s1", c.send.key)).toMatchObject({
          status: "sending",
          leaseOwner: "w",
          leaseToken: c.token,
        });
      }
      expect((await inspect.send("s1", "future"))?.status).toBe("planned");
      expect((await inspect.send("s1", "cancelled"))?.status).toBe("cancelled");
    });

    test("claimDue: concurrent claimers each get a due send exactly once", async (storage, inspect) => {
      const plan = [...many("s1", N / 2, 7), ...many("s2", N / 2, 11)];
      await upsertAll(storage, "s1", plan.slice(0, N / 2));
      await upsertAll(storage, "s2", plan.slice(N / 2));
      const claimedBy = new Map<string, number>();
      const tokens = new Set<number>();
      const now = at(60_000);
      await Promise.all(
        Array.from({ length: CLAIMERS }, async (_, w) => {
          for (;;) {
            const claims = await storage.claimDue({ now, limit: 1 + (w % 7) * 4, leaseMs: 600_000, owner: `w${w}` });
            if (claims.length === 0) return;
            for (const c of claims) {
              const id = `${c.send.structureId}/${c.send.key}`;
              claimedBy.set(id, (claimedBy.get(id) ?? 0) + 1);
              tokens.add(c.token);
              expect((await storage.beginSend(ref(c), now)).ok).toBe(true);
              await storage.complete(ref(c), { status: "sent", provider: "p", providerMessageId: `${id}` }, now);
            }
          }
        }),
      );
      expect(claimedBy.size).toBe(N);
      expect([...claimedBy.values()].every((n) => n === 1)).toBe(true);
      expect(tokens.size).toBe(N);
      for (const p of plan.filter((_, i) => i % 97 === 0))
        expect(await inspect.send(p.structureId, p.key)).toMatchObject({ status: "sent", attempts: 1 });
      expect(await storage.claimDue({ now: at(10_000_000), limit: 100, leaseMs: 1000, owner: "w" })).toEqual([]);
    });

    test("lease: a lapsed lease is claimed again with a greater token", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      const [first] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 1000, owner: "w1" });
      expect(await storage.claimDue({ now: at(999), limit: 1, leaseMs: 1000, owner: "w2" })).toEqual([]);
      const [second] = await storage.claimDue({ now: at(1000), limit: 1, leaseMs: 1000, owner: "w2" });
      expect(second?.send.key).toBe("k1");
      expect(second!.token).toBeGreaterThan(first!.token);
      expect(second!.interrupted).toBe(false);
      expect(await inspect.send("s1", "k1")).toMatchObject({ leaseOwner: "w2", leaseToken: second!.token });
      expect((await inspect.send("s1", "k1"))?.leaseExpiresAt?.getTime()).toBe(at(2000).getTime());
    });

    test("fencing: a stale token cannot renew, begin, complete or reschedule", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      const [stale] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 1000, owner: "w1" });
      const [fresh] = await storage.claimDue({ now: at(1500), limit: 1, leaseMs: 10_000, owner: "w2" });
      const lost = { code: "lease-lost" };
      const t = at(1600);
      await expect(storage.renewLease(ref(stale!), 10_000, t)).rejects.toMatchObject(lost);
      await expect(storage.beginSend(ref(stale!), t)).rejects.toMatchObject(lost);
      await expect(storage.complete(ref(stale!), { status: "sent", provider: "p" }, t)).rejects.toMatchObject(lost);
      await expect(storage.complete(ref(stale!), { status: "failed", failureCode: "x" }, t)).rejects.toMatchObject(
        lost,
      );
      await expect(storage.reschedule(ref(stale!), { nextAttemptAt: at(5000) }, t)).rejects.toMatchObject(lost);
      await expect(storage.renewLease({ ...ref(fresh!), token: fresh!.token + 1000 }, 1000, t)).rejects.toMatchObject(
        lost,
      );
      await expect(storage.renewLease({ ...ref(fresh!), structureId: "s2" }, 1000, t)).rejects.toMatchObject(lost);
      expect(await inspect.send("s1", "k1")).toMatchObject({
        status: "sending",
        leaseOwner: "w2",
        leaseToken: fresh!.token,
        attempts: 0,
        handedOff: false,
      });
      // The current holder still can.
      expect((await storage.beginSend(ref(fresh!), t)).ok).toBe(true);
      const done = await storage.complete(ref(fresh!), { status: "sent", provider: "p", providerMessageId: "m1" }, t);
      expect(done.status).toBe("sent");
      expect(await storage.getSend("s1", "k1")).toMatchObject({ lease: null, attempts: 1, providerMessageId: "m1" });
      // And once completed, its own token is stale too.
      await expect(storage.complete(ref(fresh!), { status: "sent", provider: "p" }, t)).rejects.toMatchObject(lost);
    });

    test("renewLease: extends the lease; a lapsed lease cannot be renewed", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1"), send("s1", "k2")], at(-1));
      const [c1, c2] = await storage.claimDue({ now: at(0), limit: 2, leaseMs: 1000, owner: "w" });
      const until = await storage.renewLease(ref(c1!), 5000, at(900));
      expect(until.getTime()).toBe(at(5900).getTime());
      expect((await inspect.send("s1", c1!.send.key))?.leaseExpiresAt?.getTime()).toBe(at(5900).getTime());
      // Not claimable before the renewed expiry, claimable after.
      expect(
        (await storage.claimDue({ now: at(1000), limit: 5, leaseMs: 1000, owner: "x" })).map((c) => c.send.key),
      ).toEqual([c2!.send.key]);
      await expect(storage.renewLease(ref(c2!), 5000, at(1000))).rejects.toMatchObject({ code: "lease-lost" });
      // Lapsed but not re-claimed yet: still lost.
      await expect(storage.renewLease(ref(c1!), 5000, at(5900))).rejects.toMatchObject({ code: "lease-lost" });
    });

    test("reschedule: back to planned at the given instant, attempts kept", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      const [c] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 10_000, owner: "w" });
      expect(await storage.beginSend(ref(c!), at(1))).toEqual({ ok: true, attempts: 1 });
      const r = await storage.reschedule(
        ref(c!),
        { nextAttemptAt: at(30_000), failureCode: "transport-transient", failureReason: "HTTP 503" },
        at(2),
      );
      expect(r).toEqual({ status: "planned", nextAttemptAt: at(30_000) });
      expect(await storage.getSend("s1", "k1")).toMatchObject({
        status: "planned",
        attempts: 1,
        lease: null,
        failureCode: "transport-transient",
      });
      const raw = await inspect.send("s1", "k1");
      expect(raw).toMatchObject({ status: "planned", attempts: 1, leaseOwner: null, handedOff: false });
      expect(raw?.nextAttemptAt.getTime()).toBe(at(30_000).getTime());
      expect(await storage.claimDue({ now: at(29_999), limit: 1, leaseMs: 1000, owner: "w" })).toEqual([]);
      const [again] = await storage.claimDue({ now: at(30_000), limit: 1, leaseMs: 1000, owner: "w" });
      expect(again!.token).toBeGreaterThan(c!.token);
      expect(await storage.beginSend(ref(again!), at(30_001))).toEqual({ ok: true, attempts: 2 });
    });

    test("complete: records the outcome and releases the lease", async (storage, inspect) => {
      const keys = ["sent", "failed", "unknown", "missed", "skipped"];
      await storage.upsertPlanned(
        "s1",
        keys.map((k) => send("s1", k)),
        at(-1),
      );
      const claims = await storage.claimDue({ now: at(0), limit: 10, leaseMs: 10_000, owner: "w" });
      const by = new Map(claims.map((c) => [c.send.key, ref(c)]));
      const sent = await storage.complete(
        by.get("sent")!,
        { status: "sent", provider: "twilio", providerMessageId: "SM1" },
        at(5),
      );
      expect(sent).toMatchObject({ status: "sent", providerStatus: "sent" });
      const sentRecord = await storage.getSend("s1", "sent");
      expect(sentRecord).toMatchObject({ provider: "twilio", providerMessageId: "SM1", lease: null });
      expect(sentRecord?.completedAt?.getTime()).toBe(at(5).getTime());
      expect(
        await storage.complete(
          by.get("failed")!,
          { status: "failed", failureCode: "21211", failureReason: "invalid number" },
          at(5),
        ),
      ).toMatchObject({ status: "failed" });
      expect(await storage.getSend("s1", "failed")).toMatchObject({
        failureCode: "21211",
        failureReason: "invalid number",
      });
      expect(await storage.complete(by.get("unknown")!, { status: "unknown", provider: "smtp" }, at(5))).toMatchObject({
        status: "unknown",
      });
      expect(await storage.complete(by.get("missed")!, { status: "missed" }, at(5))).toMatchObject({
        status: "missed",
      });
      expect(
        await storage.complete(by.get("skipped")!, { status: "skipped", skipReason: "opted-out" }, at(5)),
      ).toMatchObject({ status: "skipped" });
      expect((await storage.getSend("s1", "skipped"))?.skipReason).toBe("opted-out");
      for (const k of keys)
        expect(await inspect.send("s1", k)).toMatchObject({ status: k, leaseOwner: null, leaseExpiresAt: null });
      expect(await inspect.send("s1", "sent")).toMatchObject({ providerMessageId: "SM1" });
      expect(await storage.claimDue({ now: at(1_000_000), limit: 10, leaseMs: 1000, owner: "w" })).toEqual([]);
    });

    test("cancel before claim wins: a cancelled send is never claimed", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1"), send("s1", "k2", { appointmentId: "r2" })], at(-1));
      const r = await storage.cancel("s1", { appointmentId: "r1" }, at(0));
      expect(r.cancelled.map((s) => s.key)).toEqual(["k1"]);
      expect(r.cancelled[0]?.status).toBe("cancelled");
      expect(r.stopped).toEqual([]);
      expect(r.tooLate).toEqual([]);
      const claims = await storage.claimDue({ now: at(0), limit: 10, leaseMs: 1000, owner: "w" });
      expect(claims.map((c) => c.send.key)).toEqual(["k2"]);
      expect((await inspect.send("s1", "k1"))?.status).toBe("cancelled");
      // Cancelling again matches nothing pending.
      expect((await storage.cancel("s1", { appointmentId: "r1" }, at(1))).cancelled).toEqual([]);
    });

    test("cancel after claim stops the send before hand-off", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      const [c] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 10_000, owner: "w" });
      const r = await storage.cancel("s1", { keys: ["k1"] }, at(1));
      expect(r.cancelled).toEqual([]);
      expect(r.stopped.map((s) => s.key)).toEqual(["k1"]);
      expect(r.stopped[0]?.cancelRequested).toBe(true);
      expect(await inspect.send("s1", "k1")).toMatchObject({ status: "sending", cancelRequested: true });
      expect(await storage.beginSend(ref(c!), at(2))).toEqual({ ok: false, reason: "cancel-requested" });
      expect((await inspect.send("s1", "k1"))?.attempts).toBe(0);
      const done = await storage.complete(ref(c!), { status: "cancelled" }, at(3));
      expect(done.status).toBe("cancelled");
      expect(await storage.getSend("s1", "k1")).toMatchObject({ status: "cancelled", lease: null, attempts: 0 });
      expect(await inspect.send("s1", "k1")).toMatchObject({ status: "cancelled", leaseOwner: null });
      // A lapsed claim whose cancel was requested is resolved by claimDue, never handed out again.
      await storage.upsertPlanned("s1", [send("s1", "k2")], at(10));
      const [c2] = await storage.claimDue({ now: at(10), limit: 1, leaseMs: 1000, owner: "w" });
      await storage.cancel("s1", { keys: ["k2"] }, at(11));
      expect(await storage.claimDue({ now: at(5000), limit: 10, leaseMs: 1000, owner: "w2" })).toEqual([]);
      expect((await inspect.send("s1", "k2"))?.status).toBe("cancelled");
      await expect(storage.beginSend(ref(c2!), at(5001))).rejects.toMatchObject({ code: "lease-lost" });
    });

    test("cancel after hand-off reports the send too late", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      const [c] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 10_000, owner: "w" });
      expect((await storage.beginSend(ref(c!), at(1))).ok).toBe(true);
      const r = await storage.cancel("s1", { contactId: "c1", channels: ["sms"] }, at(2));
      expect(r.tooLate.map((s) => s.key)).toEqual(["k1"]);
      expect(r.cancelled).toEqual([]);
      expect(r.stopped).toEqual([]);
      expect(await inspect.send("s1", "k1")).toMatchObject({ status: "sending", cancelRequested: false });
      expect(await storage.complete(ref(c!), { status: "sent", provider: "p" }, at(3))).toMatchObject({
        status: "sent",
      });
    });

    test("cancel versus claim race: nothing cancelled or stopped is handed off", async (storage, inspect) => {
      await cancelRace(storage, inspect, {
        n: Math.min(N, 1000),
        claimers: CLAIMERS,
        seed: 42,
        limit: () => 3,
        handOff: async (claims, now, rnd, handedOff) => {
          for (const c of claims) {
            if (rnd() < 0.5) await yieldNow();
            const begin = await storage.beginSend(ref(c), now);
            if (!begin.ok) {
              await storage.complete(ref(c), { status: "cancelled" }, now);
              continue;
            }
            handedOff.set(c.send.key, (handedOff.get(c.send.key) ?? 0) + 1);
            if (rnd() < 0.5) await yieldNow();
            await storage.complete(ref(c), { status: "sent", provider: "p" }, now);
          }
        },
      });
    });

    test("cancel: matches by keys, appointment, kinds, channels and contact", async (storage) => {
      await storage.upsertPlanned(
        "s1",
        [
          send("s1", "r1-rem-sms"),
          send("s1", "r1-rem-email", { channel: "email" }),
          send("s1", "r1-conf-sms", { kind: "confirmation" }),
          send("s1", "r2-rem-sms", { appointmentId: "r2", contactId: "c2" }),
          send("s1", "r3-rem-sms", { appointmentId: "r3" }),
          send("s1", "survey", { kind: "survey", channel: "email", appointmentId: "r4", contactId: "c2" }),
        ],
        at(-1),
      );
      const keys = (r: { cancelled: { key: string }[] }) => r.cancelled.map((s) => s.key).sort();
      expect(keys(await storage.cancel("s1", { appointmentId: "r1", kinds: ["confirmation"] }, at(0)))).toEqual([
        "r1-conf-sms",
      ]);
      expect(keys(await storage.cancel("s1", { appointmentId: "r1", channels: ["email"] }, at(0)))).toEqual([
        "r1-rem-email",
      ]);
      expect(keys(await storage.cancel("s1", { contactId: "c2", channels: ["sms"] }, at(0)))).toEqual(["r2-rem-sms"]);
      expect(keys(await storage.cancel("s1", { keys: ["r3-rem-sms", "missing"] }, at(0)))).toEqual(["r3-rem-sms"]);
      expect(keys(await storage.cancel("s2", { appointmentId: "r1" }, at(0)))).toEqual([]);
      expect(keys(await storage.cancel("s1", { appointmentId: "r1" }, at(0)))).toEqual(["r1-rem-sms"]);
      const left = await storage.listSends("s1", { status: "planned" });
      expect(left.map((s) => s.key)).toEqual(["survey"]);
    });

    test("upsert on a claimed send: newer content supersedes it and applies on release", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1"), send("s1", "k2")], at(-1));
      const claims = await storage.claimDue({ now: at(0), limit: 2, leaseMs: 10_000, owner: "w" });
      const by = new Map(claims.map((c) => [c.send.key, c]));
      const moved = (k: string) => send("s1", k, { sendAt: at(3_600_000), data: { slot: "first", moved: true } });
      // Moved while claimed: superseded, the worker is told not to send the stale content.
      const r = await storage.upsertPlanned("s1", [moved("k1"), moved("k2")], at(1));
      expect(r).toMatchObject({ superseded: 2, updated: 0, locked: 0 });
      expect(await inspect.send("s1", "k1")).toMatchObject({ status: "sending", cancelRequested: true });
      expect(await storage.beginSend(ref(by.get("k1")!), at(2))).toEqual({ ok: false, reason: "cancel-requested" });
      const released = await storage.complete(ref(by.get("k1")!), { status: "cancelled" }, at(3));
      expect(released).toEqual({ status: "planned", nextAttemptAt: at(3_600_000) });
      expect(await storage.getSend("s1", "k1")).toMatchObject({ data: { slot: "first", moved: true }, lease: null });
      // A transient failure releases k2: the newer content applies as well.
      expect(await storage.reschedule(ref(by.get("k2")!), { nextAttemptAt: at(60_000) }, at(3))).toEqual({
        status: "planned",
        nextAttemptAt: at(3_600_000),
      });
      expect((await storage.getSend("s1", "k2"))?.data).toEqual({ slot: "first", moved: true });
      expect(await storage.claimDue({ now: at(60_000), limit: 10, leaseMs: 1000, owner: "w" })).toEqual([]);
      const again = await storage.claimDue({ now: at(3_600_000), limit: 10, leaseMs: 1000, owner: "w" });
      expect(again.map((c) => c.send.key).sort()).toEqual(["k1", "k2"]);
      expect(again.every((c) => (c.send.data as { moved?: boolean }).moved === true)).toBe(true);
      // Cancel then re-plan with the claimed content: the cancel is undone.
      const c = again[0]!;
      await storage.cancel("s1", { keys: [c.send.key] }, at(3_600_001));
      const back = await storage.upsertPlanned("s1", [moved(c.send.key)], at(3_600_002));
      expect(back).toMatchObject({ unchanged: 1 });
      expect((await storage.beginSend(ref(c), at(3_600_003))).ok).toBe(true);
    });

    test("interrupted: a send handed off by a lapsed holder is claimed as interrupted", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      const [c] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 1000, owner: "crashed" });
      await storage.beginSend(ref(c!), at(1));
      // The worker dies; its lease lapses.
      const [again] = await storage.claimDue({ now: at(1000), limit: 1, leaseMs: 1000, owner: "w2" });
      expect(again).toMatchObject({ interrupted: true });
      expect(again!.send.handedOffAt).not.toBeNull();
      expect(await inspect.send("s1", "k1")).toMatchObject({ leaseOwner: "w2", attempts: 1 });
      const done = await storage.complete(
        ref(again!),
        { status: "unknown", failureCode: "transport-unknown" },
        at(1001),
      );
      expect(done.status).toBe("unknown");
      expect((await storage.getSend("s1", "k1"))?.attempts).toBe(1);
    });

    test("tenant isolation: shared ids and phone numbers across structures", async (storage, inspect) => {
      const phone = "+33612345678";
      const shared = (s: string) => [send(s, "k1", { data: { who: s } }), send(s, "k2", { data: { who: s } })];
      await storage.upsertPlanned("s1", shared("s1"), at(-1));
      await storage.upsertPlanned("s2", shared("s2"), at(-1));
      expect((await storage.getSend("s2", "k1"))?.data).toEqual({ who: "s2" });
      expect((await storage.listSends("s1")).every((s) => s.structureId === "s1" && s.data.who === "s1")).toBe(true);
      expect(await storage.listSends("s1", { address: phone })).toHaveLength(2);
      // Cancelling in s1 leaves s2 alone.
      expect((await storage.cancel("s1", { appointmentId: "r1" }, at(0))).cancelled).toHaveLength(2);
      expect((await inspect.send("s2", "k1"))?.status).toBe("planned");
      // Claims report their structure; s1's are cancelled so only s2's come out.
      const claims = await storage.claimDue({ now: at(0), limit: 10, leaseMs: 10_000, owner: "w" });
      expect(claims.map((c) => `${c.send.structureId}/${c.send.key}`).sort()).toEqual(["s2/k1", "s2/k2"]);
      // A lease of s2 cannot be used through s1.
      await expect(storage.beginSend({ ...ref(claims[0]!), structureId: "s1" }, at(1))).rejects.toMatchObject({
        code: "lease-lost",
      });
      // Journal, usage and opt-outs are per structure too.
      await storage.appendJournal("s1", [
        { structureId: "s1", contactId: "c1", at: at(0), event: "planned", key: "k1" },
      ]);
      expect(await storage.readJournal("s2", "c1")).toEqual([]);
      expect(await inspect.journal("s2", "c1")).toEqual([]);
      await storage.addUsage("s1", "a1", MONTH, { reminderSmsCredits: 5 });
      expect((await storage.getUsage("s2", "a1", MONTH)).reminderSmsCredits).toBe(0);
      expect(await inspect.usage("s2", "a1", MONTH)).toBeNull();
      await storage.setSmsOptOut("s1", phone, true, at(0));
      expect(await storage.isSmsOptedOut("s1", phone)).toBe(true);
      expect(await storage.isSmsOptedOut("s2", phone)).toBe(false);
      expect(await inspect.smsOptOut("s2", phone)).toBeNull();
      // Upserting into s2 with s1's sends is refused.
      await expect(storage.upsertPlanned("s2", [send("s1", "k9")], at(0))).rejects.toMatchObject({
        code: "invalid-input",
      });
      await expect(
        storage.appendJournal("s2", [{ structureId: "s1", contactId: "c1", at: at(0), event: "sent" }]),
      ).rejects.toMatchObject({ code: "invalid-input" });
    });

    test("listSends: filters, key order and pagination", async (storage) => {
      await storage.upsertPlanned(
        "s1",
        [
          send("s1", "b", { channel: "email", recipient: { type: "contact", id: "c1", address: "p@example.org" } }),
          send("s1", "a"),
          send("s1", "d", { appointmentId: "r2", accountId: "a2" }),
          send("s1", "c", { kind: "confirmation", contactId: "c2" }),
        ],
        at(-1),
      );
      const keys = async (f: Parameters<Storage["listSends"]>[1]) =>
        (await storage.listSends("s1", f)).map((s) => s.key);
      expect(await keys({})).toEqual(["a", "b", "c", "d"]);
      expect(await keys({ appointmentId: "r1" })).toEqual(["a", "b", "c"]);
      expect(await keys({ accountId: "a2" })).toEqual(["d"]);
      expect(await keys({ contactId: "c2" })).toEqual(["c"]);
      expect(await keys({ channel: "email" })).toEqual(["b"]);
      expect(await keys({ kind: "confirmation" })).toEqual(["c"]);
      expect(await keys({ address: "p@example.org" })).toEqual(["b"]);
      expect(await keys({ limit: 2 })).toEqual(["a", "b"]);
      expect(await keys({ limit: 2, after: "b" })).toEqual(["c", "d"]);
      await storage.cancel("s1", { keys: ["c"] }, at(0));
      expect(await keys({ status: "cancelled" })).toEqual(["c"]);
      expect(await keys({ status: ["planned", "cancelled"], after: "a" })).toEqual(["b", "c", "d"]);
      expect(await storage.listSends("s2")).toEqual([]);
    });

    test("journal: append order per contact, pagination and isolation", async (storage, inspect) => {
      const events = ["planned", "sending", "sent", "delivered"] as const;
      const appended: { seq: number }[] = [];
      for (const [i, event] of events.entries())
        appended.push(
          ...(await storage.appendJournal("s1", [
            { structureId: "s1", contactId: "c1", at: at(-i), event, key: "k1", channel: "sms", kind: "reminder" },
            { structureId: "s1", contactId: "c2", at: at(i), event, key: "k2", data: { n: i } },
          ])),
        );
      const seqs = appended.map((e) => e.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(seqs.length);
      const c1 = await storage.readJournal("s1", "c1");
      expect(c1.map((e) => e.event)).toEqual([...events]);
      expect(c1.every((e) => e.key === "k1" && e.structureId === "s1")).toBe(true);
      expect(c1[3]?.at.getTime()).toBe(at(-3).getTime());
      expect((await storage.readJournal("s1", "c2"))[2]?.data).toEqual({ n: 2 });
      const page1 = await storage.readJournal("s1", "c1", { limit: 2 });
      const page2 = await storage.readJournal("s1", "c1", { limit: 2, after: page1[1]!.seq });
      expect([...page1, ...page2].map((e) => e.event)).toEqual([...events]);
      expect(await storage.readJournal("s1", "nobody")).toEqual([]);
      const raw = await inspect.journal("s1", "c1");
      expect(raw.map((e) => e.event)).toEqual([...events]);
      expect(raw.map((e) => e.seq)).toEqual(c1.map((e) => e.seq));
      // Concurrent appends keep each batch's order and never lose an entry.
      await Promise.all(
        Array.from({ length: 8 }, (_, w) =>
          storage.appendJournal(
            "s1",
            Array.from({ length: 10 }, (_, i) => ({
              structureId: "s1",
              contactId: "c3",
              at: at(0),
              event: "sent" as const,
              key: `w${w}-${i}`,
            })),
          ),
        ),
      );
      const c3 = await storage.readJournal("s1", "c3");
      expect(c3).toHaveLength(80);
      for (let w = 0; w < 8; w++) {
        const mine = c3.filter((e) => e.key?.startsWith(`w${w}-`)).map((e) => e.key);
        expect(mine).toEqual(Array.from({ length: 10 }, (_, i) => `w${w}-${i}`));
      }
    });

    test("usage: concurrent increments are never lost", async (storage, inspect) => {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          storage.addUsage(
            "s1",
            "a1",
            MONTH,
            i % 2 === 0 ? { reminderSmsCredits: 2 } : { emails: 1, customSmsCredits: 3 },
          ),
        ),
      );
      const u = await storage.getUsage("s1", "a1", MONTH);
      expect(u).toEqual({
        reminderSmsCredits: 200,
        customSmsCredits: 300,
        otherSmsCredits: 0,
        emails: 100,
        faxes: 0,
        messages: 0,
      });
      expect(await inspect.usage("s1", "a1", MONTH)).toEqual(u);
      expect(await storage.getUsage("s1", "a1", "2026-07")).toEqual({
        reminderSmsCredits: 0,
        customSmsCredits: 0,
        otherSmsCredits: 0,
        emails: 0,
        faxes: 0,
        messages: 0,
      });
      expect((await storage.getUsage("s1", "a2", MONTH)).reminderSmsCredits).toBe(0);
    });

    test("usage: max is an atomic quota reservation", async (storage, inspect) => {
      const results = await Promise.all(
        Array.from({ length: 150 }, () =>
          storage.addUsage("s1", "a1", MONTH, { reminderSmsCredits: 2 }, { max: { reminderSmsCredits: 200 } }),
        ),
      );
      expect(results.filter((r) => r.applied)).toHaveLength(100);
      expect(results.filter((r) => !r.applied).every((r) => r.counters.reminderSmsCredits === 200)).toBe(true);
      expect((await inspect.usage("s1", "a1", MONTH))?.reminderSmsCredits).toBe(200);
      await expect(storage.addUsage("s1", "a1", MONTH, { emails: -1 })).rejects.toMatchObject({
        code: "invalid-input",
      });
      await expect(storage.addUsage("s1", "a1", "2026-13", { emails: 1 })).rejects.toMatchObject({
        code: "invalid-input",
      });
      await expect(storage.addUsage("s1", "a1", MONTH, { emails: 1.5 })).rejects.toMatchObject({
        code: "invalid-input",
      });
    });

    test("opt-outs: latest instant wins, per structure", async (storage, inspect) => {
      const phone = "+41791234567";
      expect(await storage.isSmsOptedOut("s1", phone)).toBe(false);
      expect(await storage.setSmsOptOut("s1", phone, true, at(10))).toEqual({ optedOut: true, at: at(10) });
      // An older START processed late does not undo the STOP.
      expect(await storage.setSmsOptOut("s1", phone, false, at(5))).toEqual({ optedOut: true, at: at(10) });
      expect(await storage.isSmsOptedOut("s1", phone)).toBe(true);
      expect(await inspect.smsOptOut("s1", phone)).toBe(true);
      await storage.setSmsOptOut("s1", phone, false, at(20));
      expect(await storage.isSmsOptedOut("s1", phone)).toBe(false);
      expect(await inspect.smsOptOut("s1", phone)).toBe(false);
      await expect(storage.setSmsOptOut("s1", "0612345678", true, at(0))).rejects.toMatchObject({
        code: "invalid-input",
      });
    });

    test("provider status: duplicated and shuffled callbacks end in the furthest state", async (storage, inspect) => {
      const n = 40;
      await storage.upsertPlanned("s1", many("s1", n), at(-1));
      const claims = await storage.claimDue({ now: at(0), limit: n, leaseMs: 10_000, owner: "w" });
      expect(claims).toHaveLength(n);
      const final = new Map<string, ProviderStatus>();
      const updates: ProviderStatusUpdate[] = [];
      for (const [i, c] of claims.entries()) {
        await storage.beginSend(ref(c), at(1));
        await storage.complete(ref(c), { status: "sent", provider: "twilio", providerMessageId: `SM${i}` }, at(2));
        const chain: ProviderStatus[] =
          i % 3 === 0
            ? ["queued", "sent", "delivered"]
            : i % 3 === 1
              ? ["queued", "sent", "undelivered"]
              : ["queued", "sent"];
        final.set(`SM${i}`, chain[chain.length - 1]!);
        for (const [j, status] of chain.entries())
          for (let d = 0; d < 3; d++)
            updates.push({
              provider: "twilio",
              providerMessageId: `SM${i}`,
              status,
              at: at(10 + j),
              errorCode: "30005",
            });
      }
      const rnd = random(7);
      await Promise.all(shuffle(updates, rnd).map((u) => storage.recordProviderStatus(u)));
      for (const [i, c] of claims.entries()) {
        const expected = final.get(`SM${i}`)!;
        const stored = await storage.getSend("s1", c.send.key);
        expect(stored?.providerStatus).toBe(expected);
        expect(stored?.status).toBe(
          expected === "delivered" ? "delivered" : expected === "undelivered" ? "failed" : "sent",
        );
        expect((await inspect.send("s1", c.send.key))?.providerStatus).toBe(expected);
      }
      // Terminal is never overwritten; duplicates report no change; results carry the structure.
      const r = await storage.recordProviderStatus({
        provider: "twilio",
        providerMessageId: "SM0",
        status: "sent",
        at: at(100),
      });
      expect(r).toMatchObject({ structureId: "s1", status: "delivered", providerStatus: "delivered", changed: false });
      const again = await storage.recordProviderStatus({
        provider: "twilio",
        providerMessageId: "SM0",
        status: "failed",
        at: at(101),
      });
      expect(again).toMatchObject({ status: "delivered", changed: false });
      expect(
        await storage.recordProviderStatus({ provider: "other", providerMessageId: "SM0", status: "sent", at: at(1) }),
      ).toBeNull();
    });

    test("provider status: a callback before complete is folded in", async (storage, inspect) => {
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      const [c] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 10_000, owner: "w" });
      await storage.beginSend(ref(c!), at(1));
      // The provider calls back before the transport call returned.
      expect(
        await storage.recordProviderStatus({
          provider: "twilio",
          providerMessageId: "SM9",
          status: "delivered",
          at: at(2),
        }),
      ).toBeNull();
      const done = await storage.complete(
        ref(c!),
        { status: "sent", provider: "twilio", providerMessageId: "SM9" },
        at(3),
      );
      expect(done).toMatchObject({ status: "delivered", providerStatus: "delivered" });
      expect(await inspect.send("s1", "k1")).toMatchObject({ status: "delivered", providerStatus: "delivered" });
    });

    test("inbox: idempotent by key, oldest first, per recipient, with read status", async (storage, _i, skipTest) => {
      // The inbox is optional: a storage without it cannot serve the in-app channel, and says so by lacking it.
      if (!storage.appendInbox || !storage.readInbox || !storage.markInboxRead) return skipTest("no inbox");
      const m = (key: string, recipientId: string, offset: number) => ({
        idempotencyKey: key,
        recipientId,
        accountId: "a1",
        subject: `S ${key}`,
        text: `T ${key}`,
        at: at(offset),
      });
      const first = await storage.appendInbox("s1", m("k1", "a1", 0));
      const again = await storage.appendInbox("s1", { ...m("k1", "a1", 5), subject: "changed" });
      expect(again).toEqual(first);
      await Promise.all([storage.appendInbox("s1", m("k2", "a1", 1)), storage.appendInbox("s1", m("k2", "a1", 1))]);
      await storage.appendInbox("s1", m("k3", "u9", 2));
      await storage.appendInbox("s1", m("k4", "a1", 3));
      const box = await storage.readInbox("s1", "a1");
      expect(box.map((x) => x.idempotencyKey)).toEqual(["k1", "k2", "k4"]);
      expect(box[0]).toMatchObject({
        structureId: "s1",
        recipientId: "a1",
        subject: "S k1",
        text: "T k1",
        read: false,
      });
      expect(box[0]!.at.getTime()).toBe(at(0).getTime());
      expect(new Set(box.map((x) => x.id)).size).toBe(3);
      expect(box[0]!.id).toBeLessThan(box[2]!.id);
      expect(await storage.readInbox("s1", "nobody")).toEqual([]);
      expect(await storage.markInboxRead("s1", "a1", [box[0]!.id, box[0]!.id], true)).toBe(1);
      expect(await storage.markInboxRead("s1", "a1", [box[0]!.id], true)).toBe(0);
      expect((await storage.readInbox("s1", "a1", { unreadOnly: true })).map((x) => x.idempotencyKey)).toEqual([
        "k2",
        "k4",
      ]);
      expect(
        (await storage.readInbox("s1", "a1", { after: box[0]!.id, limit: 1 })).map((x) => x.idempotencyKey),
      ).toEqual(["k2"]);
      const copy = (await storage.readInbox("s1", "a1"))[0]!;
      copy.subject = "mutated";
      expect((await storage.readInbox("s1", "a1"))[0]!.subject).toBe("S k1");
    });

    test("inbox: tenant isolation", async (storage, _i, skipTest) => {
      if (!storage.appendInbox || !storage.readInbox || !storage.markInboxRead) return skipTest("no inbox");
      const base = { recipientId: "a1", accountId: "a1", subject: "x", text: "y", at: at(0) };
      const s1 = await storage.appendInbox("s1", { ...base, idempotencyKey: "k" });
      const s2 = await storage.appendInbox("s2", { ...base, idempotencyKey: "k", subject: "other" });
      expect(s2.subject).toBe("other");
      expect((await storage.readInbox("s1", "a1")).map((x) => x.subject)).toEqual(["x"]);
      expect((await storage.readInbox("s2", "a1")).map((x) => x.subject)).toEqual(["other"]);
      expect(await storage.markInboxRead("s2", "a1", [s1.id], true)).toBe(s1.id === s2.id ? 1 : 0);
      expect((await storage.readInbox("s1", "a1"))[0]!.read).toBe(false);
      await expect(storage.appendInbox("s1", { ...base, idempotencyKey: "" })).rejects.toMatchObject({
        code: "invalid-input",
      });
    });

    test("batch: beginSendMany agrees item by item with beginSend", async (storage, inspect, skipTest) => {
      if (!storage.beginSendMany) return skipTest("no beginSendMany");
      // Two structures set up alike: s1 goes through beginSend, s2 through one beginSendMany.
      const keys = ["lapsed", "ok", "stopped", "superseded", "ok2"];
      for (const sid of ["s1", "s2"]) {
        await storage.upsertPlanned(
          sid,
          keys.map((k, i) => send(sid, k, { sendAt: at(k === "lapsed" ? -100 : i - 10), appointmentId: `r-${k}` })),
          at(-1000),
        );
      }
      const lapsed = await storage.claimDue({ now: at(0), limit: 2, leaseMs: 500, owner: "w" });
      expect(lapsed.map((c) => c.send.key)).toEqual(["lapsed", "lapsed"]);
      const claims = [...lapsed, ...(await storage.claimDue({ now: at(0), limit: 100, leaseMs: 60_000, owner: "w" }))];
      expect(claims).toHaveLength(10);
      for (const sid of ["s1", "s2"]) {
        await storage.cancel(sid, { keys: ["stopped"] }, at(1));
        await storage.upsertPlanned(sid, [send(sid, "superseded", { sendAt: at(9000), appointmentId: "r-x" })], at(1));
      }
      const refsOf = (sid: string): LeaseRef[] => {
        const by = new Map(claims.filter((c) => c.send.structureId === sid).map((c) => [c.send.key, ref(c)]));
        return [
          by.get("ok2")!,
          by.get("lapsed")!,
          by.get("stopped")!,
          by.get("ok")!,
          { ...by.get("ok")!, token: by.get("ok")!.token + 1000 }, // stale token
          by.get("superseded")!,
          { structureId: sid, key: "nope", token: 1 }, // no such send
          by.get("ok")!, // the same ref again: a second attempt, as two calls would count
          { structureId: sid, key: "ok", token: "x" as unknown as number }, // invalid
        ];
      };
      const now = at(600);
      const single = [];
      for (const r of refsOf("s1")) single.push(await settle(storage.beginSend(r, now)));
      const batch = (await storage.beginSendMany(refsOf("s2"), now)).map(item);
      expect(batch).toEqual(single);
      expect(batch.map((r) => (r.ok ? r.value : r.code))).toEqual([
        { ok: true, attempts: 1 },
        "lease-lost",
        { ok: false, reason: "cancel-requested" },
        { ok: true, attempts: 1 },
        "lease-lost",
        { ok: false, reason: "cancel-requested" },
        "lease-lost",
        { ok: true, attempts: 2 },
        "invalid-input",
      ]);
      for (const k of keys) expect(await comparable(inspect, "s2", k), k).toEqual(await comparable(inspect, "s1", k));
      expect(await inspect.send("s2", "ok")).toMatchObject({ handedOff: true, attempts: 2 });
      expect(await inspect.send("s2", "stopped")).toMatchObject({ handedOff: false, attempts: 0 });
    });

    test("batch: completeMany agrees item by item with complete and reschedule", async (storage, inspect, skipTest) => {
      if (!storage.completeMany) return skipTest("no completeMany");
      const keys = ["sent", "early", "failed", "unknown", "missed", "skipped", "retry", "stopped", "superseded", "dup"];
      for (const sid of ["s1", "s2"]) {
        await storage.upsertPlanned(
          sid,
          keys.map((k) => send(sid, k, { appointmentId: `r-${k}` })),
          at(-1),
        );
      }
      const claims = await storage.claimDue({ now: at(0), limit: 100, leaseMs: 60_000, owner: "w" });
      expect(claims).toHaveLength(20);
      const now = at(10);
      for (const sid of ["s1", "s2"]) {
        for (const c of claims)
          if (c.send.structureId === sid && !["stopped", "superseded"].includes(c.send.key))
            expect((await storage.beginSend(ref(c), at(1))).ok).toBe(true);
        await storage.cancel(sid, { keys: ["stopped"] }, at(2));
        await storage.upsertPlanned(sid, [send(sid, "superseded", { sendAt: at(9000), appointmentId: "r-x" })], at(2));
        // A provider callback that beats the transport's answer is folded in by the completing item.
        await storage.recordProviderStatus({
          provider: "p",
          providerMessageId: `${sid}-m2`,
          status: "delivered",
          at: at(3),
        });
      }
      const itemsOf = (sid: string) => {
        const by = new Map(claims.filter((c) => c.send.structureId === sid).map((c) => [c.send.key, ref(c)]));
        return [
          { ref: by.get("retry")!, reschedule: { nextAttemptAt: at(30_000), failureCode: "transport-transient" } },
          { ref: by.get("sent")!, outcome: { status: "sent", provider: "p", providerMessageId: `${sid}-m1` } },
          { ref: by.get("early")!, outcome: { status: "sent", provider: "p", providerMessageId: `${sid}-m2` } },
          { ref: by.get("failed")!, outcome: { status: "failed", failureCode: "21211", failureReason: "bad" } },
          { ref: { ...by.get("dup")!, token: by.get("dup")!.token + 1000 }, outcome: { status: "missed" } },
          { ref: by.get("unknown")!, outcome: { status: "unknown", provider: "p" } },
          { ref: by.get("missed")!, outcome: { status: "missed", failureReason: "too late" } },
          { ref: by.get("skipped")!, outcome: { status: "skipped", skipReason: "opted-out" } },
          { ref: by.get("stopped")!, outcome: { status: "cancelled" } },
          { ref: by.get("superseded")!, reschedule: { nextAttemptAt: at(20) } },
          { ref: by.get("dup")!, outcome: { status: "sent", provider: "p" } },
          { ref: by.get("dup")!, outcome: { status: "sent", provider: "p" } }, // already completed: lease-lost
          { ref: by.get("missed")!, outcome: { status: "bogus" } }, // invalid, whatever the lease
        ] as Parameters<NonNullable<Storage["completeMany"]>>[0];
      };
      const single = [];
      for (const it of itemsOf("s1")) {
        single.push(
          await settle(
            "outcome" in it
              ? storage.complete(it.ref, it.outcome, now)
              : storage.reschedule(it.ref, it.reschedule, now),
          ),
        );
      }
      const batch = (await storage.completeMany(itemsOf("s2"), now)).map(item);
      expect(batch).toEqual(single);
      expect(batch.map((r) => (r.ok ? r.value.status : r.code))).toEqual([
        "planned",
        "sent",
        "delivered",
        "failed",
        "lease-lost",
        "unknown",
        "missed",
        "skipped",
        "cancelled",
        "planned",
        "sent",
        "lease-lost",
        "invalid-input",
      ]);
      expect(batch[0]).toEqual({ ok: true, value: { status: "planned", nextAttemptAt: at(30_000) } });
      expect(batch[9]).toEqual({ ok: true, value: { status: "planned", nextAttemptAt: at(9000) } });
      for (const k of keys) expect(await comparable(inspect, "s2", k), k).toEqual(await comparable(inspect, "s1", k));
      expect(await storage.getSend("s2", "failed")).toMatchObject({ failureCode: "21211", failureReason: "bad" });
      expect((await storage.getSend("s2", "retry"))?.failureCode).toBe("transport-transient");
      expect(await storage.getSend("s2", "early")).toMatchObject({ status: "delivered", providerMessageId: "s2-m2" });
    });

    test("batch: per-item fencing, tenancy, empty batches and invalid items", async (storage, inspect, skipTest) => {
      if (!storage.beginSendMany || !storage.completeMany) return skipTest("no batched calls");
      expect(await storage.beginSendMany([], at(0))).toEqual([]);
      expect(await storage.completeMany([], at(0))).toEqual([]);
      await storage.upsertPlanned("s1", [send("s1", "k1"), send("s1", "k2", { appointmentId: "r2" })], at(-1));
      const [stale] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 1000, owner: "w1" });
      const [other] = await storage.claimDue({ now: at(0), limit: 1, leaseMs: 60_000, owner: "w1" });
      // k1 lapses and is claimed again by w2: w1's token is stale, the other item is unaffected.
      const [fresh] = await storage.claimDue({ now: at(1500), limit: 1, leaseMs: 60_000, owner: "w2" });
      expect(fresh!.send.key).toBe(stale!.send.key);
      const t = at(1600);
      const begun = await storage.beginSendMany(
        [ref(stale!), ref(other!), { ...ref(fresh!), structureId: "s2" }, ref(fresh!)],
        t,
      );
      expect(begun.map(item)).toEqual([
        { ok: false, code: "lease-lost" },
        { ok: true, value: { ok: true, attempts: 1 } },
        { ok: false, code: "lease-lost" },
        { ok: true, value: { ok: true, attempts: 1 } },
      ]);
      const lost = begun[0]!;
      expect(lost.ok === false && lost.error).toBeInstanceOf(Error);
      expect(await inspect.send("s1", fresh!.send.key)).toMatchObject({ leaseOwner: "w2", attempts: 1 });
      const done = await storage.completeMany(
        [
          { ref: ref(stale!), outcome: { status: "sent", provider: "p" } },
          { ref: ref(fresh!), outcome: { status: "sent", provider: "p", providerMessageId: "m1" } },
          { ref: { ...ref(other!), structureId: "s2" }, outcome: { status: "sent", provider: "p" } },
          { ref: ref(other!), reschedule: { nextAttemptAt: new Date("x") } },
          null as never,
          { ref: ref(other!), outcome: { status: "sent", provider: "p", providerMessageId: "m2" } },
        ],
        t,
      );
      expect(done.map((r) => (r.ok ? r.value.status : r.error.code))).toEqual([
        "lease-lost",
        "sent",
        "lease-lost",
        "invalid-input",
        "invalid-input",
        "sent",
      ]);
      expect(await inspect.send("s1", "k1")).toMatchObject({ status: "sent", providerMessageId: "m1" });
      expect(await inspect.send("s1", "k2")).toMatchObject({ status: "sent", providerMessageId: "m2" });
      // The whole call rejects only when it cannot run at all.
      await expect(storage.beginSendMany([ref(other!)], new Date("x"))).rejects.toMatchObject({
        code: "invalid-input",
      });
      await expect(storage.completeMany([], new Date("x"))).rejects.toMatchObject({ code: "invalid-input" });
    });

    test("batch: cancel versus beginSendMany race: nothing cancelled or stopped is handed off", async (storage, inspect, skipTest) => {
      if (!storage.beginSendMany || !storage.completeMany) return skipTest("no batched calls");
      const beginSendMany = storage.beginSendMany.bind(storage);
      const completeMany = storage.completeMany.bind(storage);
      await cancelRace(storage, inspect, {
        n: Math.min(N, 1000),
        claimers: CLAIMERS,
        seed: 7,
        limit: (rnd) => 1 + Math.floor(rnd() * 8),
        handOff: async (claims, now, rnd, handedOff) => {
          if (rnd() < 0.5) await yieldNow();
          const refs = claims.map(ref);
          const begun = await beginSendMany(refs, now);
          const items: CompleteManyItem[] = [];
          begun.forEach((b, i) => {
            expect(b.ok, "a held lease is never lost here").toBe(true);
            if (b.ok && b.value.ok) {
              handedOff.set(refs[i]!.key, (handedOff.get(refs[i]!.key) ?? 0) + 1);
              items.push({ ref: refs[i]!, outcome: { status: "sent", provider: "p" } });
            } else items.push({ ref: refs[i]!, outcome: { status: "cancelled" } });
          });
          if (rnd() < 0.5) await yieldNow();
          const done = await completeMany(items, now);
          expect(done.every((d) => d.ok)).toBe(true);
        },
      });
    });

    test("batch: smsOptedOutAmong answers as isSmsOptedOut", async (storage, _inspect, skipTest) => {
      if (!storage.smsOptedOutAmong) return skipTest("no smsOptedOutAmong");
      const [a, b, c, d] = ["+33600000001", "+33600000002", "+33600000003", "+33600000004"];
      expect(await storage.smsOptedOutAmong("s1", [a!, b!])).toEqual([]);
      await storage.setSmsOptOut("s1", a!, true, at(0));
      await storage.setSmsOptOut("s1", b!, true, at(0));
      await storage.setSmsOptOut("s1", b!, false, at(1));
      await storage.setSmsOptOut("s2", c!, true, at(0));
      await storage.setSmsOptOut("s1", d!, true, at(0));
      const asked = [b!, a!, c!, a!, "+33699999999", d!];
      const expected = [];
      for (const n of new Set(asked)) if (await storage.isSmsOptedOut("s1", n)) expected.push(n);
      const got = await storage.smsOptedOutAmong("s1", asked);
      expect([...got].sort()).toEqual(expected.sort());
      expect([...got].sort()).toEqual([a!, d!].sort());
      expect(await storage.smsOptedOutAmong("s2", asked)).toEqual([c!]);
      expect(await storage.smsOptedOutAmong("s3", asked)).toEqual([]);
      expect(await storage.smsOptedOutAmong("s1", [])).toEqual([]);
      await expect(storage.smsOptedOutAmong("s1", [a!, 5 as never])).rejects.toMatchObject({ code: "invalid-input" });
    });

    test("invalid input is rejected with invalid-input", async (storage) => {
      const bad = { code: "invalid-input" };
      await expect(
        storage.upsertPlanned("s1", [send("s1", "k1", { sendAt: new Date("x") })], at(0)),
      ).rejects.toMatchObject(bad);
      // Every failing path of a plan is listed, and nothing of it is stored.
      const many = await storage
        .upsertPlanned(
          "s1",
          [send("s1", "k1"), send("s1", "", { billing: 5 as never, data: null as never, contactId: 3 as never })],
          at(0),
        )
        .catch((e: { code?: string; issues?: { path: string }[] }) => e);
      expect(many).toMatchObject(bad);
      expect((many as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual(
        ["sends.1.billing", "sends.1.contactId", "sends.1.data", "sends.1.key"].sort(),
      );
      expect(await storage.getSend("s1", "k1")).toBeNull();
      await expect(storage.claimDue({ now: at(0), limit: 0, leaseMs: 1000, owner: "w" })).rejects.toMatchObject(bad);
      await expect(storage.claimDue({ now: at(0), limit: 1, leaseMs: 0, owner: "w" })).rejects.toMatchObject(bad);
      await expect(storage.claimDue({ now: new Date("x"), limit: 1, leaseMs: 10, owner: "w" })).rejects.toMatchObject(
        bad,
      );
      await expect(storage.getUsage("s1", "a1", "June")).rejects.toMatchObject(bad);
      await expect(
        storage.appendJournal("s1", [{ structureId: "s1", contactId: "c1", at: new Date("x"), event: "sent" }]),
      ).rejects.toMatchObject(bad);
      expect(await storage.readJournal("s1", "c1")).toEqual([]);
    });

    // The edge cases where the memory and Postgres storages once disagreed: the stricter rule is the contract.
    test("invalid input: the same edge cases and issue paths on every adapter", async (storage) => {
      const pathsOf = async (call: Promise<unknown>): Promise<string[]> => {
        const e = (await call.then(
          () => undefined,
          (x: unknown) => x,
        )) as { code?: string; issues?: { path: string }[] } | undefined;
        expect(e?.code).toBe("invalid-input");
        return (e?.issues ?? []).map((i) => i.path).sort();
      };
      // A cancel spec is checked before anything is looked up, even in a structure without sends.
      expect(await pathsOf(storage.cancel("s-none", { appointmentId: 42 as never }, at(0)))).toEqual([
        "spec.appointmentId",
      ]);
      expect(await pathsOf(storage.cancel("s-none", { keys: "k1" as never }, at(0)))).toEqual(["spec.keys"]);
      expect(await pathsOf(storage.cancel("s-none", { contactId: "c1", channels: "sms" as never }, at(0)))).toEqual([
        "spec.channels",
      ]);
      // Lease tokens and lease durations are safe integers.
      await storage.upsertPlanned("s1", [send("s1", "k1")], at(-1));
      expect(await pathsOf(storage.beginSend({ structureId: "s1", key: "k1", token: 2 ** 53 }, at(0)))).toEqual([
        "ref.token",
      ]);
      expect(await pathsOf(storage.claimDue({ now: at(0), limit: 1, leaseMs: 2 ** 53, owner: "w" }))).toEqual([
        "leaseMs",
      ]);
      expect((await storage.getSend("s1", "k1"))?.status).toBe("planned");
      // A read by structure checks the structure id.
      if (storage.smsOptedOutAmong !== undefined)
        expect(await pathsOf(storage.smsOptedOutAmong("", []))).toEqual(["structureId"]);
      // Every failing path of a journal append is listed.
      expect(
        await pathsOf(
          storage.appendJournal("s1", [
            { structureId: "s2", at: new Date("x"), event: "" as never },
            null as never,
            { structureId: "s1", at: at(0), event: "sent", data: (() => 1) as never },
          ]),
        ),
      ).toEqual(["entries.0.at", "entries.0.event", "entries.0.structureId", "entries.1", "entries.2.data"]);
    });
  });
}
