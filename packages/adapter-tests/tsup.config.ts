import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  // ESM only: vitest, which the suites run on, cannot be loaded with require().
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json",
});
