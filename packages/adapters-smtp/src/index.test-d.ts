import type { EmailMessage, Transport } from "@rappel/core";
import { expectTypeOf, test } from "vitest";
import { createSmtpTransport, type SmtpTransportOptions } from "./index.js";

test("public types", () => {
  const email = createSmtpTransport({ host: "smtp.example.org" });
  expectTypeOf(email).toMatchTypeOf<Transport<EmailMessage>>();
  expectTypeOf(email.name).toEqualTypeOf<"smtp">();
  expectTypeOf(email.channel).toEqualTypeOf<"email">();
  expectTypeOf(email.close).returns.toEqualTypeOf<Promise<void>>();
  expectTypeOf<SmtpTransportOptions["auth"]>().toEqualTypeOf<
    { user: string; pass: string } | { type: "oauth2"; user: string; accessToken: string } | undefined
  >();
  // @ts-expect-error the host is required
  createSmtpTransport({ port: 25 });
});
