// The shapes SPEC §9 promises to integrators, checked at the type level by `tsc` (the repo typecheck covers this
// file; at run time expectTypeOf is a no-op). A .test.ts rather than .test-d.ts so that vitest does not typecheck the
// whole repository inside this package's test run.
import { RappelError } from "@rappel/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type CompiledTemplate,
  compileTemplate,
  type MacroContext,
  type SmsInfo,
  smsInfo,
  type TemplateError,
  transliterateToGsm,
} from "./index.js";

describe("SPEC §9 shapes", () => {
  it("smsInfo(text) returns { encoding, units, segments, perSegment, remaining }", () => {
    expectTypeOf(smsInfo).parameters.toEqualTypeOf<[text: string]>();
    expectTypeOf(smsInfo("x")).toEqualTypeOf<SmsInfo>();
    expectTypeOf<SmsInfo>().toEqualTypeOf<{
      encoding: "GSM-7" | "UCS-2";
      units: number;
      segments: number;
      perSegment: number;
      remaining: number;
    }>();
  });

  it("transliterateToGsm(text): string", () => {
    expectTypeOf(transliterateToGsm).toEqualTypeOf<(text: string) => string>();
  });

  it("compileTemplate(source, { channel }) returns { macros, render }", () => {
    const t = compileTemplate("x", { channel: "sms" });
    expectTypeOf(t).toEqualTypeOf<CompiledTemplate>();
    expectTypeOf(t.macros).toEqualTypeOf<string[]>();
    expectTypeOf(t.render).parameters.toEqualTypeOf<
      [context: MacroContext, options?: { locale?: string; timeZone?: string }]
    >();
    expectTypeOf(t.render).returns.toEqualTypeOf<string>();
    expectTypeOf(compileTemplate)
      .parameter(1)
      .toHaveProperty("channel")
      .toEqualTypeOf<"sms" | "email-html" | "email-text" | "subject">();
    // @ts-expect-error a channel outside the four is a type error (and an invalid-input error at run time)
    expect(() => compileTemplate("x", { channel: "fax" })).toThrow(RappelError);
  });

  it("TemplateError is a RappelError with index, macro, suggestion", () => {
    expectTypeOf<TemplateError>().toExtend<RappelError>();
    expectTypeOf<TemplateError["index"]>().toEqualTypeOf<number>();
    expectTypeOf<TemplateError["macro"]>().toEqualTypeOf<string>();
    expectTypeOf<TemplateError["suggestion"]>().toEqualTypeOf<string | undefined>();
  });

  it("MacroContext: nested like the canonical names, the appointment carries instants", () => {
    expectTypeOf<{ client: { firstName: string } }>().toExtend<MacroContext>();
    expectTypeOf<NonNullable<MacroContext["appointment"]>["start"]>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<NonNullable<MacroContext["appointment"]>["billedAmount"]>().toEqualTypeOf<
      { amount: number; currency: string } | undefined
    >();
  });
});
