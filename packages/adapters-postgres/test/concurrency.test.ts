// Leases and fencing on a real server, with real time and separate pools (as separate machines would have).
import type { ClaimedSend, LeaseRef, PlannedSend } from "@rappel/core";
import type pgTypes from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStorage, type PostgresStorage, postgresMigrations } from "../src/index.js";
import { pg } from "./pg.js";
import { acquireServer, releaseServer, uniqueSchema } from "./pg-server.js";

let url: string;
const pools: pgTypes.Pool[] = [];
const newPool = (max = 4) => {
  const p = new pg.Pool({ connectionString: url, max });
  pools.push(p);
  return p;
};

beforeAll(async () => {
  url = (await acquireServer()).url;
}, 120_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await releaseServer();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ref = (c: ClaimedSend): LeaseRef => ({ structureId: c.send.structureId, key: c.send.key, token: c.token });

function plan(structureId: string, n: number, sendAt: Date, prefix = "k"): PlannedSend[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefix}${String(i).padStart(6, "0")}`,
    structureId,
    accountId: "a1",
    kind: "reminder",
    channel: "sms",
    recipient: { type: "contact", id: `c${i % 100}`, address: `+3361234${String(i % 10_000).padStart(4, "0")}` },
    sendAt,
    appointmentId: `r${i}`,
    contactId: `c${i % 100}`,
    data: { i },
  }));
}

async function twoMachines(): Promise<[PostgresStorage, PostgresStorage, pgTypes.Pool]> {
  const schema = uniqueSchema("cc");
  const a = createPostgresStorage({ pool: newPool(), schema });
  await a.migrate();
  const poolB = newPool();
  return [a, createPostgresStorage({ pool: poolB, schema }), poolB];
}

describe("leases and fencing with real time", () => {
  it("a stalled worker whose lease lapsed cannot complete, fail, reschedule, begin or renew", async () => {
    const [a, b, poolB] = await twoMachines();
    await a.upsertPlanned("s1", plan("s1", 1, new Date(Date.now() - 1000)), new Date());
    const [stale] = await a.claimDue({ now: new Date(), limit: 1, leaseMs: 300, owner: "stalled" });
    expect(stale).toBeDefined();
    expect((await a.beginSend(ref(stale!), new Date())).ok).toBe(true);
    // The worker stalls (GC pause, network partition) past its lease; another machine takes the send over.
    await sleep(350);
    const [fresh] = await b.claimDue({ now: new Date(), limit: 1, leaseMs: 30_000, owner: "healthy" });
    expect(fresh).toMatchObject({ interrupted: true });
    expect(fresh!.token).toBeGreaterThan(stale!.token);
    const lost = { code: "lease-lost" };
    const now = () => new Date();
    await expect(
      a.complete(ref(stale!), { status: "sent", provider: "p", providerMessageId: "x" }, now()),
    ).rejects.toMatchObject(lost);
    await expect(a.complete(ref(stale!), { status: "failed", failureCode: "boom" }, now())).rejects.toMatchObject(lost);
    await expect(a.complete(ref(stale!), { status: "cancelled" }, now())).rejects.toMatchObject(lost);
    await expect(a.reschedule(ref(stale!), { nextAttemptAt: now() }, now())).rejects.toMatchObject(lost);
    await expect(a.beginSend(ref(stale!), now())).rejects.toMatchObject(lost);
    await expect(a.renewLease(ref(stale!), 60_000, now())).rejects.toMatchObject(lost);
    // Nothing the stalled worker tried was written.
    const { rows } = await poolB.query(
      `SELECT status, lease_owner, lease_token, attempts, provider_message_id, failure_code FROM "${b.schema}".sends`,
    );
    expect(rows).toEqual([
      {
        status: "sending",
        lease_owner: "healthy",
        lease_token: String(fresh!.token),
        attempts: 1,
        provider_message_id: null,
        failure_code: null,
      },
    ]);
    // The healthy holder records the outcome (unknown: the stalled one may have reached the provider, R-48).
    expect(await b.complete(ref(fresh!), { status: "unknown", provider: "p" }, now())).toMatchObject({
      status: "unknown",
    });
  });

  it("16 concurrent claimers over 50,000 due rows: no two owners of one row overlap in time", async () => {
    const schema = uniqueSchema("cl");
    const pool = newPool(16);
    const storage = createPostgresStorage({ pool, schema });
    await storage.migrate();
    const N = 50_000;
    // Rows fall due over 10 s, so that fresh rows and lapsed leases compete for the claimers all along.
    const t0 = Date.now() + 2000;
    for (const s of ["s1", "s2"]) {
      const all = plan(s, N / 2, new Date(t0)).map((p, i) => ({
        ...p,
        sendAt: new Date(t0 + Math.floor((i * 20_000) / N)),
      }));
      for (let i = 0; i < all.length; i += 5000) await storage.upsertPlanned(s, all.slice(i, i + 5000), new Date());
    }
    // The claim reads the partial due index, not the table.
    await pool.query(`ANALYZE "${schema}".sends`);
    const plan1 = await pool.query(
      `EXPLAIN SELECT structure_id, key FROM "${schema}".sends WHERE due_at <= now() ORDER BY due_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
    );
    expect(plan1.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("sends_due_idx");

    interface Hold {
      owner: string;
      token: number;
      start: number;
      end: number;
    }
    const holds = new Map<string, Hold[]>();
    const completed = new Map<string, number>();
    let claimsMade = 0;
    let staleRejected = 0;
    const LEASE = 250;
    // Until every row was claimed and 2 s more (at most 45 s).
    const hardStop = Date.now() + 45_000;
    let stopAt = hardStop;
    let rnd = 7;
    const random = () => {
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
      return rnd / 0x7fffffff;
    };
    const stale: ClaimedSend[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const owner = `claimer-${w}`;
        while (Date.now() < stopAt) {
          const now = new Date();
          const claims = await storage.claimDue({ now, limit: 200, leaseMs: LEASE, owner });
          claimsMade += claims.length;
          if (holds.size === N && stopAt === hardStop) stopAt = Date.now() + 2000;
          if (claims.length === 0) {
            await sleep(20);
            continue;
          }
          for (const c of claims) {
            const id = `${c.send.structureId}/${c.send.key}`;
            const list = holds.get(id) ?? [];
            list.push({ owner, token: c.token, start: now.getTime(), end: c.leaseExpiresAt.getTime() });
            holds.set(id, list);
          }
          // Complete one in ten (those leave the game), let the others lapse and be claimed again; keep a few stale
          // tokens to try later.
          await Promise.all(
            claims.map(async (c) => {
              const r = random();
              if (r < 0.01) stale.push(c);
              if (r > 0.1) return;
              const at = new Date();
              try {
                await storage.complete(ref(c), { status: "sent", provider: "p" }, at);
                const id = `${c.send.structureId}/${c.send.key}`;
                completed.set(id, (completed.get(id) ?? 0) + 1);
                const h = holds.get(id)!.find((x) => x.token === c.token)!;
                h.end = at.getTime();
              } catch (e) {
                expect((e as { code?: string }).code).toBe("lease-lost");
                expect(at.getTime()).toBeGreaterThanOrEqual(c.leaseExpiresAt.getTime() - 1);
              }
            }),
          );
        }
      }),
    );
    for (const c of stale) {
      const id = `${c.send.structureId}/${c.send.key}`;
      const latest = Math.max(...holds.get(id)!.map((h) => h.token));
      if (c.token === latest && completed.has(id)) continue;
      await expect(
        storage.complete(ref(c), { status: "failed", failureCode: "stale" }, new Date()),
      ).rejects.toMatchObject({ code: "lease-lost" });
      staleRejected++;
    }
    let overlaps = 0;
    let reclaimed = 0;
    for (const list of holds.values()) {
      list.sort((x, y) => x.token - y.token);
      if (list.length > 1) reclaimed++;
      for (let i = 1; i < list.length; i++) if (list[i]!.start < list[i - 1]!.end) overlaps++;
      for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBeGreaterThanOrEqual(list[i - 1]!.start);
    }
    const doubleCompleted = [...completed.values()].filter((n) => n > 1).length;
    console.log(
      "16 claimers:",
      JSON.stringify({
        rows: N,
        claimsMade,
        rowsClaimed: holds.size,
        reclaimed,
        completed: completed.size,
        staleRejected,
        overlaps,
        doubleCompleted,
      }),
    );
    expect(overlaps).toBe(0);
    expect(doubleCompleted).toBe(0);
    expect(holds.size).toBe(N);
    expect(reclaimed).toBeGreaterThan(1000);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".sends WHERE status = 'sent'`);
    expect(rows[0].n).toBe(completed.size);
  }, 90_000);
});

