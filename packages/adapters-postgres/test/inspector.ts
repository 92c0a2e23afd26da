// Reads what the PostgreSQL storage really persisted, with plain SQL (not through the storage's methods).
import type { StorageInspector } from "@rappel/adapter-tests";
import type { ProviderStatus, SendStatus, UsageCounters } from "@rappel/core";

type Q = { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> };
type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string | Date));
const json = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

export function sqlInspector(db: Q, schema: string): StorageInspector {
  const S = `"${schema}"`;
  const rows = async (text: string, params: unknown[]) => (await db.query(text, params)).rows as Row[];
  return {
    async send(structureId, key) {
      const [r] = await rows(`SELECT * FROM ${S}.sends WHERE structure_id = $1 AND key = $2`, [structureId, key]);
      if (r === undefined) return null;
      const leased = r.lease_owner !== null;
      return {
        structureId: String(r.structure_id),
        key: String(r.key),
        status: r.status as SendStatus,
        attempts: Number(r.attempts),
        sendAt: date(r.send_at)!,
        nextAttemptAt: date(r.next_attempt_at)!,
        leaseOwner: (r.lease_owner as string | null) ?? null,
        leaseToken: leased ? Number(r.lease_token) : null,
        leaseExpiresAt: date(r.lease_expires_at),
        cancelRequested: r.cancel_requested === true,
        handedOff: r.handed_off_at !== null,
        providerMessageId: (r.provider_message_id as string | null) ?? null,
        providerStatus: (r.provider_status as ProviderStatus | null) ?? null,
        recipientAddress: String(r.recipient_address),
        data: json(r.data),
      };
    },
    async sendCount(structureId) {
      const [r] = await rows(`SELECT count(*) AS n FROM ${S}.sends WHERE structure_id = $1`, [structureId]);
      return Number(r!.n);
    },
    async journal(structureId, contactId) {
      const rs = await rows(
        `SELECT seq, event, key FROM ${S}.journal WHERE structure_id = $1 AND contact_id = $2 ORDER BY seq`,
        [structureId, contactId],
      );
      return rs.map((r) => ({
        seq: Number(r.seq),
        event: String(r.event),
        key: (r.key as string | null) ?? undefined,
      }));
    },
    async usage(structureId, accountId, month) {
      const [r] = await rows(`SELECT * FROM ${S}.usage WHERE structure_id = $1 AND account_id = $2 AND month = $3`, [
        structureId,
        accountId,
        month,
      ]);
      if (r === undefined) return null;
      return {
        reminderSmsCredits: Number(r.reminder_sms_credits),
        customSmsCredits: Number(r.custom_sms_credits),
        otherSmsCredits: Number(r.other_sms_credits),
        emails: Number(r.emails),
        faxes: Number(r.faxes),
        messages: Number(r.messages),
      } satisfies UsageCounters;
    },
    async smsOptOut(structureId, e164) {
      const [r] = await rows(`SELECT opted_out FROM ${S}.sms_opt_outs WHERE structure_id = $1 AND e164 = $2`, [
        structureId,
        e164,
      ]);
      return r === undefined ? null : r.opted_out === true;
    },
  };
}
