// Where the PostgreSQL server's time goes per send, statement by statement: the dispatch path of the engine
// (claimDue, beginSendMany, completeMany, appendJournal, addUsage) driven directly on createPostgresStorage by one
// connection, on a table of PENDING due sends, for SENDS sends in claims of BATCH. Prints, per statement, the server's
// execution and planning time per send (pg_stat_statements) and the WAL it wrote, then the server's CPU per send
// (/proc). Used to measure each change of the schema or of a statement in isolation (it is not part of
// `pnpm bench postgres`).
// Run: RAPPEL_PG_STATEMENTS=1 node --conditions=@rappel/source --import tsx bench/postgres-steps.ts
// (RAPPEL_TEST_DATABASE_URL to use a running server; it needs pg_stat_statements preloaded.)
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { createPostgresStorage } from "../packages/adapters-postgres/src/index.js";
import { acquireServer, releaseServer } from "../packages/adapters-postgres/test/pg-server.js";
import { BENCH_NOW, loadEngineSends } from "./postgres-load.js";

const pkgRequire = createRequire(new URL("../packages/adapters-postgres/package.json", import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: rows of ad hoc SQL
type Rows = { rows: any[] };
interface PgPool {
  query(text: string, params?: unknown[]): Promise<Rows>;
  connect(): Promise<{ query(text: string, params?: unknown[]): Promise<Rows>; release(): void }>;
  end(): Promise<void>;
}
const pg = pkgRequire("pg") as { Pool: new (o: { connectionString: string; max: number }) => PgPool };

const PENDING = Number(process.env.PENDING ?? 200_000);
const SENDS = Number(process.env.SENDS ?? 50_000);
const BATCH = Number(process.env.BATCH ?? 500);
const SCHEMA = "bench_steps";
const NOW = new Date(BENCH_NOW);

async function main() {
  process.env.RAPPEL_PG_STATEMENTS = "1";
  process.env.RAPPEL_PG_SHARED_BUFFERS ??= "1GB";
  const server = await acquireServer();
  const admin = new pg.Pool({ connectionString: server.url, max: 1 });
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  try {
    await admin.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    const storage = createPostgresStorage({ pool, schema: SCHEMA });
    await storage.migrate();
    // EXTRA_SQL: a change of the schema to measure (before loading), e.g. "ALTER TABLE {s}.sends SET (fillfactor = 80)".
    for (const sql of (process.env.EXTRA_SQL ?? "").split(";").filter((x) => x.trim() !== ""))
      await admin.query(sql.replaceAll("{s}", SCHEMA));
    const t0 = performance.now();
    await loadEngineSends(admin, SCHEMA, PENDING);
    await admin.query("CHECKPOINT");
    console.log(`loaded ${PENDING} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const pid = Number((await pool.query("SELECT pg_backend_pid() AS pid")).rows[0].pid);
    const cpu = () => {
      const f = require("node:fs")
        .readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) /, "")
        .split(" ");
      return (Number(f[11]) + Number(f[12])) / 100;
    };
    await admin.query("SELECT pg_stat_statements_reset()");
    const wal0 = (await admin.query("SELECT pg_current_wal_lsn() AS l")).rows[0].l as string;
    const c0 = cpu();
    const w0 = performance.now();
    let sent = 0;
    let n = 0;
    while (sent < SENDS) {
      const claims = await storage.claimDue({ now: NOW, limit: BATCH, leaseMs: 300_000, owner: "steps" });
      if (claims.length === 0) break;
      const refs = claims.map((c) => ({ structureId: c.send.structureId, key: c.send.key, token: c.token }));
      await storage.smsOptedOutAmong(
        "s1",
        claims.map((c) => c.send.recipient.address),
      );
      await storage.beginSendMany(refs, NOW);
      await storage.completeMany(
        refs.map((ref, i) => ({
          ref,
          outcome: { status: "sent" as const, provider: "record", providerMessageId: `m${n}-${i}` },
        })),
        NOW,
      );
      await storage.appendJournal(
        "s1",
        claims.map((c) => ({
          structureId: "s1",
          at: NOW,
          event: "sent" as const,
          key: c.send.key,
          contactId: c.send.contactId,
          accountId: c.send.accountId,
          channel: "sms" as const,
          kind: "reminder" as const,
          provider: "record",
          providerMessageId: `m${n}`,
        })),
      );
      await storage.addUsage("s1", "a1", "2026-06", { reminderSmsCredits: claims.length });
      sent += claims.length;
      n++;
    }
    const wall = (performance.now() - w0) / 1000;
    const serverCpu = cpu() - c0;
    const wal = (await admin.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS b", [wal0]))
      .rows[0].b;
    const { rows } = await admin.query(
      `SELECT calls, total_exec_time AS exec, total_plan_time AS plan, wal_records, wal_bytes, shared_blks_hit AS hit,
         left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS q
       FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_current_wal%'
       ORDER BY total_exec_time DESC LIMIT 8`,
    );
    const us = (ms: number) => +((ms * 1000) / sent).toFixed(1);
    console.table(
      rows.map((r) => ({
        q: r.q,
        calls: Number(r.calls),
        "exec µs/send": us(r.exec),
        "plan µs/send": us(r.plan),
        "WAL rec/send": +(Number(r.wal_records) / sent).toFixed(2),
        "WAL B/send": Math.round(Number(r.wal_bytes) / sent),
        "buf/send": +(Number(r.hit) / sent).toFixed(1),
      })),
    );
    console.log(
      JSON.stringify({
        pending: PENDING,
        batch: BATCH,
        sent,
        wallSeconds: +wall.toFixed(2),
        serverCpuUsPerSend: +((serverCpu * 1e6) / sent).toFixed(1),
        clientAndServerWallUsPerSend: +((wall * 1e6) / sent).toFixed(1),
        walBytesPerSend: Math.round(Number(wal) / sent),
      }),
    );
    await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
    await storage.close();
  } finally {
    await pool.end();
    await admin.end();
    await releaseServer();
  }
}

const require = createRequire(import.meta.url);
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
