// The engine on the storage contract's public, promise-returning methods only. On a memory storage the engine uses
// the storage's synchronous twins (MEMORY_STORAGE_DIRECT) for its hot calls; a third-party storage has none. Every
// engine test runs again here with a memory storage whose methods are all replaced by async wrappers (so no direct
// call matches its public method and the engine takes the public path for each, batched calls included) and
// whose results are checked to have come through those wrappers.
import { describe, expect, it, vi } from "vitest";

const calls = new Map<string, number>();

vi.mock("@rappel/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@rappel/core")>();
  const createMemoryStorage: typeof core.createMemoryStorage = (options) => {
    const inner = core.createMemoryStorage(options) as unknown as Record<PropertyKey, unknown>;
    const outer: Record<PropertyKey, unknown> = {};
    for (const key of Object.keys(inner)) {
      const value = inner[key];
      outer[key] =
        typeof value === "function" && key !== "inspect" // the test kit's synchronous view, not a storage method
          ? async (...args: unknown[]) => {
              calls.set(key, (calls.get(key) ?? 0) + 1);
              return await (value as (...a: unknown[]) => unknown).apply(inner, args);
            }
          : value;
    }
    // The symbol-keyed direct calls stay visible, as they would on a wrapper that copies them: the engine must
    // still refuse them, because the public methods beside them are not theirs.
    for (const sym of Object.getOwnPropertySymbols(inner)) outer[sym] = inner[sym];
    return outer as unknown as ReturnType<typeof core.createMemoryStorage>;
  };
  return { ...core, createMemoryStorage };
});

describe("storage reached through its public methods only", () => {
  it("wraps every method, keeps the direct calls visible, and the engine goes through the wrappers", async () => {
    const core = await import("@rappel/core");
    const { createRappel } = await import("./createRappel.js");
    const { createMemoryDataSource } = await import("./memoryData.js");
    const s = core.createMemoryStorage();
    expect(Object.getOwnPropertySymbols(s).length).toBeGreaterThan(0);
    const before = { claim: calls.get("claimDue") ?? 0, upsert: calls.get("upsertPlanned") ?? 0 };
    const engine = createRappel({
      storage: s,
      data: createMemoryDataSource(),
      transports: {},
    } as Parameters<typeof createRappel>[0]);
    await engine.runDue({ limit: 10 });
    expect(calls.get("claimDue") ?? 0).toBeGreaterThan(before.claim);
    expect(calls.get("upsertPlanned") ?? 0).toBe(before.upsert);
  });
});

await import("./engine.test.js");
await import("./events.test.js");
await import("./reliability.test.js");

describe("after the engine tests", () => {
  it("used the public batched calls and the public planning calls", () => {
    for (const m of ["upsertPlanned", "claimDue", "beginSendMany", "completeMany", "appendJournal", "smsOptedOutAmong"])
      expect(calls.get(m) ?? 0, m).toBeGreaterThan(0);
  });
});
