// Argument checks shared by the timing functions. The hot path only calls `instantOf` / `zoneTable` and compares;
// when something is wrong, `fail` re-checks every argument so the error lists every failing path.

import * as zoneEngine from "@rappel/core";
import { type ErrorCodeValue, ValidationError, type ValidationIssue } from "@rappel/core";
import * as civil from "./civil.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time); a module constant costs nothing in
// either module system (as ES modules, and in the bundled dist, the difference is within noise). No import cycle
// here, so the bindings are initialised when read.
const { MAX_INSTANT_MS, MIN_INSTANT_MS, parseTimeOfDay } = civil;
const { zoneTable } = zoneEngine;

const getTime = Date.prototype.getTime;

/** Epoch milliseconds of a valid `Date` inside the supported range, else `NaN`. Works across realms. */
export function instantOf(value: unknown): number {
  let t = Number.NaN;
  if (typeof value === "object" && value !== null) {
    // Dates (and subclasses) that keep the standard getTime: called as a method, it compiles to a read of the
    // Date's own slot once the receiver's shape is known, where `getTime.call(value)` stays a generic call through
    // Function.prototype.call (about 50 instructions more). Anything else (Dates of other realms) goes through
    // getTime.call. Either way getTime's brand check rejects impostors (a Date-like object, an object made from
    // Date.prototype), which are not valid Dates here.
    try {
      t = (value as Date).getTime === getTime ? (value as Date).getTime() : getTime.call(value);
    } catch {
      t = Number.NaN;
    }
  }
  // MIN_INSTANT_MS … MAX_INSTANT_MS, as literals (a bundled module constant is reloaded and checked on every use).
  return t >= -62_135_337_600_000 && t <= 253_401_955_200_000 ? t : Number.NaN;
}

/** One failed check: the error code it maps to, and the issue reported. */
export interface Problem extends ValidationIssue {
  code: ErrorCodeValue;
}

/** Collects problems; `fail` raises one {@link ValidationError} whose code is the first problem's. */
export class Checks {
  readonly problems: Problem[] = [];

  add(code: ErrorCodeValue, path: string, message: string): this {
    this.problems.push({ code, path, message });
    return this;
  }

  date(value: unknown, path: string): this {
    if (Number.isNaN(instantOf(value))) {
      let valid = false;
      try {
        valid = !Number.isNaN(getTime.call(value));
      } catch {
        valid = false;
      }
      this.add(
        "invalid-date",
        path,
        valid ? "Expected an instant between 0001-01-04T00:00:00Z and 9999-12-28T00:00:00Z" : "Expected a valid Date",
      );
    }
    return this;
  }

  timeZone(value: unknown, path: string): this {
    if (zoneTable(value) === undefined) {
      this.add(
        "invalid-time-zone",
        path,
        typeof value === "string"
          ? `Unknown IANA time zone "${value.slice(0, 64)}"`
          : "Expected an IANA time zone name",
      );
    }
    return this;
  }

  timeOfDay(value: unknown, path: string): this {
    if (parseTimeOfDay(value) < 0) this.add("invalid-time-of-day", path, 'Expected a local time "HH:mm" (00:00–23:59)');
    return this;
  }

  /** Throws the collected problems (a generic `invalid-input` if, unexpectedly, there are none). */
  fail(what: string): never {
    const first = this.problems[0] ?? { code: "invalid-input", path: "", message: "Invalid arguments" };
    if (this.problems.length === 0) this.problems.push(first);
    const issues = this.problems.map(({ path, message }) => ({ path, message }));
    throw new ValidationError(
      first.code,
      `${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    );
  }
}

/** Throws when a computed instant leaves the supported range. */
export function checkResult(t: number, code: ErrorCodeValue, path: string, what: string): Date {
  return t >= MIN_INSTANT_MS && t <= MAX_INSTANT_MS ? new Date(t) : outOfRange(code, path, what);
}

function outOfRange(code: ErrorCodeValue, path: string, what: string): never {
  return new Checks()
    .add(code, path, "The result falls outside 0001-01-04T00:00:00Z … 9999-12-28T00:00:00Z")
    .fail(what);
}
