// Runs every bench/*.bench.ts (or those whose name contains an argument) in its own Node process.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const dir = new URL(".", import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = false;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(
    process.execPath,
    ["--conditions=@rappel/source", "--expose-gc", "--import", "tsx", `${dir}${file}`],
    {
      stdio: "inherit",
    },
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
