// Test helpers only: not exported, not published (package.json files excludes __fixtures__).
import { RappelError, ValidationError } from "@rappel/core";
import { expect } from "vitest";

/** Asserts `fn` throws a ValidationError with `code` whose issues name exactly `paths`. */
export function expectInvalid(fn: () => unknown, code: string, paths: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  expect(caught).toBeInstanceOf(RappelError);
  const error = caught as ValidationError;
  expect(error.code).toBe(code);
  expect(error.issues.map((i) => i.path)).toEqual(paths);
}

/** `Date` from an ISO string with an explicit offset or Z (never host-local). */
export const at = (iso: string): Date => {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso)) throw new TypeError(`ambiguous test date ${iso}`);
  return new Date(iso);
};

/** ISO string of a Date (UTC), for readable expectations. */
export const iso = (d: Date): string => d.toISOString();
