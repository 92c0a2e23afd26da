// The batched calls (beginSendMany, completeMany, smsOptedOutAmong) on PGlite and on a real server: one scenario
// played with the single calls in one schema and with the batched calls in another must leave the same records and
// give the same answers, item by item; per-item failures stay per item.
import { PGlite } from "@electric-sql/pglite";
import {
  type ClaimedSend,
  type CompleteManyItem,
  type LeaseRef,
  type PlannedSend,
  RappelError,
  type SendOutcome,
} from "@rappel/core";
import type pgTypes from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStorage, type PostgresStorage } from "../src/index.js";
import { pg } from "./pg.js";
import { acquireServer, releaseServer, uniqueSchema } from "./pg-server.js";

const T = new Date("2026-06-08T10:00:00Z");
const at = (s: number) => new Date(T.getTime() + s * 1000);
const ref = (c: ClaimedSend): LeaseRef => ({ structureId: c.send.structureId, key: c.send.key, token: c.token });

function send(i: number, sendAt = at(-60), text = "first"): PlannedSend {
  return {
    key: `k${String(i).padStart(3, "0")}`,
    structureId: "s1",
    accountId: "a1",
    kind: "reminder",
    channel: "sms",
    recipient: { type: "contact", id: `c${i}`, address: `+3361234${String(i).padStart(4, "0")}` },
    sendAt,
    appointmentId: `r${i}`,
    contactId: `c${i}`,
    data: { text },
  };
}

/** What each of the 12 claimed sends gets: the same for the single and the batched run. */
const OUTCOMES: (SendOutcome | { reschedule: Date; failureCode: string })[] = [
  { status: "sent", provider: "twilio", providerMessageId: "SM0" },
  { status: "sent", provider: "twilio", providerMessageId: "SM1", providerStatus: "delivered" },
  { status: "sent", provider: "twilio", providerMessageId: "SM-early" },
  { status: "failed", failureCode: "transport-permanent", failureReason: "refused", provider: "twilio" },
  { status: "unknown", provider: "twilio", providerMessageId: "SM4" },
  { status: "missed", failureReason: "too late" },
  { status: "skipped", skipReason: "opted-out" },
  { status: "cancelled" },
  { status: "cancelled" },
  { reschedule: at(300), failureCode: "transport-transient" },
  { reschedule: at(300), failureCode: "transport-transient" },
  { status: "sent", provider: "smtp" },
];

type Run = {
  begun: unknown[];
  released: unknown[];
  records: unknown[];
  optedOut: string[];
};