describe("migrations", () => {
  it("concurrent migrate() calls apply each migration once; the exported SQL is what they run", async () => {
    const schema = uniqueSchema("mg");
    const starters = Array.from({ length: 5 }, () => createPostgresStorage({ pool: newPool(2), schema }));
    const results = await Promise.all(starters.map((s) => s.migrate()));
    expect(results.filter((r) => r.length > 0)).toEqual([[1, 2, 3, 4, 5]]);
    expect(await starters[0]!.migrate()).toEqual([]);
    const pool = newPool(2);
    const { rows } = await pool.query(`SELECT version, name FROM "${schema}".migrations`);
    expect(rows).toEqual([
      { version: 1, name: "initial" },
      { version: 2, name: "inbox" },
      { version: 3, name: "sends-fillfactor" },
      { version: 4, name: "send-lookups" },
      { version: 5, name: "queue-statistics" },
    ]);
    // A host running the SQL text in its own tool gets a working storage with migrate: false.
    const own = uniqueSchema("own");
    await pool.query(`CREATE SCHEMA "${own}"`);
    for (const m of postgresMigrations(own)) await pool.query(m.sql);
    const storage = createPostgresStorage({ pool, schema: own, migrate: false });
    await storage.upsertPlanned("s1", plan("s1", 3, new Date(0)), new Date());
    expect(await storage.claimDue({ now: new Date(), limit: 10, leaseMs: 1000, owner: "w" })).toHaveLength(3);
  });
});

