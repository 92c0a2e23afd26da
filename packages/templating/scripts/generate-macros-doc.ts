// Writes docs/macros.md from the macro catalogue. Run: pnpm --filter @rappel/templating docs:macros
import { writeFileSync } from "node:fs";
import { macrosDoc } from "../src/macros/macrosDoc.js";

const target = new URL("../../../docs/macros.md", import.meta.url);
writeFileSync(target, macrosDoc());
process.stdout.write(`wrote ${target.pathname}\n`);
