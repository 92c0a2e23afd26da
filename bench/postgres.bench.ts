// PostgreSQL storage benchmark (@rappel/adapters-postgres), on a throwaway PostgreSQL 15 cluster (or the server of
// RAPPEL_TEST_DATABASE_URL) and on PGlite:
// 1. end to end: the engine (`createRappel`, `runDue`) in 2 worker processes (bench/postgres-worker.ts) over 200,000
//    due SMS reminders, with a memory data source and a record-only transport; pg-boss's fetch + complete loop over
//    the same number of jobs with 2 worker processes on the same server, in the same run (two rounds each,
//    alternating), and pg-boss fetching one job at a time;
// 2. claim loops of 2 concurrent claimers (claims of 500, then completeMany): the adapter vs a raw SKIP LOCKED loop;
// 3. claim latency (claimDue limit 10) at 10^4 and at 10^6 pending sends;
// 4. PGlite in-process: 10,000 appointments' sends planned and dispatched, sends/s and RSS, with V8's default
//    WebAssembly compilers and with Liftoff only.
// Run: node --conditions=@rappel/source --expose-gc --import tsx bench/postgres.bench.ts (or `pnpm bench postgres`).
// The engine workers run the built dist bundles when they exist (RAPPEL_BENCH_DIST=0: the sources through tsx).
// Quick looks: --e2e [--pgboss], --loops, --latency; RAPPEL_BENCH_SENDS, RAPPEL_BENCH_BATCH, RAPPEL_BENCH_CONCURRENCY;
// RAPPEL_PG_STATEMENTS=1 prints pg_stat_statements, RAPPEL_BENCH_SAMPLE=1 samples pg_stat_activity,
// RAPPEL_BENCH_PROFILE=<dir> writes the workers' CPU profiles.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
// The root package does not depend on the workspace packages: import the sources, resolve pg from the package.
import { createPgliteStorage, createPostgresStorage } from "../packages/adapters-postgres/src/index.js";
import { acquireServer, releaseServer } from "../packages/adapters-postgres/test/pg-server.js";
import type { PlannedSend } from "../packages/core/src/index.js";
import { loadEngineSends } from "./postgres-load.js";

const pkgRequire = createRequire(new URL("../packages/adapters-postgres/package.json", import.meta.url));
// Only what the benchmark uses of node-postgres (the root package has no dependency on pg or its types).
// biome-ignore lint/suspicious/noExplicitAny: rows of ad hoc SQL
type Rows = { rows: any[] };
interface PgClient {
  query(text: string, params?: unknown[]): Promise<Rows>;
  release(): void;
}
interface PgPool {
  query(text: string, params?: unknown[]): Promise<Rows>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}
const pg = pkgRequire("pg") as { Pool: new (o: { connectionString: string; max: number }) => PgPool };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function planned(i: number, sendAt: Date): PlannedSend {
  const s = `s${i % 10}`;
  return {
    key: `${s}:apt:r${i}:reminder:first:sms`,
    structureId: s,
    accountId: `a${i % 50}`,
    kind: "reminder",
    channel: "sms",
    recipient: { type: "contact", id: `c${i}`, address: `+336${String(10_000_000 + i).slice(-8)}` },
    sendAt,
    expiresAt: new Date(sendAt.getTime() + 86_400_000),
    appointmentId: `r${i}`,
    contactId: `c${i}`,
    billing: "reminder",
    data: { slot: "first" },
  };
}

function quantiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => +(s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0).toFixed(2);
  return {
    n: s.length,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2),
  };
}

/**
 * Inserts `n` planned sends due within the past hour with one statement (the bench measures claiming, not loading).
 * Due order is a permutation of insertion order (g · 7919 mod n), so that at every size the sends due together sit
 * on different heap pages, as they do when appointments are booked at different times.
 */
async function loadRows(pool: PgPool, schema: string, n: number, offset = 0): Promise<void> {
  await pool.query(
    `INSERT INTO "${schema}".sends (structure_id, key, account_id, kind, channel, recipient_type, recipient_id,
       recipient_address, send_at, appointment_id, contact_id, billing, data, status, next_attempt_at, due_at,
       created_at, updated_at)
     SELECT 's' || (g % 10), 'k' || g, 'a' || (g % 50), 'reminder', 'sms', 'contact', 'c' || g,
       '+336' || lpad((g % 100000000)::text, 8, '0'), t, 'r' || g, 'c' || g, 'reminder', '{"slot":"first"}', 'planned',
       t, t, now(), now()
     FROM generate_series($1::int, $2::int) g,
       LATERAL (SELECT now() - interval '1 hour' + ((g::bigint * 7919) % $3) * (3600000.0 / $3) * interval '1 millisecond' AS t) x`,
    [offset, offset + n - 1, n],
  );
  await pool.query(`VACUUM ANALYZE "${schema}".sends`);
}

const CLK_TCK = 100;

