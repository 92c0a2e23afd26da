import {
  type AddUsageOptions,
  type BatchItemResult,
  type BeginSendResult,
  type CancelResult,
  type CancelSpec,
  type ClaimedSend,
  checkStorageLimit as checkLimit,
  checkLeaseRef as checkRef,
  checkStructureId as checkStructure,
  checkUsageMonth,
  countUpsertAction,
  ErrorCode,
  emptyUpsertResult,
  type InboxMessage,
  type InboxMessageInput,
  invalidStorageInput as invalid,
  type JournalEntry,
  type JournalEntryInput,
  type JsonValue,
  type LeaseRef,
  leaseLostError as leaseLost,
  type PlannedSend,
  type ProviderStatus,
  type ProviderStatusResult,
  type ProviderStatusUpdate,
  providerStatusAdvances,
  RappelError,
  type ReadInboxOptions,
  type ReadJournalOptions,
  type ReleaseResult,
  type RescheduleOptions,
  type SendOutcome,
  type SendRecord,
  type SendStatus,
  type SmsOptOut,
  type Storage,
  type StorageCapabilities,
  USAGE_COUNTERS as USAGE_FIELDS,
  type UsageCounters,
  upsertAction,
  validateCancelSpec,
  validateClaimDueOptions,
  validateE164List,
  validateInboxMessage,
  validateJournalEntries,
  validatePlannedSends,
  validateProviderStatusUpdate,
  validateSendOutcome,
  validateSmsOptOut,
  validateUsageUpdate,
} from "@rappel/core";
import {
  clientDb,
  type Db,
  type PGliteLike,
  type PgPoolLike,
  pgliteDb,
  poolDb,
  type SqlQueryable,
  withDeadlockRetry,
} from "./db.js";
import { quoteSchema, runMigrations } from "./migrations.js";
import { canonicalJson, iso, USAGE_COLUMNS } from "./validate.js";

/**
 * Options of {@link createPostgresStorage}. Give exactly one of `pool`, `client` or `pglite`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const o: PostgresStorageOptions = { pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) };
 * ```
 */
export interface PostgresStorageOptions {
  /**
   * A node-postgres `Pool` (recommended with a real server: claims and writes run concurrently on its
   * connections; transactions check out a connection each).
   */
  pool?: PgPoolLike;
  /** A single node-postgres `Client` (calls are serialized on it). */
  client?: SqlQueryable;
  /** A PGlite instance: PostgreSQL in-process, for development, demos and small single-process installations. */
  pglite?: PGliteLike;
  /**
   * The PostgreSQL schema holding Rappel's tables (a lower-case SQL identifier); several storages with different
   * schemas can share one database.
   * @default "rappel"
   */
  schema?: string;
  /**
   * Apply the shipped migrations before the first call ({@link PostgresStorage.migrate}); set `false` when your
   * own migration tool runs {@link postgresMigrations}.
   * @default true
   */
  migrate?: boolean;
  /**
   * How long provider status callbacks for message ids no send carries yet are kept, in milliseconds.
   * @default 604800000 (7 days)
   */
  earlyStatusRetentionMs?: number;
  /**
   * Whether {@link PostgresStorage.close} also ends the pool, client or PGlite instance given here.
   * @default false
   */
  closeConnection?: boolean;
  /**
   * Run the hot statements (claim, hand-off, outcomes, journal, usage, opt-out check) as named prepared statements
   * with node-postgres: parsed once per connection, planned once PostgreSQL settles on a generic plan. Set `false`
   * behind a connection pooler that does not keep prepared statements across transactions (PgBouncer in
   * transaction mode before 1.21, or without `max_prepared_statements`). Ignored with PGlite.
   * @default true
   */
  preparedStatements?: boolean;
}

/**
 * The PostgreSQL {@link Storage}, plus schema management.
 *
 * @example
 * ```ts
 * const storage: PostgresStorage = createPostgresStorage({ pool });
 * await storage.migrate(); //=> [1, 2, 3, 4, 5] the first time, [] afterwards
 * storage.capabilities //=> { persistent: true, multiProcess: true }
 * ```
 */
export interface PostgresStorage extends Storage {
  /** `multiProcess: true` with a pool or client, `false` with PGlite (one process owns its data directory). */
  readonly capabilities: StorageCapabilities;
  /** The schema holding the tables. */
  readonly schema: string;
  /**
   * Applies the missing shipped migrations, under a PostgreSQL advisory lock so that concurrent starters are safe;
   * resolves to the versions it applied (`[]` when up to date).
   */
  migrate(): Promise<number[]>;
  /** Stops using the database; ends the connection given in the options when `closeConnection` is set. */
  close(): Promise<void>;
  /** Batched `beginSend`, one statement per batch: see `Storage.beginSendMany`. */
  beginSendMany: NonNullable<Storage["beginSendMany"]>;
  /**
   * Batched `complete` and `reschedule`, one statement per batch (plus one for provider statuses that arrived
   * first, when outcomes carry message ids): see `Storage.completeMany`.
   */
  completeMany: NonNullable<Storage["completeMany"]>;
  /** One query for many numbers: see `Storage.smsOptedOutAmong`. */
  smsOptedOutAmong: NonNullable<Storage["smsOptedOutAmong"]>;
  /** The in-app inbox is supported (the `message` channel): see `Storage.appendInbox`. */
  appendInbox: NonNullable<Storage["appendInbox"]>;
  /** See `Storage.readInbox`. */
  readInbox: NonNullable<Storage["readInbox"]>;
  /** See `Storage.markInboxRead`. */
  markInboxRead: NonNullable<Storage["markInboxRead"]>;
}

/** Content columns of a send (what a plan sets), with their SQL types. */
const CONTENT: readonly (readonly [string, string])[] = [
  ["account_id", "text"],
  ["kind", "text"],
  ["channel", "text"],
  ["recipient_type", "text"],
  ["recipient_id", "text"],
  ["recipient_address", "text"],
  ["send_at", "timestamptz"],
  ["expires_at", "timestamptz"],
  ["appointment_id", "text"],
  ["contact_id", "text"],
  ["billing", "text"],
  ["group_key", "text"],
];

/** Every column but the key, in the order of the table. */
const WRITABLE = [
  "account_id",
  "kind",
  "channel",
  "recipient_type",
  "recipient_id",
  "recipient_address",
  "send_at",
  "expires_at",
  "appointment_id",
  "contact_id",
  "billing",
  "group_key",
  "data",
  "status",
  "attempts",
  "next_attempt_at",
  "due_at",
  "lease_owner",
  "lease_token",
  "lease_expires_at",
  "cancel_requested",
  "handed_off_at",
  "replacement",
  "provider",
  "provider_message_id",
  "provider_status",
  "failure_code",
  "failure_reason",
  "skip_reason",
  "created_at",
  "updated_at",
  "completed_at",
] as const;

type Raw = Record<string, unknown>;

/** A send row as written through `jsonb_populate_recordset`: instants as ISO text. */
interface RowState {
  structure_id: string;
  key: string;
  account_id: string;
  kind: string;
  channel: string;
  recipient_type: string;
  recipient_id: string;
  recipient_address: string;
  send_at: string;
  expires_at: string | null;
  appointment_id: string | null;
  contact_id: string | null;
  billing: string | null;
  group_key: string | null;
  data: Record<string, JsonValue>;
  status: SendStatus;
  attempts: number;
  next_attempt_at: string;
  due_at: string | null;
  lease_owner: string | null;
  lease_token: number;
  lease_expires_at: string | null;
  cancel_requested: boolean;
  handed_off_at: string | null;
  replacement: Content | null;
  provider: string | null;
  provider_message_id: string | null;
  provider_status: string | null;
  failure_code: string | null;
  failure_reason: string | null;
  skip_reason: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

type Content = Pick<
  RowState,
  | "account_id"
  | "kind"
  | "channel"
  | "recipient_type"
  | "recipient_id"
  | "recipient_address"
  | "send_at"
  | "expires_at"
  | "appointment_id"
  | "contact_id"
  | "billing"
  | "group_key"
  | "data"
>;

function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return new Date(v);
  if (v instanceof Date) return new Date(v.getTime());
  return new Date(String(v));
}

function toIso(v: unknown): string | null {
  const d = toDate(v);
  return d === null ? null : d.toISOString();
}

