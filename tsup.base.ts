// The build settings every package shares. Each package's tsup.config.ts names its entries (scripts/check-exports.mjs
// reads them there) and overrides only what differs.
import { defineConfig, type Options } from "tsup";

/** A package's tsup config: ESM + CJS + d.ts for Node 20, from `tsconfig.build.json`, with `options` on top. */
export function packageConfig(options: Options & Required<Pick<Options, "entry">>) {
  return defineConfig({
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    tsconfig: "tsconfig.build.json",
    ...options,
  });
}
