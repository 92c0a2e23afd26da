// The storage contract's input rules, in one place: every storage adapter (the memory storage, Postgres, third-party
// ones) calls these, so all of them reject exactly the same inputs with the same `invalid-input` issues and paths.
// Hot paths (planned sends, journal entries) run once per item: no closures inside the loops, and issue paths are
// built only for what fails.
import type { CancelSpec, PlannedSend } from "../contracts/sends.js";
import { ErrorCode, RappelError, ValidationError, type ValidationIssue } from "../errors/errors.js";
import type {
  AddUsageOptions,
  ClaimDueOptions,
  InboxMessageInput,
  JournalEntryInput,
  LeaseRef,
  ProviderStatus,
  ProviderStatusUpdate,
  SendOutcome,
  UsageCounters,
} from "./contract.js";

/**
 * The largest `limit` a storage read or claim accepts (see {@link checkStorageLimit}).
 *
 * @example
 * ```ts
 * checkStorageLimit(MAX_STORAGE_LIMIT, "limit", 1) //=> 10000
 * ```
 */
export const MAX_STORAGE_LIMIT = 10_000;

/**
 * The usage counters, in a fixed order (the fields of {@link UsageCounters}).
 *
 * @example
 * ```ts
 * USAGE_COUNTERS[0] //=> "reminderSmsCredits"
 * ```
 */
export const USAGE_COUNTERS = [
  "reminderSmsCredits",
  "customSmsCredits",
  "otherSmsCredits",
  "emails",
  "faxes",
  "messages",
] as const satisfies readonly (keyof UsageCounters)[];

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const STRING = "Expected a non-empty string";
const OUTCOMES: ReadonlySet<string> = new Set(["sent", "failed", "unknown", "missed", "skipped", "cancelled"]);
/** Provider statuses in the order they may follow one another; the final ones share the top rank. */
const PROVIDER_RANK: Readonly<Record<ProviderStatus, number>> = {
  accepted: 1,
  queued: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
};
const FINAL_RANK = 4;

/**
 * A {@link ValidationError} with code `invalid-input`: what every storage method throws on bad input.
 *
 * @example
 * ```ts
 * throw invalidStorageInput("month must be YYYY-MM", [{ path: "month", message: 'Expected "YYYY-MM"' }]);
 * ```
 */
export function invalidStorageInput(message: string, issues: ValidationIssue[]): ValidationError {
  return new ValidationError(ErrorCode.INVALID_INPUT, message, issues);
}

/**
 * The `lease-lost` error of a lease reference that no longer holds the send (with the ref and why in `details`).
 *
 * @example
 * ```ts
 * throw leaseLostError(ref, "no such send");
 * ```
 */
export function leaseLostError(ref: LeaseRef, why: string): RappelError {
  return new RappelError(ErrorCode.LEASE_LOST, `Lease lost on send ${ref.key}: ${why}`, {
    details: { structureId: ref.structureId, key: ref.key, token: ref.token, why },
  });
}

function isDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function nonEmpty(v: unknown): boolean {
  return typeof v === "string" && v.length > 0;
}

function checkString(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof value !== "string" || value.length === 0) issues.push({ path, message: STRING });
}

/** One failing path of a planned send; paths are built only for what fails (this runs for every planned send). */
function bad(issues: ValidationIssue[], i: number, field: string, message: string): void {
  issues.push({ path: field === "" ? `sends.${i}` : `sends.${i}.${field}`, message });
}

/** JSON text of a plain object, or `undefined` when it is not one (or does not serialize). */
function objectJson(data: unknown): string | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  try {
    return JSON.stringify(data);
  } catch {
    return undefined;
  }
}

/**
 * Checks an instant argument (`now`, `at`, …) and returns it as epoch milliseconds.
 *
 * @throws ValidationError `invalid-input` at `path` unless it is a valid `Date`.
 * @example
 * ```ts
 * checkStorageDate(new Date("2026-06-08T10:00:00Z"), "now") //=> 1780912800000
 * ```
 */
export function checkStorageDate(value: Date, path: string): number {
  if (!isDate(value))
    throw invalidStorageInput(`${path} must be a valid Date`, [{ path, message: "Expected a valid Date" }]);
  return value.getTime();
}