/** A new schema with migrations 1–3 applied (as a storage of that version left it), and migration 4 to run. */
async function atMigration3(prefix: string, poolSize: number) {
  const schema = uniqueSchema(prefix);
  const pool = newPool(poolSize);
  await pool.query(`CREATE SCHEMA "${schema}"`);
  const [m1, m2, m3, m4] = postgresMigrations(schema);
  for (const m of [m1!, m2!, m3!]) await pool.query(m.sql);
  return { schema, pool, m4: m4! };
}

describe("migration 4 (send-lookups)", () => {
  it("finds the sends written before it, and those an earlier version writes after it", async () => {
    const { schema, pool, m4 } = await atMigration3("m4", 2);
    // Sends written under migration 3 (as the storage of that version did): one of them with a newer plan waiting
    // for its claim to end, for another appointment and contact.
    const storage = createPostgresStorage({ pool, schema, migrate: false });
    const now = new Date();
    await storage.upsertPlanned("s1", plan("s1", 6, new Date(now.getTime() + 3_600_000)), now);
    await pool.query(
      `UPDATE "${schema}".sends SET status = 'sending', due_at = $2, lease_owner = 'w', lease_token = 7,
         lease_expires_at = $2, cancel_requested = true,
         replacement = jsonb_set(jsonb_set(to_jsonb(sends) - 'status', '{appointment_id}', '"r99"'), '{contact_id}', '"c99"')
       WHERE key = $1`,
      ["k000005", new Date(now.getTime() + 60_000)],
    );
    await pool.query(m4.sql);
    expect((await storage.listSends("s1", { appointmentId: "r2" })).map((s) => s.key)).toEqual(["k000002"]);
    expect((await storage.listSends("s1", { contactId: "c3" })).map((s) => s.key)).toEqual(["k000003"]);
    const { rows } = await pool.query(
      `SELECT appointment_id, key FROM "${schema}".send_appointments WHERE appointment_id IN ('r5', 'r99') ORDER BY 1`,
    );
    expect(rows).toEqual([
      { appointment_id: "r5", key: "k000005" },
      { appointment_id: "r99", key: "k000005" },
    ]);
    // A writer that knows nothing of the new tables (a storage of an earlier version during an upgrade): the triggers
    // record its inserts and its changes of appointment or contact.
    await pool.query(
      `INSERT INTO "${schema}".sends SELECT * FROM jsonb_populate_record(NULL::"${schema}".sends,
         to_jsonb((SELECT s FROM "${schema}".sends s WHERE key = 'k000000')) || '{"key":"old1","appointment_id":"r50"}')`,
    );
    await pool.query(`UPDATE "${schema}".sends SET appointment_id = 'r60', contact_id = 'c60' WHERE key = 'k000001'`);
    expect((await storage.listSends("s1", { appointmentId: "r50" })).map((s) => s.key)).toEqual(["old1"]);
    expect((await storage.listSends("s1", { appointmentId: "r60" })).map((s) => s.key)).toEqual(["k000001"]);
    // The old appointment's row stays, but the send is no longer listed or cancelled under it.
    expect(await storage.listSends("s1", { appointmentId: "r1" })).toEqual([]);
    const cancelled = await storage.cancel("s1", { contactId: "c60", channels: ["sms"] }, now);
    expect(cancelled.cancelled.map((s) => s.key)).toEqual(["k000001"]);
    expect((await storage.cancel("s1", { appointmentId: "r1" }, now)).cancelled).toEqual([]);
  });
});