/** Plays the scenario on `storage`, with single calls or with the batched ones. */
async function scenario(storage: PostgresStorage, batched: boolean): Promise<Run> {
  await storage.upsertPlanned(
    "s1",
    Array.from({ length: 12 }, (_, i) => send(i)),
    at(-120),
  );
  const claims = await storage.claimDue({ now: T, limit: 12, leaseMs: 60_000, owner: "w" });
  expect(claims).toHaveLength(12);
  claims.sort((a, b) => (a.send.key < b.send.key ? -1 : 1));
  const refs = claims.map(ref);
  // After the claim: k007 cancelled (stopped), k008 superseded by a newer plan, k010 cancelled (reschedule of a
  // stopped claim), a provider status for SM-early arrives before the send records the id.
  await storage.cancel("s1", { keys: ["k007", "k010"] }, at(1));
  await storage.upsertPlanned("s1", [send(8, at(600), "newer")], at(1));
  expect(
    await storage.recordProviderStatus({
      provider: "twilio",
      providerMessageId: "SM-early",
      status: "delivered",
      at: at(1),
    }),
  ).toBeNull();
  await storage.setSmsOptOut("s1", "+33612340003", true, at(1));
  await storage.setSmsOptOut("s1", "+33612340004", false, at(1));
  const stale: LeaseRef = { ...refs[11]!, token: refs[11]!.token + 1000 };
  // Begin every claim but k007/k008 twice (the second counts a second attempt), plus a stale and a malformed ref.
  const beginRefs = [...refs, refs[0]!, stale, { structureId: "s1", key: "k000", token: 1.5 } as LeaseRef];
  const begun: unknown[] = [];
  const toResult = async <T>(p: Promise<T>) => {
    try {
      return { ok: true, value: await p };
    } catch (e) {
      return { ok: false, code: (e as RappelError).code, message: (e as RappelError).message };
    }
  };
  const flat = (r: { ok: boolean; value?: unknown; error?: RappelError }) =>
    r.ok ? { ok: true, value: r.value } : { ok: false, code: r.error!.code, message: r.error!.message };
  if (batched) begun.push(...(await storage.beginSendMany(beginRefs, at(2))).map(flat));
  else for (const r of beginRefs) begun.push(await toResult(storage.beginSend(r, at(2))));

  const items: CompleteManyItem[] = refs.map((r, i) => {
    const o = OUTCOMES[i]!;
    return "reschedule" in o
      ? { ref: r, reschedule: { nextAttemptAt: o.reschedule, failureCode: o.failureCode } }
      : { ref: r, outcome: o };
  });
  // Twice the first (the second is lease-lost), a stale one and a malformed outcome.
  items.push(
    { ref: refs[0]!, outcome: { status: "sent", provider: "twilio" } },
    { ref: stale, outcome: { status: "sent", provider: "twilio" } },
    { ref: refs[11]!, outcome: { status: "sent" } as SendOutcome },
  );
  const released: unknown[] = [];
  if (batched) released.push(...(await storage.completeMany(items, at(3))).map(flat));
  else
    for (const it of items)
      released.push(
        await toResult(
          "reschedule" in it
            ? storage.reschedule(it.ref, it.reschedule, at(3))
            : storage.complete(it.ref, it.outcome, at(3)),
        ),
      );
  const records = (await storage.listSends("s1")).map((r) => ({ ...r, lease: r.lease && { ...r.lease, token: 0 } }));
  const numbers = ["+33612340003", "+33612340004", "+33612340003", "+33612349999"];
  const optedOut: string[] = [];
  if (batched) optedOut.push(...(await storage.smsOptedOutAmong("s1", numbers)));
  else for (const n of new Set(numbers)) if (await storage.isSmsOptedOut("s1", n)) optedOut.push(n);
  return { begun, released, records, optedOut };
}

