import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headerText, isValidAddress, redactAddresses, singleLine } from "./headers.js";

describe("singleLine / headerText", () => {
  it("turns CR, LF and every other control character into one space", () => {
    expect(singleLine("Rappel\r\nBcc: evil@example.com")).toBe("Rappel Bcc: evil@example.com");
    expect(singleLine(" a\u0000\t\u2028b ")).toBe("a b");
  });

  it("breaks encoded-word openers so a client cannot decode a CR/LF out of data", () => {
    expect(headerText("=?UTF-8?B?DQpCY2M6?=")).toBe("= ?UTF-8?B?DQpCY2M6?=");
  });

  it("keeps French text and common emoji as they are", () => {
    expect(headerText("Rendez-vous à 12h00 — 25 € l’après-midi 😀")).toBe("Rendez-vous à 12h00 — 25 € l’après-midi 😀");
  });

  it("never outputs a control character, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the property under test.
        expect(headerText(s)).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/);
      }),
      { numRuns: 1000 },
    );
  }, 20_000);
});

describe("isValidAddress", () => {
  it.each(["patient@example.org", "jeanne.martin+rappel@cabinet-dupont.fr", "x@médecins.fr"])("accepts %s", (a) =>
    expect(isValidAddress(a)).toBe(true),
  );

  it.each([
    "",
    "plain",
    "a@b",
    "@example.org",
    "a@",
    "a b@example.org",
    "a@example.org\r\nRCPT TO:<x@y.z>",
    '"quoted"@example.org',
    "<a@example.org>",
    "a@example.org,b@example.org",
    "a..b@example.org",
    "a@-example.org",
    `${"a".repeat(65)}@example.org`,
  ])("rejects %j", (a) => expect(isValidAddress(a)).toBe(false));

  it("rejects any address containing a control character or a space", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom("\r", "\n", " ", "\t", "\u0000"),
        fc.string(),
        (a, bad, b) => !isValidAddress(`${a}${bad}${b}@example.org`) && !isValidAddress(`x@exa${bad}mple.org`),
      ),
    );
  });
});

describe("redactAddresses", () => {
  it("removes addresses from server text", () => {
    expect(redactAddresses("550 5.1.1 <jeanne@example.org>: Recipient address rejected")).toBe(
      "550 5.1.1 <redacted>: Recipient address rejected",
    );
  });
});
