// One worker process of the PostgreSQL end-to-end benchmark (bench/postgres.bench.ts), in one of two modes:
// - MODE=engine: the real engine (`createRappel`) on `createPostgresStorage`, a memory data source and a record-only
//   SMS transport; CONCURRENCY loops of `runDue({ limit: BATCH })` until nothing is due;
// - MODE=pgboss: pg-boss's fetch(batchSize BATCH) + complete loop over the queue `bench`, CONCURRENCY loops;
// both until nothing is due, or until the worker claimed QUOTA (a part of a larger backlog) or LIMIT_MS passed.
// Protocol on stdio: prints `ready` once connected and warmed up, starts on `go`, prints one JSON line with its
// figures when done, then exits on `exit` (the parent reads the server's CPU time while our connections are open).
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import type { Appointment, Contact, SmsMessage, Transport } from "../packages/core/src/index.js";
import { benchMobile, seedBenchWorld } from "./bench-world.js";

// RAPPEL_BENCH_DIST=1: the built bundles (`pnpm build`; what integrators run, started without the @rappel/source
// condition, so the bundles import each other too); otherwise the TypeScript sources through tsx.
const DIST = process.env.RAPPEL_BENCH_DIST === "1";
const { createManualClock }: typeof import("../packages/core/src/index.js") = await import(
  DIST ? "../packages/core/dist/index.js" : "../packages/core/src/index.js"
);
const { createMemoryDataSource, createRappel }: typeof import("../packages/reminders/src/index.js") = await import(
  DIST ? "../packages/reminders/dist/index.js" : "../packages/reminders/src/index.js"
);

const env = (k: string) => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`missing ${k}`);
  return v;
};
const mode = env("MODE");
const url = env("DATABASE_URL");
const batch = Number(env("BATCH"));
const concurrency = Number(process.env.CONCURRENCY ?? "1");
/** Stop once this worker has claimed this many (the last batch may pass it); 0: until nothing is due. */
const quota = Number(process.env.QUOTA ?? "0");
/** And once LIMIT_MS have passed since `go` (0: no limit): a slow system dispatches part of its quota. */
const limitMs = Number(process.env.LIMIT_MS ?? "0");
let stopAt = Number.POSITIVE_INFINITY;
const more = (claimed: number) => (quota === 0 || claimed < quota) && performance.now() < stopAt;
// RAPPEL_BENCH_STORAGE: another copy of the adapter's sources to run instead (an A/B against an earlier revision, as
// in bench/postgres-steps.ts).
const { createPostgresStorage } = (await import(
  process.env.RAPPEL_BENCH_STORAGE ??
    (DIST ? "../packages/adapters-postgres/dist/index.js" : "../packages/adapters-postgres/src/index.js")
)) as typeof import("../packages/adapters-postgres/src/index.js");
const pkgRequire = createRequire(new URL("../packages/adapters-postgres/package.json", import.meta.url));

/** Lines from the parent. */
const lines = createInterface({ input: process.stdin });
const waitFor = (word: string) =>
  new Promise<void>((resolve) => {
    const on = (l: string) => {
      if (l.trim() !== word) return;
      lines.off("line", on);
      resolve();
    };
    lines.on("line", on);
  });

const S = "s1";
/** The instant the workers' clock shows: every loaded send is due, none is an hour late (R-47). */
const BENCH_NOW = new Date("2026-06-08T12:00:00.000Z");

