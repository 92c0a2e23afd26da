import { parseOrThrow } from "../domain/validation.js";
import { ErrorCode } from "../errors/errors.js";
import { type AccountOptions, AccountOptionsSchema } from "./schema.js";

/**
 * Resolves partial account options into complete ones: applies every documented default, then checks the
 * cross-field rules (week browsing needs ≥ 5 days shown; the scenario landing page needs a scenario id; hiding
 * done/read messages disables the message filter; the waiting-list window ends after it starts; quiet hours
 * have two different ends; sharing names at least one account). Unknown keys are errors (typos are caught).
 *
 * Throws a `ValidationError` with `code: "invalid-options"` whose `issues` list **every** failing path. The
 * result is a fresh object; resolving it again returns an equal object.
 *
 * @example
 * ```ts
 * resolveOptions({}).communication.sms
 * //=> { maxSegments: 1, overflow: "reject", encoding: "auto", allowOverage: true, onePerDay: true,
 * //     quietHours: { enabled: true, start: "21:00", end: "08:00" } }
 *
 * resolveOptions({ agenda: { daysShown: 3 }, general: { landingPage: "scenario" } });
 * // throws ValidationError { code: "invalid-options", issues: [
 * //   { path: "agenda.browsing", message: "Week browsing needs at least 5 days shown" },
 * //   { path: "general.scenarioId", message: "The scenario landing page needs a scenario id" } ] }
 * ```
 */
export function resolveOptions(input: unknown): AccountOptions {
  return parseOrThrow(AccountOptionsSchema, input ?? {}, ErrorCode.INVALID_OPTIONS, "account options");
}
