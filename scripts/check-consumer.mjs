// Consumes the BUILT packages the way an integrator does (no source condition): typechecks an ESM and a CJS
// consumer against the emitted .d.ts/.d.cts with `moduleResolution: nodenext`, runs both with plain Node, and
// checks that ESM and CJS builds export the same names. Run after `pnpm build`.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const packages = readdirSync(join(root, "packages"))
  .map((folder) => ({ folder, pkg: JSON.parse(readFileSync(join(root, "packages", folder, "package.json"), "utf8")) }))
  .filter(({ pkg }) => !pkg.private);
const dir = mkdtempSync(join(tmpdir(), "rappel-consumer-"));
try {
  mkdirSync(join(dir, "node_modules", "@rappel"), { recursive: true });
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(join(root, "node_modules", "@types", "node"), join(dir, "node_modules", "@types", "node"));
  for (const { folder, pkg } of packages)
    symlinkSync(join(root, "packages", folder), join(dir, "node_modules", pkg.name));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const names = packages.map(({ pkg }) => pkg.name);
  // ESM-only packages (no "require" condition) are loaded from the ESM consumer only.
  const cjsNames = packages.filter(({ pkg }) => pkg.exports?.["."]?.require).map(({ pkg }) => pkg.name);
  const esm = [
    ...names.map((n, i) => `import * as p${i} from "${n}";`),
    `import { resolveOptions, resolveSignature, type AccountOptions } from "@rappel/core";`,
    `const o: AccountOptions = resolveOptions({ agenda: { daysShown: 5 } });`,
    `const s: string = resolveSignature({ account: {}, agenda: { signatureId: "A" }, defaultSignatureId: "d" });`,
    `if (o.agenda.daysShown !== 5 || s !== "A") throw new Error("ESM build misbehaves");`,
    `console.log(JSON.stringify({ ${names.map((n, i) => `"${n}": Object.keys(p${i}).sort()`).join(", ")} }));`,
  ].join("\n");
  const cjs = [
    ...cjsNames.map((n, i) => `const p${i} = require("${n}") as Record<string, unknown>;`),
    `import core = require("@rappel/core");`,
    `const o: core.AccountOptions = core.resolveOptions({});`,
    `if (o.communication.sms.maxSegments !== 1) throw new Error("CJS build misbehaves");`,
    `console.log(JSON.stringify({ ${cjsNames.map((n, i) => `"${n}": Object.keys(p${i}).filter((k) => k !== "default" && k !== "__esModule").sort()`).join(", ")} }));`,
  ].join("\n");
  writeFileSync(join(dir, "esm.mts"), esm);
  writeFileSync(join(dir, "cjs.cts"), cjs);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        strict: true,
        outDir: "out",
        skipLibCheck: false,
        types: ["node"],
      },
      files: ["esm.mts", "cjs.cts"],
    }),
  );
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", dir], { stdio: "inherit" });
  const fromEsm = JSON.parse(execFileSync(process.execPath, [join(dir, "out", "esm.mjs")], { encoding: "utf8" }));
  const fromCjs = JSON.parse(execFileSync(process.execPath, [join(dir, "out", "cjs.cjs")], { encoding: "utf8" }));
  let failed = false;
  for (const name of names) {
    if (!cjsNames.includes(name)) {
      console.log(`✓ ${name}: ${fromEsm[name].length} exports, typed and loadable from ESM (ESM-only package)`);
      continue;
    }
    const a = JSON.stringify(fromEsm[name]);
    const b = JSON.stringify(fromCjs[name]);
    if (a !== b) {
      failed = true;
      console.error(`✗ ${name}: ESM and CJS export different names\n  esm: ${a}\n  cjs: ${b}`);
    } else console.log(`✓ ${name}: ${fromEsm[name].length} exports, typed and loadable from ESM and CJS`);
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