/**
 * Checks a `structureId` argument.
 *
 * @throws ValidationError `invalid-input` at `structureId` unless it is a non-empty string.
 * @example
 * ```ts
 * checkStructureId("s1"); // passes
 * ```
 */
export function checkStructureId(structureId: unknown): asserts structureId is string {
  if (typeof structureId !== "string" || structureId.length === 0)
    throw invalidStorageInput("structureId must be a non-empty string", [{ path: "structureId", message: STRING }]);
}

/**
 * Checks an optional `limit` and returns it, or `fallback` when it is `undefined`.
 *
 * @throws ValidationError `invalid-input` at `path` unless it is an integer from 1 to {@link MAX_STORAGE_LIMIT}.
 * @example
 * ```ts
 * checkStorageLimit(undefined, "limit", 100) //=> 100
 * ```
 */
export function checkStorageLimit(value: number | undefined, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_STORAGE_LIMIT)
    throw invalidStorageInput(`${path} must be an integer from 1 to ${MAX_STORAGE_LIMIT}`, [
      { path, message: `Expected an integer from 1 to ${MAX_STORAGE_LIMIT}` },
    ]);
  return value;
}

/**
 * Checks the shape of a lease reference (whether it still holds the send is the storage's business).
 *
 * @throws ValidationError `invalid-input` at `ref` (not an object) or `ref.token` (not a safe integer).
 * @example
 * ```ts
 * checkLeaseRef({ structureId: "s1", key: "k1", token: 3 }); // passes
 * ```
 */
export function checkLeaseRef(ref: LeaseRef): void {
  if (ref === null || typeof ref !== "object")
    throw invalidStorageInput("ref must be an object", [
      { path: "ref", message: "Expected { structureId, key, token }" },
    ]);
  if (!Number.isSafeInteger(ref.token))
    throw invalidStorageInput("ref.token must be an integer", [{ path: "ref.token", message: "Expected an integer" }]);
}

/**
 * Checks a usage month.
 *
 * @throws ValidationError `invalid-input` at `month` unless it is `"YYYY-MM"`.
 * @example
 * ```ts
 * checkUsageMonth("2026-06"); // passes
 * ```
 */
export function checkUsageMonth(month: string): void {
  if (typeof month !== "string" || !MONTH.test(month))
    throw invalidStorageInput("month must be YYYY-MM", [{ path: "month", message: 'Expected "YYYY-MM"' }]);
}

/**
 * Checks the planned sends of `upsertPlanned` and returns the JSON text of each send's `data`, in order (what a
 * storage keeps: a copy that later changes to the caller's objects do not reach).
 *
 * @throws ValidationError `invalid-input` with one issue per failing field of any send (`sends.<i>.<field>`).
 * @example
 * ```ts
 * validatePlannedSends("s1", [send]) //=> ['{"firstName":"Ada"}']
 * ```
 */
export function validatePlannedSends(structureId: string, sends: readonly PlannedSend[]): string[] {
  if (!Array.isArray(sends))
    throw invalidStorageInput("sends must be an array", [{ path: "sends", message: "Expected an array" }]);
  const issues: ValidationIssue[] = [];
  const n = sends.length;
  const texts: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = sends[i];
    if (s === null || typeof s !== "object") {
      bad(issues, i, "", "Expected a planned send");
      texts[i] = "";
      continue;
    }
    if (!nonEmpty(s.key)) bad(issues, i, "key", STRING);
    if (s.structureId !== structureId)
      bad(issues, i, "structureId", `Expected "${structureId}" (the call's structure)`);
    if (!nonEmpty(s.accountId)) bad(issues, i, "accountId", STRING);
    if (!nonEmpty(s.kind)) bad(issues, i, "kind", STRING);
    if (!nonEmpty(s.channel)) bad(issues, i, "channel", STRING);
    const r = s.recipient;
    if (r === null || typeof r !== "object") bad(issues, i, "recipient", "Expected { type, id, address }");
    else {
      if (!nonEmpty(r.type)) bad(issues, i, "recipient.type", STRING);
      if (!nonEmpty(r.id)) bad(issues, i, "recipient.id", STRING);
      if (!nonEmpty(r.address)) bad(issues, i, "recipient.address", STRING);
    }
    if (!isDate(s.sendAt)) bad(issues, i, "sendAt", "Expected a valid Date");
    if (s.expiresAt !== undefined && !isDate(s.expiresAt)) bad(issues, i, "expiresAt", "Expected a valid Date");
    // One check per field, written out: a loop over the names would read each through a keyed (generic) access.
    if (s.appointmentId !== undefined && typeof s.appointmentId !== "string")
      bad(issues, i, "appointmentId", "Expected a string");
    if (s.contactId !== undefined && typeof s.contactId !== "string") bad(issues, i, "contactId", "Expected a string");
    if (s.groupKey !== undefined && typeof s.groupKey !== "string") bad(issues, i, "groupKey", "Expected a string");
    if (s.billing !== undefined && typeof s.billing !== "string") bad(issues, i, "billing", "Expected a string");
    const text = objectJson(s.data);
    if (text === undefined) bad(issues, i, "data", "Expected a JSON object");
    texts[i] = text ?? "";
  }
  if (issues.length > 0) throw invalidStorageInput("Invalid planned sends", issues);
  return texts;
}

