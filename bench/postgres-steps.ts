// Where the PostgreSQL server's time goes per send, statement by statement: the dispatch path of the engine
// (claimDue, smsOptedOutAmong, beginSendMany, completeMany, appendJournal, addUsage) driven directly on
// createPostgresStorage by one connection, on a table of PENDING due sends, SENDS sends in claims of BATCH. Prints, per
// statement, the server's execution time per send (pg_stat_statements), the WAL it wrote and the buffers it touched,
// then the server backend's CPU per send and this process's (the adapter and the driver, without the engine) from
// /proc. Used to measure each change of the schema or of a statement in isolation (not part of `pnpm bench postgres`).
//
// A/B: RAPPEL_STEPS_STORAGE=<path to another copy of the adapter's index.ts> (e.g. an earlier revision's sources,
// `git show REV:packages/adapters-postgres/src/<file>` into a scratch folder beside src/) runs that copy and this
// one in turns, ROUNDS rounds of SENDS ÷ ROUNDS sends each, on the same table and the same connection's server
// process, so both see the same table state and machine load; the medians of the rounds are printed.
// Run: node --conditions=@rappel/source --import tsx bench/postgres-steps.ts
// (RAPPEL_TEST_DATABASE_URL to use a running server; it needs pg_stat_statements preloaded.)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import * as current from "../packages/adapters-postgres/src/index.js";
import { acquireServer, releaseServer } from "../packages/adapters-postgres/test/pg-server.js";
import { BENCH_NOW, loadEngineSends } from "./postgres-load.js";

type Adapter = typeof current;
const other = process.env.RAPPEL_STEPS_STORAGE;
const variants: { name: string; adapter: Adapter }[] = [{ name: "current", adapter: current }];
if (other !== undefined) variants.unshift({ name: "other", adapter: (await import(other)) as Adapter });

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
const ROUNDS = Number(process.env.ROUNDS ?? (other === undefined ? 1 : 6));
const SCHEMA = "bench_steps";
const NOW = new Date(BENCH_NOW);

interface Round {
  variant: string;
  sent: number;
  serverUs: number;
  clientUs: number;
  walBytes: number;
  clientUsByCall: Record<string, number>;
  statements: {
    q: string;
    calls: number;
    plans: number;
    planUs: number;
    execUs: number;
    walRecords: number;
    walBytes: number;
    buffers: number;
  }[];
}

