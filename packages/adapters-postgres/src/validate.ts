import {
  type CancelSpec,
  ErrorCode,
  type JournalEntryInput,
  type JsonValue,
  type LeaseRef,
  type PlannedSend,
  RappelError,
  ValidationError,
  type ValidationIssue,
} from "@rappel/core";

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const E164 = /^\+[1-9]\d{1,14}$/;
export const MAX_LIMIT = 10_000;
export const USAGE_FIELDS = [
  "reminderSmsCredits",
  "customSmsCredits",
  "otherSmsCredits",
  "emails",
  "faxes",
  "messages",
] as const;
export const USAGE_COLUMNS = [
  "reminder_sms_credits",
  "custom_sms_credits",
  "other_sms_credits",
  "emails",
  "faxes",
  "messages",
] as const;

export function invalid(message: string, issues: ValidationIssue[]): ValidationError {
  return new ValidationError(ErrorCode.INVALID_INPUT, message, issues);
}

export function leaseLost(ref: LeaseRef, why: string): RappelError {
  return new RappelError(ErrorCode.LEASE_LOST, `Lease lost on send ${ref.key}: ${why}`, {
    details: { structureId: ref.structureId, key: ref.key, token: ref.token, why },
  });
}

export function isDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

export function iso(d: Date, name: string): string {
  if (!isDate(d)) throw invalid(`${name} must be a valid Date`, [{ path: name, message: "Expected a valid Date" }]);
  return d.toISOString();
}

export function checkString(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof value !== "string" || value.length === 0) issues.push({ path, message: "Expected a non-empty string" });
}

export function checkStructure(structureId: unknown): asserts structureId is string {
  if (typeof structureId !== "string" || structureId.length === 0)
    throw invalid("structureId must be a non-empty string", [
      { path: "structureId", message: "Expected a non-empty string" },
    ]);
}

export function checkLimit(value: number | undefined, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT)
    throw invalid(`${path} must be an integer from 1 to ${MAX_LIMIT}`, [
      { path, message: `Expected an integer from 1 to ${MAX_LIMIT}` },
    ]);
  return value;
}

export function checkRef(ref: LeaseRef): void {
  if (ref === null || typeof ref !== "object")
    throw invalid("ref must be an object", [{ path: "ref", message: "Expected { structureId, key, token }" }]);
  if (!Number.isSafeInteger(ref.token))
    throw invalid("ref.token must be an integer", [{ path: "ref.token", message: "Expected an integer" }]);
}

/** A JSON copy of a plain object, or `undefined` when it is not one. */
export function jsonObject(data: unknown): Record<string, JsonValue> | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  try {
    return JSON.parse(JSON.stringify(data)) as Record<string, JsonValue>;
  } catch {
    return undefined;
  }
}

export function validateSends(structureId: string, sends: readonly PlannedSend[]): Record<string, JsonValue>[] {
  if (!Array.isArray(sends)) throw invalid("sends must be an array", [{ path: "sends", message: "Expected an array" }]);
  const issues: ValidationIssue[] = [];
  const data: Record<string, JsonValue>[] = [];
  sends.forEach((s, i) => {
    const p = `sends.${i}`;
    if (s === null || typeof s !== "object") {
      issues.push({ path: p, message: "Expected a planned send" });
      return;
    }
    checkString(s.key, `${p}.key`, issues);
    if (s.structureId !== structureId)
      issues.push({ path: `${p}.structureId`, message: `Expected "${structureId}" (the call's structure)` });
    checkString(s.accountId, `${p}.accountId`, issues);
    checkString(s.kind, `${p}.kind`, issues);
    checkString(s.channel, `${p}.channel`, issues);
    if (s.recipient === null || typeof s.recipient !== "object")
      issues.push({ path: `${p}.recipient`, message: "Expected { type, id, address }" });
    else {
      checkString(s.recipient.type, `${p}.recipient.type`, issues);
      checkString(s.recipient.id, `${p}.recipient.id`, issues);
      checkString(s.recipient.address, `${p}.recipient.address`, issues);
    }
    if (!isDate(s.sendAt)) issues.push({ path: `${p}.sendAt`, message: "Expected a valid Date" });
    if (s.expiresAt !== undefined && !isDate(s.expiresAt))
      issues.push({ path: `${p}.expiresAt`, message: "Expected a valid Date" });
    for (const f of ["appointmentId", "contactId", "groupKey", "billing"] as const)
      if (s[f] !== undefined && typeof s[f] !== "string")
        issues.push({ path: `${p}.${f}`, message: "Expected a string" });
    const d = jsonObject(s.data);
    if (d === undefined) issues.push({ path: `${p}.data`, message: "Expected a JSON object" });
    data.push(d ?? {});
  });
  if (issues.length > 0) throw invalid("Invalid planned sends", issues);
  return data;
}

export function validateCancelSpec(spec: CancelSpec): void {
  if (spec === null || typeof spec !== "object")
    throw invalid("spec must be a cancel spec", [{ path: "spec", message: "Expected a CancelSpec" }]);
  if ("keys" in spec) {
    if (!Array.isArray(spec.keys))
      throw invalid("spec.keys must be an array", [{ path: "spec.keys", message: "Expected an array" }]);
  } else if ("appointmentId" in spec) {
    if (typeof spec.appointmentId !== "string")
      throw invalid("spec.appointmentId must be a string", [
        { path: "spec.appointmentId", message: "Expected a string" },
      ]);
  } else if ("contactId" in spec) {
    if (!Array.isArray(spec.channels))
      throw invalid("spec.channels must be an array", [{ path: "spec.channels", message: "Expected an array" }]);
  } else throw invalid("spec must be a cancel spec", [{ path: "spec", message: "Expected a CancelSpec" }]);
}

export function validateJournal(structureId: string, entries: readonly JournalEntryInput[]): JournalEntryInput[] {
  if (!Array.isArray(entries))
    throw invalid("entries must be an array", [{ path: "entries", message: "Expected an array" }]);
  const issues: ValidationIssue[] = [];
  const copies: JournalEntryInput[] = [];
  entries.forEach((e, i) => {
    if (e === null || typeof e !== "object") {
      issues.push({ path: `entries.${i}`, message: "Expected a journal entry" });
      return;
    }
    if (e.structureId !== structureId)
      issues.push({ path: `entries.${i}.structureId`, message: `Expected "${structureId}" (the call's structure)` });
    if (!isDate(e.at)) issues.push({ path: `entries.${i}.at`, message: "Expected a valid Date" });
    checkString(e.event, `entries.${i}.event`, issues);
    let data: JsonValue | undefined;
    if (e.data !== undefined) {
      try {
        data = JSON.parse(JSON.stringify(e.data)) as JsonValue;
      } catch {
        issues.push({ path: `entries.${i}.data`, message: "Expected JSON" });
      }
    }
    copies.push({ ...e, at: isDate(e.at) ? new Date(e.at.getTime()) : e.at, ...(data === undefined ? {} : { data }) });
  });
  if (issues.length > 0) throw invalid("Invalid journal entries", issues);
  return copies;
}

/** JSON text with object keys sorted: how `data` is compared (jsonb does not keep key order). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}
