import { describe, expect, it } from "vitest";
import { RappelError } from "../errors/errors.js";
import { isPhoneRegion, normalizePhone, PhoneNumberSchema, phoneNumberSchema } from "./phone.js";

describe("normalizePhone", () => {
  it.each([
    ["06 12 34 56 78", "+33612345678", true],
    ["0612345678", "+33612345678", true],
    ["07.81.23.45.67", "+33781234567", true],
    ["+33 6 12 34 56 78", "+33612345678", true],
    ["0033612345678", "+33612345678", true],
    ["01 42 68 53 00", "+33142685300", false],
    ["05 56 00 00 00", "+33556000000", false],
  ])("%s → %s (mobile %s)", (input, e164, mobile) => {
    const p = normalizePhone(input);
    expect(p.e164).toBe(e164);
    expect(p.mobile).toBe(mobile);
    expect(p.country).toBe("FR");
  });

  it("reads national numbers in the given region", () => {
    expect(normalizePhone("079 123 45 67", { defaultRegion: "CH" })).toEqual({
      e164: "+41791234567",
      country: "CH",
      type: "mobile",
      mobile: true,
    });
    expect(normalizePhone("0470 12 34 56", { defaultRegion: "BE" }).e164).toBe("+32470123456");
  });

  it("treats plans that cannot tell mobiles apart as SMS-capable", () => {
    expect(normalizePhone("+1 212 555 0123")).toMatchObject({ type: "fixed-line-or-mobile", mobile: true });
  });

  it.each(["", "   ", "12", "06 12 34", "hello", "+33 6 12 34 56 78 90 12", "+999 123"])("rejects %j", (input) => {
    try {
      normalizePhone(input);
      throw new Error("expected a throw");
    } catch (e) {
      expect(e).toBeInstanceOf(RappelError);
      expect((e as RappelError).code).toBe("invalid-phone");
      if (input.trim()) expect((e as RappelError).message).not.toContain(input.trim());
    }
  });

  it("rejects an unknown region and non-strings", () => {
    expect(() => normalizePhone("0612345678", { defaultRegion: "XX" })).toThrow(RappelError);
    expect(() => normalizePhone(612345678 as never)).toThrow(RappelError);
    expect(isPhoneRegion("FR")).toBe(true);
    expect(isPhoneRegion("fr")).toBe(false);
  });

  it("has zod schemas that output E.164", () => {
    expect(PhoneNumberSchema.parse("06 12 34 56 78")).toBe("+33612345678");
    expect(phoneNumberSchema("CH").parse("079 123 45 67")).toBe("+41791234567");
    expect(PhoneNumberSchema.safeParse("12").success).toBe(false);
  });
});
