// node-postgres for the tests. Vitest runs test files with `--conditions import` (from the root config's resolve
// conditions), which makes pg's own `require("pg-pool")` load pg-pool's ESM wrapper and get a module namespace
// instead of the Pool class. Seed the require cache with the CommonJS Pool under the wrapper's path, then load pg.
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type pgTypes from "pg";

const require = createRequire(import.meta.url);
const pgLib = join(dirname(require.resolve("pg/package.json")), "lib", "index.js");
const fromPg = createRequire(pgLib);
const poolResolved = fromPg.resolve("pg-pool");
if (poolResolved.endsWith(".mjs")) {
  const poolCjs = join(dirname(dirname(poolResolved)), "index.js");
  const m = new Module(poolResolved);
  m.filename = poolResolved;
  m.exports = fromPg(poolCjs);
  m.loaded = true;
  require.cache[poolResolved] = m;
}

/** node-postgres (`pg`). */
export const pg = fromPg(pgLib) as typeof pgTypes;
