import { checkStorageDate, type USAGE_COUNTERS } from "@rappel/core";

// The storage contract's input rules live in `@rappel/core` (shared with every adapter); what is here is
// Postgres-specific.

/** The `usage` table's counter columns, in the order of `USAGE_COUNTERS`. */
export const USAGE_COLUMNS = [
  "reminder_sms_credits",
  "custom_sms_credits",
  "other_sms_credits",
  "emails",
  "faxes",
  "messages",
] as const satisfies { readonly length: (typeof USAGE_COUNTERS)["length"] };

/** A checked instant argument as ISO text (what the queries bind). */
export function iso(d: Date, name: string): string {
  checkStorageDate(d, name);
  return d.toISOString();
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