/**
 * Checks the entries of `appendJournal` and returns the JSON text of each entry's `data` (`undefined` where it
 * has none), in order.
 *
 * @throws ValidationError `invalid-input` with one issue per failing field of any entry (`entries.<i>.<field>`).
 * @example
 * ```ts
 * validateJournalEntries("s1", [{ structureId: "s1", at: now, event: "sent", data: { n: 1 } }]) //=> ['{"n":1}']
 * ```
 */
export function validateJournalEntries(
  structureId: string,
  entries: readonly JournalEntryInput[],
): (string | undefined)[] {
  if (!Array.isArray(entries))
    throw invalidStorageInput("entries must be an array", [{ path: "entries", message: "Expected an array" }]);
  const issues: ValidationIssue[] = [];
  const n = entries.length;
  const texts: (string | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    if (e === null || typeof e !== "object") {
      issues.push({ path: `entries.${i}`, message: "Expected a journal entry" });
      continue;
    }
    if (e.structureId !== structureId)
      issues.push({ path: `entries.${i}.structureId`, message: `Expected "${structureId}" (the call's structure)` });
    if (!isDate(e.at)) issues.push({ path: `entries.${i}.at`, message: "Expected a valid Date" });
    if (!nonEmpty(e.event)) issues.push({ path: `entries.${i}.event`, message: STRING });
    if (e.data !== undefined) {
      let text: string | undefined;
      try {
        text = JSON.stringify(e.data);
      } catch {
        text = undefined;
      }
      if (text === undefined) issues.push({ path: `entries.${i}.data`, message: "Expected JSON" });
      texts[i] = text;
    }
  }
  if (issues.length > 0) throw invalidStorageInput("Invalid journal entries", issues);
  return texts;
}

/**
 * Checks the spec of `cancel` (before anything is looked up, so an unknown structure rejects it too).
 *
 * @throws ValidationError `invalid-input` at `spec`, `spec.keys`, `spec.appointmentId` or `spec.channels`.
 * @example
 * ```ts
 * validateCancelSpec({ appointmentId: "a1" }); // passes
 * ```
 */
export function validateCancelSpec(spec: CancelSpec): void {
  if (spec === null || typeof spec !== "object")
    throw invalidStorageInput("spec must be a cancel spec", [{ path: "spec", message: "Expected a CancelSpec" }]);
  if ("keys" in spec) {
    if (!Array.isArray(spec.keys))
      throw invalidStorageInput("spec.keys must be an array", [{ path: "spec.keys", message: "Expected an array" }]);
  } else if ("appointmentId" in spec) {
    if (typeof spec.appointmentId !== "string")
      throw invalidStorageInput("spec.appointmentId must be a string", [
        { path: "spec.appointmentId", message: "Expected a string" },
      ]);
  } else if ("contactId" in spec) {
    if (!Array.isArray(spec.channels))
      throw invalidStorageInput("spec.channels must be an array", [
        { path: "spec.channels", message: "Expected an array" },
      ]);
  } else throw invalidStorageInput("spec must be a cancel spec", [{ path: "spec", message: "Expected a CancelSpec" }]);
}