describe("migration 4 while a send is being written", () => {
  it("waits for the writer, so the send it commits meanwhile is found by its appointment and contact", async () => {
    const { schema, pool, m4 } = await atMigration3("m4w", 3);
    const storage = createPostgresStorage({ pool, schema, migrate: false });
    const now = new Date();
    await storage.upsertPlanned("s1", plan("s1", 2, new Date(now.getTime() + 3_600_000)), now);
    // A writer of the earlier version, inside its transaction when the migration starts.
    const writer = await pool.connect();
    await writer.query("BEGIN");
    await writer.query(
      `INSERT INTO "${schema}".sends SELECT * FROM jsonb_populate_record(NULL::"${schema}".sends,
         to_jsonb((SELECT s FROM "${schema}".sends s WHERE key = 'k000000'))
           || '{"key":"late","appointment_id":"r70","contact_id":"c70"}')`,
    );
    const migrating = pool.query(m4.sql);
    await sleep(300);
    await writer.query("COMMIT");
    writer.release();
    await migrating;
    expect((await storage.listSends("s1", { appointmentId: "r70" })).map((s) => s.key)).toEqual(["late"]);
    expect((await storage.listSends("s1", { contactId: "c70" })).map((s) => s.key)).toEqual(["late"]);
  });
});

describe("migration 5 (queue-statistics)", () => {
  it("upgrades a schema at migration 4 with its sends; every column of the queue tables gets the short sample", async () => {
    const schema = uniqueSchema("m5");
    const pool = newPool(2);
    await pool.query(`CREATE SCHEMA "${schema}"`);
    const migrations = postgresMigrations(schema);
    for (const m of migrations.slice(0, 4)) await pool.query(m.sql);
    await pool.query(
      `CREATE TABLE "${schema}".migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const m of migrations.slice(0, 4))
      await pool.query(`INSERT INTO "${schema}".migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    // Sends written by a storage of the version before (its schema ends at migration 4).
    const storage = createPostgresStorage({ pool, schema, migrate: false });
    const now = new Date();
    await storage.upsertPlanned("s1", plan("s1", 3, new Date(now.getTime() - 1000)), now);
    expect(await storage.migrate()).toEqual([5]);
    // Every column, so that ANALYZE samples 3,000 rows (300 x the largest target): a column added later without its
    // own target would bring the default sample back.
    const { rows } = await pool.query(
      `SELECT c.relname, a.attname, a.attstattarget FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = $1::regnamespace AND c.relname IN ('sends', 'journal', 'send_appointments', 'send_contacts')
         AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
      [`"${schema}"`],
    );
    expect(rows.length).toBe(34 + 13 + 3 + 3);
    expect(rows.filter((r) => r.attstattarget !== 10)).toEqual([]);
    // Running it again changes nothing; the sends are still there and claimable.
    await pool.query(migrations[4]!.sql);
    await pool.query(`ANALYZE "${schema}".sends`);
    const claims = await storage.claimDue({ now, limit: 10, leaseMs: 10_000, owner: "w" });
    expect(claims.map((c) => c.send.key).sort()).toEqual(["k000000", "k000001", "k000002"]);
  });
});

describe("tenancy", () => {
  it("the same keys, ids and phone numbers in two structures never mix", async () => {
    const [a] = await twoMachines();
    const when = new Date(Date.now() - 1000);
    await a.upsertPlanned("s1", plan("s1", 5, when), new Date());
    await a.upsertPlanned("s2", plan("s2", 5, when), new Date());
    const claims = await a.claimDue({ now: new Date(), limit: 10, leaseMs: 10_000, owner: "w" });
    expect(claims.map((c) => `${c.send.structureId}/${c.send.key}`).sort()).toHaveLength(10);
    const c1 = claims.find((c) => c.send.structureId === "s1" && c.send.key === "k000000")!;
    const c2 = claims.find((c) => c.send.structureId === "s2" && c.send.key === "k000000")!;
    // A token of s2's send does nothing to s1's send with the same key, and the other way round.
    await expect(a.beginSend({ ...ref(c2), structureId: "s1" }, new Date())).rejects.toMatchObject({
      code: "lease-lost",
    });
    await a.complete(ref(c1), { status: "sent", provider: "p", providerMessageId: "SM1" }, new Date());
    expect((await a.getSend("s2", "k000000"))?.status).toBe("sending");
    // Cancels and listings by shared appointment, contact and phone number stay in their structure.
    const cancel = await a.cancel("s1", { contactId: "c1", channels: ["sms"] }, new Date());
    expect([...cancel.stopped, ...cancel.cancelled, ...cancel.tooLate].every((s) => s.structureId === "s1")).toBe(true);
    expect((await a.listSends("s2", { address: "+33612340001" })).map((s) => s.structureId)).toEqual(["s2"]);
    expect((await a.getSend("s2", "k000001"))?.cancelRequested).toBe(false);
    // Provider callbacks are global by nature and report their structure.
    expect(
      await a.recordProviderStatus({ provider: "p", providerMessageId: "SM1", status: "delivered", at: new Date() }),
    ).toMatchObject({ structureId: "s1", key: "k000000", status: "delivered" });
  });
});
