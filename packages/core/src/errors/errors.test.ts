import { describe, expect, it } from "vitest";
import {
  ErrorCode,
  ErrorCodeDescriptions,
  isRappelError,
  RappelError,
  TransportError,
  ValidationError,
} from "./errors.js";

describe("RappelError", () => {
  it("carries a stable code, details and cause", () => {
    const cause = new Error("boom");
    const e = new RappelError(ErrorCode.ADAPTER_ERROR, "storage failed", { cause, details: { op: "claimDue" } });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("adapter-error");
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ op: "claimDue" });
    expect(e.name).toBe("RappelError");
  });

  it("has a description for every code, and every code value is kebab-case and unique", () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) {
      expect(v).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
      expect(ErrorCodeDescriptions[v]).toMatch(/\.$/);
    }
    expect(Object.keys(ErrorCodeDescriptions).sort()).toEqual([...values].sort());
  });

  it("ValidationError lists issues", () => {
    const e = new ValidationError("invalid-options", "bad", [{ path: "a.b", message: "x" }]);
    expect(e).toBeInstanceOf(RappelError);
    expect(e.issues).toEqual([{ path: "a.b", message: "x" }]);
  });

  it("TransportError maps its failure class to a code", () => {
    expect(new TransportError("t", { failure: "transient", responseCode: 451 }).code).toBe("transport-transient");
    expect(new TransportError("p", { failure: "permanent", providerCode: "21211" }).code).toBe("transport-permanent");
    const u = new TransportError("u", { failure: "unknown", command: "DATA" });
    expect(u.code).toBe("transport-unknown");
    expect(u.command).toBe("DATA");
    expect(u.optedOut).toBe(false);
  });

  it("isRappelError recognises copies by shape but not plain errors", () => {
    const foreign = Object.assign(new Error("x"), { code: "not-found" });
    expect(isRappelError(foreign)).toBe(true);
    expect(isRappelError(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(false);
    expect(isRappelError("not-found")).toBe(false);
  });
});
