// Black-box audit of the SPEC §9 promises of @rappel/core: everything is imported from the package root, as an
// integrator would, and checked against the spec (§3 options, §4 signatures) and the seeds ([000], [001], [002]).
// Rules already pinned by the unit tests beside the code are not repeated here.
import { fileURLToPath } from "node:url";
import * as root from "@rappel/core";
import { RappelError, resolveOptions, resolveSignature, ValidationError } from "@rappel/core";
import { describe, expect, it } from "vitest";
import { distBuilt, expectDistNames, probeDist, thrown } from "../../../scripts/dist-probe.js";

describe("SPEC §9 names at the package root", () => {
  it("exports resolveOptions, resolveSignature and ValidationError (a RappelError)", () => {
    expect(typeof root.resolveOptions).toBe("function");
    expect(typeof root.resolveSignature).toBe("function");
    const e = new ValidationError("invalid-options", "x", [{ path: "a.b", message: "m" }]);
    expect(e).toBeInstanceOf(RappelError);
    expect(e).toBeInstanceOf(Error);
    expect({ code: e.code, issues: e.issues }).toEqual({
      code: "invalid-options",
      issues: [{ path: "a.b", message: "m" }],
    });
  });

  // The built dist, as an integrator's project loads it (ESM and CJS): the same answers as the sources.
  const pkgDir = fileURLToPath(new URL("..", import.meta.url));
  it.skipIf(!distBuilt(pkgDir))(
    "the built dist (pnpm build): ESM and CJS expose the sources' names and give the same answers",
    () => {
      const out = probeDist(
        pkgDir,
        "@rappel/core",
        `(() => {
          let error;
          try { m.resolveOptions({ agenda: { daysShown: 0, browsing: "day" } }); } catch (e) {
            error = { isValidation: e instanceof m.ValidationError, isRappel: e instanceof m.RappelError, code: e.code, issues: e.issues };
          }
          return {
            quiet: m.resolveOptions({}).communication.sms.quietHours,
            signature: m.resolveSignature({ account: {}, agenda: { signatureId: "A" }, service: { signatureId: "B" }, defaultSignatureId: "d" }),
            error,
          };
        })()`,
      );
      expectDistNames(out, ["resolveOptions", "resolveSignature", "ValidationError"]);
      for (const kind of ["esm", "cjs"] as const) {
        expect(out[kind]).toMatchObject({
          quiet: { enabled: true, start: "21:00", end: "08:00" },
          signature: "B",
          error: {
            isValidation: true,
            isRappel: true,
            code: "invalid-options",
            issues: [{ path: "agenda.daysShown", message: expect.any(String) }],
          },
        });
      }
    },
  );
});

describe("resolveOptions (§3): the spec's and seeds' defaults", () => {
  it("SMS limit 1 part, quiet hours 21:00–08:00 local, the account's own email as recipient, no survey", () => {
    const o = resolveOptions(undefined);
    expect(o.communication.sms.maxSegments).toBe(1); // 160 GSM-7 / 70 UCS-2
    expect(o.communication.sms.quietHours).toEqual({ enabled: true, start: "21:00", end: "08:00" });
    expect(o.notifications.recipients).toEqual([]); // [000]: by default the client account's own email
    expect(o.survey.agendaIds).toEqual([]); // [003]: ticked per agenda
    expect(o.immediateReminder).toMatchObject({ email: false, sms: false }); // [000]: chosen, not pre-ticked
    for (const op of ["created", "moved", "cancelled"] as const) {
      expect(o.notifications[op]).toEqual({ message: false, email: false, sms: false });
    }
    expect(o.agenda.browsing === "week" ? o.agenda.daysShown >= 5 : true).toBe(true); // R-12 holds for the defaults
  });

  it("each call returns fresh defaults: mutating one result does not leak into the next", () => {
    const a = resolveOptions({});
    a.reminders.first.offset.value = 99;
    a.notifications.recipients.push({ type: "account", accountId: "acc-1" });
    a.requiredContactFields.push("email");
    a.communication.sms.quietHours.start = "23:00";
    const b = resolveOptions({});
    expect(b.reminders.first.offset.value).not.toBe(99);
    expect(b.notifications.recipients).toEqual([]);
    expect(b.requiredContactFields).toEqual([]);
    expect(b.communication.sms.quietHours.start).toBe("21:00");
  });

  it("a day offset takes an optional local time of day (the day before at 18:00)", () => {
    const o = resolveOptions({
      reminders: { second: { mode: "enabled", offset: { value: 1, unit: "days", at: "18:00" } } },
    });
    expect(o.reminders.second.offset).toEqual({ value: 1, unit: "days", at: "18:00" });
  });
});