/** A data source whose contacts and appointments are made on demand from their id (no memory per appointment). */
function world() {
  const data = createMemoryDataSource();
  const { contact: proto, appointment: protoAppointment } = seedBenchWorld(
    data,
    {
      reminders: { first: { channel: "sms", offset: { value: 24, unit: "hours" } } },
      communication: { sms: { quietHours: { enabled: false }, onePerDay: false } },
    },
    { start: new Date(BENCH_NOW.getTime() + 86_400_000) },
  );
  const contact = (i: number): Contact => ({
    ...proto,
    id: `c${i}`,
    phones: [{ number: benchMobile(i), mobile: true }],
  });
  const appointment = (i: number): Appointment => {
    const start = new Date(BENCH_NOW.getTime() + 86_400_000 + (i % 3600) * 1000);
    return { ...protoAppointment, id: `r${i}`, contactId: `c${i}`, start, end: new Date(start.getTime() + 1_800_000) };
  };
  return {
    ...data,
    getContact: (s: string, id: string) => (s === S && id.startsWith("c") ? contact(Number(id.slice(1))) : null),
    getAppointment: (s: string, id: string) =>
      s === S && id.startsWith("r") ? appointment(Number(id.slice(1))) : null,
    listContactAppointments: (s: string, id: string) =>
      s === S && id.startsWith("c") ? [appointment(Number(id.slice(1)))] : [],
  };
}

/** A record-only SMS transport: counts, keeps the last message. */
function recordOnly(): Transport<SmsMessage> & { count: number; last: SmsMessage | undefined } {
  const t = {
    name: "record",
    channel: "sms" as const,
    count: 0,
    last: undefined as SmsMessage | undefined,
    async send(m: SmsMessage) {
      t.count++;
      t.last = m;
      return { providerMessageId: `${process.pid}-${t.count}` };
    },
  };
  return t;
}

async function engineMode() {
  // The root package has no dependency on pg or its types: what the worker uses of it.
  const pg = pkgRequire("pg") as {
    Pool: new (o: {
      connectionString: string;
      max: number;
    }) => {
      query(text: string): Promise<unknown>;
      connect(): Promise<{ query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>; release(): void }>;
      end(): Promise<void>;
    } & { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> };
  };
  const pool = new pg.Pool({ connectionString: url, max: concurrency * 2 });
  const storage = createPostgresStorage({ pool, schema: env("SCHEMA"), migrate: false });
  const sms = recordOnly();
  const engine = createRappel({
    storage,
    data: world(),
    clock: createManualClock(BENCH_NOW),
    transports: { sms },
    batchSize: batch,
    workerId: env("OWNER"),
    leaseMs: 300_000,
  });
  await pool.query("SELECT 1");
  return {
    async run() {
      let sent = 0;
      let claimed = 0;
      let batches = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (more(claimed)) {
            const r = await engine.runDue({ limit: batch });
            if (r.claimed === 0) return;
            claimed += r.claimed;
            sent += r.sent;
            batches++;
          }
        }),
      );
      return { claimed, sent, transported: sms.count, batches, sample: sms.last?.body };
    },
    close: () => pool.end(),
  };
}

async function pgbossMode() {
  const { default: PgBoss } = (await import(pkgRequire.resolve("pg-boss"))) as {
    default: new (
      o: object,
    ) => {
      start(): Promise<unknown>;
      stop(o?: object): Promise<void>;
      fetch(name: string, o: { batchSize: number }): Promise<{ id: string }[]>;
      complete(name: string, ids: string[]): Promise<unknown>;
    };
  };
  const boss = new PgBoss({
    connectionString: url,
    schema: env("SCHEMA"),
    max: concurrency * 2,
    supervise: false,
    schedule: false,
    migrate: false,
  });
  await boss.start();
  return {
    async run() {
      let done = 0;
      let batches = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (more(done)) {
            const jobs = await boss.fetch("bench", { batchSize: batch });
            if (jobs.length === 0) return;
            await boss.complete(
              "bench",
              jobs.map((j) => j.id),
            );
            done += jobs.length;
            batches++;
          }
        }),
      );
      return { claimed: done, sent: done, transported: done, batches };
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

const worker = mode === "engine" ? await engineMode() : await pgbossMode();
process.stdout.write("ready\n");
await waitFor("go");
const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (limitMs > 0) stopAt = t0 + limitMs;
const r = await worker.run();
const wallSeconds = (performance.now() - t0) / 1000;
const c = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ ...r, wallSeconds, cpuSeconds: (c.user + c.system) / 1e6, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) })}\n`,
);
await waitFor("exit");
await worker.close();
lines.close();
process.exit(0);
