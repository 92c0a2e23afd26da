import { describe, expect, it } from "vitest";
import { classifySmtpError } from "./classify.js";

function err(fields: Record<string, unknown>): Error {
  return Object.assign(new Error("x"), fields);
}

describe("classifySmtpError", () => {
  it("decides from the reply code when there is one, whatever the phase", () => {
    expect(classifySmtpError(err({ responseCode: 451, command: "DATA" }), "data-sent").failure).toBe("transient");
    expect(classifySmtpError(err({ responseCode: 554, command: "DATA" }), "data-sent").failure).toBe("permanent");
    expect(classifySmtpError(err({ responseCode: 550, command: "RCPT TO" }), "before-data").failure).toBe("permanent");
  });

  it("treats a refused login or STARTTLS as transient (configuration, not the message)", () => {
    const auth = classifySmtpError(err({ code: "EAUTH", responseCode: 535, command: "AUTH PLAIN" }), "before-data");
    expect(auth.failure).toBe("transient");
    expect(auth.responseCode).toBe(535);
    expect(classifySmtpError(err({ code: "ETLS", responseCode: 502 }), "before-data").failure).toBe("transient");
  });

  it("a local envelope or size rejection is permanent", () => {
    expect(classifySmtpError(err({ code: "EENVELOPE", command: "API" }), "before-data").failure).toBe("permanent");
    expect(classifySmtpError(err({ code: "EMESSAGE", command: "MAIL FROM" }), "before-data").failure).toBe("permanent");
  });

  it("no reply: transient before the data, unknown after it (R-48)", () => {
    for (const code of ["ECONNECTION", "ETIMEDOUT", "ESOCKET", undefined]) {
      expect(classifySmtpError(err({ code, command: "CONN" }), "before-data").failure).toBe("transient");
      expect(classifySmtpError(err({ code, command: "CONN" }), "data-sent").failure).toBe("unknown");
    }
    expect(classifySmtpError("not even an error", "data-sent").failure).toBe("unknown");
  });

  it("redacts addresses from the provider text and the message", () => {
    const e = classifySmtpError(
      err({ responseCode: 550, command: "RCPT TO", response: "550 <jeanne@example.org> unknown" }),
      "before-data",
    );
    expect(e.providerText).toBe("550 <redacted> unknown");
    expect(e.message).not.toContain("jeanne@");
  });
});
