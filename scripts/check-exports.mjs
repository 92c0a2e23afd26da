// Fails when a package's build entries (tsup.config.ts) and its package.json `exports` drift apart, or when a
// built file named by `exports`/`main`/`types` is missing. Run after `pnpm build`.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const problems = [];
for (const folder of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", folder);
  const pkgPath = join(dir, "package.json");
  if (!existsSync(pkgPath)) continue;
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  const tsup = readFileSync(join(dir, "tsup.config.ts"), "utf8");
  const entryBlock = tsup.match(/entry:\s*\{([^}]*)\}/);
  if (!entryBlock) {
    problems.push(`${pkg.name}: tsup.config.ts must declare entry as an object { name: "src/file.ts" }`);
    continue;
  }
  const entries = new Map(
    [...entryBlock[1].matchAll(/["']?([\w/-]+)["']?\s*:\s*["']([^"']+)["']/g)].map((m) => [m[1], m[2]]),
  );
  const exported = new Map();
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath === "./package.json") continue;
    if (typeof target !== "object") {
      problems.push(`${pkg.name}: exports["${subpath}"] must be a conditions object`);
      continue;
    }
    const keys = Object.keys(target);
    if (keys[keys.length - 1] === "@rappel/source") problems.push(`${pkg.name}: "@rappel/source" must not be last`);
    // Every package has an ESM build; a CJS build is required unless the package declares itself ESM-only by
    // having no "require" condition (e.g. @rappel/adapter-tests, which runs on ESM-only vitest).
    for (const cond of target.require ? ["import", "require"] : ["import"]) {
      const c = target[cond];
      if (!c || Object.keys(c)[0] !== "types")
        problems.push(`${pkg.name}: exports["${subpath}"].${cond} must list "types" first`);
    }
    const name = subpath === "." ? "index" : subpath.replace(/^\.\//, "");
    exported.set(name, target);
    const source = target["@rappel/source"];
    if (entries.get(name) === undefined)
      problems.push(`${pkg.name}: exports["${subpath}"] has no tsup entry "${name}"`);
    else if (source !== `./${entries.get(name)}`)
      problems.push(`${pkg.name}: exports["${subpath}"] source ${source} ≠ tsup entry ./${entries.get(name)}`);
    const files = [target.import?.types, target.import?.default];
    if (target.require) files.push(target.require.types, target.require.default);
    for (const file of files) {
      if (
        file !== `./dist/${name}.d.ts` &&
        file !== `./dist/${name}.js` &&
        file !== `./dist/${name}.d.cts` &&
        file !== `./dist/${name}.cjs`
      )
        problems.push(`${pkg.name}: exports["${subpath}"] points to ${file}, not the build output of entry "${name}"`);
      else if (!existsSync(join(dir, file))) problems.push(`${pkg.name}: ${file} is missing (run pnpm build)`);
    }
  }
  for (const name of entries.keys())
    if (!exported.has(name)) problems.push(`${pkg.name}: tsup entry "${name}" is not exported`);
  for (const field of ["main", "module", "types"])
    if (pkg[field] && !existsSync(join(dir, pkg[field])))
      problems.push(`${pkg.name}: ${field} ${pkg[field]} is missing`);
  if (pkg.sideEffects !== false) problems.push(`${pkg.name}: sideEffects must be false`);
  if (pkg.engines?.node !== ">=20.19") problems.push(`${pkg.name}: engines.node must be ">=20.19"`);
}
if (problems.length) {
  console.error(problems.map((p) => `✗ ${p}`).join("\n"));
  process.exit(1);
}
console.log("exports and build entries agree for every package");
