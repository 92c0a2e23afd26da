// What the spec-audit tests (packages/*/src/*.spec-audit.test.ts) share: load a package's built dist the way an
// integrator's project does and read some answers from its ESM and CJS entries; catch what a call throws.
// scripts/check-consumer.mjs checks the types and export names of every package after a build; these probes check
// what the promised functions answer.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { expect } from "vitest";

/** What one entry (ESM or CJS) of a built package answered. */
export type DistAnswers = Record<string, unknown> & { file: string; names: string[] };

/** Whether `pkgDir` has both dist entries (tests that need them skip otherwise: `pnpm test` needs no build). */
export function distBuilt(pkgDir: string): boolean {
  return existsSync(`${pkgDir}/dist/index.js`) && existsSync(`${pkgDir}/dist/index.cjs`);
}

/**
 * Loads `pkg` in a plain `node` child run in `pkgDir` (no "@rappel/source" condition, no NODE_OPTIONS: the package
 * name resolves to dist/index.js for import and dist/index.cjs for require) and evaluates `answers`, a JavaScript
 * expression with the module in scope as `m`, once per entry.
 */
export function probeDist(pkgDir: string, pkg: string, answers: string): { esm: DistAnswers; cjs: DistAnswers } {
  const script = `
    const require = process.getBuiltinModule("node:module").createRequire(process.cwd() + "/package.json");
    const names = (m) => Object.keys(m).filter((k) => k !== "default" && k !== "__esModule").sort();
    const out = {};
    for (const [kind, m] of [["esm", await import(${JSON.stringify(pkg)})], ["cjs", require(${JSON.stringify(pkg)})]]) {
      const file = kind === "cjs" ? require.resolve(${JSON.stringify(pkg)}) : import.meta.resolve(${JSON.stringify(pkg)});
      out[kind] = { file, names: names(m), ...(${answers}) };
    }
    process.stdout.write(JSON.stringify(out));`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: pkgDir, env, encoding: "utf8" }),
  );
}

/**
 * One build's ESM and CJS entries are the dist files and expose the same names, `promised` among them. Not compared
 * with the sources: a dist not rebuilt yet after a new export would turn a test run that needs no build red.
 */
export function expectDistNames(out: { esm: DistAnswers; cjs: DistAnswers }, promised: readonly string[]): void {
  expect(out.esm.file).toMatch(/\/dist\/index\.js$/);
  expect(out.cjs.file).toMatch(/\/dist\/index\.cjs$/);
  expect(out.cjs.names).toEqual(out.esm.names);
  expect(out.esm.names).toEqual(expect.arrayContaining([...promised]));
}

/** Runs `fn` and returns what it threw (fails the test when it returns instead). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}