/**
 * Checks the outcome of `complete` (and of each `completeMany` item).
 *
 * @throws ValidationError `invalid-input` at `outcome.status`, or at the field the status requires
 *   (`outcome.provider` when sent, `outcome.failureCode` when failed, `outcome.skipReason` when skipped).
 * @example
 * ```ts
 * validateSendOutcome({ status: "sent", provider: "twilio" }); // passes
 * ```
 */
export function validateSendOutcome(outcome: SendOutcome): void {
  if (outcome === null || typeof outcome !== "object" || !OUTCOMES.has(outcome.status))
    throw invalidStorageInput("outcome must be a send outcome", [
      { path: "outcome.status", message: "Expected sent, failed, unknown, missed, skipped or cancelled" },
    ]);
  const issues: ValidationIssue[] = [];
  if (outcome.status === "sent") checkString(outcome.provider, "outcome.provider", issues);
  if (outcome.status === "failed") checkString(outcome.failureCode, "outcome.failureCode", issues);
  if (outcome.status === "skipped") checkString(outcome.skipReason, "outcome.skipReason", issues);
  if (issues.length > 0) throw invalidStorageInput("Invalid send outcome", issues);
}

/**
 * Checks the options of `claimDue` and returns the claim's limit (1 when not given).
 *
 * @throws ValidationError `invalid-input` at `options`, `now`, `limit`, `leaseMs` or `owner`.
 * @example
 * ```ts
 * validateClaimDueOptions({ now, limit: 10, leaseMs: 30_000, owner: "w1" }) //=> 10
 * ```
 */
export function validateClaimDueOptions(opts: ClaimDueOptions): number {
  if (opts === null || typeof opts !== "object")
    throw invalidStorageInput("options must be an object", [{ path: "options", message: "Expected ClaimDueOptions" }]);
  checkStorageDate(opts.now, "now");
  const limit = checkStorageLimit(opts.limit, "limit", 1);
  const issues: ValidationIssue[] = [];
  if (!Number.isSafeInteger(opts.leaseMs) || opts.leaseMs < 1)
    issues.push({ path: "leaseMs", message: "Expected a positive integer" });
  checkString(opts.owner, "owner", issues);
  if (issues.length > 0) throw invalidStorageInput("Invalid claimDue options", issues);
  return limit;
}

/**
 * Checks a provider status update of `recordProviderStatus`.
 *
 * @throws ValidationError `invalid-input` at `update`, `provider`, `providerMessageId`, `status` or `at`.
 * @example
 * ```ts
 * validateProviderStatusUpdate({ provider: "twilio", providerMessageId: "SM1", status: "delivered", at: now });
 * ```
 */
export function validateProviderStatusUpdate(update: ProviderStatusUpdate): void {
  if (update === null || typeof update !== "object")
    throw invalidStorageInput("update must be an object", [
      { path: "update", message: "Expected ProviderStatusUpdate" },
    ]);
  const issues: ValidationIssue[] = [];
  checkString(update.provider, "provider", issues);
  checkString(update.providerMessageId, "providerMessageId", issues);
  if (!(update.status in PROVIDER_RANK)) issues.push({ path: "status", message: "Expected a provider status" });
  if (!isDate(update.at)) issues.push({ path: "at", message: "Expected a valid Date" });
  if (issues.length > 0) throw invalidStorageInput("Invalid provider status update", issues);
}

/**
 * Whether a provider status moves a send's provider status forward from `current`: statuses only advance
 * (accepted → queued → sent → a final one), and a final status (delivered, undelivered, failed) never changes.
 *
 * @example
 * ```ts
 * providerStatusAdvances("sent", "delivered") //=> true
 * providerStatusAdvances("delivered", "failed") //=> false
 * ```
 */
export function providerStatusAdvances(current: ProviderStatus | null, next: ProviderStatus): boolean {
  if (current === null) return true;
  const cur = PROVIDER_RANK[current];
  return cur < FINAL_RANK && PROVIDER_RANK[next] > cur;
}

