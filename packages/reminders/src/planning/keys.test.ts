import { describe, expect, it } from "vitest";
import { isoString } from "./keys.js";

describe("isoString", () => {
  it("is Date#toISOString for whole minutes, whole seconds and milliseconds, cached or not", () => {
    const base = Date.parse("2026-03-29T00:00:00.000Z");
    // Twice over: the second pass reads the cached pieces; seconds 2,048 apart share a cache slot.
    for (let pass = 0; pass < 2; pass++) {
      for (const offset of [
        0, 1_000, 59_000, 60_000, 61_000, 2_048_000, 3_599_000, 86_399_000, 86_399_999, 1, 999, 45_678,
      ]) {
        for (const day of [0, 1, 400, -9_000, 2_000]) {
          const ms = base + day * 86_400_000 + offset;
          expect(isoString(ms)).toBe(new Date(ms).toISOString());
        }
      }
    }
  });

  it("falls back to the built-in outside years 1000-9999", () => {
    for (const ms of [
      Date.parse("0999-12-31T23:59:59.000Z"),
      Date.parse("+010000-01-01T00:00:01.000Z"),
      -62_135_337_600_000,
    ]) {
      expect(isoString(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
