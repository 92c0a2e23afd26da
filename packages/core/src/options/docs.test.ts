import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "./resolveOptions.js";

// docs/options.md must list every option with the default the code really applies.
const doc = readFileSync(new URL("../../../../docs/options.md", import.meta.url), "utf8");
const rows = new Map(
  [...doc.matchAll(/^\|\s*`([\w.]+)`\s*\|\s*(.+?)\s*\|/gm)].map((m) => [m[1] as string, (m[2] as string).trim()]),
);

function leaves(value: unknown, path: string[] = []): [string, unknown][] {
  const isBranch =
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !("unit" in value) &&
    Object.keys(value).length > 0;
  if (!isBranch) return [[path.join("."), value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, [...path, k]));
}

const render = (v: unknown): string =>
  typeof v === "object" && v !== null && !Array.isArray(v)
    ? `{ ${Object.entries(v)
        .map(([k, x]) => `${k}: ${JSON.stringify(x)}`)
        .join(", ")} }`
    : JSON.stringify(v);

describe("docs/options.md", () => {
  it.each(leaves(resolveOptions({})))("documents %s with its default", (path, value) => {
    expect(rows.has(path), `${path} missing from docs/options.md`).toBe(true);
    expect(rows.get(path)).toBe(`\`${render(value)}\``);
  });
});
