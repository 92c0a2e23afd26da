// `pnpm demo` runs on PGlite by default and on a real server with `--database-url`: both runs of the week must print
// the same timeline, journals and usage (the storage line aside), and a second run on the same database the same
// again (the demo resets its schema).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireServer, releaseServer } from "./pg-server.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
let url: string;
let dir: string;

beforeAll(async () => {
  url = (await acquireServer()).url;
  dir = mkdtempSync(join(tmpdir(), "rappel-demo-"));
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseServer();
});

function demo(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@rappel/source", "--import", "tsx", "examples/demo/index.ts", ...args],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

const withoutStorageLine = (out: string) =>
  out
    .split("\n")
    .filter((l) => !l.startsWith("Storage: "))
    .join("\n");

describe("the demo on PGlite and on a real server", () => {
  it("prints the same week on both, twice on the same database", async () => {
    const server = await demo("--database-url", url);
    expect(server.err).toBe("");
    expect(server.code).toBe(0);
    expect(server.out).toContain("Storage: PostgreSQL server (--database-url)");
    expect(server.out).toContain("Monthly usage (R-43)");
    expect(server.out).toMatch(/\d+ SMS and \d+ emails recorded; \d+ timeline lines\./);
    const lite = await demo("--data-dir", join(dir, "pgdata"));
    expect(lite.code).toBe(0);
    expect(lite.out).toContain("Storage: PGlite (PostgreSQL in this process)");
    expect(withoutStorageLine(lite.out)).toBe(withoutStorageLine(server.out));
    const again = await demo("--database-url", url);
    expect(again.out).toBe(server.out);
  }, 180_000);
});
