// Runs publint --strict and @arethetypeswrong/cli on every publishable package. Run after `pnpm build`.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
let failed = false;
for (const folder of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", folder);
  if (!existsSync(join(dir, "package.json"))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (pkg.private) continue;
  for (const [cmd, args] of [
    ["publint", ["--strict", dir]],
    [
      "attw",
      ["--pack", dir, "--format", "table-flipped", ...(pkg.exports?.["."]?.require ? [] : ["--profile", "esm-only"])],
    ],
  ]) {
    try {
      const out = execFileSync(bin(cmd), args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      console.log(`✓ ${cmd} ${pkg.name}`);
      if (/warning|error|suggestion/i.test(out) && cmd === "publint") console.log(out);
    } catch (error) {
      failed = true;
      console.error(`✗ ${cmd} ${pkg.name}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    }
  }
}
process.exit(failed ? 1 : 0);
