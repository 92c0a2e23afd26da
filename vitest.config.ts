import { existsSync, readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

// Tests run against the TypeScript sources through the "@rappel/source" export condition: no build needed.
const conditions = ["@rappel/source", "module", "node", "import", "default"];
// Every folder of packages/ with a package.json is a vitest project named after the folder.
const packages = readdirSync(new URL("./packages", import.meta.url)).filter((name) =>
  existsSync(new URL(`./packages/${name}/package.json`, import.meta.url)),
);

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@rappel/source"] } },
  test: {
    // Property and reliability tests run beside each other on 2 cores; 5 s is too short on a loaded CI machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: packages.map((name) => ({
      extends: true,
      test: {
        name,
        root: `packages/${name}`,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "../../tsconfig.json" },
      },
    })),
  },
});