describe("resolveOptions: ValidationError { code: 'invalid-options', issues: { path, message }[] }", () => {
  it("names every failing path (nested, array items, unknown keys, cross-field rules) with exactly path and message", () => {
    const e = thrown(() =>
      resolveOptions({
        reminders: {
          first: { offest: { value: 1, unit: "hours" } },
          second: { offset: { value: 2, unit: "hours", at: "18:00" } },
        },
        notifications: { recipients: [{ type: "account" }] },
        agenda: { daysShown: 3 },
        communication: { sms: { maxSegments: 0, overflow: "split" } },
      }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toBeInstanceOf(RappelError);
    const { code, issues } = e as ValidationError;
    expect(code).toBe("invalid-options");
    for (const issue of issues) {
      expect(Object.keys(issue).sort()).toEqual(["message", "path"]);
      expect(typeof issue.path).toBe("string");
      expect(issue.message).not.toBe("");
    }
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        "agenda.browsing", // week browsing needs at least 5 days
        "communication.sms.maxSegments",
        "communication.sms.overflow",
        "notifications.recipients.0.accountId",
        "reminders.first.offest",
        "reminders.second.offset.at", // a time of day only with a day offset
      ].sort(),
    );
  });

  it.each([
    ["a string", "fr-FR"],
    ["an array", []],
    ["a number", 1],
  ])("%s is refused at the root path", (_what, input) => {
    expect(thrown(() => resolveOptions(input))).toMatchObject({
      code: "invalid-options",
      issues: [{ path: "", message: expect.any(String) }],
    });
  });
});

describe("resolveSignature (§4, [001])", () => {
  const base = { account: {}, defaultSignatureId: "default" };
  it("the seed table, row by row", () => {
    expect(resolveSignature(base)).toBe("default");
    expect(resolveSignature({ ...base, agenda: { signatureId: "A" } })).toBe("A");
    expect(resolveSignature({ ...base, agenda: { signatureId: "A" }, service: { signatureId: "B" } })).toBe("B");
    expect(
      resolveSignature({
        ...base,
        agenda: { signatureId: "A" },
        service: { signatureId: "B" },
        resource: { signatureId: "C" },
      }),
    ).toBe("C");
  });

  it.each(["pending-confirmation", "cancelled", "invoice", "evaluation-request", "voucher"] as const)(
    "purpose %s: its own signature beats the whole cascade; without one the cascade applies",
    (purpose) => {
      const cascade = {
        ...base,
        agenda: { signatureId: "A" },
        service: { signatureId: "B" },
        resource: { signatureId: "C" },
      };
      expect(resolveSignature({ ...cascade, purpose, purposeSignatures: { [purpose]: "P" } })).toBe("P");
      const others = Object.fromEntries(
        ["pending-confirmation", "cancelled", "invoice", "evaluation-request", "voucher"]
          .filter((p) => p !== purpose)
          .map((p) => [p, `sig-${p}`]),
      );
      expect(resolveSignature({ ...cascade, purpose, purposeSignatures: others })).toBe("C");
      expect(resolveSignature({ ...base, purpose, purposeSignatures: others })).toBe("default");
    },
  );

  it("bad input is a ValidationError with a stable code and the failing paths", () => {
    const e = thrown(() =>
      resolveSignature({ account: {}, purpose: "birthday" as "voucher", defaultSignatureId: "" }),
    ) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.code).toBe("invalid-input");
    expect(e.issues.map((i) => i.path).sort()).toEqual(["defaultSignatureId", "purpose"]);
  });
});
