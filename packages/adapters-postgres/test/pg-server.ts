// Starts a throwaway PostgreSQL cluster for the tests of this package (once per test worker process), or uses the
// server named by RAPPEL_TEST_DATABASE_URL. The cluster runs as the unprivileged `postgres` user (PostgreSQL
// refuses to run as root), listens on 127.0.0.1 only, lives in a temporary directory and is removed on stop (and
// on process exit, if a test run dies).
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

const BIN = process.env.RAPPEL_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface TestServer {
  /** Connection string of a database the tests may create schemas in. */
  url: string;
  /** Stops and removes the cluster (no-op for an external server). */
  stop(): Promise<void>;
}

let current: Promise<TestServer> | null = null;
let users = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr !== null ? addr.port : 0));
    });
  });
}

function run(cmd: string, args: string[], asUser: string | null): void {
  const full = asUser === null ? [cmd, ...args] : ["runuser", "-u", asUser, "--", cmd, ...args];
  const r = spawnSync(full[0]!, full.slice(1), { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0)
    throw new Error(`${full.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error?.message}`);
}

async function startCluster(): Promise<TestServer> {
  if (!existsSync(join(BIN, "initdb")))
    throw new Error(
      `PostgreSQL binaries not found in ${BIN} (install postgresql-15, set RAPPEL_PG_BIN to their folder, or set ` +
        "RAPPEL_TEST_DATABASE_URL=postgres://user:pass@host:5432/db to use an existing server)",
    );
  const isRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), "rappel-pg-"));
  const data = join(dir, "data");
  const as = isRoot ? "postgres" : null;
  if (isRoot) {
    const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (id.status !== 0) throw new Error("Running as root but there is no `postgres` user to run PostgreSQL as");
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  const port = await freePort();
  let started = false;
  const cleanup = () => {
    if (started)
      spawnSync(
        isRoot ? "runuser" : join(BIN, "pg_ctl"),
        isRoot
          ? ["-u", "postgres", "--", join(BIN, "pg_ctl"), "stop", "-D", data, "-m", "immediate", "-w"]
          : ["stop", "-D", data, "-m", "immediate", "-w"],
        { timeout: 30_000 },
      );
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanup);
  try {
    run(
      join(BIN, "initdb"),
      ["-D", data, "-U", "postgres", "--auth=trust", "--locale=C", "-E", "UTF8", "--no-sync"],
      as,
    );
    const opts = [
      "-c listen_addresses=127.0.0.1",
      `-p ${port}`,
      `-k ${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
      `-c shared_buffers=${process.env.RAPPEL_PG_SHARED_BUFFERS ?? "128MB"}`,
      // Benchmarks: per-statement server time (CREATE EXTENSION pg_stat_statements in the database to read it).
      ...(process.env.RAPPEL_PG_STATEMENTS === "1" ? ["-c shared_preload_libraries=pg_stat_statements"] : []),
    ].join(" ");
    run(join(BIN, "pg_ctl"), ["start", "-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "-t", "60"], as);
    started = true;
  } catch (e) {
    cleanup();
    throw e;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      process.removeListener("exit", cleanup);
      cleanup();
    },
  };
}

/**
 * The test server of this worker process: started on first use, stopped when the last user releases it.
 * Pair each `acquireServer()` (in `beforeAll`) with one `releaseServer()` (in `afterAll`).
 */
export async function acquireServer(): Promise<TestServer> {
  users++;
  if (current === null) {
    const url = process.env.RAPPEL_TEST_DATABASE_URL;
    current = url ? Promise.resolve({ url, stop: async () => {} }) : startCluster();
  }
  try {
    return await current;
  } catch (e) {
    current = null;
    users--;
    throw e;
  }
}

/** Releases the server; the last release stops it. */
export async function releaseServer(): Promise<void> {
  users--;
  if (users > 0 || current === null) return;
  const s = current;
  current = null;
  await (await s).stop();
}

/** A fresh schema name for one test. */
export function uniqueSchema(prefix = "t"): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
