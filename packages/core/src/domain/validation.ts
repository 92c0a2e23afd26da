import type { z } from "zod";
import { type ErrorCodeValue, ValidationError, type ValidationIssue } from "../errors/errors.js";

/** Turns zod issues into Rappel's `{ path, message }` list, in input order. */
export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // One issue per unknown key, at the key's own path, so a settings form can point at the typo.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...path, key].join("."), message: `Unknown option "${key}"` }));
    }
    return [{ path: path.join("."), message: issue.message }];
  });
}

/**
 * Parses `input` with `schema`, throwing a {@link ValidationError} that lists every failing path.
 * @internal
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: ErrorCodeValue,
  what: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const first = issues[0];
  const summary = first ? `${first.path || "(root)"}: ${first.message}` : "invalid";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new ValidationError(code, `Invalid ${what}: ${summary}${more}`, issues);
}
