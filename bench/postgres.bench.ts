// PostgreSQL storage benchmark (@rappel/adapters-postgres), on a throwaway PostgreSQL 15 cluster (or the server of
// RAPPEL_TEST_DATABASE_URL) and on PGlite:
// 1. end to end: 2 worker processes claim (batches of 100), beginSend, hand to a record-only HTTP transport and
//    complete 20,000 due sends;
// 2. claim loops of 2 concurrent claimers (claims of 100, then complete): the adapter's claimDue vs a naive
//    `ORDER BY … LIMIT … FOR UPDATE` claim without SKIP LOCKED, on the same table;
// 3. claim latency (claimDue limit 100) at 10^4 and at 10^6 pending sends;
// 4. PGlite in-process: 10,000 appointments' sends planned and dispatched, sends/s and RSS (own process).
// Run: node --conditions=@rappel/source --expose-gc --import tsx bench/postgres.bench.ts
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
// The root package does not depend on the workspace packages: import the sources, resolve pg from the package.
import { createPgliteStorage, createPostgresStorage } from "../packages/adapters-postgres/src/index.js";
import { acquireServer, releaseServer } from "../packages/adapters-postgres/test/pg-server.js";
import type { PlannedSend } from "../packages/core/src/index.js";

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

async function endToEnd(url: string, sends: number) {
  const schema = "bench_e2e";
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const storage = createPostgresStorage({ pool, schema });
  await storage.migrate();
  const t0 = Date.now() - 60_000;
  const all = Array.from({ length: sends }, (_, i) => planned(i, new Date(t0 + (i % 60_000))));
  const upsertStart = performance.now();
  for (let s = 0; s < 10; s++) {
    const mine = all.filter((p) => p.structureId === `s${s}`);
    for (let i = 0; i < mine.length; i += 1000)
      await storage.upsertPlanned(`s${s}`, mine.slice(i, i + 1000), new Date());
  }
  const upsertPerSec = Math.round(sends / ((performance.now() - upsertStart) / 1000));
  let delivered = 0;
  const http = createServer((_req, res) => {
    delivered++;
    res.writeHead(200).end(`m${delivered}`);
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const workerPath = fileURLToPath(new URL("../packages/adapters-postgres/test/worker.ts", import.meta.url));
  const start = performance.now();
  const workers = Array.from({ length: 2 }, (_, w) =>
    spawn(process.execPath, ["--conditions=@rappel/source", "--import", "tsx", workerPath], {
      cwd: fileURLToPath(new URL("../packages/adapters-postgres", import.meta.url)),
      env: {
        ...process.env,
        DATABASE_URL: url,
        SCHEMA: schema,
        TRANSPORT_URL: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
        OWNER: `bench-${w}`,
        LEASE_MS: "30000",
        BATCH: "100",
        POOL: "16",
      },
      stdio: "inherit",
    }),
  );
  let done = 0;
  while (performance.now() - start < 180_000) {
    done = (await pool.query(`SELECT count(*)::int AS n FROM ${schema}.sends WHERE status = 'sent'`)).rows[0].n;
    if (done >= sends) break;
    await sleep(100);
  }
  const seconds = (performance.now() - start) / 1000;
  for (const w of workers) w.kill("SIGKILL");
  await new Promise((r) => http.close(r));
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
  return {
    sends,
    workers: 2,
    done,
    delivered,
    seconds: +seconds.toFixed(2),
    sendsPerSec: Math.round(done / seconds),
    upsertPerSec,
  };
}

/** 2 concurrent claim loops (claim 100, complete each) for `ms`; `naive` claims without SKIP LOCKED. */
async function claimLoops(url: string, pending: number, naive: boolean, ms: number) {
  const schema = naive ? "bench_naive" : "bench_claim";
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await createPostgresStorage({ pool: admin, schema }).migrate();
  await loadRows(admin, schema, pending);
  const latencies: number[] = [];
  let sent = 0;
  const stopAt = performance.now() + ms;
  await Promise.all(
    Array.from({ length: 2 }, async (_, w) => {
      const pool = new pg.Pool({ connectionString: url, max: 8 });
      const storage = createPostgresStorage({ pool, schema, migrate: false });
      const client = naive ? await pool.connect() : null;
      while (performance.now() < stopAt) {
        const now = new Date();
        const t = performance.now();
        let claimed: { structure_id: string; key: string; token: number }[];
        if (client !== null) {
          // The obvious claim: lock the first 100 due rows (waiting for the other claimer's locks), lease them.
          await client.query("BEGIN");
          const { rows } = await client.query(
            `SELECT structure_id, key FROM ${schema}.sends WHERE due_at <= $1 ORDER BY due_at LIMIT 100 FOR UPDATE`,
            [now],
          );
          const upd = await client.query(
            `UPDATE ${schema}.sends s SET status = 'sending', lease_owner = $2, lease_token = nextval('${schema}.lease_token_seq'),
               lease_expires_at = $1::timestamptz + interval '30 seconds', due_at = $1::timestamptz + interval '30 seconds'
             FROM jsonb_to_recordset($3::jsonb) AS x(structure_id text, key text)
             WHERE s.structure_id = x.structure_id AND s.key = x.key RETURNING s.structure_id, s.key, s.lease_token AS token`,
            [now, `naive-${w}`, JSON.stringify(rows)],
          );
          await client.query("COMMIT");
          claimed = upd.rows.map((r) => ({ ...r, token: Number(r.token) }));
        } else {
          const claims = await storage.claimDue({ now, limit: 100, leaseMs: 30_000, owner: `bench-${w}` });
          claimed = claims.map((c) => ({ structure_id: c.send.structureId, key: c.send.key, token: c.token }));
        }
        latencies.push(performance.now() - t);
        if (claimed.length === 0) break;
        await Promise.all(
          claimed.map(async (c) => {
            const ref = { structureId: c.structure_id, key: c.key, token: c.token };
            await storage.complete(ref, { status: "sent", provider: "bench" }, new Date());
          }),
        );
        sent += claimed.length;
      }
      client?.release();
      await pool.end();
    }),
  );
  const seconds = ms / 1000;
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
  return {
    claimer: naive ? "naive FOR UPDATE" : "claimDue (SKIP LOCKED)",
    pending,
    claimAndCompletePerSec: Math.round(sent / seconds),
    claimMs: quantiles(latencies),
  };
}

/** claimDue latency (limit 10, leases long enough that nothing is claimed twice) at `pending` pending sends. */
async function claimLatency(url: string, pending: number, claims: number) {
  const schema = `bench_lat_${pending}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const storage = createPostgresStorage({ pool, schema });
  await storage.migrate();
  const loadStart = performance.now();
  await loadRows(pool, schema, pending);
  const loadSeconds = +((performance.now() - loadStart) / 1000).toFixed(1);
  const xs: number[] = [];
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
  const buffers = {
    buffers: plan["Shared Hit Blocks"] + plan["Shared Read Blocks"],
    indexes: text.match(/"Index Name":"([^"]+)"/)?.[1] ?? "none",
  };
  for (let i = 0; i < claims; i++) {
    const t = performance.now();
    await storage.claimDue({ now: new Date(), limit: 10, leaseMs: 3_600_000, owner: "lat" });
    xs.push(performance.now() - t);
  }
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
  return { pending, loadSeconds, ...quantiles(xs), selectBuffers: buffers.buffers, index: buffers.indexes };
}

/** PGlite in this (child) process: plan and dispatch 10,000 appointments' reminders. */
async function pgliteRun(dataDir: string) {
  const rssStart = process.memoryUsage().rss;
  const storage = await createPgliteStorage({ dataDir });
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
    for (const c of claims) {
      const ref = { structureId: c.send.structureId, key: c.send.key, token: c.token };
      await storage.beginSend(ref, new Date());
      await storage.complete(ref, { status: "sent", provider: "memory", providerMessageId: `m${sent}` }, new Date());
      sent++;
    }
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - start) / 1000;
  await storage.close();
  return {
    appointments: n,
    upsertPerSec: Math.round(n / upsertSeconds),
    sends: sent,
    sendsPerSec: Math.round(sent / seconds),
    rssStartMiB: Math.round(rssStart / 2 ** 20),
    rssOpenMiB: Math.round(rssOpen / 2 ** 20),
    rssPeakMiB: Math.round(peak / 2 ** 20),
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

/** PGlite: create the data directory in one process (initdb), then plan and dispatch in another. */
async function pgliteInChildren() {
  const dir = mkdtempSync(join(os.tmpdir(), "rappel-pglite-bench-"));
  try {
    const init = JSON.parse(await inChild(["--pglite-init", dir])) as { rssAfterCreateMiB: number; seconds: number };
    const run = JSON.parse(await inChild(["--pglite", dir])) as Awaited<ReturnType<typeof pgliteRun>>;
    return { ...run, initRssMiB: init.rssAfterCreateMiB, initSeconds: init.seconds };
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
    process.stdout.write(`${JSON.stringify(await pgliteRun(argAfter("--pglite")))}\n`);
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
  try {
    const e2e = await endToEnd(server.url, 20_000);
    console.log("end to end", e2e);
    const loops = [
      await claimLoops(server.url, 100_000, false, 8000),
      await claimLoops(server.url, 100_000, true, 8000),
    ];
    console.log("claim loops", loops);
    const latency = [await claimLatency(server.url, 10_000, 900), await claimLatency(server.url, 1_000_000, 900)];
    console.log("latency", latency);
    const pglite = await pgliteInChildren();
    console.log("pglite", pglite);
    const results = {
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
      endToEnd: e2e,
      claimLoops: loops,
      claimLatency: latency,
      pgliteRun: pglite,
    };
    const ratio = +(latency[1]!.p99 / latency[0]!.p99).toFixed(2);
    const skipLockedRatio = +(loops[0]!.claimAndCompletePerSec / Math.max(1, loops[1]!.claimAndCompletePerSec)).toFixed(
      2,
    );
    writeFileSync(
      new URL("./results/postgres.json", import.meta.url),
      `${JSON.stringify({ ...results, ratio, skipLockedRatio }, null, 2)}\n`,
    );
    const md = `# PostgreSQL storage benchmark (@rappel/adapters-postgres)

Node ${results.node} (V8 ${results.v8}), PostgreSQL ${results.postgres} (throwaway local cluster, fsync off), pg ${results.pgDriver},
PGlite ${results.pglite}; ${results.platform}, ${results.cpu}, ${results.memoryGiB} GiB; ${results.seconds} s wall, load average
${results.loadAverage} (machine shared with other jobs: absolute numbers are low and noisy, compare within the run).
Run: \`node --conditions=@rappel/source --expose-gc --import tsx bench/postgres.bench.ts\` (or \`pnpm bench postgres\`).

## End to end (2 worker processes, record-only HTTP transport)

Each worker: \`claimDue\` 100 at a time, then per send \`beginSend\`, an HTTP POST to a record-only server, \`complete\`
with the provider's message id (16 pool connections per worker).

| sends | workers | sent | delivered | seconds | sends/s | upsert/s |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${e2e.sends} | ${e2e.workers} | ${e2e.done} | ${e2e.delivered} | ${e2e.seconds} | ${e2e.sendsPerSec} | ${e2e.upsertPerSec} |

## Claim loops (2 concurrent claimers, claims of 100 then complete each; ${loops[0]!.pending} due sends; 8 s each)

| claimer | claim+complete/s | claim p50 ms | claim p99 ms |
| --- | ---: | ---: | ---: |
${loops.map((l) => `| ${l.claimer} | ${l.claimAndCompletePerSec} | ${l.claimMs.p50} | ${l.claimMs.p99} |`).join("\n")}

SKIP LOCKED vs the naive claim: ×${skipLockedRatio}. (pg-boss was not run in this benchmark: the naive
\`ORDER BY … LIMIT … FOR UPDATE\` claim stands in as the baseline.)

## Claim latency (claimDue limit 10, all pending sends due; 20 warm-up claims then 900 measured, 9,200 sends claimed)

| pending | load s | claims | p50 ms | p90 ms | p99 ms | mean ms | pages read by the row selection | index |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${latency.map((l) => `| ${l.pending} | ${l.loadSeconds} | ${l.n} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.mean} | ${l.selectBuffers} | ${l.index} |`).join("\n")}

p99 at 10^6 / p99 at 10^4: ×${ratio} (target ≤ ×1.5): the claim reads the first entries of the partial index on
\`due_at\` (only planned and leased rows are in it), whatever the number of rows.

## PGlite (in-process; a data directory created in one process, then used in another)

| appointments | upsert/s | sends | sends/s (claim+begin+complete) | RSS before MiB | RSS after open MiB | peak RSS MiB |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${pglite.appointments} | ${pglite.upsertPerSec} | ${pglite.sends} | ${pglite.sendsPerSec} | ${pglite.rssStartMiB} | ${pglite.rssOpenMiB} | ${pglite.rssPeakMiB} |

Creating the data directory (PGlite runs \`initdb\` in-process) took ${pglite.initSeconds} s and left that process at
${pglite.initRssMiB} MiB RSS: PGlite keeps the memory initdb used. Opening an existing data directory is what keeps
a demo small, so create it once (a setup step or a short child process). "RSS before" is Node with tsx.
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
