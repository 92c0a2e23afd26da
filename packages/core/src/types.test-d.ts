import { describe, expectTypeOf, it } from "vitest";
import {
  type AccountOptions,
  type Channel,
  createMemoryTransport,
  type EmailMessage,
  type OutboundMessage,
  type PlannedSend,
  parseContact,
  type RappelError,
  resolveOptions,
  resolveSignature,
  type SmsMessage,
  type Transport,
  type ValidationError,
  type ValidationIssue,
} from "./index.js";

describe("public types", () => {
  it("resolveOptions takes unknown and returns complete AccountOptions", () => {
    expectTypeOf(resolveOptions).parameter(0).toBeUnknown();
    expectTypeOf(resolveOptions({})).toEqualTypeOf<AccountOptions>();
    expectTypeOf<AccountOptions["reminders"]["first"]["mode"]>().toEqualTypeOf<
      "disabled" | "enabled" | "new-contacts-only"
    >();
    expectTypeOf<AccountOptions["communication"]["sms"]["maxSegments"]>().toEqualTypeOf<number>();
    expectTypeOf<AccountOptions["general"]["scenarioId"]>().toEqualTypeOf<string | undefined>();
  });

  it("resolveSignature has the promised shape (SPEC §9)", () => {
    expectTypeOf(resolveSignature).returns.toEqualTypeOf<string>();
    expectTypeOf(resolveSignature).parameter(0).toHaveProperty("defaultSignatureId").toEqualTypeOf<string>();
    expectTypeOf(resolveSignature)
      .parameter(0)
      .toHaveProperty("purpose")
      .toEqualTypeOf<"pending-confirmation" | "cancelled" | "invoice" | "evaluation-request" | "voucher" | undefined>();
  });

  it("ValidationError carries issues and a code", () => {
    expectTypeOf<ValidationError>().toMatchTypeOf<RappelError>();
    expectTypeOf<ValidationError["issues"]>().toEqualTypeOf<readonly ValidationIssue[]>();
    expectTypeOf<ValidationIssue>().toEqualTypeOf<{ path: string; message: string }>();
  });

  it("domain parsers output normalised types", () => {
    expectTypeOf(parseContact({}).phones[0]!.mobile).toEqualTypeOf<boolean>();
    expectTypeOf(parseContact({}).preferences.sms.optedOut).toEqualTypeOf<boolean>();
  });

  it("transports are typed per channel", () => {
    const sms = createMemoryTransport({ channel: "sms" });
    expectTypeOf(sms).toMatchTypeOf<Transport<SmsMessage>>();
    expectTypeOf(sms.send).parameter(0).toEqualTypeOf<SmsMessage>();
    const email = createMemoryTransport();
    expectTypeOf(email.send).parameter(0).toEqualTypeOf<EmailMessage>();
    expectTypeOf<OutboundMessage["channel"]>().toEqualTypeOf<Channel>();
    expectTypeOf<PlannedSend["channel"]>().toEqualTypeOf<Channel>();
  });
});