async function main() {
  process.env.RAPPEL_PG_STATEMENTS = "1";
  process.env.RAPPEL_PG_SHARED_BUFFERS ??= "1GB";
  const server = await acquireServer();
  const admin = new pg.Pool({ connectionString: server.url, max: 1 });
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  const hold = new pg.Pool({ connectionString: server.url, max: 1 });
  try {
    await admin.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    // Planning time too (a statement that gets a custom plan at each execution pays it per batch).
    await admin.query("ALTER SYSTEM SET pg_stat_statements.track_planning = on");
    await admin.query("SELECT pg_reload_conf()");
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    const storages = variants.map((v) => ({
      ...v,
      storage: v.adapter.createPostgresStorage({ pool, schema: SCHEMA, migrate: false }),
    }));
    await current.createPostgresStorage({ pool, schema: SCHEMA }).migrate();
    // EXTRA_SQL: a change of the schema to measure (before loading), e.g. "ALTER TABLE {s}.sends SET (fillfactor = 80)".
    for (const sql of (process.env.EXTRA_SQL ?? "").split(";").filter((x) => x.trim() !== ""))
      await admin.query(sql.replaceAll("{s}", SCHEMA));
    const t0 = performance.now();
    await loadEngineSends(admin, SCHEMA, PENDING);
    await admin.query("CHECKPOINT");
    console.log(`loaded ${PENDING} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const pid = Number((await pool.query("SELECT pg_backend_pid() AS pid")).rows[0].pid);
    const cpu = () => {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) /, "")
        .split(" ");
      return (Number(f[11]) + Number(f[12])) / 100;
    };
    let n = 0;
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++)
      for (const { name, storage } of storages) {
        // ROUND_SQL="<round>:<sql>": SQL run before that round (e.g. "2:ANALYZE {s}.sends", what autoanalyze does
        // mid-run), to see what it changes in the rounds after it.
        const [at, ...sql] = (process.env.ROUND_SQL ?? "").split(":");
        if (sql.length > 0 && Number(at) === r && name === storages[0]!.name)
          await admin.query(sql.join(":").replaceAll("{s}", SCHEMA));
        // HOLD_SNAPSHOT_ROUND=<round>: another session holds a snapshot during that round (as an ANALYZE, a report or
        // a dump does), so no row version the round makes dead can be pruned nor its index entry skipped.
        const holder = Number(process.env.HOLD_SNAPSHOT_ROUND ?? -1) === r ? await hold.connect() : undefined;
        if (holder !== undefined)
          await holder.query("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM pg_class");
        // DURING_ROUND="<round>:<sql>": that SQL runs in another session while the round runs (e.g. an ANALYZE, whose
        // snapshot is held as long as it samples the table); its server CPU is not in the round's.
        const [dAt, ...dSql] = (process.env.DURING_ROUND ?? "").split(":");
        const during =
          dSql.length > 0 && Number(dAt) === r && name === storages[0]!.name
            ? (async (t) => {
                await hold.query(dSql.join(":").replaceAll("{s}", SCHEMA));
                console.log(`round ${r}: DURING_ROUND took ${(performance.now() - t).toFixed(0)} ms`);
              })(performance.now())
            : undefined;
        await admin.query("SELECT pg_stat_statements_reset()");
        const wal0 = (await admin.query("SELECT pg_current_wal_lsn() AS l")).rows[0].l as string;
        const c0 = cpu();
        const own0 = process.cpuUsage();
        let sent = 0;
        // This process's CPU per call (one call at a time, so the difference of two readings is that call's).
        const calls: Record<string, number> = {};
        let mark = process.cpuUsage();
        const tick = (name: string) => {
          const d = process.cpuUsage(mark);
          calls[name] = (calls[name] ?? 0) + d.user + d.system;
          mark = process.cpuUsage();
        };
        while (sent < SENDS / ROUNDS) {
          mark = process.cpuUsage();
          const claims = await storage.claimDue({ now: NOW, limit: BATCH, leaseMs: 300_000, owner: "steps" });
          tick("claimDue");
          if (claims.length === 0) break;
          const refs = claims.map((c) => ({ structureId: c.send.structureId, key: c.send.key, token: c.token }));
          await storage.smsOptedOutAmong(
            "s1",
            claims.map((c) => c.send.recipient.address),
          );
          tick("smsOptedOutAmong");
          await storage.beginSendMany(refs, NOW);
          tick("beginSendMany");
          await storage.completeMany(
            refs.map((ref, i) => ({
              ref,
              outcome: { status: "sent" as const, provider: "record", providerMessageId: `m${n}-${i}` },
            })),
            NOW,
          );
          tick("completeMany");
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
          tick("appendJournal");
          await storage.addUsage("s1", "a1", "2026-06", { reminderSmsCredits: claims.length });
          tick("addUsage");
          sent += claims.length;
          n++;
        }
        const own = process.cpuUsage(own0);
        const serverCpu = cpu() - c0;
        if (during !== undefined) await during;
        if (holder !== undefined) {
          await holder.query("COMMIT");
          holder.release();
        }
        const wal = (await admin.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS b", [wal0]))
          .rows[0].b;
        const { rows } = await admin.query(
          `SELECT calls, plans, total_exec_time AS exec, total_plan_time AS plan, wal_records, wal_bytes, shared_blks_hit + shared_blks_read AS bufs,
             left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS q
           FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_current_wal%'
           ORDER BY total_exec_time DESC LIMIT 8`,
        );
        rounds.push({
          variant: name,
          sent,
          serverUs: (serverCpu * 1e6) / sent,
          clientUs: (own.user + own.system) / sent,
          walBytes: Number(wal) / sent,
          clientUsByCall: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v / sent])),
          statements: rows.map((x) => ({
            q: String(x.q),
            calls: Number(x.calls),
            execUs: (Number(x.exec) * 1000) / sent,
            plans: Number(x.plans),
            planUs: (Number(x.plan) * 1000) / sent,
            walRecords: Number(x.wal_records) / sent,
            walBytes: Number(x.wal_bytes) / sent,
            buffers: Number(x.bufs) / sent,
          })),
        });
        const last = rounds.at(-1)!;
        const claim = last.statements.find((x) => x.q.startsWith("WITH resolved"));
        console.log(
          `round ${r} ${name}: ${sent} sent, server ${last.serverUs.toFixed(1)} µs/send, adapter+driver ${last.clientUs.toFixed(1)} µs/send, claim ${claim?.execUs.toFixed(1)} µs and ${claim?.buffers.toFixed(1)} buffers a send`,
        );
      }
    const median = (xs: number[]) => {
      const v = [...xs].sort((a, b) => a - b);
      return v.length % 2 === 1 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    for (const { name } of variants) {
      const mine = rounds.filter((x) => x.variant === name);
      const byQ = new Map<string, Round["statements"]>();
      for (const x of mine) for (const st of x.statements) byQ.set(st.q, [...(byQ.get(st.q) ?? []), st]);
      console.log(`\n${name} (medians of ${mine.length} rounds)`);
      console.table(
        [...byQ].map(([q, sts]) => ({
          q,
          "calls/round": median(sts.map((x) => x.calls)),
          "exec µs/send": +median(sts.map((x) => x.execUs)).toFixed(1),
          "plans/round": median(sts.map((x) => x.plans)),
          "plan µs/send": +median(sts.map((x) => x.planUs)).toFixed(1),
          "WAL rec/send": +median(sts.map((x) => x.walRecords)).toFixed(2),
          "WAL B/send": Math.round(median(sts.map((x) => x.walBytes))),
          "buf/send": +median(sts.map((x) => x.buffers)).toFixed(1),
        })),
      );
      console.log(
        JSON.stringify({
          variant: name,
          pending: PENDING,
          batch: BATCH,
          rounds: mine.length,
          sent: mine.reduce((a, x) => a + x.sent, 0),
          serverCpuUsPerSend: +median(mine.map((x) => x.serverUs)).toFixed(1),
          serverCpuUsPerSendRounds: mine.map((x) => +x.serverUs.toFixed(1)),
          adapterCpuUsPerSend: +median(mine.map((x) => x.clientUs)).toFixed(1),
          adapterCpuUsPerSendByCall: Object.fromEntries(
            Object.keys(mine[0]!.clientUsByCall).map((k) => [
              k,
              +median(mine.map((x) => x.clientUsByCall[k] ?? 0)).toFixed(1),
            ]),
          ),
          walBytesPerSend: Math.round(median(mine.map((x) => x.walBytes))),
        }),
      );
    }
    await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
    for (const s of storages) await s.storage.close();
  } finally {
    await pool.end();
    await hold.end();
    await admin.end();
    await releaseServer();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