function suite(
  name: string,
  make: () => Promise<PostgresStorage>,
  raw: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>,
) {
  describe(name, () => {
    it("finds a row by its key when the version the claim returned moved, even when another row took its slot", async () => {
      const storage = await make();
      const S = `"${storage.schema}".sends`;
      const ctid = async (key: string) =>
        String((await raw(`SELECT ctid::text AS t FROM ${S} WHERE key = $1`, [key]))[0]!.t);
      await storage.upsertPlanned("s1", [send(1)], at(-120));
      const [claim] = await storage.claimDue({ now: T, limit: 1, leaseMs: 60_000, owner: "w1" });
      const slot = await ctid("k001");
      // Another write moves the row (a non-HOT update: due_at is indexed); vacuum frees the slot; a new send takes it.
      await raw(
        `UPDATE ${S} SET due_at = due_at + interval '1 second', lease_expires_at = lease_expires_at + interval '1 second'
         WHERE key = 'k001'`,
      );
      await raw(`VACUUM ${S}`);
      await storage.upsertPlanned("s1", [send(2), send(3)], at(-120));
      expect(await ctid("k001")).not.toBe(slot);
      expect([await ctid("k002"), await ctid("k003")]).toContain(slot);
      const [begun] = await storage.beginSendMany([ref(claim!)], at(1));
      expect(begun).toEqual({ ok: true, value: { ok: true, attempts: 1 } });
      // The hand-off's version moves too before the outcome.
      await raw(`UPDATE ${S} SET updated_at = updated_at WHERE key = 'k001'`);
      const [done] = await storage.completeMany(
        [{ ref: ref(claim!), outcome: { status: "sent", provider: "twilio", providerMessageId: "SM-moved" } }],
        at(2),
      );
      expect(done).toMatchObject({ ok: true, value: { status: "sent" } });
      const [a, ...others] = await storage.listSends("s1");
      expect([a!.key, a!.status, a!.attempts, a!.providerMessageId]).toEqual(["k001", "sent", 1, "SM-moved"]);
      expect(others.map((b) => [b.key, b.status, b.attempts, b.handedOffAt])).toEqual([
        ["k002", "planned", 0, null],
        ["k003", "planned", 0, null],
      ]);
    });

    it("the batched calls give the same answers and leave the same records as the single calls", async () => {
      const single = await scenario(await make(), false);
      const batched = await scenario(await make(), true);
      // Same tokens in both schemas (each has its own sequence), so messages and records compare as they are.
      expect(batched).toEqual(single);
      const r = batched.released as {
        ok: boolean;
        value?: { status: string; providerStatus?: string };
        code?: string;
      }[];
      expect(r.map((x) => (x.ok ? x.value!.status : x.code))).toEqual([
        "sent",
        "delivered",
        "delivered", // the early status folded in
        "failed",
        "unknown",
        "missed",
        "skipped",
        "cancelled",
        "planned", // cancelled claim with a newer plan
        "planned",
        "cancelled", // reschedule of a stopped claim
        "sent",
        "lease-lost",
        "lease-lost",
        "invalid-input",
      ]);
      const b = batched.begun as { ok: boolean; value?: { ok: boolean; attempts?: number }; code?: string }[];
      expect(b.map((x) => (x.ok ? (x.value!.ok ? x.value!.attempts : "refused") : x.code))).toEqual([
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        "refused",
        "refused",
        1,
        "refused",
        1,
        2,
        "lease-lost",
        "invalid-input",
      ]);
      expect(batched.optedOut).toEqual(["+33612340003"]);
    });

    it("rejects as a whole only for a bad call, and an empty batch is empty", async () => {
      const storage = await make();
      expect(await storage.beginSendMany([], T)).toEqual([]);
      expect(await storage.completeMany([], T)).toEqual([]);
      expect(await storage.smsOptedOutAmong("s1", [])).toEqual([]);
      await expect(storage.beginSendMany([], new Date(Number.NaN))).rejects.toMatchObject({ code: "invalid-input" });
      await expect(storage.completeMany(null as never, T)).rejects.toMatchObject({ code: "invalid-input" });
      await expect(storage.smsOptedOutAmong("s1", ["+33612340003", 7 as never])).rejects.toMatchObject({
        code: "invalid-input",
        issues: [{ path: "e164s.1" }],
      });
      const r = await storage.completeMany(
        [null as never, { ref: { structureId: "s1", key: "nope", token: 1 }, outcome: { status: "missed" } }],
        T,
      );
      expect(r.map((x) => (x.ok ? "ok" : x.error.code))).toEqual(["invalid-input", "lease-lost"]);
      expect(r[1]!.ok === false && r[1]!.error.message).toMatch(/no such send/);
      expect(r[0]!.ok === false && r[0]!.error instanceof RappelError).toBe(true);
    });
  });
}

let pool: pgTypes.Pool;
let lite: PGlite;

beforeAll(async () => {
  const server = await acquireServer();
  pool = new pg.Pool({ connectionString: server.url, max: 4 });
  lite = await PGlite.create();
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await lite?.close();
  await releaseServer();
});

suite(
  "batched calls (node-postgres, real server)",
  async () => {
    const storage = createPostgresStorage({ pool, schema: uniqueSchema("b") });
    await storage.migrate();
    return storage;
  },
  async (sql, params) => (await pool.query(sql, params)).rows,
);

suite(
  "batched calls (PGlite)",
  async () => {
    const storage = createPostgresStorage({ pglite: lite, schema: uniqueSchema("b") });
    await storage.migrate();
    return storage;
  },
  async (sql, params) => (await lite.query<Record<string, unknown>>(sql, params)).rows,
);