/** What a PostgreSQL process is, from its title (`postgres: autovacuum worker`, `postgres: walwriter`, …). */
function processKind(pid: number | string, postmaster: number): string {
  if (Number(pid) === postmaster) return "postmaster";
  let title = "";
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "other";
  }
  if (title.includes("autovacuum")) return "autovacuum";
  if (/postgres: \S+ \S+ \S+\(/.test(title) || title.includes("127.0.0.1") || title.includes("[local]"))
    return "backends";
  return "background";
}

/**
 * CPU seconds used so far by each process of the PostgreSQL server that serves `pool` (postmaster and children),
 * with what each process is; pid -1 holds the CPU of the children the postmaster reaped (processes that ended, such
 * as autovacuum workers that came and went during a run: {@link cpuSince} counts only their CPU after the first reading).
 */
async function serverCpu(pool: PgPool): Promise<Map<number, { cpu: number; kind: string }>> {
  const backend = Number((await pool.query("SELECT pg_backend_pid() AS pid")).rows[0].pid);
  const field = (pid: number | string) =>
    readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
  const postmaster = Number(field(backend)[1]);
  const out = new Map<number, { cpu: number; kind: string }>();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const f = field(pid);
      if (Number(pid) !== postmaster && Number(f[1]) !== postmaster) continue;
      out.set(Number(pid), { cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK, kind: processKind(pid, postmaster) });
      if (Number(pid) === postmaster)
        out.set(-1, { cpu: (Number(f[13]) + Number(f[14])) / CLK_TCK, kind: "ended (reaped)" });
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** Server CPU seconds between two readings, in all and by kind of process. */
function cpuSince(
  before: Map<number, { cpu: number; kind: string }>,
  after: Map<number, { cpu: number; kind: string }>,
): { total: number; byKind: Record<string, number> } {
  let total = 0;
  const byKind: Record<string, number> = {};
  for (const [pid, t] of after) {
    let d = t.cpu - (before.get(pid)?.cpu ?? 0);
    // What the processes that ended used before the first reading is not part of the interval (a pool's idle
    // connection closed meanwhile).
    if (pid === -1) for (const [p, b] of before) if (p !== -1 && !after.has(p)) d -= b.cpu;
    total += d;
    byKind[t.kind] = +((byKind[t.kind] ?? 0) + d).toFixed(2);
  }
  return { total, byKind };
}

interface WorkerResult {
  claimed: number;
  sent: number;
  transported: number;
  batches: number;
  wallSeconds: number;
  cpuSeconds: number;
  rssMiB: number;
  sample?: string;
}

/**
 * Whether the engine workers run the built `dist/` bundles (what integrators install; the default once `pnpm build`
 * has run) or the TypeScript sources through tsx (RAPPEL_BENCH_DIST=0, or no build).
 */
const WORKER_DIST =
  process.env.RAPPEL_BENCH_DIST !== undefined
    ? process.env.RAPPEL_BENCH_DIST === "1"
    : ["core", "reminders", "adapters-postgres"].every((p) =>
        existsSync(new URL(`../packages/${p}/dist/index.js`, import.meta.url)),
      );

/** Runs 2 worker processes of bench/postgres-worker.ts in `mode` against `schema`; returns their figures. */
async function runWorkers(
  url: string,
  mode: "engine" | "pgboss",
  schema: string,
  batch: number,
  concurrency: number,
  dispatch = 0,
  limitMs = 0,
) {
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  const workerPath = fileURLToPath(new URL("./postgres-worker.ts", import.meta.url));
  const profile = process.env.RAPPEL_BENCH_PROFILE;
  const workers = Array.from({ length: 2 }, (_, w) => {
    const child = spawn(
      process.execPath,
      [
        ...(WORKER_DIST ? [] : ["--conditions=@rappel/source"]),
        ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
        "--import",
        "tsx",
        workerPath,
      ],
      {
        env: {
          ...process.env,
          MODE: mode,
          RAPPEL_BENCH_DIST: WORKER_DIST ? "1" : "0",
          DATABASE_URL: url,
          SCHEMA: schema,
          OWNER: `bench-${w}`,
          BATCH: String(batch),
          CONCURRENCY: String(concurrency),
          // Each worker's share of a fixed number of sends out of a larger backlog (0: the whole backlog).
          QUOTA: String(Math.ceil(dispatch / 2)),
          LIMIT_MS: String(limitMs),
        },
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    let buffer = "";
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    child.stdout!.on("data", (d) => {
      buffer += d;
      let i = buffer.indexOf("\n");
      while (i >= 0) {
        lines.push(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
        i = buffer.indexOf("\n");
        for (const f of waiters.splice(0)) f();
      }
    });
    const exited = new Promise((r) => child.on("exit", r));
    const line = async (n: number) => {
      const deadline = performance.now() + 600_000;
      while (lines.length < n) {
        if (performance.now() > deadline || child.exitCode !== null || child.signalCode !== null)
          throw new Error(`worker ${w} (${mode}) stopped`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), sleep(1000)]);
      }
      return lines[n - 1]!;
    };
    return { child, line, exited };
  });
  try {
    for (const w of workers) if ((await w.line(1)) !== "ready") throw new Error("worker did not start");
    const statements = process.env.RAPPEL_PG_STATEMENTS === "1";
    if (statements) {
      await admin.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      await admin.query("SELECT pg_stat_statements_reset()");
    }
    const load = os.loadavg()[0]!;
    const cpu0 = await serverCpu(admin);
    const t0 = performance.now();
    for (const w of workers) w.child.stdin!.write("go\n");
    // RAPPEL_BENCH_SAMPLE=1: what the server's backends are doing, sampled every 20 ms (where server time goes).
    const samples = new Map<string, number>();
    let sampling = process.env.RAPPEL_BENCH_SAMPLE === "1";
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await admin.query(
          "SELECT state, wait_event_type, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        );
        for (const r of rows) {
          const k = `${r.state}|${r.wait_event_type ?? ""}|${r.q}`;
          samples.set(k, (samples.get(k) ?? 0) + 1);
        }
        await sleep(20);
      }
    })();
    const results = (await Promise.all(workers.map((w) => w.line(2)))).map((l) => JSON.parse(l) as WorkerResult);
    sampling = false;
    await sampler;
    if (samples.size > 0)
      console.log(
        [...samples]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 25)
          .map(([k, v]) => `${v}\t${k}`)
          .join("\n"),
      );
    const seconds = (performance.now() - t0) / 1000;
    const serverCpuUse = cpuSince(cpu0, await serverCpu(admin));
    const serverCpuSeconds = serverCpuUse.total;
    if (statements) {
      const { rows } = await admin.query(
        `SELECT calls, round(total_exec_time)::int AS exec_ms, round(total_plan_time)::int AS plan_ms, rows,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS q
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12`,
      );
      console.table(rows);
    }
    for (const w of workers) w.child.stdin!.write("exit\n");
    await Promise.all(workers.map((w) => w.exited));
    const sum = (k: "claimed" | "sent" | "transported" | "batches" | "cpuSeconds") =>
      results.reduce((a, r) => a + r[k], 0);
    const workerCpuSeconds = sum("cpuSeconds");
    const sent = sum("sent");
    return {
      mode,
      batch,
      concurrency,
      sent,
      transported: sum("transported"),
      batches: sum("batches"),
      seconds: +seconds.toFixed(2),
      perSec: Math.round(sent / seconds),
      workerCpuSeconds: +workerCpuSeconds.toFixed(1),
      serverCpuSeconds: +serverCpuSeconds.toFixed(1),
      serverCpuByProcess: serverCpuUse.byKind,
      perCpuSec: Math.round(sent / (workerCpuSeconds + serverCpuSeconds)),
      workerRssMiB: Math.max(...results.map((r) => r.rssMiB)),
      loadAverageAtStart: +load.toFixed(1),
      sample: results.find((r) => r.sample)?.sample,
    };
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await admin.end();
  }
}