/**
 * Checks the arguments of `addUsage` (the structure id is checked apart, with {@link checkStructureId}).
 *
 * @throws ValidationError `invalid-input` at `accountId`, `month`, `delta`, `delta.<counter>` or
 *   `options.max.<counter>`.
 * @example
 * ```ts
 * validateUsageUpdate("acc1", "2026-06", { reminderSmsCredits: 1 }, {}); // passes
 * ```
 */
export function validateUsageUpdate(
  accountId: string,
  month: string,
  delta: Partial<UsageCounters>,
  opts: AddUsageOptions | undefined,
): void {
  const issues: ValidationIssue[] = [];
  checkString(accountId, "accountId", issues);
  if (typeof month !== "string" || !MONTH.test(month)) issues.push({ path: "month", message: 'Expected "YYYY-MM"' });
  if (delta === null || typeof delta !== "object") issues.push({ path: "delta", message: "Expected counters" });
  else
    for (const [k, v] of Object.entries(delta)) {
      if (!(USAGE_COUNTERS as readonly string[]).includes(k))
        issues.push({ path: `delta.${k}`, message: "Unknown counter" });
      else if (v !== undefined && !Number.isSafeInteger(v))
        issues.push({ path: `delta.${k}`, message: "Expected an integer" });
    }
  for (const [k, v] of Object.entries(opts?.max ?? {}))
    if (!(USAGE_COUNTERS as readonly string[]).includes(k) || (v !== undefined && !Number.isSafeInteger(v)))
      issues.push({ path: `options.max.${k}`, message: "Expected an integer maximum of a known counter" });
  if (issues.length > 0) throw invalidStorageInput("Invalid usage update", issues);
}

/**
 * Checks the arguments of `setSmsOptOut` (the structure id is checked apart) and returns `at` as epoch ms.
 *
 * @throws ValidationError `invalid-input` at `e164` (not E.164), `optedOut` (not a boolean) or `at`.
 * @example
 * ```ts
 * validateSmsOptOut("+33612345678", true, now) //=> now.getTime()
 * ```
 */
export function validateSmsOptOut(e164: string, optedOut: boolean, at: Date): number {
  if (typeof e164 !== "string" || !E164.test(e164))
    throw invalidStorageInput("e164 must be an E.164 number", [
      { path: "e164", message: "Expected +<digits> (E.164)" },
    ]);
  if (typeof optedOut !== "boolean")
    throw invalidStorageInput("optedOut must be a boolean", [{ path: "optedOut", message: "Expected a boolean" }]);
  return checkStorageDate(at, "at");
}

/**
 * Checks the numbers of `smsOptedOutAmong`.
 *
 * @throws ValidationError `invalid-input` at `e164s` (not an array) or `e164s.<i>` (not a string).
 * @example
 * ```ts
 * validateE164List(["+33612345678"]); // passes
 * ```
 */
export function validateE164List(e164s: readonly string[]): void {
  if (!Array.isArray(e164s))
    throw invalidStorageInput("e164s must be an array", [{ path: "e164s", message: "Expected an array of strings" }]);
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < e164s.length; i++)
    if (typeof e164s[i] !== "string") issues.push({ path: `e164s.${i}`, message: "Expected a string" });
  if (issues.length > 0) throw invalidStorageInput("Invalid numbers", issues);
}

/**
 * Checks the message of `appendInbox` (the structure id is checked apart).
 *
 * @throws ValidationError `invalid-input` at `idempotencyKey`, `recipientId`, `accountId`, `subject`, `text` or `at`.
 * @example
 * ```ts
 * validateInboxMessage({ idempotencyKey: "i1", recipientId: "p1", accountId: "acc1", subject: "", text: "", at: now });
 * ```
 */
export function validateInboxMessage(message: InboxMessageInput): void {
  const issues: ValidationIssue[] = [];
  for (const f of ["idempotencyKey", "recipientId", "accountId"] as const) checkString(message?.[f], f, issues);
  for (const f of ["subject", "text"] as const)
    if (typeof message?.[f] !== "string") issues.push({ path: f, message: "Expected a string" });
  if (!isDate(message?.at)) issues.push({ path: "at", message: "Expected a valid Date" });
  if (issues.length > 0) throw invalidStorageInput("Invalid inbox message", issues);
}
