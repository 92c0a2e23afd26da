import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { resolveSignature, SIGNATURE_PURPOSES } from "./resolveSignature.js";

const D = "default";
const link = (id: string | undefined) => (id === undefined ? {} : { signatureId: id });

describe("resolveSignature: the seed's table (R-20)", () => {
  // account | agenda | service | resource | used — "default" in a column means nothing specific is linked there.
  const table: [string | undefined, string | undefined, string | undefined, string | undefined, string][] = [
    [undefined, undefined, undefined, undefined, D],
    [undefined, "A", undefined, undefined, "A"],
    [undefined, "A", "B", undefined, "B"],
    [undefined, "A", "B", "C", "C"],
  ];
  it.each(table)("account %s, agenda %s, service %s, resource %s → %s", (account, agenda, service, resource, used) => {
    expect(
      resolveSignature({
        account: link(account),
        agenda: link(agenda),
        service: link(service),
        resource: link(resource),
        defaultSignatureId: D,
      }),
    ).toBe(used);
  });

  it("the most specific signature set wins, whatever is missing in between", () => {
    expect(resolveSignature({ account: {}, resource: { signatureId: "C" }, defaultSignatureId: D })).toBe("C");
    expect(
      resolveSignature({
        account: {},
        agenda: { signatureId: "A" },
        resource: { signatureId: "C" },
        defaultSignatureId: D,
      }),
    ).toBe("C");
    expect(resolveSignature({ account: {}, service: { signatureId: "B" }, defaultSignatureId: D })).toBe("B");
    expect(resolveSignature({ account: { signatureId: "ACC" }, defaultSignatureId: D })).toBe("ACC");
    expect(
      resolveSignature({ account: { signatureId: "ACC" }, agenda: { signatureId: "A" }, defaultSignatureId: D }),
    ).toBe("A");
  });

  it("matches the cascade for every combination (property)", () => {
    const opt = fc.option(fc.constantFrom("A", "B", "C", "ACC"), { nil: undefined });
    fc.assert(
      fc.property(opt, opt, opt, opt, (account, agenda, service, resource) => {
        const used = resolveSignature({
          account: link(account),
          agenda: link(agenda),
          service: link(service),
          resource: link(resource),
          defaultSignatureId: D,
        });
        expect(used).toBe(resource ?? service ?? agenda ?? account ?? D);
      }),
    );
  });
});

describe("resolveSignature: purpose signatures (R-21)", () => {
  it.each(SIGNATURE_PURPOSES)("a %s signature wins over the cascade when set", (purpose) => {
    const input = {
      account: {},
      agenda: { signatureId: "A" },
      service: { signatureId: "B" },
      resource: { signatureId: "C" },
      purpose,
      purposeSignatures: { [purpose]: `P-${purpose}` },
      defaultSignatureId: D,
    };
    expect(resolveSignature(input)).toBe(`P-${purpose}`);
  });

  it("falls back to the cascade when the purpose has no signature", () => {
    expect(
      resolveSignature({
        account: {},
        service: { signatureId: "B" },
        purpose: "invoice",
        purposeSignatures: { voucher: "V" },
        defaultSignatureId: D,
      }),
    ).toBe("B");
    expect(resolveSignature({ account: {}, purpose: "cancelled", defaultSignatureId: D })).toBe(D);
  });

  it("ignores purpose signatures when the send has no purpose", () => {
    expect(resolveSignature({ account: {}, purposeSignatures: { cancelled: "X" }, defaultSignatureId: D })).toBe(D);
  });
});

describe("resolveSignature: bad input", () => {
  it.each([
    ["empty default", { account: {}, defaultSignatureId: "" }, "defaultSignatureId"],
    ["missing default", { account: {} }, "defaultSignatureId"],
    ["missing account", { defaultSignatureId: D }, "account"],
    ["unknown purpose", { account: {}, purpose: "birthday", defaultSignatureId: D }, "purpose"],
    ["empty agenda id", { account: {}, agenda: { signatureId: "" }, defaultSignatureId: D }, "agenda.signatureId"],
    ["numeric id", { account: { signatureId: 3 }, defaultSignatureId: D }, "account.signatureId"],
  ])("%s", (_n, input, path) => {
    try {
      resolveSignature(input as never);
      throw new Error("expected a throw");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).code).toBe("invalid-input");
      expect((e as ValidationError).issues.map((i) => i.path)).toContain(path);
    }
  });

  it("accepts whole domain objects (extra fields are ignored)", () => {
    expect(resolveSignature({ account: { id: "a1", signatureId: "S" } as never, defaultSignatureId: D })).toBe("S");
  });
});
