// Runs the time-zone-sensitive tests (files named *.tz.test.ts or *dst*.test.ts) under several host TZ values:
// the library must give the same answers whatever the host's zone is.
import { spawnSync } from "node:child_process";

const zones = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Kiritimati", "Asia/Kolkata"];
const filters = process.argv.slice(2);
const pattern = filters.length ? filters : ["tz.test", "dst"];
let failed = false;
for (const tz of zones) {
  console.log(`\n── TZ=${tz}`);
  const r = spawnSync("node_modules/.bin/vitest", ["run", "--passWithNoTests", ...pattern], {
    stdio: "inherit",
    env: { ...process.env, TZ: tz },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
