// 3 worker processes dispatch 10,000 sends through a record-only HTTP transport while a supervisor kill -9s a
// random worker 50 times and restarts it. Every send must end sent or unknown (0 lost), and no idempotency key
// may reach the transport twice (0 duplicates). A send whose HTTP request reached the transport but whose
// completion was lost with its worker is re-claimed as `interrupted` and recorded `unknown`.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { PlannedSend } from "@rappel/core";
import type pgTypes from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStorage } from "../src/index.js";
import { pg } from "./pg.js";
import { acquireServer, releaseServer, uniqueSchema } from "./pg-server.js";

const SENDS = 10_000;
const WORKERS = 3;
const KILLS = 50;
const LEASE_MS = 500;

let pool: pgTypes.Pool;
let url: string;
let http: Server;
const deliveries = new Map<string, number>();
const children = new Set<ChildProcess>();
const errors: string[] = [];

beforeAll(async () => {
  url = (await acquireServer()).url;
  pool = new pg.Pool({ connectionString: url, max: 4 });
  http = createServer((req, res) => {
    const key = String(req.headers["idempotency-key"]);
    deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
    res.writeHead(200).end(`m-${key}`);
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await new Promise((r) => http?.close(r));
  await pool?.end();
  await releaseServer();
});

function startWorker(schema: string, slot: number): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--conditions=@rappel/source", "--import", "tsx", fileURLToPath(new URL("./worker.ts", import.meta.url))],
    {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        DEBUG: "1",
        DATABASE_URL: url,
        SCHEMA: schema,
        TRANSPORT_URL: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
        OWNER: `worker-${slot}`,
        LEASE_MS: String(LEASE_MS),
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  child.stderr?.on("data", (d) => {
    errors.push(`[worker-${slot}] ${d}`);
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("crash: kill -9 workers while they dispatch", () => {
  it(`${SENDS} sends, ${WORKERS} workers, ${KILLS} kills: 0 lost, 0 duplicates`, async () => {
    const schema = uniqueSchema("crash");
    const storage = createPostgresStorage({ pool, schema });
    await storage.migrate();
    // Due over the first ~20 s, so that the kills land while there is work.
    const t0 = Date.now() + 1500;
    const plan: PlannedSend[] = Array.from({ length: SENDS }, (_, i) => ({
      key: `k${i}`,
      structureId: `s${i % 3}`,
      accountId: "a1",
      kind: "reminder",
      channel: "sms",
      recipient: { type: "contact", id: `c${i % 50}`, address: "+33612345678" },
      sendAt: new Date(t0 + Math.floor((i * 20_000) / SENDS)),
      data: {},
    }));
    for (const s of ["s0", "s1", "s2"])
      await storage.upsertPlanned(
        s,
        plan.filter((p) => p.structureId === s),
        new Date(),
      );
    const workers = Array.from({ length: WORKERS }, (_, slot) => startWorker(schema, slot));
    let rnd = 12345;
    const random = () => {
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
      return rnd / 0x7fffffff;
    };
    let kills = 0;
    const started = Date.now();
    for (; kills < KILLS; kills++) {
      await sleep(150 + random() * 300);
      const slot = Math.floor(random() * WORKERS);
      workers[slot]!.kill("SIGKILL");
      workers[slot] = startWorker(schema, slot);
    }
    const killPhaseMs = Date.now() - started;
    // Let them finish: every send final (leases of killed workers lapse after LEASE_MS).
    const deadline = Date.now() + 40_000;
    let open = -1;
    while (Date.now() < deadline) {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM "${schema}".sends WHERE status IN ('planned', 'sending')`,
      );
      open = rows[0].n;
      if (open === 0) break;
      await sleep(200);
    }
    if (open !== 0) {
      const act = await pool.query(
        "SELECT pid, state, wait_event_type, wait_event, left(query, 80) AS q, now() - query_start AS age FROM pg_stat_activity WHERE backend_type = 'client backend'",
      );
      console.log(JSON.stringify(act.rows, null, 1));
      console.log(
        "alive workers",
        workers.map((w) => w.exitCode ?? "alive"),
      );
    }
    for (const w of workers) w.kill("SIGKILL");
    const { rows } = await pool.query(
      `SELECT structure_id, key, status, attempts, provider_message_id FROM "${schema}".sends`,
    );
    const byStatus: Record<string, number> = {};
    let duplicates = 0;
    let lost = 0;
    let unknownDelivered = 0;
    let unknownNotDelivered = 0;
    for (const r of rows) {
      byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      const n = deliveries.get(`${r.structure_id}/${r.key}`) ?? 0;
      if (n > 1) duplicates++;
      if (r.status === "sent" && n !== 1) lost++;
      if (r.status === "planned" || r.status === "sending") lost++;
      if (r.status === "unknown") {
        if (n === 1) unknownDelivered++;
        else unknownNotDelivered++;
      }
    }
    const report = {
      sends: rows.length,
      kills,
      killPhaseMs,
      byStatus,
      deliveredKeys: deliveries.size,
      duplicates,
      lost,
      unknownDelivered,
      unknownNotDelivered,
    };
    console.log("crash test:", JSON.stringify(report));
    if (errors.length > 0) console.log(errors.slice(-30).join("\n"));
    expect(rows).toHaveLength(SENDS);
    expect(open).toBe(0);
    expect(kills).toBe(KILLS);
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect((byStatus.sent ?? 0) + (byStatus.unknown ?? 0)).toBe(SENDS);
    // Every delivery the transport saw belongs to a send recorded sent or unknown.
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});