function toJson(v: unknown): unknown {
  return typeof v === "string" ? JSON.parse(v) : v;
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** A send's `data` from the JSON text that the validation made of it (a copy the caller cannot change). */
function parseObject(text: string): Record<string, JsonValue> {
  return JSON.parse(text) as Record<string, JsonValue>;
}

/** A journal entry as the caller gave it, with its own instant and its `data` from the validated JSON text. */
function journalCopy(e: JournalEntryInput, text: string | undefined): JournalEntryInput {
  const copy: JournalEntryInput = { ...e, at: new Date(e.at.getTime()) };
  if (text !== undefined) copy.data = JSON.parse(text) as JsonValue;
  return copy;
}

function contentOf(send: PlannedSend, data: Record<string, JsonValue>): Content {
  return {
    account_id: send.accountId,
    kind: send.kind,
    channel: send.channel,
    recipient_type: send.recipient.type,
    recipient_id: send.recipient.id,
    recipient_address: send.recipient.address,
    send_at: send.sendAt.toISOString(),
    expires_at: send.expiresAt === undefined ? null : send.expiresAt.toISOString(),
    appointment_id: send.appointmentId ?? null,
    contact_id: send.contactId ?? null,
    billing: send.billing ?? null,
    group_key: send.groupKey ?? null,
    data,
  };
}

function sameContent(row: Content, c: Content): boolean {
  for (const [col] of CONTENT) if ((row as unknown as Raw)[col] !== (c as unknown as Raw)[col]) return false;
  return canonicalJson(row.data) === canonicalJson(c.data);
}

function rowState(r: Raw): RowState {
  return {
    structure_id: String(r.structure_id),
    key: String(r.key),
    account_id: String(r.account_id),
    kind: String(r.kind),
    channel: String(r.channel),
    recipient_type: String(r.recipient_type),
    recipient_id: String(r.recipient_id),
    recipient_address: String(r.recipient_address),
    send_at: toIso(r.send_at)!,
    expires_at: toIso(r.expires_at),
    appointment_id: str(r.appointment_id),
    contact_id: str(r.contact_id),
    billing: str(r.billing),
    group_key: str(r.group_key),
    data: toJson(r.data) as Record<string, JsonValue>,
    status: String(r.status) as SendStatus,
    attempts: Number(r.attempts),
    next_attempt_at: toIso(r.next_attempt_at)!,
    due_at: toIso(r.due_at),
    lease_owner: str(r.lease_owner),
    lease_token: Number(r.lease_token),
    lease_expires_at: toIso(r.lease_expires_at),
    cancel_requested: r.cancel_requested === true,
    handed_off_at: toIso(r.handed_off_at),
    replacement: (r.replacement === null || r.replacement === undefined
      ? null
      : toJson(r.replacement)) as Content | null,
    provider: str(r.provider),
    provider_message_id: str(r.provider_message_id),
    provider_status: str(r.provider_status),
    failure_code: str(r.failure_code),
    failure_reason: str(r.failure_reason),
    skip_reason: str(r.skip_reason),
    created_at: toIso(r.created_at)!,
    updated_at: toIso(r.updated_at)!,
    completed_at: toIso(r.completed_at),
  };
}

function toRecord(r: Raw): SendRecord {
  const status = String(r.status) as SendStatus;
  const rec: SendRecord = {
    key: String(r.key),
    structureId: String(r.structure_id),
    accountId: String(r.account_id),
    kind: String(r.kind) as SendRecord["kind"],
    channel: String(r.channel) as SendRecord["channel"],
    recipient: {
      type: String(r.recipient_type) as SendRecord["recipient"]["type"],
      id: String(r.recipient_id),
      address: String(r.recipient_address),
    },
    sendAt: toDate(r.send_at)!,
    data: toJson(r.data) as SendRecord["data"],
    status,
    attempts: Number(r.attempts),
    nextAttemptAt: toDate(r.next_attempt_at)!,
    lease:
      status === "sending" && r.lease_owner !== null && r.lease_owner !== undefined
        ? { owner: String(r.lease_owner), token: Number(r.lease_token), expiresAt: toDate(r.lease_expires_at)! }
        : null,
    cancelRequested: r.cancel_requested === true,
    handedOffAt: toDate(r.handed_off_at),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
    completedAt: toDate(r.completed_at),
  };
  if (r.expires_at != null) rec.expiresAt = toDate(r.expires_at)!;
  if (r.appointment_id != null) rec.appointmentId = String(r.appointment_id);
  if (r.contact_id != null) rec.contactId = String(r.contact_id);
  if (r.billing != null) rec.billing = String(r.billing) as NonNullable<SendRecord["billing"]>;
  if (r.group_key != null) rec.groupKey = String(r.group_key);
  if (r.provider != null) rec.provider = String(r.provider);
  if (r.provider_message_id != null) rec.providerMessageId = String(r.provider_message_id);
  if (r.provider_status != null) rec.providerStatus = String(r.provider_status) as ProviderStatus;
  if (r.failure_code != null) rec.failureCode = String(r.failure_code);
  if (r.failure_reason != null) rec.failureReason = String(r.failure_reason);
  if (r.skip_reason != null) rec.skipReason = String(r.skip_reason) as NonNullable<SendRecord["skipReason"]>;
  return rec;
}

/** Where a send ended after complete or reschedule (small on purpose: the hot path). */
function release(r: Raw): ReleaseResult {
  const out = { status: String(r.status) as SendStatus, nextAttemptAt: toDate(r.next_attempt_at)! } as ReleaseResult &
    Record<string, unknown>;
  if (r.provider_status != null) out.providerStatus = String(r.provider_status) as ProviderStatus;
  return out;
}

/** Folds a provider status into a row (R-49); returns whether anything changed. */
function fold(
  row: { status: string; provider_status: string | null; failure_code: string | null; updated_at: string },
  status: ProviderStatus,
  errorCode: string | null | undefined,
  at: Date,
): boolean {
  const cur = row.provider_status as ProviderStatus | null;
  if (!providerStatusAdvances(cur, status)) return false;
  row.provider_status = status;
  if (row.status === "sent" || row.status === "unknown") {
    if (status === "delivered") row.status = "delivered";
    else if (status === "undelivered" || status === "failed") {
      row.status = "failed";
      row.failure_code = errorCode ?? `provider-${status}`;
    } else row.status = "sent";
  }
  if (at.getTime() > Date.parse(row.updated_at)) row.updated_at = at.toISOString();
  return true;
}

/** A 31-bit FNV-1a hash, for advisory lock keys computed on the client. */
function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

function pgliteIsPersistent(db: PGliteLike): boolean {
  const dir = (db as { dataDir?: unknown }).dataDir;
  return typeof dir === "string" && dir.length > 0 && !dir.startsWith("memory://");
}

/**
 * Creates the PostgreSQL {@link Storage}: any number of workers in any number of processes and machines share
 * one database, and each due send is claimed by one of them at a time (R-40, R-41).
 *
 * - Works with node-postgres (`pool` or `client`) against a real server, and with PGlite (`pglite`) in-process:
 *   one SQL dialect, one query interface (`query(text, params) → { rows }`).
 * - `claimDue` is one statement: `SELECT … ORDER BY due_at LIMIT n FOR UPDATE SKIP LOCKED` on a partial index of
 *   claimable rows, a fresh fencing token per send from a sequence, the lease written in the same statement.
 *   Every write about a claimed send checks `status = 'sending' AND lease_token = $token AND lease_expires_at >
 *   $now` in its `WHERE` clause, so a worker whose lease lapsed cannot write.
 * - Tables live in one schema (default `rappel`), every key is `(structure_id, …)`: tenants never mix (R-10).
 * - Migrations run before the first call unless `migrate: false`.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createPostgresStorage } from "@rappel/adapters-postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const storage = createPostgresStorage({ pool });
 * await storage.upsertPlanned("s1", [send], now);
 * const claims = await storage.claimDue({ now, limit: 100, leaseMs: 30_000, owner: "host-a:1234" });
 * claims[0]?.send.status //=> "sending"
 * ```
 */
export function createPostgresStorage(options: PostgresStorageOptions): PostgresStorage {
  if (options === null || typeof options !== "object")
    throw invalid("options must be an object", [{ path: "options", message: "Expected PostgresStorageOptions" }]);
  const given = (["pool", "client", "pglite"] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1)
    throw invalid("Give exactly one of pool, client or pglite", [
      { path: "options", message: `Expected exactly one of pool, client, pglite (got ${given.join(", ") || "none"})` },
    ]);
  const schema = options.schema ?? "rappel";
  const S = quoteSchema(schema);
  const retentionMs = options.earlyStatusRetentionMs ?? 7 * 24 * 3600 * 1000;
  if (!Number.isSafeInteger(retentionMs) || retentionMs < 0)
    throw invalid("earlyStatusRetentionMs must be a non-negative integer", [
      { path: "earlyStatusRetentionMs", message: "Expected a non-negative integer" },
    ]);
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== "boolean")
    throw invalid("preparedStatements must be a boolean", [
      { path: "preparedStatements", message: "Expected true or false" },
    ]);
  const prepared = options.preparedStatements !== false;
  const db: Db =
    options.pool !== undefined
      ? poolDb(options.pool, prepared)
      : options.client !== undefined
        ? clientDb(options.client, prepared)
        : pgliteDb(options.pglite!);
  const capabilities: StorageCapabilities = Object.freeze(
    options.pglite !== undefined
      ? { persistent: pgliteIsPersistent(options.pglite), multiProcess: false }
      : { persistent: true, multiProcess: true },
  );
  let closed = false;
  let ready: Promise<unknown> | null = options.migrate === false ? Promise.resolve() : null;
  let earlyWrites = 0;

  async function open(): Promise<void> {
    if (closed) throw new RappelError(ErrorCode.INVALID_STATE, "The PostgreSQL storage is closed");
    if (ready === null) ready = runMigrations(db, schema);
    try {
      await ready;
    } catch (e) {
      ready = null;
      throw e;
    }
  }

  const RETURN = "*";
  const FENCED = "structure_id = $1 AND key = $2 AND status = 'sending' AND lease_token = $3 AND lease_expires_at > $4";

  // A send's appointment and contact are found through send_appointments and send_contacts (migration 4: no index on
  // those columns of sends, whose claim and outcome would write an entry in each). Those tables may also name sends
  // that have moved since, so the caller checks the column itself too. `= ANY(ARRAY(…))`: the keys are read first,
  // then each send by its primary key, whatever the statistics say.
  const byAppointment = (param: string) =>
    `key = ANY(ARRAY(SELECT key FROM ${S}.send_appointments WHERE structure_id = $1 AND appointment_id = ${param}))`;
  const byContact = (param: string) =>
    `key = ANY(ARRAY(SELECT key FROM ${S}.send_contacts WHERE structure_id = $1 AND contact_id = ${param}))`;

  /** SET list ending a claim whose cancel was requested: the newer plan becomes planned, else cancelled. */
  function resolveSet(nowParam: string): string {
    const content = CONTENT.map(
      ([col, type]) => `${col} = CASE WHEN replacement IS NULL THEN ${col} ELSE (replacement->>'${col}')::${type} END`,
    ).join(",\n      ");
    return `status = CASE WHEN replacement IS NULL THEN 'cancelled' ELSE 'planned' END,
      ${content},
      data = CASE WHEN replacement IS NULL THEN data ELSE replacement->'data' END,
      next_attempt_at = CASE WHEN replacement IS NULL THEN next_attempt_at ELSE (replacement->>'send_at')::timestamptz END,
      due_at = CASE WHEN replacement IS NULL THEN NULL ELSE (replacement->>'send_at')::timestamptz END,
      completed_at = CASE WHEN replacement IS NULL THEN ${nowParam}::timestamptz ELSE completed_at END,
      lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false, handed_off_at = NULL,
      replacement = NULL, updated_at = ${nowParam}::timestamptz`;
  }

  // Instants come back as epoch milliseconds (float8): the driver's timestamptz parser was the largest single cost
  // of a claim on the client (9 instants per row). `date_part` computes in float8 (`extract` in numeric: 0.27 µs a value
  // more in the server); the instants stored here are whole milliseconds, which `round` gives back exactly.
  const epochMs = (col: string) => `round(date_part('epoch', ${col}) * 1000)`;
  const INSTANTS = new Set([
    "send_at",
    "expires_at",
    "next_attempt_at",
    "due_at",
    "lease_expires_at",
    "handed_off_at",
    "created_at",
    "updated_at",
    "completed_at",
  ]);
  // What the claim sets to values known here (the lease, the instant, the status) is not sent back; `due_at` and
  // `replacement` are not part of a record.
  const CLAIM_SET_HERE = new Set([
    "status",
    "lease_owner",
    "lease_expires_at",
    "due_at",
    "cancel_requested",
    "replacement",
    "updated_at",
  ]);
  const CLAIM_RETURNING = ["structure_id", "key", ...WRITABLE]
    .filter((c) => !CLAIM_SET_HERE.has(c))
    .map((c) => (INSTANTS.has(c) ? `${epochMs(`s.${c}`)} AS ${c}` : `s.${c}`))
    .concat("s.ctid::text AS tid")
    .join(", ");
  // The picked rows are locked (FOR UPDATE), so their ctid holds until the update below: a TID join, whatever the
  // planner's statistics say about the table.
  const claimSql = (limit: string, owner: string, until: string) => `
WITH resolved AS (
  UPDATE ${S}.sends SET ${resolveSet("$1")}
  WHERE status = 'sending' AND cancel_requested AND handed_off_at IS NULL AND lease_expires_at <= $1::timestamptz
  RETURNING 1
), picked AS (
  SELECT ctid AS tid, due_at FROM ${S}.sends
  WHERE due_at <= (SELECT $1::timestamptz) AND NOT (status = 'sending' AND cancel_requested AND handed_off_at IS NULL)
  ORDER BY due_at
  LIMIT ${limit}
  FOR UPDATE SKIP LOCKED
), tokens AS (
  SELECT p.tid, nextval('${S}.lease_token_seq') AS token
  FROM (SELECT * FROM picked ORDER BY due_at) p
)
UPDATE ${S}.sends s SET
  status = 'sending', lease_owner = ${owner}, lease_token = t.token, lease_expires_at = ${until}::timestamptz,
  due_at = ${until}::timestamptz,
  handed_off_at = CASE WHEN s.status = 'sending' THEN s.handed_off_at ELSE NULL END,
  cancel_requested = false, replacement = NULL, updated_at = $1::timestamptz
FROM tokens t
WHERE s.ctid = t.tid
RETURNING ${CLAIM_RETURNING}`;
  // PostgreSQL plans a prepared statement again at every call while its generic plan looks costlier than the
  // custom ones: with the limit as a parameter (a generic plan assumes 10 % of the rows) or the instant compared
  // directly (1/3 of the rows due, against all of them for the real instant), the claim was planned at each call,
  // 3.3 µs a send at claims of 100. The instant goes through an InitPlan (`(SELECT $1)`: custom plans cannot see its
  // value either, so both estimate alike and the generic plan is kept; same index scan), and the first few limits a
  // storage sees are written into the text (one prepared statement each); others use the parameter.
  const CLAIM_SQL = claimSql("$2::int", "$3", "$4");
  const claimTexts = new Map<number, string>();
  const MAX_CLAIM_TEXTS = 8;
  function claimText(limit: number): string {
    let text = claimTexts.get(limit);
    if (text === undefined) {
      if (claimTexts.size >= MAX_CLAIM_TEXTS) return CLAIM_SQL;
      text = claimSql(String(limit), "$2", "$3");
      claimTexts.set(limit, text);
    }
    return text;
  }

  async function owned<R>(
    ref: LeaseRef,
    now: Date,
    sql: string,
    params: unknown[],
    q: Db["query"] = db.query,
  ): Promise<R[]> {
    const rows = await q<R>(sql, [ref.structureId, ref.key, ref.token, iso(now, "now"), ...params], true);
    if (rows.length === 0) throw leaseLost(ref, await whyLost(ref, now, q));
    return rows;
  }

  async function whyLost(ref: LeaseRef, now: Date, q: Db["query"]): Promise<string> {
    const [r] = await q<Raw>(
      `SELECT status, lease_token, lease_expires_at FROM ${S}.sends WHERE structure_id = $1 AND key = $2`,
      [ref.structureId, ref.key],
    );
    if (r === undefined) return "no such send";
    if (r.status !== "sending" || Number(r.lease_token) !== ref.token)
      return "another claim owns it or it was released";
    if ((toDate(r.lease_expires_at)?.getTime() ?? 0) <= now.getTime()) return "the lease lapsed";
    return "another claim owns it or it was released";
  }

  async function writeRows(q: Db["query"], rows: RowState[], insert: boolean): Promise<string[]> {
    if (rows.length === 0) return [];
    const json = JSON.stringify(rows);
    if (insert) {
      const out = await q<{ key: string }>(
        `INSERT INTO ${S}.sends SELECT * FROM jsonb_populate_recordset(NULL::${S}.sends, $1::jsonb) ORDER BY key
         ON CONFLICT (structure_id, key) DO NOTHING RETURNING key`,
        [json],
      );
      return out.map((r) => r.key);
    }
    const cols = WRITABLE.filter((c) => c !== "created_at");
    await q(
      `UPDATE ${S}.sends s SET (${cols.join(", ")}) = (${cols.map((c) => `x.${c}`).join(", ")})
       FROM jsonb_populate_recordset(NULL::${S}.sends, $1::jsonb) x
       WHERE s.structure_id = x.structure_id AND s.key = x.key`,
      [json],
    );
    return [];
  }

  function newRow(structureId: string, key: string, c: Content, nowIso: string): RowState {
    return {
      structure_id: structureId,
      key,
      ...c,
      status: "planned",
      attempts: 0,
      next_attempt_at: c.send_at,
      due_at: c.send_at,
      lease_owner: null,
      lease_token: 0,
      lease_expires_at: null,
      cancel_requested: false,
      handed_off_at: null,
      replacement: null,
      provider: null,
      provider_message_id: null,
      provider_status: null,
      failure_code: null,
      failure_reason: null,
      skip_reason: null,
      created_at: nowIso,
      updated_at: nowIso,
      completed_at: null,
    };
  }

  function applyContent(row: RowState, c: Content, nowIso: string): void {
    const sendAtChanged = row.send_at !== c.send_at;
    Object.assign(row, c);
    if (sendAtChanged) row.next_attempt_at = c.send_at;
    if (row.status === "planned") row.due_at = row.next_attempt_at;
    row.updated_at = nowIso;
  }

  /** Folds provider statuses into the send carrying the id, under its row lock; `null` when none carries it. */
  async function foldInto(
    provider: string,
    providerMessageId: string,
    statuses: readonly { status: ProviderStatus; errorCode: string | null }[],
    at: Date,
  ): Promise<{ raw: Raw; result: ProviderStatusResult } | null> {
    return db.tx(async (q) => {
      const [r] = await q<Raw>(
        `SELECT * FROM ${S}.sends WHERE provider = $1 AND provider_message_id = $2 LIMIT 1 FOR UPDATE`,
        [provider, providerMessageId],
      );
      if (r === undefined) return null;
      const row = rowState(r);
      let changed = false;
      for (const s of statuses) changed = fold(row, s.status, s.errorCode, at) || changed;
      let raw: Raw = r;
      if (changed)
        raw = (
          await q<Raw>(
            `UPDATE ${S}.sends SET status = $3, provider_status = $4, failure_code = $5, updated_at = $6::timestamptz
           WHERE structure_id = $1 AND key = $2 RETURNING *`,
            [row.structure_id, row.key, row.status, row.provider_status, row.failure_code, row.updated_at],
          )
        )[0]!;
      const result: ProviderStatusResult = {
        structureId: row.structure_id,
        key: row.key,
        status: row.status,
        providerStatus: row.provider_status as ProviderStatus,
        changed,
      };
      if (row.contact_id !== null) result.contactId = row.contact_id;
      return { raw, result };
    });
  }

  /**
   * Splits a batch into rounds in which each send appears once (an `UPDATE … FROM` changes a row at most once per
   * statement): a ref repeated in one batch runs in a later round, as a later call would.
   */
  function rounds<T extends { ref: LeaseRef }>(items: readonly (T | RappelError)[]): number[][] {
    const seen = new Map<string, number>();
    const out: number[][] = [];
    items.forEach((item, i) => {
      if (item instanceof RappelError) return;
      const k = `${item.ref.structureId}\u0000${item.ref.key}`;
      const r = seen.get(k) ?? 0;
      seen.set(k, r + 1);
      const list = out[r];
      if (list === undefined) out[r] = [i];
      else list.push(i);
    });
    return out;
  }

  /** Statements a batch may take before an item found but never updated is reported lost (contention). */
  const MAX_ROUNDS = 64;

  /**
   * Where each send this storage claimed (or handed off) was last written: the row version's ctid, by the claim's
   * token (tokens are unique: a number key, no string built per lookup). Only a hint, to skip a primary-key descent
   * per item in the batched calls: the statements look the row up by this ctid and check its key and fencing
   * condition there, and fall back to the primary key when the version moved (another write since, a ctid reused by
   * another row after vacuum: the key check rejects it).
   */
  const hints = new Map<number, { structureId: string; key: string; tid: string }>();
  /** Hints kept at most (claims never completed leave theirs behind: the map is emptied when it is full). */
  const MAX_HINTS = 100_000;
  function setHint(structureId: string, key: string, token: number, tid: unknown): void {
    if (typeof tid !== "string") return;
    const h = hints.get(token);
    if (h !== undefined && h.key === key && h.structureId === structureId) {
      h.tid = tid;
      return;
    }
    if (hints.size >= MAX_HINTS) hints.clear();
    hints.set(token, { structureId, key, tid });
  }
  function hintOf(ref: LeaseRef): string | null {
    const h = hints.get(ref.token);
    return h !== undefined && h.key === ref.key && h.structureId === ref.structureId ? h.tid : null;
  }

  /** Runs one autocommit statement, again after a deadlock (it was rolled back as a whole). */
  function retried<R>(sql: string, params: unknown[]): Promise<R[]> {
    return withDeadlockRetry(() => db.query<R>(sql, params, true));
  }

  /** The fencing failure of a batch item, from the row as the statement saw it (`null` when there is none). */
  function lostOf(ref: LeaseRef, r: Raw, now: Date): RappelError {
    if (r.cur_status === null || r.cur_status === undefined) return leaseLost(ref, "no such send");
    if (r.cur_status !== "sending" || Number(r.cur_token) !== ref.token)
      return leaseLost(ref, "another claim owns it or it was released");
    if ((toDate(r.cur_expires)?.getTime() ?? 0) <= now.getTime()) return leaseLost(ref, "the lease lapsed");
    return leaseLost(ref, "another claim owns it or it was released");
  }

  const INPUT_REFS = `unnest($1::text[], $2::text[], $3::bigint[], $5::text[]::tid[]) WITH ORDINALITY
    AS x(structure_id, key, token, hint, i)`;
  /** Joins each input to what the statement changed, and (OFFSET 0: looked up per input) to the row it missed. */
  const OUTCOME_JOIN = `FROM x LEFT JOIN t ON t.i = x.i LEFT JOIN u ON u.i = x.i
    LEFT JOIN LATERAL (SELECT c.status, c.lease_token, c.lease_expires_at FROM ${S}.sends c
      WHERE u.i IS NULL AND c.structure_id = x.structure_id AND c.key = x.key OFFSET 0) c ON true
    ORDER BY x.i`;
  // Each input's row is looked up by primary key (OFFSET 0 keeps the lookup per input, whatever the planner's
  // statistics say: with stale ones it would scan the whole table per batch), then updated by ctid with the fencing
  // condition checked again. A row another transaction changed after this statement's snapshot (a concurrent
  // cancel) may be missed by the update by ctid: such items ("found" but not "done") run again in a new statement,
  // as a later call would.
  // The row version the hint names is read first (a TID scan, checked by key and fencing condition); the primary
  // key only when the hint is missing or stale. Scalar subqueries: evaluated per input, the second only when the
  // first found nothing.
  const FENCED_ROW = `s.structure_id = x.structure_id AND s.key = x.key AND s.status = 'sending'
      AND s.lease_token = x.token AND s.lease_expires_at > $4::timestamptz`;
  const FOUND = `SELECT x.*, l.tid FROM x CROSS JOIN LATERAL (SELECT COALESCE(
      (SELECT s.ctid FROM ${S}.sends s WHERE s.ctid = x.hint AND ${FENCED_ROW}),
      (SELECT s.ctid FROM ${S}.sends s WHERE ${FENCED_ROW})) AS tid) l
    WHERE l.tid IS NOT NULL`;
  const REFENCED = `s.status = 'sending' AND s.lease_token = x.token AND s.lease_expires_at > $4::timestamptz`;
  // The rows to update are named by ctid twice: joined to their input, and as an array the planner reads with a TID
  // scan. With the join alone, statistics taken while no row was 'sending' made the planner expect one row from a
  // sequential scan of a small table (20,000 rows) and loop over the batch for each of its rows: 300-500 ms per
  // batch of 500 instead of a few.
  const LOST_COLS =
    "t.i AS found, c.status AS cur_status, c.lease_token AS cur_token, c.lease_expires_at AS cur_expires";

  const BEGIN_MANY_SQL = `
WITH x AS (SELECT * FROM ${INPUT_REFS}),
t AS (${FOUND}),
u AS (
  UPDATE ${S}.sends s SET
    attempts = s.attempts + CASE WHEN s.cancel_requested THEN 0 ELSE 1 END,
    handed_off_at = CASE WHEN s.cancel_requested THEN s.handed_off_at ELSE $4::timestamptz END,
    updated_at = CASE WHEN s.cancel_requested THEN s.updated_at ELSE $4::timestamptz END
  FROM t x WHERE s.ctid = x.tid AND s.ctid = ANY(ARRAY(SELECT tid FROM t)) AND ${REFENCED}
  RETURNING x.i, s.cancel_requested, s.attempts, s.ctid::text AS tid
)
SELECT u.i AS done, u.cancel_requested, u.attempts, u.tid, ${LOST_COLS} ${OUTCOME_JOIN}`;

  async function beginMany(refs: readonly LeaseRef[], now: Date): Promise<BatchItemResult<BeginSendResult>[]> {
    const items = refs.map((ref) => {
      try {
        checkRef(ref);
        return { ref };
      } catch (e) {
        return e as RappelError;
      }
    });
    const out: BatchItemResult<BeginSendResult>[] = items.map((it) =>
      it instanceof RappelError ? { ok: false, error: it } : (undefined as never),
    );
    const plan = rounds(items);
    if (plan.length === 0) return out;
    await open();
    const nowIso = now.toISOString();
    for (let k = 0; k < plan.length; k++) {
      const round = plan[k]!;
      const again: number[] = [];
      const rs = round.map((i) => (items[i] as { ref: LeaseRef }).ref);
      const rows = await retried<Raw>(BEGIN_MANY_SQL, [
        rs.map((r) => String(r.structureId)),
        rs.map((r) => String(r.key)),
        rs.map((r) => r.token),
        nowIso,
        rs.map(hintOf),
      ]);
      rows.forEach((r, j) => {
        const i = round[j]!;
        const ref = rs[j]!;
        if (r.done === null && r.found !== null && k < MAX_ROUNDS) again.push(i);
        else if (r.done === null) out[i] = { ok: false, error: lostOf(ref, r, now) };
        else {
          setHint(String(ref.structureId), String(ref.key), ref.token, r.tid);
          if (r.cancel_requested === true) out[i] = { ok: true, value: { ok: false, reason: "cancel-requested" } };
          else out[i] = { ok: true, value: { ok: true, attempts: Number(r.attempts) } };
        }
      });
      if (again.length > 0) plan.splice(k + 1, 0, again);
    }
    return out;
  }

  /** One validated item of a release batch: what `complete` or `reschedule` writes. */
  interface ReleaseItem {
    ref: LeaseRef;
    /** `final` (an outcome other than cancelled), `cancel`, or `reschedule`. */
    mode: "final" | "cancel" | "reschedule";
    status: string | null;
    provider: string | null;
    providerMessageId: string | null;
    failureCode: string | null;
    failureReason: string | null;
    skipReason: string | null;
    providerStatus: string | null;
    nextAt: string | null;
  }

  function releaseItem(
    ref: LeaseRef,
    outcome: SendOutcome | undefined,
    opts: RescheduleOptions | undefined,
    now: Date,
  ): ReleaseItem | RappelError {
    try {
      checkRef(ref);
      const item: ReleaseItem = {
        ref,
        mode: "final",
        status: null,
        provider: null,
        providerMessageId: null,
        failureCode: null,
        failureReason: null,
        skipReason: null,
        providerStatus: null,
        nextAt: null,
      };
      if (outcome === undefined) {
        if (opts === null || typeof opts !== "object")
          throw invalid("options must be an object", [{ path: "options", message: "Expected RescheduleOptions" }]);
        item.mode = "reschedule";
        item.nextAt = iso(opts.nextAttemptAt, "nextAttemptAt");
        item.failureCode = opts.failureCode ?? null;
        item.failureReason = opts.failureReason ?? null;
        return item;
      }
      validateSendOutcome(outcome);
      if (outcome.status === "cancelled") {
        item.mode = "cancel";
        return item;
      }
      switch (outcome.status) {
        case "sent":
        case "unknown":
          item.provider = outcome.provider ?? null;
          item.providerMessageId = outcome.providerMessageId ?? null;
          if (outcome.status === "unknown") {
            item.failureCode = outcome.failureCode ?? ErrorCode.TRANSPORT_UNKNOWN;
            item.failureReason = outcome.failureReason ?? null;
          }
          break;
        case "failed":
          item.failureCode = outcome.failureCode;
          item.failureReason = outcome.failureReason ?? null;
          item.provider = outcome.provider ?? null;
          break;
        case "missed":
          item.failureReason = outcome.failureReason ?? null;
          break;
        case "skipped":
          item.skipReason = outcome.skipReason;
          break;
      }
      item.status = outcome.status;
      // The provider's initial status folds into a send that has none yet (R-49).
      if (outcome.status === "sent" && item.providerMessageId !== null) {
        const initial = {
          status: item.status,
          provider_status: null,
          failure_code: item.failureCode,
          updated_at: now.toISOString(),
        };
        fold(initial, outcome.providerStatus ?? "sent", null, now);
        item.status = initial.status;
        item.providerStatus = initial.provider_status;
        item.failureCode = initial.failure_code;
      }
      return item;
    } catch (e) {
      if (e instanceof RappelError) return e;
      throw e;
    }
  }

  // One statement ends a batch of claims, whatever each item's mode. "Resolving" (R) is a cancelled outcome, or a
  // reschedule of a claim whose cancel was requested: the newer plan (replacement) becomes planned, else the send is
  // cancelled. Column references on the right are the row before the update.
  const R = "(x.mode = 'cancel' OR (x.mode = 'reschedule' AND s.cancel_requested))";
  const P = `(${R} AND s.replacement IS NOT NULL)`;
  const RELEASE_MANY_SQL = `
WITH x AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $5::text[]::tid[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[]) WITH ORDINALITY
    AS x(structure_id, key, token, hint, mode, status, provider, provider_message_id, failure_code, failure_reason,
      skip_reason, provider_status, next_at, i)
),
t AS (${FOUND}),
u AS (
  UPDATE ${S}.sends s SET
    status = CASE WHEN x.mode = 'final' THEN x.status
      WHEN ${R} THEN (CASE WHEN s.replacement IS NULL THEN 'cancelled' ELSE 'planned' END) ELSE 'planned' END,
    ${CONTENT.map(([col, type]) => `${col} = CASE WHEN ${P} THEN (s.replacement->>'${col}')::${type} ELSE s.${col} END`).join(",\n    ")},
    data = CASE WHEN ${P} THEN s.replacement->'data' ELSE s.data END,
    next_attempt_at = CASE WHEN ${P} THEN (s.replacement->>'send_at')::timestamptz
      WHEN x.mode = 'reschedule' AND NOT ${R} THEN x.next_at ELSE s.next_attempt_at END,
    due_at = CASE WHEN ${P} THEN (s.replacement->>'send_at')::timestamptz
      WHEN x.mode = 'reschedule' AND NOT ${R} THEN x.next_at ELSE NULL END,
    completed_at = CASE WHEN x.mode = 'final' OR (${R} AND s.replacement IS NULL) THEN $4::timestamptz
      ELSE s.completed_at END,
    lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false, handed_off_at = NULL, replacement = NULL,
    updated_at = $4::timestamptz,
    provider = COALESCE(x.provider, s.provider),
    provider_message_id = CASE WHEN x.provider_message_id IS NOT NULL AND COALESCE(x.provider, s.provider) IS NOT NULL
      THEN x.provider_message_id ELSE s.provider_message_id END,
    provider_status = COALESCE(x.provider_status, s.provider_status),
    failure_code = COALESCE(x.failure_code, s.failure_code),
    failure_reason = COALESCE(x.failure_reason, s.failure_reason),
    skip_reason = COALESCE(x.skip_reason, s.skip_reason)
  FROM t x WHERE s.ctid = x.tid AND s.ctid = ANY(ARRAY(SELECT tid FROM t)) AND ${REFENCED}
  RETURNING x.i, s.status, ${epochMs("s.next_attempt_at")} AS next_attempt_at, s.provider_status,
    s.provider
)
SELECT u.i AS done, u.status, u.next_attempt_at, u.provider_status, u.provider, ${LOST_COLS} ${OUTCOME_JOIN}`;

  // The same for a batch of final outcomes only (what the engine records after sending): no content comes back from
  // a newer plan, nothing is rescheduled, so the SET list has no per-row CASE over the item's mode.
  const FINAL_MANY_SQL = `
WITH x AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $5::text[]::tid[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY
    AS x(structure_id, key, token, hint, status, provider, provider_message_id, failure_code, failure_reason,
      skip_reason, provider_status, i)
),
t AS (${FOUND}),
u AS (
  UPDATE ${S}.sends s SET
    status = x.status, due_at = NULL, completed_at = $4::timestamptz,
    lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false, handed_off_at = NULL, replacement = NULL,
    updated_at = $4::timestamptz,
    provider = COALESCE(x.provider, s.provider),
    provider_message_id = CASE WHEN x.provider_message_id IS NOT NULL AND COALESCE(x.provider, s.provider) IS NOT NULL
      THEN x.provider_message_id ELSE s.provider_message_id END,
    provider_status = COALESCE(x.provider_status, s.provider_status),
    failure_code = COALESCE(x.failure_code, s.failure_code),
    failure_reason = COALESCE(x.failure_reason, s.failure_reason),
    skip_reason = COALESCE(x.skip_reason, s.skip_reason)
  FROM t x WHERE s.ctid = x.tid AND s.ctid = ANY(ARRAY(SELECT tid FROM t)) AND ${REFENCED}
  RETURNING x.i, s.status, ${epochMs("s.next_attempt_at")} AS next_attempt_at, s.provider_status,
    s.provider
)
SELECT u.i AS done, u.status, u.next_attempt_at, u.provider_status, u.provider, ${LOST_COLS} ${OUTCOME_JOIN}`;

  async function releaseMany(
    items: readonly (ReleaseItem | RappelError)[],
    now: Date,
  ): Promise<BatchItemResult<ReleaseResult>[]> {
    const out: BatchItemResult<ReleaseResult>[] = items.map((it) =>
      it instanceof RappelError ? { ok: false, error: it } : (undefined as never),
    );
    const plan = rounds(items);
    if (plan.length === 0) return out;
    await open();
    const nowIso = now.toISOString();
    for (let k = 0; k < plan.length; k++) {
      const round = plan[k]!;
      const again: number[] = [];
      const its = round.map((i) => items[i] as ReleaseItem);
      const col = <K extends keyof ReleaseItem>(k: K) => its.map((it) => it[k]);
      const refs = [
        its.map((it) => String(it.ref.structureId)),
        its.map((it) => String(it.ref.key)),
        its.map((it) => it.ref.token),
        nowIso,
        its.map((it) => hintOf(it.ref)),
      ];
      const rows = its.every((it) => it.mode === "final")
        ? await retried<Raw>(FINAL_MANY_SQL, [
            ...refs,
            col("status"),
            col("provider"),
            col("providerMessageId"),
            col("failureCode"),
            col("failureReason"),
            col("skipReason"),
            col("providerStatus"),
          ])
        : await retried<Raw>(RELEASE_MANY_SQL, [
            ...refs,
            col("mode"),
            col("status"),
            col("provider"),
            col("providerMessageId"),
            col("failureCode"),
            col("failureReason"),
            col("skipReason"),
            col("providerStatus"),
            col("nextAt"),
          ]);
      // A provider status may have arrived first. The ids are committed first, then (a new snapshot) what waits for
      // them is taken: a callback committed before that read is folded here; one committed after it sees the id
      // (recordProviderStatus looks for the send again after writing) and folds itself. Folding is monotonic, so a
      // status folded twice changes nothing. Without a provider in the outcome (an `unknown` one) the id is only
      // recorded when the send already names one: rare, and recordProviderStatus folds later callbacks.
      const waiting: number[] = [];
      rows.forEach((r, j) => {
        const i = round[j]!;
        if (r.done === null && r.found !== null && k < MAX_ROUNDS) again.push(i);
        else if (r.done === null) out[i] = { ok: false, error: lostOf(its[j]!.ref, r, now) };
        else {
          out[i] = { ok: true, value: release(r) };
          hints.delete(its[j]!.ref.token);
          if (its[j]!.providerMessageId !== null && its[j]!.provider !== null) waiting.push(j);
        }
      });
      if (again.length > 0) plan.splice(k + 1, 0, again);
      if (waiting.length === 0) continue;
      const early = await db.query<Raw>(
        `DELETE FROM ${S}.early_provider_statuses e USING unnest($1::text[], $2::text[]) AS w(provider, provider_message_id)
         WHERE e.provider = w.provider AND e.provider_message_id = w.provider_message_id
         RETURNING e.provider, e.provider_message_id, e.status, e.error_code`,
        [waiting.map((j) => String(rows[j]!.provider)), waiting.map((j) => its[j]!.providerMessageId)],
        true,
      );
      for (const e of early) {
        const j = waiting.find(
          (w) => String(rows[w]!.provider) === e.provider && its[w]!.providerMessageId === e.provider_message_id,
        )!;
        const folded = await foldInto(
          String(e.provider),
          String(e.provider_message_id),
          [{ status: String(e.status) as ProviderStatus, errorCode: str(e.error_code) }],
          now,
        );
        if (folded !== null) out[round[j]!] = { ok: true, value: release(folded.raw) };
      }
    }
    return out;
  }

  const storage: PostgresStorage = {
    capabilities,
    schema,

    async migrate() {
      if (closed) throw new RappelError(ErrorCode.INVALID_STATE, "The PostgreSQL storage is closed");
      const applied = await runMigrations(db, schema);
      ready = Promise.resolve();
      return applied;
    },

    async upsertPlanned(structureId, sends, now) {
      checkStructure(structureId);
      const nowIso = iso(now, "now");
      const data = validatePlannedSends(structureId, sends).map(parseObject);
      await open();
      if (sends.length === 0) return emptyUpsertResult();
      const contents = sends.map((s, i) => contentOf(s, data[i]!));
      const firstIndex = new Map<string, number>();
      sends.forEach((s, i) => {
        if (!firstIndex.has(s.key)) firstIndex.set(s.key, i);
      });
      return db.tx(async (q) => {
        // Counted afresh on each attempt (a transaction retried after a deadlock starts over).
        const result = emptyUpsertResult();
        const fresh = [...firstIndex.entries()]
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map(([key, i]) => newRow(structureId, key, contents[i]!, nowIso));
        const inserted = new Set(await writeRows(q, fresh, true));
        const rows = new Map<string, RowState>();
        const keys = [...firstIndex.keys()];
        for (const r of await q<Raw>(
          `SELECT * FROM ${S}.sends WHERE structure_id = $1 AND key IN (SELECT jsonb_array_elements_text($2::jsonb))
           ORDER BY key FOR UPDATE`,
          [structureId, JSON.stringify(keys)],
        ))
          rows.set(String(r.key), rowState(r));
        const dirty = new Set<string>();
        sends.forEach((send, i) => {
          if (inserted.has(send.key) && firstIndex.get(send.key) === i) {
            result.inserted++;
            return;
          }
          const row = rows.get(send.key)!;
          const c = contents[i]!;
          const action = upsertAction(
            row.status,
            sameContent(row, c),
            row.handed_off_at !== null,
            row.cancel_requested,
          );
          countUpsertAction(result, action, send.key);
          switch (action) {
            case "update":
              applyContent(row, c, nowIso);
              break;
            case "revive":
              applyContent(row, c, nowIso);
              row.next_attempt_at = row.send_at;
              row.due_at = row.send_at;
              row.status = "planned";
              row.completed_at = null;
              break;
            case "withdraw-cancel":
              row.cancel_requested = false;
              row.replacement = null;
              row.updated_at = nowIso;
              break;
            case "supersede":
              row.cancel_requested = true;
              row.replacement = c;
              row.updated_at = nowIso;
              break;
            default:
              return;
          }
          dirty.add(send.key);
        });
        await writeRows(
          q,
          [...dirty].map((k) => rows.get(k)!),
          false,
        );
        return result;
      });
    },

    async cancel(structureId, spec, now) {
      checkStructure(structureId);
      const nowIso = iso(now, "now");
      validateCancelSpec(spec);
      await open();
      const params: unknown[] = [structureId, nowIso];
      let match: string;
      const s = spec as CancelSpec & Record<string, unknown>;
      if ("keys" in spec) {
        params.push(JSON.stringify(spec.keys.map(String)));
        match = "key IN (SELECT jsonb_array_elements_text($3::jsonb))";
      } else if ("appointmentId" in spec) {
        params.push(spec.appointmentId);
        match = `appointment_id = $3 AND ${byAppointment("$3")}`;
        if (s.kinds !== undefined) {
          params.push(JSON.stringify(s.kinds));
          match += ` AND kind IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`;
        }
        if (s.channels !== undefined) {
          params.push(JSON.stringify(s.channels));
          match += ` AND channel IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`;
        }
      } else {
        params.push(spec.contactId, JSON.stringify(spec.channels));
        match = `contact_id = $3 AND ${byContact("$3")} AND channel IN (SELECT jsonb_array_elements_text($4::jsonb))`;
      }
      const rows = await db.query<Raw>(
        `UPDATE ${S}.sends SET
           status = CASE WHEN status = 'planned' THEN 'cancelled' ELSE status END,
           due_at = CASE WHEN status = 'planned' THEN NULL ELSE due_at END,
           completed_at = CASE WHEN status = 'planned' THEN $2::timestamptz ELSE completed_at END,
           cancel_requested = CASE WHEN status = 'sending' AND handed_off_at IS NULL THEN true ELSE cancel_requested END,
           replacement = CASE WHEN status = 'sending' AND handed_off_at IS NOT NULL THEN replacement ELSE NULL END,
           updated_at = CASE WHEN status = 'sending' AND handed_off_at IS NOT NULL THEN updated_at ELSE $2::timestamptz END
         WHERE structure_id = $1 AND status IN ('planned', 'sending') AND ${match}
         RETURNING ${RETURN}`,
        params,
      );
      rows.sort((a, b) => (String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0));
      const result: CancelResult = { cancelled: [], stopped: [], tooLate: [] };
      for (const r of rows) {
        if (r.status === "cancelled") result.cancelled.push(toRecord(r));
        else if (r.handed_off_at === null) result.stopped.push(toRecord(r));
        else result.tooLate.push(toRecord(r));
      }
      return result;
    },

    async claimDue(opts) {
      const limit = validateClaimDueOptions(opts);
      const nowIso = opts.now.toISOString();
      await open();
      const untilMs = opts.now.getTime() + opts.leaseMs;
      const until = new Date(untilMs).toISOString();
      // A lapsed claim whose cancel was requested is resolved (cancelled, or planned with its newer content, then
      // claimable by the next call) in the same statement instead of being returned.
      const text = claimText(limit);
      const rows = await db.query<Raw>(
        text,
        text === CLAIM_SQL ? [nowIso, limit, opts.owner, until] : [nowIso, opts.owner, until],
        true,
      );
      rows.sort((a, b) => Number(a.lease_token) - Number(b.lease_token));
      const nowMs = opts.now.getTime();
      for (const r of rows) {
        r.status = "sending";
        r.lease_owner = opts.owner;
        r.lease_expires_at = untilMs;
        r.cancel_requested = false;
        r.updated_at = nowMs;
        setHint(String(r.structure_id), String(r.key), Number(r.lease_token), r.tid);
      }
      const out: ClaimedSend[] = rows.map((r) => ({
        send: toRecord(r),
        token: Number(r.lease_token),
        leaseExpiresAt: toDate(r.lease_expires_at)!,
        interrupted: r.handed_off_at !== null,
      }));
      return out;
    },

    async renewLease(ref, leaseMs, now) {
      checkRef(ref);
      iso(now, "now");
      if (!Number.isSafeInteger(leaseMs) || leaseMs < 1)
        throw invalid("leaseMs must be a positive integer", [
          { path: "leaseMs", message: "Expected a positive integer" },
        ]);
      await open();
      const until = new Date(now.getTime() + leaseMs).toISOString();
      const [r] = await owned<Raw>(
        ref,
        now,
        `UPDATE ${S}.sends SET lease_expires_at = $5::timestamptz, due_at = $5::timestamptz, updated_at = $4::timestamptz
         WHERE ${FENCED} RETURNING lease_expires_at`,
        [until],
      );
      return toDate(r!.lease_expires_at)!;
    },

    // The single calls keep their own one-row statements: a plain fenced UPDATE by primary key plans in a fraction
    // of the batched statement's time, and a worker that completes one send at a time pays it on every send.
    async beginSend(ref, now) {
      checkRef(ref);
      iso(now, "now");
      await open();
      const [r] = await owned<Raw>(
        ref,
        now,
        `UPDATE ${S}.sends SET
           attempts = attempts + CASE WHEN cancel_requested THEN 0 ELSE 1 END,
           handed_off_at = CASE WHEN cancel_requested THEN handed_off_at ELSE $4::timestamptz END,
           updated_at = CASE WHEN cancel_requested THEN updated_at ELSE $4::timestamptz END
         WHERE ${FENCED} RETURNING cancel_requested, attempts`,
        [],
      );
      if (r!.cancel_requested === true) return { ok: false, reason: "cancel-requested" } satisfies BeginSendResult;
      return { ok: true, attempts: Number(r!.attempts) } satisfies BeginSendResult;
    },

    async beginSendMany(refs, now) {
      if (!Array.isArray(refs))
        throw invalid("refs must be an array", [{ path: "refs", message: "Expected an array of LeaseRef" }]);
      iso(now, "now");
      return beginMany(refs, now);
    },

    async complete(ref, outcome, now) {
      checkRef(ref);
      iso(now, "now");
      validateSendOutcome(outcome);
      await open();
      if (outcome.status === "cancelled") {
        const [r] = await owned<Raw>(
          ref,
          now,
          `UPDATE ${S}.sends SET ${resolveSet("$4")} WHERE ${FENCED} RETURNING status, next_attempt_at, provider_status`,
          [],
        );
        return release(r!);
      }
      let provider: string | null = null;
      let providerMessageId: string | null = null;
      let failureCode: string | null = null;
      let failureReason: string | null = null;
      let skipReason: string | null = null;
      switch (outcome.status) {
        case "sent":
        case "unknown":
          provider = outcome.provider ?? null;
          providerMessageId = outcome.providerMessageId ?? null;
          if (outcome.status === "unknown") {
            failureCode = outcome.failureCode ?? ErrorCode.TRANSPORT_UNKNOWN;
            failureReason = outcome.failureReason ?? null;
          }
          break;
        case "failed":
          failureCode = outcome.failureCode;
          failureReason = outcome.failureReason ?? null;
          provider = outcome.provider ?? null;
          break;
        case "missed":
          failureReason = outcome.failureReason ?? null;
          break;
        case "skipped":
          skipReason = outcome.skipReason;
          break;
      }
      // The provider's initial status folds into a send that has none yet (R-49).
      let status: string = outcome.status;
      let providerStatus: string | null = null;
      if (outcome.status === "sent" && providerMessageId !== null) {
        const initial = { status, provider_status: null, failure_code: failureCode, updated_at: now.toISOString() };
        fold(initial, outcome.providerStatus ?? "sent", null, now);
        status = initial.status;
        providerStatus = initial.provider_status;
        failureCode = initial.failure_code;
      }
      const update = `UPDATE ${S}.sends SET
          status = $5, lease_owner = NULL, lease_expires_at = NULL, due_at = NULL, cancel_requested = false,
          handed_off_at = NULL, replacement = NULL, updated_at = $4::timestamptz, completed_at = $4::timestamptz,
          provider = COALESCE($6, provider),
          provider_message_id = CASE WHEN $7::text IS NOT NULL AND COALESCE($6, provider) IS NOT NULL THEN $7 ELSE provider_message_id END,
          provider_status = COALESCE($11, provider_status),
          failure_code = COALESCE($8, failure_code), failure_reason = COALESCE($9, failure_reason),
          skip_reason = COALESCE($10, skip_reason)
        WHERE ${FENCED} RETURNING *`;
      const params = [status, provider, providerMessageId, failureCode, failureReason, skipReason, providerStatus];
      if (providerMessageId === null || provider === null) {
        // Without a message id nothing can be waiting for it; without a provider (an `unknown` outcome) the id is
        // only recorded when the send already names one: rare, and recordProviderStatus folds later callbacks.
        const [r] = await owned<Raw>(ref, now, update, params);
        return release(r!);
      }
      // A provider status may have arrived first. The id is committed first, then (a new snapshot) what waits for
      // it is taken: a callback committed before that read is folded here; one committed after it sees the id
      // (recordProviderStatus looks for the send again after writing) and folds itself. Folding is monotonic, so a
      // status folded twice changes nothing.
      const [r] = await owned<Raw>(ref, now, update, params);
      const early = await db.query<Raw>(
        `DELETE FROM ${S}.early_provider_statuses WHERE provider = $1 AND provider_message_id = $2
         RETURNING status, error_code`,
        [String(r!.provider), providerMessageId],
      );
      if (early.length === 0) return release(r!);
      const folded = await foldInto(
        String(r!.provider),
        providerMessageId,
        early.map((e) => ({ status: String(e.status) as ProviderStatus, errorCode: str(e.error_code) })),
        now,
      );
      return release(folded === null ? r! : folded.raw);
    },

    async reschedule(ref, opts, now) {
      checkRef(ref);
      iso(now, "now");
      if (opts === null || typeof opts !== "object")
        throw invalid("options must be an object", [{ path: "options", message: "Expected RescheduleOptions" }]);
      const next = iso(opts.nextAttemptAt, "nextAttemptAt");
      await open();
      const [r] = await owned<Raw>(
        ref,
        now,
        `UPDATE ${S}.sends SET
           failure_code = COALESCE($6, failure_code), failure_reason = COALESCE($7, failure_reason),
           status = CASE WHEN cancel_requested THEN (CASE WHEN replacement IS NULL THEN 'cancelled' ELSE 'planned' END) ELSE 'planned' END,
           ${CONTENT.map(
             ([col, type]) =>
               `${col} = CASE WHEN cancel_requested AND replacement IS NOT NULL THEN (replacement->>'${col}')::${type} ELSE ${col} END`,
           ).join(",\n           ")},
           data = CASE WHEN cancel_requested AND replacement IS NOT NULL THEN replacement->'data' ELSE data END,
           next_attempt_at = CASE WHEN NOT cancel_requested THEN $5::timestamptz
             WHEN replacement IS NOT NULL THEN (replacement->>'send_at')::timestamptz ELSE next_attempt_at END,
           due_at = CASE WHEN NOT cancel_requested THEN $5::timestamptz
             WHEN replacement IS NOT NULL THEN (replacement->>'send_at')::timestamptz ELSE NULL END,
           completed_at = CASE WHEN cancel_requested AND replacement IS NULL THEN $4::timestamptz ELSE completed_at END,
           lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false, handed_off_at = NULL,
           replacement = NULL, updated_at = $4::timestamptz
         WHERE ${FENCED} RETURNING status, next_attempt_at, provider_status`,
        [next, opts.failureCode ?? null, opts.failureReason ?? null],
      );
      return release(r!);
    },

    async completeMany(items, now) {
      if (!Array.isArray(items))
        throw invalid("items must be an array", [{ path: "items", message: "Expected an array of items" }]);
      iso(now, "now");
      return releaseMany(
        items.map((item, i) => {
          if (item === null || typeof item !== "object")
            return invalid("item must be an object", [{ path: `items.${i}`, message: "Expected { ref, outcome }" }]);
          return "reschedule" in item
            ? releaseItem(item.ref, undefined, item.reschedule, now)
            : releaseItem(item.ref, item.outcome, undefined, now);
        }),
        now,
      );
    },

    async getSend(structureId, key) {
      await open();
      const [r] = await db.query<Raw>(`SELECT * FROM ${S}.sends WHERE structure_id = $1 AND key = $2`, [
        String(structureId),
        String(key),
      ]);
      return r === undefined ? null : toRecord(r);
    },

    async listSends(structureId, filter = {}) {
      const limit = checkLimit(filter.limit, "filter.limit", 1000);
      await open();
      const params: unknown[] = [String(structureId)];
      const where = ["structure_id = $1"];
      const eq = (col: string, v: unknown) => {
        if (v === undefined) return;
        params.push(String(v));
        where.push(`${col} = $${params.length}`);
      };
      if (filter.status !== undefined) {
        params.push(JSON.stringify(typeof filter.status === "string" ? [filter.status] : [...filter.status]));
        where.push(`status IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`);
      }
      eq("account_id", filter.accountId);
      eq("appointment_id", filter.appointmentId);
      if (filter.appointmentId !== undefined) where.push(byAppointment(`$${params.length}`));
      eq("contact_id", filter.contactId);
      if (filter.contactId !== undefined) where.push(byContact(`$${params.length}`));
      eq("recipient_address", filter.address);
      eq("channel", filter.channel);
      eq("kind", filter.kind);
      if (filter.after !== undefined) {
        params.push(String(filter.after));
        where.push(`key COLLATE "C" > $${params.length}`);
      }
      params.push(limit);
      const rows = await db.query<Raw>(
        `SELECT * FROM ${S}.sends WHERE ${where.join(" AND ")} ORDER BY key COLLATE "C" LIMIT $${params.length}`,
        params,
      );
      return rows.map(toRecord);
    },

    async appendJournal(structureId, entries) {
      checkStructure(structureId);
      const texts = validateJournalEntries(structureId, entries);
      const copies = entries.map((e, i) => journalCopy(e, texts[i]));
      await open();
      if (copies.length === 0) return [];
      const rows = copies.map((e) => ({
        contact_id: e.contactId ?? null,
        account_id: e.accountId ?? null,
        at: e.at.toISOString(),
        event: e.event,
        key: e.key ?? null,
        channel: e.channel ?? null,
        kind: e.kind ?? null,
        provider: e.provider ?? null,
        provider_message_id: e.providerMessageId ?? null,
        reason: e.reason ?? null,
        data: e.data === undefined ? null : e.data,
      }));
      // The lock serializes appends per structure so that seq order is commit order (readers paginate by seq). One
      // statement: every row joins the lock's row, so the lock is taken before any row reaches the insert and draws
      // its seq, and it is held until this statement commits.
      const seqs = await db.query<{ seq: unknown }>(
        `WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock($1::int, $2::int))
         INSERT INTO ${S}.journal (structure_id, contact_id, account_id, at, event, key, channel, kind, provider,
           provider_message_id, reason, data)
         SELECT $3, x.contact_id, x.account_id, x.at, x.event, x.key, x.channel, x.kind, x.provider,
           x.provider_message_id, x.reason, x.data
         FROM l, ROWS FROM (json_to_recordset($4::json) AS (contact_id text, account_id text, at timestamptz,
           event text, key text, channel text, kind text, provider text, provider_message_id text, reason text,
           data jsonb)) WITH ORDINALITY AS x(contact_id, account_id, at, event, key, channel, kind, provider,
           provider_message_id, reason, data, i)
         ORDER BY x.i
         RETURNING seq`,
        [lockKey(`${schema}:journal`), lockKey(structureId), structureId, JSON.stringify(rows)],
        true,
      );
      const sorted = seqs.map((r) => Number(r.seq)).sort((a, b) => a - b);
      // The copies are this call's own objects: they become the entries returned.
      copies.forEach((c, i) => {
        (c as JournalEntry).seq = sorted[i]!;
      });
      return copies as JournalEntry[];
    },

    async readJournal(structureId, contactId, opts: ReadJournalOptions = {}) {
      const limit = checkLimit(opts.limit, "options.limit", 1000);
      if (opts.after !== undefined && !Number.isFinite(opts.after))
        throw invalid("options.after must be a number", [{ path: "options.after", message: "Expected a number" }]);
      await open();
      const rows = await db.query<Raw>(
        `SELECT * FROM ${S}.journal WHERE structure_id = $1 AND contact_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
        [String(structureId), String(contactId), Math.floor(opts.after ?? 0), limit],
      );
      return rows.map((r) => {
        const e: JournalEntry = {
          seq: Number(r.seq),
          structureId: String(r.structure_id),
          at: toDate(r.at)!,
          event: String(r.event) as JournalEntry["event"],
        };
        if (r.contact_id != null) e.contactId = String(r.contact_id);
        if (r.account_id != null) e.accountId = String(r.account_id);
        if (r.key != null) e.key = String(r.key);
        if (r.channel != null) e.channel = String(r.channel) as JournalEntry["channel"];
        if (r.kind != null) e.kind = String(r.kind) as JournalEntry["kind"];
        if (r.provider != null) e.provider = String(r.provider);
        if (r.provider_message_id != null) e.providerMessageId = String(r.provider_message_id);
        if (r.reason != null) e.reason = String(r.reason);
        if (r.data != null) e.data = toJson(r.data) as JsonValue;
        return e;
      });
    },

    async recordProviderStatus(update: ProviderStatusUpdate) {
      validateProviderStatusUpdate(update);
      await open();
      const own = [{ status: update.status, errorCode: update.errorCode ?? null }];
      const found = await foldInto(update.provider, update.providerMessageId, own, update.at);
      if (found !== null) return found.result;
      const rank = (x: string) => `CASE ${x} WHEN 'accepted' THEN 1 WHEN 'queued' THEN 2 WHEN 'sent' THEN 3 ELSE 4 END`;
      await db.query(
        `INSERT INTO ${S}.early_provider_statuses AS e (provider, provider_message_id, status, at, error_code, received_at)
         VALUES ($1, $2, $3, $4::timestamptz, $5, now())
         ON CONFLICT (provider, provider_message_id) DO UPDATE
           SET status = excluded.status, at = excluded.at, error_code = excluded.error_code
           WHERE ${rank("e.status")} < 4 AND ${rank("excluded.status")} > ${rank("e.status")}`,
        [update.provider, update.providerMessageId, update.status, update.at.toISOString(), update.errorCode ?? null],
      );
      // A complete that recorded the id after our first look may have read the early table before our write.
      const again = await foldInto(update.provider, update.providerMessageId, own, update.at);
      if (again !== null) {
        await db.query(`DELETE FROM ${S}.early_provider_statuses WHERE provider = $1 AND provider_message_id = $2`, [
          update.provider,
          update.providerMessageId,
        ]);
        return again.result;
      }
      if (++earlyWrites % 100 === 1)
        await db.query(
          `DELETE FROM ${S}.early_provider_statuses WHERE received_at < now() - $1 * interval '1 millisecond'`,
          [retentionMs],
        );
      return null;
    },

    async addUsage(structureId, accountId, month, delta, opts: AddUsageOptions = {}) {
      checkStructure(structureId);
      validateUsageUpdate(accountId, month, delta, opts);
      await open();
      const d = USAGE_FIELDS.map((f) => delta[f] ?? 0);
      const max = opts?.max ?? {};
      const params: unknown[] = [structureId, accountId, month, ...d];
      const insertChecks: string[] = [];
      const updateChecks: string[] = [];
      USAGE_FIELDS.forEach((f, i) => {
        const m = max[f];
        if (m === undefined || d[i]! <= 0) return;
        params.push(m);
        insertChecks.push(`$${4 + i}::bigint <= $${params.length}::bigint`);
        updateChecks.push(`u.${USAGE_COLUMNS[i]} + $${4 + i}::bigint <= $${params.length}::bigint`);
      });
      const cols = USAGE_COLUMNS.join(", ");
      let rows: Raw[];
      try {
        rows = await db.query<Raw>(
          `INSERT INTO ${S}.usage AS u (structure_id, account_id, month, ${cols})
           SELECT $1, $2, $3, ${USAGE_COLUMNS.map((_, i) => `$${4 + i}::bigint`).join(", ")}
           ${insertChecks.length > 0 ? `WHERE ${insertChecks.join(" AND ")}` : ""}
           ON CONFLICT (structure_id, account_id, month) DO UPDATE SET
             ${USAGE_COLUMNS.map((c) => `${c} = u.${c} + excluded.${c}`).join(", ")}
             ${updateChecks.length > 0 ? `WHERE ${updateChecks.join(" AND ")}` : ""}
           RETURNING ${cols}`,
          params,
          true,
        );
      } catch (e) {
        if ((e as { code?: string }).code === "23514")
          throw invalid("Usage counters cannot go negative", [
            { path: "delta", message: "Would make a counter negative" },
          ]);
        throw e;
      }
      if (rows.length > 0) return { applied: true, counters: toUsage(rows[0]!) };
      return { applied: false, counters: await storage.getUsage(structureId, accountId, month) };
    },

    async getUsage(structureId, accountId, month) {
      checkUsageMonth(month);
      await open();
      const [r] = await db.query<Raw>(
        `SELECT ${USAGE_COLUMNS.join(", ")} FROM ${S}.usage WHERE structure_id = $1 AND account_id = $2 AND month = $3`,
        [String(structureId), String(accountId), month],
      );
      return r === undefined ? toUsage({}) : toUsage(r);
    },

    async setSmsOptOut(structureId, e164, optedOut, at) {
      checkStructure(structureId);
      const atIso = new Date(validateSmsOptOut(e164, optedOut, at)).toISOString();
      await open();
      // Latest `at` wins; on a tie, opted-out wins (never text someone who said STOP at that instant).
      const [r] = await db.query<Raw>(
        `WITH up AS (
           INSERT INTO ${S}.sms_opt_outs AS o (structure_id, e164, opted_out, at) VALUES ($1, $2, $3, $4::timestamptz)
           ON CONFLICT (structure_id, e164) DO UPDATE SET opted_out = excluded.opted_out, at = excluded.at
             WHERE excluded.at > o.at OR (excluded.at = o.at AND excluded.opted_out AND NOT o.opted_out)
           RETURNING opted_out, at
         )
         SELECT opted_out, at FROM up
         UNION ALL
         SELECT opted_out, at FROM ${S}.sms_opt_outs WHERE structure_id = $1 AND e164 = $2 AND NOT EXISTS (SELECT 1 FROM up)`,
        [structureId, e164, optedOut, atIso],
      );
      // A concurrent first write can hide the row from this statement's snapshot: read it again.
      const cur =
        r ??
        (
          await db.query<Raw>(`SELECT opted_out, at FROM ${S}.sms_opt_outs WHERE structure_id = $1 AND e164 = $2`, [
            structureId,
            e164,
          ])
        )[0]!;
      return { optedOut: cur.opted_out === true, at: toDate(cur.at)! } satisfies SmsOptOut;
    },

    async isSmsOptedOut(structureId, e164) {
      await open();
      const [r] = await db.query<Raw>(`SELECT opted_out FROM ${S}.sms_opt_outs WHERE structure_id = $1 AND e164 = $2`, [
        String(structureId),
        String(e164),
      ]);
      return r?.opted_out === true;
    },

    async smsOptedOutAmong(structureId, e164s) {
      checkStructure(structureId);
      validateE164List(e164s);
      await open();
      if (e164s.length === 0) return [];
      const rows = await db.query<{ e164: string }>(
        `SELECT e164 FROM ${S}.sms_opt_outs WHERE structure_id = $1 AND e164 = ANY($2::text[]) AND opted_out`,
        [structureId, [...new Set(e164s)]],
        true,
      );
      return rows.map((r) => r.e164);
    },

    async appendInbox(structureId: string, message: InboxMessageInput): Promise<InboxMessage> {
      checkStructure(structureId);
      validateInboxMessage(message);
      await open();
      const params = [
        structureId,
        message.idempotencyKey,
        message.recipientId,
        message.accountId,
        message.subject,
        message.text,
        message.at.toISOString(),
      ];
      const [inserted] = await db.query<Raw>(
        `INSERT INTO ${S}.inbox (structure_id, idempotency_key, recipient_id, account_id, subject, text, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz)
         ON CONFLICT (structure_id, idempotency_key) DO NOTHING RETURNING *`,
        params,
      );
      // Stored before (or by a concurrent call, now committed): the message already there wins.
      const row =
        inserted ??
        (
          await db.query<Raw>(`SELECT * FROM ${S}.inbox WHERE structure_id = $1 AND idempotency_key = $2`, [
            structureId,
            message.idempotencyKey,
          ])
        )[0]!;
      return toInbox(row);
    },

    async readInbox(structureId: string, recipientId: string, opts: ReadInboxOptions = {}): Promise<InboxMessage[]> {
      checkStructure(structureId);
      const limit = checkLimit(opts.limit, "limit", 100);
      if (opts.after !== undefined && !Number.isFinite(opts.after))
        throw invalid("options.after must be a number", [{ path: "options.after", message: "Expected a number" }]);
      await open();
      const rows = await db.query<Raw>(
        `SELECT * FROM ${S}.inbox WHERE structure_id = $1 AND recipient_id = $2 AND id > $3
           AND ($4::boolean IS NOT TRUE OR NOT read)
         ORDER BY id LIMIT $5`,
        [structureId, String(recipientId), Math.floor(opts.after ?? 0), opts.unreadOnly === true, limit],
      );
      return rows.map(toInbox);
    },

    async markInboxRead(structureId: string, recipientId: string, ids: readonly number[], read: boolean) {
      checkStructure(structureId);
      if (!Array.isArray(ids) || ids.some((id) => !Number.isSafeInteger(id)))
        throw invalid("ids must be integers", [{ path: "ids", message: "Expected an array of integers" }]);
      if (typeof read !== "boolean")
        throw invalid("read must be a boolean", [{ path: "read", message: "Expected a boolean" }]);
      await open();
      if (ids.length === 0) return 0;
      const rows = await db.query(
        `UPDATE ${S}.inbox SET read = $4
         WHERE structure_id = $1 AND recipient_id = $2 AND read <> $4
           AND id IN (SELECT (jsonb_array_elements_text($3::jsonb))::bigint)
         RETURNING 1`,
        [structureId, String(recipientId), JSON.stringify([...new Set(ids)]), read],
      );
      return rows.length;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (options.closeConnection !== true) return;
      const target = (options.pool ?? options.client ?? options.pglite) as {
        end?: () => Promise<void>;
        close?: () => Promise<void>;
      };
      if (typeof target.end === "function") await target.end();
      else if (typeof target.close === "function") await target.close();
    },
  };
  return storage;
}

function toInbox(r: Raw): InboxMessage {
  return {
    id: Number(r.id),
    structureId: String(r.structure_id),
    idempotencyKey: String(r.idempotency_key),
    recipientId: String(r.recipient_id),
    accountId: String(r.account_id),
    subject: String(r.subject),
    text: String(r.text),
    at: toDate(r.at)!,
    read: r.read === true,
  };
}

function toUsage(r: Raw): UsageCounters {
  const out = {} as UsageCounters;
  USAGE_FIELDS.forEach((f, i) => {
    out[f] = Number(r[USAGE_COLUMNS[i]!] ?? 0);
  });
  return out;
}
