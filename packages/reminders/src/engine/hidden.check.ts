// Loaded by singleCalls.test.ts only: checks that the storage it runs the engine tests with really lacks the
// batched calls.
import { createMemoryStorage } from "@rappel/core";
import { describe, expect, it } from "vitest";

describe("storage without batched calls", () => {
  it("hides beginSendMany, completeMany and smsOptedOutAmong", () => {
    const s = createMemoryStorage();
    expect(s.beginSendMany).toBeUndefined();
    expect(s.completeMany).toBeUndefined();
    expect(s.smsOptedOutAmong).toBeUndefined();
    expect({ ...s }.completeMany).toBeUndefined();
    expect(typeof s.beginSend).toBe("function");
  });
});
