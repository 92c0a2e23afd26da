import { packageConfig } from "../../tsup.base.js";

// ESM only: vitest, which the suites run on, cannot be loaded with require().
export default packageConfig({ entry: { index: "src/index.ts" }, format: ["esm"] });
