import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MACROS } from "./catalogue.js";
import { macrosDoc } from "./macrosDoc.js";

describe("docs/macros.md", () => {
  it("is up to date with the catalogue (regenerate: pnpm --filter @rappel/templating docs:macros)", () => {
    const onDisk = readFileSync(new URL("../../../../docs/macros.md", import.meta.url), "utf8");
    expect(onDisk).toBe(macrosDoc());
  });

  it("lists every canonical name and every alias", () => {
    const doc = macrosDoc();
    for (const m of MACROS) {
      expect(doc).toContain(`{{${m.name}}}`);
      for (const a of [...m.owl, ...m.french, ...m.bracket]) expect(doc).toContain(`\`${a}\``);
    }
  });
});
