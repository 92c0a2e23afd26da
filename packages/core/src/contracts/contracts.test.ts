import { describe, expect, it } from "vitest";
import { addMoney, currencyMinorDigits, MoneySchema, multiplyMoney } from "../domain/money.js";
import { TransportError } from "../errors/errors.js";
import { createManualClock, systemClock } from "./clock.js";
import { noopLogger } from "./logger.js";
import { createMemoryTransport } from "./memoryTransport.js";
import type { SmsMessage } from "./transport.js";

const sms = (key: string): SmsMessage => ({
  channel: "sms",
  idempotencyKey: key,
  structureId: "s1",
  accountId: "a1",
  to: "+33612345678",
  body: "Cabinet Dupont, vous rappelle votre rendez-vous le 09/06/2026 à 12h00",
});

describe("createMemoryTransport (R-50)", () => {
  it("records messages as clones and returns sequential provider ids", async () => {
    const t = createMemoryTransport({ channel: "sms" });
    const m = sms("k1");
    expect(await t.send(m)).toEqual({ providerMessageId: "memory-1", provider: "memory", status: "sent" });
    m.body = "changed";
    await t.send(sms("k2"));
    expect(t.sent.map((r) => r.providerMessageId)).toEqual(["memory-1", "memory-2"]);
    expect(t.sent[0]?.message.body).toContain("vous rappelle");
    expect(t.channel).toBe("sms");
    t.clear();
    expect(t.sent).toHaveLength(0);
  });

  it("fails on demand, counting attempts per idempotency key", async () => {
    const t = createMemoryTransport({
      channel: "sms",
      name: "flaky",
      fail: (_m, attempt) =>
        attempt < 3 ? new TransportError("429", { failure: "transient", responseCode: 429 }) : undefined,
    });
    await expect(t.send(sms("k"))).rejects.toMatchObject({ code: "transport-transient", responseCode: 429 });
    await expect(t.send(sms("k"))).rejects.toBeInstanceOf(TransportError);
    expect((await t.send(sms("k"))).providerMessageId).toBe("flaky-1");
    expect(t.attempts.get("k")).toBe(3);
  });

  it("rejects the wrong channel and sends after close", async () => {
    const t = createMemoryTransport();
    await expect(t.send(sms("k") as never)).rejects.toMatchObject({ code: "transport-permanent" });
    await t.verify?.();
    await t.close?.();
    expect(t.closed).toBe(true);
    await expect(t.verify?.()).rejects.toBeInstanceOf(TransportError);
  });
});

describe("createManualClock", () => {
  it("moves only when told", () => {
    const c = createManualClock(new Date("2026-03-28T12:00:00Z"));
    expect(c.now().toISOString()).toBe("2026-03-28T12:00:00.000Z");
    expect(c.advance({ days: 1, hours: 2, minutes: 3, seconds: 4, ms: 5 }).toISOString()).toBe(
      "2026-03-29T14:03:04.005Z",
    );
    c.set(new Date("2026-01-01T00:00:00Z"));
    expect(c.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
    const a = c.now();
    a.setFullYear(1999);
    expect(c.now().getUTCFullYear()).toBe(2026);
    expect(() => createManualClock(new Date("x"))).toThrow(RangeError);
  });
});

describe("systemClock", () => {
  it("reads the system time as a fresh Date each call, and cannot be replaced", () => {
    const before = Date.now();
    const a = systemClock.now();
    const b = systemClock.now();
    expect(a).toBeInstanceOf(Date);
    expect(a).not.toBe(b);
    expect(a.getTime()).toBeGreaterThanOrEqual(before);
    expect(b.getTime()).toBeLessThanOrEqual(Date.now());
    expect(Object.isFrozen(systemClock)).toBe(true);
  });
});

describe("money (R-09) and logger", () => {
  it("is integer minor units with an ISO currency", () => {
    expect(MoneySchema.safeParse({ amount: 10, currency: "CHF" }).success).toBe(true);
    expect(MoneySchema.safeParse({ amount: 0.1, currency: "CHF" }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: 10, currency: "chf" }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: 2 ** 60, currency: "CHF" }).success).toBe(false);
    expect(addMoney({ amount: 10, currency: "CHF" }, { amount: 15, currency: "CHF" })).toEqual({
      amount: 25,
      currency: "CHF",
    });
    expect(() => addMoney({ amount: 1, currency: "CHF" }, { amount: 1, currency: "EUR" })).toThrow(RangeError);
    expect(multiplyMoney({ amount: 15, currency: "CHF" }, 3)).toEqual({ amount: 45, currency: "CHF" });
    expect(() => multiplyMoney({ amount: 15, currency: "CHF" }, 1.5)).toThrow(RangeError);
    expect(currencyMinorDigits("CHF")).toBe(2);
    expect(currencyMinorDigits("JPY")).toBe(0);
    expect(currencyMinorDigits("KWD")).toBe(3);
  });
  it("the noop logger accepts every level", () => {
    for (const level of ["debug", "info", "warn", "error"] as const)
      expect(noopLogger[level]("e", { id: "x" })).toBeUndefined();
  });
});
