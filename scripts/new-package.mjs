// Writes the package.json, tsup.config.ts and tsconfig.json of a workspace package (used once per package).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";

const [folder, description, ...deps] = process.argv.slice(2);
const dir = `packages/${folder}`;
mkdirSync(`${dir}/src`, { recursive: true });
const pkg = {
  name: `@rappel/${folder}`,
  version: "0.1.0",
  description,
  license: "MIT",
  type: "module",
  sideEffects: false,
  engines: { node: ">=20.19" },
  main: "./dist/index.cjs",
  module: "./dist/index.js",
  types: "./dist/index.d.cts",
  exports: {
    ".": {
      "@rappel/source": "./src/index.ts",
      import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
      require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" },
    },
    "./package.json": "./package.json",
  },
  files: ["dist", "src", "!src/**/*.test.ts", "!src/**/*.test-d.ts", "!src/**/__fixtures__"],
  scripts: { build: "tsup" },
  dependencies: Object.fromEntries(deps.map((d) => [d, "workspace:^"])),
  repository: { type: "git", url: "git+https://example.invalid/rappel.git", directory: dir },
  keywords: ["appointments", "reminders", "sms", "email", "scheduling"],
};
if (!existsSync(`${dir}/package.json`)) writeFileSync(`${dir}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  `${dir}/tsup.config.ts`,
  `import { packageConfig } from "../../tsup.base.js";\n\nexport default packageConfig({ entry: { index: "src/index.ts" } });\n`,
);
writeFileSync(
  `${dir}/tsconfig.build.json`,
  `{\n  "extends": "../../tsconfig.base.json",\n  "compilerOptions": { "rootDir": "src" },\n  "include": ["src"],\n  "exclude": ["src/**/*.test.ts", "src/**/*.test-d.ts"]\n}\n`,
);
