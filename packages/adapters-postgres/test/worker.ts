// A minimal dispatch worker for the crash test, run as its own process:
//   node --conditions=@rappel/source --import tsx test/worker.ts
// It claims due sends, calls beginSend before handing each one to the (record-only) HTTP transport, and completes
// it. A claim marked `interrupted` was handed off by a holder that died: it is recorded as `unknown`, never
// sent again. The engine's loop does the same, with rendering, retries and journal entries on top.
import { Agent, request } from "node:http";
import pg from "pg";
import { createPostgresStorage } from "../src/index.js";

const url = process.env.DATABASE_URL!;
const schema = process.env.SCHEMA!;
const transport = new URL(process.env.TRANSPORT_URL!);
const owner = process.env.OWNER ?? `w${process.pid}`;
const leaseMs = Number(process.env.LEASE_MS ?? 500);
const batch = Number(process.env.BATCH ?? 20);

const pool = new pg.Pool({ connectionString: url, max: Number(process.env.POOL ?? batch) });
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const storage = createPostgresStorage({ pool, schema, migrate: false });

function post(key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: transport.hostname,
        port: transport.port,
        path: "/send",
        method: "POST",
        agent,
        headers: { "idempotency-key": key, "content-length": 0 },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function handle(c: Awaited<ReturnType<typeof storage.claimDue>>[number]): Promise<void> {
  const ref = { structureId: c.send.structureId, key: c.send.key, token: c.token };
  try {
    if (c.interrupted) {
      await storage.complete(
        ref,
        { status: "unknown", failureCode: "transport-unknown", provider: "http" },
        new Date(),
      );
      return;
    }
    const begin = await storage.beginSend(ref, new Date());
    if (!begin.ok) {
      await storage.complete(ref, { status: "cancelled" }, new Date());
      return;
    }
    const id = await post(`${c.send.structureId}/${c.send.key}`);
    await storage.complete(ref, { status: "sent", provider: "http", providerMessageId: id }, new Date());
  } catch (e) {
    // A lost lease means another worker owns the send now: leave it to them.
    if ((e as { code?: string }).code !== "lease-lost") throw e;
    stats.lost++;
  }
}

const stats = { lost: 0, claims: 0, batches: 0, ms: 0 };
if (process.env.DEBUG) setInterval(() => process.stderr.write(`${JSON.stringify(stats)}\n`), 2000).unref();

async function main(): Promise<void> {
  process.send?.({ ready: true });
  for (;;) {
    const claims = await storage.claimDue({ now: new Date(), limit: batch, leaseMs, owner });
    if (claims.length === 0) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const t = Date.now();
    await Promise.all(claims.map(handle));
    stats.claims += claims.length;
    stats.batches++;
    stats.ms += Date.now() - t;
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
