import { ErrorCode, RappelError } from "@rappel/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applySmsLimit, checkEmailLength, EMAIL_MAX_LENGTH } from "./limits.js";
import { smsInfo } from "./smsInfo.js";

describe("applySmsLimit (R-26)", () => {
  it("returns a text within the limit as is", () => {
    const r = applySmsLimit("Bonjour");
    expect(r).toEqual({ text: "Bonjour", info: smsInfo("Bonjour"), truncated: false, overLimit: false });
  });

  it("reject: typed error with the numbers", () => {
    try {
      applySmsLimit("a".repeat(161));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RappelError);
      expect((e as RappelError).code).toBe(ErrorCode.SMS_TOO_LONG);
      expect((e as RappelError).details).toEqual({ segments: 2, maxSegments: 1, units: 161, encoding: "GSM-7" });
    }
    expect(applySmsLimit("a".repeat(306), { maxSegments: 2 }).info.segments).toBe(2);
  });

  it("allow: sends anyway, flagged", () => {
    const r = applySmsLimit("ê".repeat(71), { overflow: "allow" });
    expect(r.overLimit).toBe(true);
    expect(r.info.segments).toBe(2);
  });

  it("truncate: never splits an extension character", () => {
    const r = applySmsLimit(`${"a".repeat(159)}€b`, { overflow: "truncate" });
    expect(r.text).toBe("a".repeat(159));
    expect(r.truncated).toBe(true);
    expect(r.info).toEqual({ encoding: "GSM-7", units: 159, segments: 1, perSegment: 160, remaining: 1 });
  });

  it("truncate: never splits a surrogate pair or a flag", () => {
    expect(applySmsLimit(`${"ê".repeat(69)}😀`, { overflow: "truncate" }).text).toBe("ê".repeat(69));
    expect(applySmsLimit(`${"ê".repeat(67)}🇫🇷`, { overflow: "truncate" }).text).toBe("ê".repeat(67));
    expect(applySmsLimit(`${"e".repeat(69)}e\u0301`, { overflow: "truncate" }).text).toBe("e".repeat(69));
  });

  it("truncate may fall back to GSM-7 when the cut removes the only UCS-2 character", () => {
    const r = applySmsLimit(`${"a".repeat(100)}😀`, { overflow: "truncate" });
    expect(r.text).toBe("a".repeat(100));
    expect(r.info.encoding).toBe("GSM-7");
  });

  it("property: truncation is the longest fitting prefix at a safe boundary", () => {
    const piece = fc.constantFrom("a", "é", "€", "ê", "😀", "🇫🇷", "e\u0301", "{", " ", "👨‍👩‍👧");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), fc.integer({ min: 1, max: 3 }), (pieces, max) => {
        const text = pieces.join("");
        const r = applySmsLimit(text, { maxSegments: max, overflow: "truncate" });
        expect(r.info.segments).toBeLessThanOrEqual(max);
        expect(text.startsWith(r.text)).toBe(true);
        // Cut only between pieces (every piece is one grapheme cluster).
        let acc = "";
        const boundaries = new Set([0]);
        for (const p of pieces) {
          acc += p;
          boundaries.add(acc.length);
        }
        expect(boundaries.has(r.text.length)).toBe(true);
        // Longest: adding the next piece would not fit.
        if (r.truncated) {
          const next = pieces
            .slice(0)
            .join("")
            .slice(
              0,
              [...boundaries].find((b) => b > r.text.length),
            );
          expect(smsInfo(next).segments).toBeGreaterThan(max);
        }
      }),
      { numRuns: 2000 },
    );
  }, 60_000);

  it("gsm-transliterate encoding makes look-alikes fit", () => {
    const s = `${"a".repeat(150)} l’île`;
    expect(() => applySmsLimit(s)).toThrow(expect.objectContaining({ code: ErrorCode.SMS_TOO_LONG }));
    expect(applySmsLimit(s, { encoding: "gsm-transliterate" }).text).toBe(`${"a".repeat(150)} l'ile`);
  });

  it("rejects bad options with invalid-input", () => {
    for (const o of [{ maxSegments: 0 }, { maxSegments: 1.5 }, { overflow: "drop" }, { encoding: "latin1" }]) {
      expect(() => applySmsLimit("x", o as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_INPUT }));
    }
  });
});

describe("checkEmailLength (R-26)", () => {
  it("accepts 65,535 characters and rejects 65,536", () => {
    expect(checkEmailLength("x".repeat(EMAIL_MAX_LENGTH))).toHaveLength(65_535);
    expect(() => checkEmailLength("x".repeat(65_536))).toThrow(
      expect.objectContaining({ code: ErrorCode.EMAIL_TOO_LONG }),
    );
  });
});
