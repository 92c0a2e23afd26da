// The engine's fallback for storages without the optional batched calls (beginSendMany, completeMany,
// smsOptedOutAmong): every engine test runs again here with a memory storage that hides them, so the engine takes
// the one-call-per-send path and must behave exactly the same.
import { describe, expect, it, vi } from "vitest";

const HIDDEN = new Set<PropertyKey>(["beginSendMany", "completeMany", "smsOptedOutAmong"]);

vi.mock("@rappel/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@rappel/core")>();
  const createMemoryStorage: typeof core.createMemoryStorage = (options) =>
    new Proxy(core.createMemoryStorage(options), {
      get: (target, p, receiver) => (HIDDEN.has(p) ? undefined : Reflect.get(target, p, receiver)),
      has: (target, p) => !HIDDEN.has(p) && Reflect.has(target, p),
      ownKeys: (target) => Reflect.ownKeys(target).filter((k) => !HIDDEN.has(k)),
      getOwnPropertyDescriptor: (target, p) =>
        HIDDEN.has(p) ? undefined : Reflect.getOwnPropertyDescriptor(target, p),
    });
  return { ...core, createMemoryStorage };
});

describe("storage without batched calls", () => {
  it("hides beginSendMany, completeMany and smsOptedOutAmong from the engine tests below", async () => {
    const { createMemoryStorage } = await import("@rappel/core");
    const s = createMemoryStorage();
    expect(s.beginSendMany).toBeUndefined();
    expect(s.completeMany).toBeUndefined();
    expect(s.smsOptedOutAmong).toBeUndefined();
    expect({ ...s }.completeMany).toBeUndefined();
    expect(typeof s.beginSend).toBe("function");
  });
});

await import("./engine.test.js");
await import("./events.test.js");
await import("./reliability.test.js");