/** The engine in 2 worker processes over `n` due sends, dispatching all of them or `dispatch` of them. */
async function engineEndToEnd(url: string, n: number, batch: number, concurrency: number, dispatch = n, limitMs = 0) {
  const schema = "bench_engine";
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await createPostgresStorage({ pool, schema }).migrate();
  const loadStart = performance.now();
  await loadEngineSends(pool, schema, n);
  const loadSeconds = +((performance.now() - loadStart) / 1000).toFixed(1);
  try {
    const r = await runWorkers(url, "engine", schema, batch, concurrency, dispatch === n ? 0 : dispatch, limitMs);
    const check = (
      await pool.query(
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
           count(*) FILTER (WHERE status = 'sent' AND attempts <> 1)::int AS odd,
           count(*) FILTER (WHERE status NOT IN ('sent', 'planned'))::int AS other,
           (SELECT count(*)::int FROM ${schema}.journal WHERE event = 'sent') AS journal,
           (SELECT coalesce(sum(reminder_sms_credits), 0)::int FROM ${schema}.usage) AS credits
         FROM ${schema}.sends`,
      )
    ).rows[0] as { sent: number; odd: number; other: number; journal: number; credits: number };
    // Vacuum and analyze of the table during the run (their CPU is in the server's).
    const maintenance = (
      await pool.query(
        `SELECT autovacuum_count::int AS autovacuums, autoanalyze_count::int AS autoanalyzes, n_dead_tup::int AS dead
         FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'sends'`,
        [schema],
      )
    ).rows[0] as { autovacuums: number; autoanalyzes: number; dead: number };
    const t = r.transported;
    if (
      (t < dispatch && (limitMs === 0 || r.seconds * 1000 < limitMs)) ||
      t === 0 ||
      r.sent !== t ||
      check.sent !== t ||
      check.odd !== 0 ||
      check.other !== 0 ||
      check.journal !== t ||
      check.credits !== t
    )
      throw new Error(`engine run incomplete: ${JSON.stringify({ n, dispatch, transported: t, ...check })}`);
    return { pending: n, dispatch, loadSeconds, ...r, journal: check.journal, credits: check.credits, maintenance };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  }
}

/** pg-boss's fetch + complete loop in 2 worker processes over `n` jobs (all of them or `dispatch`), same server. */
async function pgbossEndToEnd(url: string, n: number, batch: number, concurrency: number, dispatch = n, limitMs = 0) {
  const schema = "bench_pgboss";
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const { default: PgBoss } = (await import(pkgRequire.resolve("pg-boss"))) as {
    default: new (
      o: object,
    ) => {
      start(): Promise<unknown>;
      stop(o?: object): Promise<void>;
      createQueue(name: string): Promise<void>;
      insert(jobs: { name: string; data: object }[]): Promise<unknown>;
    };
  };
  const boss = new PgBoss({ connectionString: url, schema, max: 2, supervise: false, schedule: false });
  await boss.start();
  await boss.createQueue("bench");
  const loadStart = performance.now();
  for (let i = 0; i < n; i += 10_000)
    await boss.insert(
      Array.from({ length: Math.min(10_000, n - i) }, (_, j) => ({ name: "bench", data: { key: `k${i + j}` } })),
    );
  await pool.query(`VACUUM ANALYZE ${schema}.job`);
  const loadSeconds = +((performance.now() - loadStart) / 1000).toFixed(1);
  await boss.stop({ graceful: false, wait: true });
  try {
    const r = await runWorkers(url, "pgboss", schema, batch, concurrency, dispatch === n ? 0 : dispatch, limitMs);
    const done = (await pool.query(`SELECT count(*)::int AS n FROM ${schema}.job WHERE state = 'completed'`)).rows[0]
      .n as number;
    if (done !== r.sent || r.sent === 0 || (r.sent < dispatch && (limitMs === 0 || r.seconds * 1000 < limitMs)))
      throw new Error(`pg-boss run incomplete: ${done} completed, ${r.sent} fetched, ${dispatch} wanted`);
    return { pending: n, dispatch, loadSeconds, ...r };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  }
}

/**
 * 2 concurrent claim loops for `ms` (claims of `batch`, then complete them all in one call): the adapter's
 * `claimDue` + `completeMany`, or a raw indexed `FOR UPDATE SKIP LOCKED` claim and a raw completion by key (the floor
 * of any claim on this table: no fencing token, no lease check, no row returned but the key).
 */
async function claimLoops(url: string, pending: number, raw: boolean, ms: number, batch: number) {
  const schema = raw ? "bench_raw" : "bench_claim";
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await createPostgresStorage({ pool: admin, schema }).migrate();
  await loadRows(admin, schema, pending);
  const latencies: number[] = [];
  let sent = 0;
  const cpu0 = await serverCpu(admin);
  const own0 = process.cpuUsage();
  const stopAt = performance.now() + ms;
  await Promise.all(
    Array.from({ length: 2 }, async (_, w) => {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      const storage = createPostgresStorage({ pool, schema, migrate: false });
      while (performance.now() < stopAt) {
        const now = new Date();
        const t = performance.now();
        if (raw) {
          const { rows } = await pool.query(
            `UPDATE ${schema}.sends SET status = 'sending', due_at = $1::timestamptz + interval '30 seconds'
             WHERE (structure_id, key) IN (SELECT structure_id, key FROM ${schema}.sends WHERE due_at <= $1
               ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING structure_id, key`,
            [now, batch],
          );
          latencies.push(performance.now() - t);
          if (rows.length === 0) break;
          await pool.query(
            `UPDATE ${schema}.sends SET status = 'sent', due_at = NULL
             WHERE (structure_id, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
            [rows.map((r) => r.structure_id), rows.map((r) => r.key)],
          );
          sent += rows.length;
          continue;
        }
        const claims = await storage.claimDue({ now, limit: batch, leaseMs: 30_000, owner: `bench-${w}` });
        latencies.push(performance.now() - t);
        if (claims.length === 0) break;
        const done = await storage.completeMany(
          claims.map((c) => ({
            ref: { structureId: c.send.structureId, key: c.send.key, token: c.token },
            outcome: { status: "sent", provider: "bench", providerMessageId: `${c.send.key}#${c.token}` },
          })),
          new Date(),
        );
        sent += done.filter((d) => d.ok).length;
      }
      await pool.end();
    }),
  );
  const own = process.cpuUsage(own0);
  const serverCpuSeconds = cpuSince(cpu0, await serverCpu(admin)).total;
  const clientCpuSeconds = (own.user + own.system) / 1e6;
  const seconds = ms / 1000;
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
  return {
    claimer: raw ? "raw SKIP LOCKED claim + raw complete" : "claimDue + completeMany",
    pending,
    batch,
    claimAndCompletePerSec: Math.round(sent / seconds),
    perCpuSec: Math.round(sent / (serverCpuSeconds + clientCpuSeconds)),
    serverCpuSeconds: +serverCpuSeconds.toFixed(1),
    clientCpuSeconds: +clientCpuSeconds.toFixed(1),
    claimMs: quantiles(latencies),
  };
}

/**
 * claimDue latency (limit 10, leases long enough that nothing is claimed twice) at each size of `sizes` pending
 * sends: every table is loaded first, then a CHECKPOINT (loading 10^6 rows leaves writes for the checkpointer), then
 * the sizes take turns, `rounds` blocks of `claims / rounds` claims each, so that all see the same machine load.
 */
async function claimLatency(url: string, sizes: number[], claims: number, rounds = 6) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const setups = [];
  for (const pending of sizes) {
    const schema = `bench_lat_${pending}`;
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const storage = createPostgresStorage({ pool, schema });
    await storage.migrate();
    const loadStart = performance.now();
    await loadRows(pool, schema, pending);
    const loadSeconds = +((performance.now() - loadStart) / 1000).toFixed(1);
    for (let i = 0; i < 20; i++)
      await storage.claimDue({ now: new Date(), limit: 10, leaseMs: 3_600_000, owner: "warm" });
    // Pages the claim's row selection touches (independent of the machine's load): EXPLAIN (ANALYZE, BUFFERS), rolled back.
    const c = await pool.connect();
    await c.query("BEGIN");
    const explained = await c.query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT structure_id, key FROM ${schema}.sends
       WHERE due_at <= now() ORDER BY due_at LIMIT 10 FOR UPDATE SKIP LOCKED`,
    );
    await c.query("ROLLBACK");
    c.release();
    const raw = explained.rows[0]["QUERY PLAN"];
    const plan = (typeof raw === "string" ? JSON.parse(raw) : raw)[0].Plan;
    const text = JSON.stringify(plan);
    setups.push({
      pending,
      schema,
      storage,
      loadSeconds,
      selectBuffers: plan["Shared Hit Blocks"] + plan["Shared Read Blocks"],
      index: text.match(/"Index Name":"([^"]+)"/)?.[1] ?? "none",
      xs: [] as number[],
    });
  }
  await pool.query("CHECKPOINT");
  for (let r = 0; r < rounds; r++)
    for (const s of setups)
      for (let i = 0; i < claims / rounds; i++) {
        const t = performance.now();
        await s.storage.claimDue({ now: new Date(), limit: 10, leaseMs: 3_600_000, owner: "lat" });
        s.xs.push(performance.now() - t);
      }
  for (const s of setups) await pool.query(`DROP SCHEMA ${s.schema} CASCADE`);
  await pool.end();
  return setups.map((s) => ({
    pending: s.pending,
    loadSeconds: s.loadSeconds,
    ...quantiles(s.xs),
    selectBuffers: s.selectBuffers,
    index: s.index,
  }));
}

/**
 * PGlite in this (child) process: plan and dispatch 10,000 appointments' reminders, in batches as the engine does
 * (claimDue 100, beginSendMany, completeMany). `liftoff`: V8 compiles PGlite's WebAssembly with its baseline
 * compiler only (set before PGlite is created, as the demo does).
 */
async function pgliteRun(dataDir: string, liftoff: boolean) {
  if (liftoff) (await import("node:v8")).setFlagsFromString("--liftoff-only");
  const rssStart = process.memoryUsage().rss;
  const storage = await createPgliteStorage({ dataDir, schema: liftoff ? "bench_liftoff" : "bench_default" });
  const rssOpen = process.memoryUsage().rss;
  const n = 10_000;
  const t0 = Date.now() - 60_000;
  const all = Array.from({ length: n }, (_, i) => planned(i, new Date(t0 + (i % 60_000))));
  const upsertStart = performance.now();
  for (let s = 0; s < 10; s++) {
    const mine = all.filter((p) => p.structureId === `s${s}`);
    for (let i = 0; i < mine.length; i += 500) await storage.upsertPlanned(`s${s}`, mine.slice(i, i + 500), new Date());
  }
  const upsertSeconds = (performance.now() - upsertStart) / 1000;
  let peak = process.memoryUsage().rss;
  const start = performance.now();
  let sent = 0;
  for (;;) {
    const claims = await storage.claimDue({ now: new Date(), limit: 100, leaseMs: 30_000, owner: "demo" });
    if (claims.length === 0) break;
    const refs = claims.map((c) => ({ structureId: c.send.structureId, key: c.send.key, token: c.token }));
    await storage.beginSendMany(refs, new Date());
    const done = await storage.completeMany(
      refs.map((ref, i) => ({
        ref,
        outcome: { status: "sent" as const, provider: "memory", providerMessageId: `m${sent + i}` },
      })),
      new Date(),
    );
    sent += done.filter((d) => d.ok).length;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - start) / 1000;
  await storage.close();
  return {
    liftoff,
    appointments: n,
    upsertPerSec: Math.round(n / upsertSeconds),
    sends: sent,
    sendsPerSec: Math.round(sent / seconds),
    rssStartMiB: Math.round(rssStart / 2 ** 20),
    rssOpenMiB: Math.round(rssOpen / 2 ** 20),
    rssPeakMiB: Math.round(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 2 ** 20),
  };
}

async function inChild(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((r) => child.on("exit", r));
  return out.trim().split("\n").pop()!;
}

/** PGlite: create the data directory in one process (initdb), then plan and dispatch in others (default, Liftoff). */
async function pgliteInChildren() {
  const dir = mkdtempSync(join(os.tmpdir(), "rappel-pglite-bench-"));
  try {
    const init = JSON.parse(await inChild(["--pglite-init", dir])) as { rssAfterCreateMiB: number; seconds: number };
    type Run = Awaited<ReturnType<typeof pgliteRun>>;
    const runs: Run[] = [];
    for (const liftoff of [false, true])
      runs.push(JSON.parse(await inChild(["--pglite", dir, ...(liftoff ? ["--liftoff"] : [])])) as Run);
    return { runs, initRssMiB: init.rssAfterCreateMiB, initSeconds: init.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const argAfter = (flag: string) => process.argv[process.argv.indexOf(flag) + 1]!;
  if (process.argv.includes("--pglite-init")) {
    const t = performance.now();
    const storage = await createPgliteStorage({ dataDir: argAfter("--pglite-init") });
    const rssAfterCreateMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
    await storage.close();
    process.stdout.write(
      `${JSON.stringify({ rssAfterCreateMiB, seconds: +((performance.now() - t) / 1000).toFixed(1) })}\n`,
    );
    return;
  }
  if (process.argv.includes("--pglite")) {
    process.stdout.write(
      `${JSON.stringify(await pgliteRun(argAfter("--pglite"), process.argv.includes("--liftoff")))}\n`,
    );
    return;
  }
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  process.env.RAPPEL_PG_SHARED_BUFFERS ??= "1GB";
  const server = await acquireServer();
  const pgVersion = await (async () => {
    const p = new pg.Pool({ connectionString: server.url, max: 1 });
    const v = (await p.query("SHOW server_version")).rows[0].server_version as string;
    await p.end();
    return v;
  })();
  const sends = Number(process.env.RAPPEL_BENCH_SENDS ?? 200_000);
  const batch = Number(process.env.RAPPEL_BENCH_BATCH ?? 500);
  const concurrency = Number(process.env.RAPPEL_BENCH_CONCURRENCY ?? 2);
  // The issue's reference configuration: 1 M pending rows in each system, batches of 100, a fixed part dispatched.
  const issuePending = Number(process.env.RAPPEL_BENCH_ISSUE_PENDING ?? 1_000_000);
  const issueDispatch = Number(process.env.RAPPEL_BENCH_ISSUE_DISPATCH ?? 100_000);
  const issueBatch = 100;
  // pg-boss fetches from 1 M pending at a few hundred to 2,000 jobs/s: each run stops at the quota or after this long.
  const issueSeconds = Number(process.env.RAPPEL_BENCH_ISSUE_SECONDS ?? 45);
  const dispatch = Number(process.env.RAPPEL_BENCH_DISPATCH ?? sends);
  try {
    if (process.argv.includes("--e2e")) {
      // Quick look: the engine only (or pg-boss with --pgboss), nothing written; RAPPEL_BENCH_DISPATCH < SENDS
      // dispatches only part of the backlog.
      if (process.argv.includes("--pgboss"))
        console.log(await pgbossEndToEnd(server.url, sends, batch, concurrency, dispatch));
      else console.log(await engineEndToEnd(server.url, sends, batch, concurrency, dispatch));
      return;
    }
    if (process.argv.includes("--latency")) {
      console.log(await claimLatency(server.url, [10_000, 1_000_000], 900));
      return;
    }
    if (process.argv.includes("--loops")) {
      console.log(await claimLoops(server.url, 100_000, false, 8000, batch));
      console.log(await claimLoops(server.url, 100_000, true, 8000, batch));
      return;
    }
    // Two configurations: the whole backlog of `sends` in batches of `batch`, and the issue's (1 M pending in each
    // system, batches of 100, `issueDispatch` of them dispatched). Engine and pg-boss alternate, twice each, so that
    // both see the same machine load; the better round of each is reported (every round is in the JSON).
    const configs = [
      { name: "whole", pending: sends, batch, dispatch: sends, limitMs: 0 },
      {
        name: "issue",
        pending: issuePending,
        batch: issueBatch,
        dispatch: issueDispatch,
        limitMs: issueSeconds * 1000,
      },
    ].map((c) => ({
      ...c,
      engineRounds: [] as Awaited<ReturnType<typeof engineEndToEnd>>[],
      bossRounds: [] as Awaited<ReturnType<typeof pgbossEndToEnd>>[],
    }));
    for (let round = 0; round < 2; round++)
      for (const c of configs) {
        c.engineRounds.push(await engineEndToEnd(server.url, c.pending, c.batch, concurrency, c.dispatch, c.limitMs));
        console.log("engine", c.name, c.engineRounds.at(-1));
        c.bossRounds.push(await pgbossEndToEnd(server.url, c.pending, c.batch, concurrency, c.dispatch, c.limitMs));
        console.log("pg-boss", c.name, c.bossRounds.at(-1));
      }
    // One job per fetch is slow on this server (18 ms of server CPU per job in the first run): 5,000 jobs.
    const bossSingle = await pgbossEndToEnd(server.url, Math.min(sends, 5_000), 1, concurrency);
    console.log("pg-boss one job per fetch", bossSingle);
    const best = <T extends { perSec: number }>(xs: T[]) => xs.reduce((a, b) => (b.perSec > a.perSec ? b : a));
    const median = (xs: number[]) => {
      const v = [...xs].sort((a, b) => a - b);
      return v.length % 2 === 1 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    const summary = configs.map((c) => {
      const engine = best(c.engineRounds);
      const boss = best(c.bossRounds);
      return {
        name: c.name,
        pending: c.pending,
        batch: c.batch,
        dispatch: c.dispatch,
        engine,
        boss,
        ratio: +(engine.perSec / boss.perSec).toFixed(2),
        // Per CPU second, the median of the rounds: independent of what else the machine ran.
        perCpuRatio: +(
          median(c.engineRounds.map((r) => r.perCpuSec)) / median(c.bossRounds.map((r) => r.perCpuSec))
        ).toFixed(2),
        engineUsPerSend: {
          worker: +((engine.workerCpuSeconds * 1e6) / engine.sent).toFixed(0),
          server: +((engine.serverCpuSeconds * 1e6) / engine.sent).toFixed(0),
        },
      };
    });
    const engine = summary[0]!.engine;
    const loops = [
      await claimLoops(server.url, 100_000, false, 8000, batch),
      await claimLoops(server.url, 100_000, true, 8000, batch),
    ];
    console.log("claim loops", loops);
    const latency = await claimLatency(server.url, [10_000, 1_000_000], 900);
    console.log("latency", latency);
    const pglite = await pgliteInChildren();
    console.log("pglite", pglite);
    const bossVersion = (pkgRequire("pg-boss/package.json") as { version: string }).version;
    const results = {
      pgBoss: bossVersion,
      date: new Date().toISOString(),
      node: process.versions.node,
      v8: process.versions.v8,
      postgres: pgVersion,
      pglite: JSON.parse(
        readFileSync(
          new URL("../packages/adapters-postgres/node_modules/@electric-sql/pglite/package.json", import.meta.url),
          "utf8",
        ),
      ).version as string,
      pgDriver: (pkgRequire("pg/package.json") as { version: string }).version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpu: `${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}`,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: +(os.loadavg()[0] ?? 0).toFixed(1),
      seconds: Math.round((performance.now() - wallStart) / 1000),
      cpuSeconds: Math.round((process.cpuUsage(cpuStart).user + process.cpuUsage(cpuStart).system) / 1e6),
      endToEnd: { configs, summary, bossSingle },
      claimLoops: loops,
      claimLatency: latency,
      pgliteRun: pglite,
    };
    const ratio = +(latency[1]!.p99 / latency[0]!.p99).toFixed(2);
    const bossRatio = summary.map((x) => ({ config: x.name, wall: x.ratio, perCpuSecond: x.perCpuRatio }));
    const bossSingleRatio = +(engine.perSec / bossSingle.perSec).toFixed(2);
    const rawRatio = +(loops[0]!.claimAndCompletePerSec / Math.max(1, loops[1]!.claimAndCompletePerSec)).toFixed(2);
    writeFileSync(
      new URL("./results/postgres.json", import.meta.url),
      `${JSON.stringify({ ...results, ratio, bossRatio, bossSingleRatio, rawRatio }, null, 2)}\n`,
    );
    const md = `# PostgreSQL storage benchmark (@rappel/adapters-postgres)

Node ${results.node} (V8 ${results.v8}), PostgreSQL ${results.postgres} (throwaway local cluster with \`fsync=off\`, \`synchronous_commit=off\`,
\`full_page_writes=off\`, \`shared_buffers=1GB\`: the adapter relies on none of them), pg ${results.pgDriver},
PGlite ${results.pglite}; ${results.platform}, ${results.cpu}, ${results.memoryGiB} GiB; ${results.seconds} s wall, load average
${results.loadAverage} (machine shared with other jobs: absolute numbers are low and noisy, compare within the run).
Run: \`node --conditions=@rappel/source --expose-gc --import tsx bench/postgres.bench.ts\` (or \`pnpm bench postgres\`).

## End to end: the engine in 2 worker processes, and pg-boss on the same server in the same run

Due SMS reminders in one PostgreSQL table. Each of 2 worker processes runs the real engine (\`createRappel\` from
\`@rappel/reminders\`, ${WORKER_DIST ? "on the built dist bundles, as integrators run them (`RAPPEL_BENCH_DIST=0`: the sources through tsx)" : "on the TypeScript sources through tsx (no build, or `RAPPEL_BENCH_DIST=0`)"}) on \`createPostgresStorage\` (${concurrency} \`runDue({ limit })\` loops), a memory data source
(contacts and appointments made on demand) and a record-only SMS transport: claim, load the data, render the SMS,
check opt-outs, hand off (\`beginSendMany\`), send, record the outcomes (\`completeMany\`), journal and count usage.
pg-boss ${bossVersion}: the same number of jobs in one queue, 2 worker processes of ${concurrency} \`fetch({ batchSize })\` +
\`complete(ids)\` loops, nothing else. Two configurations: the whole backlog of ${sends.toLocaleString("en")} in batches of
${batch}; and **the issue's reference configuration**: ${issuePending.toLocaleString("en")} pending rows in each system
(engine: \`sends\`; pg-boss: its queue), batches of ${issueBatch}, ${issueDispatch.toLocaleString("en")} of them dispatched or as many
as ${issueSeconds} s allow (each rate is sent ÷ seconds of that run). Engine and
pg-boss alternate, two rounds each per configuration; the better round is shown (every round is in the JSON). CPU is
the workers' own plus every PostgreSQL process's (read from /proc); per CPU second = sends ÷ both.

| configuration | run | batch | pending | sent | seconds | sends/s | worker CPU s | server CPU s | per CPU second | load at start |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${summary
  .flatMap((x) =>
    (
      [
        ["engine (`runDue`, PostgreSQL storage)", x.engine],
        ["pg-boss fetch + complete", x.boss],
      ] as const
    ).map(
      ([name, r]) =>
        `| ${x.name === "issue" ? "**issue's**" : "whole backlog"} | ${name} | ${r.batch} | ${r.pending} | ${r.sent} | ${r.seconds} | **${r.perSec}** | ${r.workerCpuSeconds} | ${r.serverCpuSeconds} | ${r.perCpuSec} | ${r.loadAverageAtStart} |`,
    ),
  )
  .join("\n")}
| whole backlog | pg-boss, one job per fetch (as \`work()\` by default) | 1 | ${bossSingle.pending} | ${bossSingle.sent} | ${bossSingle.seconds} | **${bossSingle.perSec}** | ${bossSingle.workerCpuSeconds} | ${bossSingle.serverCpuSeconds} | ${bossSingle.perCpuSec} | ${bossSingle.loadAverageAtStart} |

${summary.map((x) => `- ${x.name === "issue" ? "Issue's configuration" : "Whole backlog"} (batch ${x.batch}): engine ÷ pg-boss ×${x.ratio} wall (best rounds), ×${x.perCpuRatio} per CPU second (medians of the rounds); the engine's CPU per send: ${x.engineUsPerSend.worker} µs in the workers + ${x.engineUsPerSend.server} µs in the server.`).join("\n")}
- Engine ÷ pg-boss one job per fetch: ×${bossSingleRatio}.

Targets: ≥ 10,000 sends/s and ≥ ×5 pg-boss. Every round checks that each send dispatched was handed to the
transport once, is \`sent\` with one attempt, has its journal entry and its credit, and that nothing else changed
state. Sample SMS: «${engine.sample}».

## Claim loops (2 concurrent claimers, claims of ${batch} then complete them all; ${loops[0]!.pending.toLocaleString("en")} due sends; 8 s each)

| claimer | claim+complete/s | per CPU second (client + server) | claim p50 ms | claim p99 ms |
| --- | ---: | ---: | ---: | ---: |
${loops.map((l) => `| ${l.claimer} | ${l.claimAndCompletePerSec} | ${l.perCpuSec} | ${l.claimMs.p50} | ${l.claimMs.p99} |`).join("\n")}

The adapter's loop ÷ the raw loop: ×${rawRatio}. The raw loop returns only keys and checks nothing; the adapter
returns whole records, issues fencing tokens and checks them on completion.

## Claim latency (claimDue limit 10, all pending sends due; 20 warm-up claims then 900 measured, 9,200 sends claimed; both tables loaded, a CHECKPOINT, then the sizes take turns in 6 blocks of 150 claims)

| pending | load s | claims | p50 ms | p90 ms | p99 ms | mean ms | pages read by the row selection | index |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${latency.map((l) => `| ${l.pending} | ${l.loadSeconds} | ${l.n} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.mean} | ${l.selectBuffers} | ${l.index} |`).join("\n")}

p99 at 10^6 / p99 at 10^4: ×${ratio} (target ≤ ×1.5): the claim reads the first entries of the partial index on
\`due_at\` (only planned and leased rows are in it), whatever the number of rows.

## PGlite (in-process; a data directory created in one process, then used in others)

10,000 appointments' reminders planned (\`upsertPlanned\`, 500 a call) and dispatched as the engine does (claims of
100, \`beginSendMany\`, \`completeMany\`), each run in its own process on the same data directory.

| V8 compiler for PGlite's WebAssembly | upsert/s | sends | sends/s | RSS before MiB | RSS after open MiB | peak RSS MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${pglite.runs.map((r) => `| ${r.liftoff ? "Liftoff only (`--liftoff-only`, as the demo sets it)" : "default (Liftoff, then TurboFan)"} | ${r.upsertPerSec} | ${r.sends} | ${r.sendsPerSec} | ${r.rssStartMiB} | ${r.rssOpenMiB} | **${r.rssPeakMiB}** |`).join("\n")}

Creating the data directory (PGlite runs \`initdb\` in-process) took ${pglite.initSeconds} s and left that process at
${pglite.initRssMiB} MiB RSS: PGlite keeps the memory initdb used, so the demo creates it once in a short child
process and only opens it afterwards. "RSS before" is Node with tsx and the sources loaded. The WebAssembly memory
stays at its initial 128 MiB in every run: what grows is V8's compiled code (TurboFan recompiles hot PostgreSQL
functions) and the pages PostgreSQL touches.
`;
    writeFileSync(new URL("./results/postgres.md", import.meta.url), md);
    console.log(md);
  } finally {
    await releaseServer();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
