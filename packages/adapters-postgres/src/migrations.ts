import { ErrorCode, ValidationError } from "@rappel/core";
import type { Db } from "./db.js";

/**
 * One shipped migration: apply them in `version` order, each once, each in its own transaction.
 *
 * @example
 * ```ts
 * const [first] = postgresMigrations("rappel");
 * first.version //=> 1
 * first.name //=> "initial"
 * ```
 */
export interface PostgresMigration {
  /** Increasing from 1, never reused. */
  version: number;
  /** Short name. */
  name: string;
  /** The SQL text, for the given schema (several statements). */
  sql: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a schema name and returns it double-quoted. */
export function quoteSchema(schema: string): string {
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema))
    throw new ValidationError(ErrorCode.INVALID_INPUT, "schema must be a lower-case SQL identifier", [
      { path: "schema", message: "Expected /^[a-z_][a-z0-9_]{0,62}$/" },
    ]);
  return `"${schema}"`;
}

const STATUSES = "'planned','sending','sent','delivered','failed','unknown','missed','cancelled','skipped'";

function initial(s: string): string {
  return `
CREATE SEQUENCE ${s}.lease_token_seq AS bigint;

CREATE TABLE ${s}.sends (
  structure_id        text        NOT NULL,
  key                 text        NOT NULL,
  account_id          text        NOT NULL,
  kind                text        NOT NULL,
  channel             text        NOT NULL,
  recipient_type      text        NOT NULL,
  recipient_id        text        NOT NULL,
  recipient_address   text        NOT NULL,
  send_at             timestamptz NOT NULL,
  expires_at          timestamptz,
  appointment_id      text,
  contact_id          text,
  billing             text,
  group_key           text,
  data                jsonb       NOT NULL,
  status              text        NOT NULL CHECK (status IN (${STATUSES})),
  attempts            integer     NOT NULL DEFAULT 0,
  next_attempt_at     timestamptz NOT NULL,
  -- When the row can be claimed: next_attempt_at while planned, lease_expires_at while sending, else NULL.
  due_at              timestamptz,
  lease_owner         text,
  lease_token         bigint      NOT NULL DEFAULT 0,
  lease_expires_at    timestamptz,
  cancel_requested    boolean     NOT NULL DEFAULT false,
  handed_off_at       timestamptz,
  replacement         jsonb,
  provider            text,
  provider_message_id text,
  provider_status     text,
  failure_code        text,
  failure_reason      text,
  skip_reason         text,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  completed_at        timestamptz,
  PRIMARY KEY (structure_id, key),
  CHECK ((due_at IS NULL) = (status NOT IN ('planned', 'sending')))
);

-- The claim index: only claimable rows are in it, so its size is the number of pending and leased sends, and the
-- claim reads the first \`limit\` entries of it whatever the number of sends stored.
CREATE INDEX sends_due_idx ON ${s}.sends (due_at) WHERE due_at IS NOT NULL;
-- Lapsed claims whose cancel was requested (usually empty): resolved by claimDue.
CREATE INDEX sends_cancel_requested_idx ON ${s}.sends (lease_expires_at) WHERE status = 'sending' AND cancel_requested;
CREATE INDEX sends_appointment_idx ON ${s}.sends (structure_id, appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX sends_contact_idx ON ${s}.sends (structure_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX sends_provider_idx ON ${s}.sends (provider, provider_message_id) WHERE provider_message_id IS NOT NULL;

CREATE TABLE ${s}.journal (
  seq                 bigserial   PRIMARY KEY,
  structure_id        text        NOT NULL,
  contact_id          text,
  account_id          text,
  at                  timestamptz NOT NULL,
  event               text        NOT NULL,
  key                 text,
  channel             text,
  kind                text,
  provider            text,
  provider_message_id text,
  reason              text,
  data                jsonb
);
CREATE INDEX journal_contact_idx ON ${s}.journal (structure_id, contact_id, seq);

CREATE TABLE ${s}.usage (
  structure_id          text   NOT NULL,
  account_id            text   NOT NULL,
  month                 text   NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  reminder_sms_credits  bigint NOT NULL DEFAULT 0 CHECK (reminder_sms_credits >= 0),
  custom_sms_credits    bigint NOT NULL DEFAULT 0 CHECK (custom_sms_credits >= 0),
  other_sms_credits     bigint NOT NULL DEFAULT 0 CHECK (other_sms_credits >= 0),
  emails                bigint NOT NULL DEFAULT 0 CHECK (emails >= 0),
  faxes                 bigint NOT NULL DEFAULT 0 CHECK (faxes >= 0),
  messages              bigint NOT NULL DEFAULT 0 CHECK (messages >= 0),
  PRIMARY KEY (structure_id, account_id, month)
);

CREATE TABLE ${s}.sms_opt_outs (
  structure_id text        NOT NULL,
  e164         text        NOT NULL,
  opted_out    boolean     NOT NULL,
  at           timestamptz NOT NULL,
  PRIMARY KEY (structure_id, e164)
);

-- Provider status callbacks that arrived before the send recording their message id (R-49), kept for
-- earlyStatusRetentionMs and folded in by complete().
CREATE TABLE ${s}.early_provider_statuses (
  provider            text        NOT NULL,
  provider_message_id text        NOT NULL,
  status              text        NOT NULL,
  at                  timestamptz NOT NULL,
  error_code          text,
  received_at         timestamptz NOT NULL,
  PRIMARY KEY (provider, provider_message_id)
);
CREATE INDEX early_provider_statuses_received_idx ON ${s}.early_provider_statuses (received_at);
`;
}

function inbox(s: string): string {
  return `
-- In-app inboxes (the message channel): one row per message, idempotent by (structure_id, idempotency_key).
CREATE TABLE ${s}.inbox (
  structure_id    text        NOT NULL,
  id              bigserial   NOT NULL,
  idempotency_key text        NOT NULL,
  recipient_id    text        NOT NULL,
  account_id      text        NOT NULL,
  subject         text        NOT NULL,
  text            text        NOT NULL,
  at              timestamptz NOT NULL,
  read            boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (structure_id, idempotency_key)
);
CREATE UNIQUE INDEX inbox_recipient_idx ON ${s}.inbox (structure_id, recipient_id, id);
`;
}

function fillfactor(s: string): string {
  return `
-- Room on each page for the new versions of its rows: a claim writes a new version of the row (it moves due_at, an
-- indexed column), and the hand-off that follows changes no indexed column, so when that version fits on the same
-- page PostgreSQL writes it without new index entries (a HOT update). Applies to pages written from now on.
ALTER TABLE ${s}.sends SET (fillfactor = 80);
`;
}

function sendLookups(s: string): string {
  return `
-- Which sends belong to an appointment or a contact, kept beside sends instead of in two indexes of sends: a row
-- version of sends that is not HOT (every claim and every outcome writes one) wrote an entry in each of those
-- indexes, although a send's appointment and contact almost never change. These tables get a row when a send is
-- inserted or its appointment or contact changes, and keep it afterwards: they may name a send that has moved to
-- another appointment since, so every lookup checks the send's own column too.
-- No send may be written between the copy below and the triggers that take over from it (the index drops at the
-- end need this lock anyway): writers wait until the migration commits.
LOCK TABLE ${s}.sends IN ACCESS EXCLUSIVE MODE;
CREATE TABLE ${s}.send_appointments (
  structure_id   text NOT NULL,
  appointment_id text NOT NULL,
  key            text NOT NULL,
  PRIMARY KEY (structure_id, appointment_id, key)
);
CREATE TABLE ${s}.send_contacts (
  structure_id text NOT NULL,
  contact_id   text NOT NULL,
  key          text NOT NULL,
  PRIMARY KEY (structure_id, contact_id, key)
);
INSERT INTO ${s}.send_appointments (structure_id, appointment_id, key)
  SELECT structure_id, appointment_id, key FROM ${s}.sends WHERE appointment_id IS NOT NULL
  UNION SELECT structure_id, replacement->>'appointment_id', key FROM ${s}.sends
    WHERE replacement->>'appointment_id' IS NOT NULL;
INSERT INTO ${s}.send_contacts (structure_id, contact_id, key)
  SELECT structure_id, contact_id, key FROM ${s}.sends WHERE contact_id IS NOT NULL
  UNION SELECT structure_id, replacement->>'contact_id', key FROM ${s}.sends WHERE replacement->>'contact_id' IS NOT NULL;
-- Kept up to date by triggers, whatever writes sends (this storage, or one of an earlier version during an upgrade):
-- once per INSERT statement, and for an UPDATE that changes a send's appointment or contact (none of the claim, the
-- hand-off or the outcome does).
CREATE FUNCTION ${s}.sends_lookups_inserted() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO ${s}.send_appointments (structure_id, appointment_id, key) SELECT DISTINCT structure_id, appointment_id, key FROM inserted_sends WHERE appointment_id IS NOT NULL ON CONFLICT DO NOTHING; INSERT INTO ${s}.send_contacts (structure_id, contact_id, key) SELECT DISTINCT structure_id, contact_id, key FROM inserted_sends WHERE contact_id IS NOT NULL ON CONFLICT DO NOTHING; RETURN NULL; END $f$;
CREATE FUNCTION ${s}.sends_lookups_updated() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN IF NEW.appointment_id IS NOT NULL THEN INSERT INTO ${s}.send_appointments (structure_id, appointment_id, key) VALUES (NEW.structure_id, NEW.appointment_id, NEW.key) ON CONFLICT DO NOTHING; END IF; IF NEW.contact_id IS NOT NULL THEN INSERT INTO ${s}.send_contacts (structure_id, contact_id, key) VALUES (NEW.structure_id, NEW.contact_id, NEW.key) ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $f$;
CREATE TRIGGER sends_lookups_inserted AFTER INSERT ON ${s}.sends REFERENCING NEW TABLE AS inserted_sends
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.sends_lookups_inserted();
CREATE TRIGGER sends_lookups_updated AFTER UPDATE OF appointment_id, contact_id ON ${s}.sends FOR EACH ROW
  WHEN (NEW.appointment_id IS DISTINCT FROM OLD.appointment_id OR NEW.contact_id IS DISTINCT FROM OLD.contact_id)
  EXECUTE FUNCTION ${s}.sends_lookups_updated();
DROP INDEX ${s}.sends_appointment_idx;
DROP INDEX ${s}.sends_contact_idx;
`;
}

/** The tables every send writes (migration 5 sets the statistics target of each of their columns). */
const QUEUE_TABLES = "'sends', 'journal', 'send_appointments', 'send_contacts'";

/** Per-column statistics target of the queue tables: ANALYZE samples 300 rows per unit of the largest one. */
const QUEUE_STATISTICS = 10;

function queueStatistics(s: string): string {
  return `
-- A shorter ANALYZE of the tables every send writes. ANALYZE holds a snapshot while it samples a table, and while
-- a snapshot is held no row version made dead since can be pruned nor its index entry marked dead: every claim then
-- steps over the due-index entries of all the sends claimed meanwhile (claims of 100 at 10^6 pending: 15.6 -> 30.7
-- buffers and 39 -> 76 us a send for the claim during an autovacuum-paced ANALYZE of sends). At high rates
-- autoanalyze runs on sends as often as autovacuum's naptime allows (each send is three row changes); by default it
-- samples 30,000 rows (300 x the statistics target of 100), with autovacuum's cost delay: 1.8-3.9 s at 10^6 rows.
-- A target of ${QUEUE_STATISTICS} on every column samples ${QUEUE_STATISTICS * 300} rows: 0.06-0.38 s. No plan of this storage needs the
-- finer statistics: the claim and the batched calls are index scans driven by their inputs, the other lookups go
-- through primary keys. Every column the four tables have, read from the catalog (one list, the tables' own).
DO $f$ DECLARE c record; BEGIN FOR c IN SELECT t.relname, a.attname FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid WHERE t.relnamespace = '${s}'::regnamespace AND t.relname IN (${QUEUE_TABLES}) AND t.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY t.relname, a.attnum LOOP EXECUTE format('ALTER TABLE %s.%I ALTER COLUMN %I SET STATISTICS ${QUEUE_STATISTICS}', '${s}', c.relname, c.attname); END LOOP; END $f$;
`;
}

/**
 * The shipped migrations for a schema, in order, as SQL text: run them with {@link PostgresStorage.migrate}, or
 * in your own migration tool (each once, in order; `migrate()` records them in `<schema>.migrations`). The schema
 * itself is created by `migrate()`; when you run the SQL yourself, create it first (`CREATE SCHEMA rappel`).
 *
 * @param schema - A lower-case SQL identifier. @default "rappel"
 * @example
 * ```ts
 * for (const m of postgresMigrations("rappel")) await myTool.apply(`rappel_${m.version}_${m.name}`, m.sql);
 * postgresMigrations().map((m) => m.version) //=> [1, 2, 3, 4, 5]
 * ```
 */
export function postgresMigrations(schema = "rappel"): PostgresMigration[] {
  const s = quoteSchema(schema);
  return [
    { version: 1, name: "initial", sql: initial(s) },
    { version: 2, name: "inbox", sql: inbox(s) },
    { version: 3, name: "sends-fillfactor", sql: fillfactor(s) },
    { version: 4, name: "send-lookups", sql: sendLookups(s) },
    { version: 5, name: "queue-statistics", sql: queueStatistics(s) },
  ];
}

/** Applies the missing migrations under a session advisory lock (concurrent starters wait, then find them done). */
export async function runMigrations(db: Db, schema: string): Promise<number[]> {
  const s = quoteSchema(schema);
  const migrations = postgresMigrations(schema);
  return db.session(async (q) => {
    await q("SELECT pg_advisory_lock(hashtext($1))", [`rappel-migrate:${schema}`]);
    try {
      await q(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await q(
        `CREATE TABLE IF NOT EXISTS ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = new Set(
        (await q<{ version: number }>(`SELECT version FROM ${s}.migrations`)).map((r) => Number(r.version)),
      );
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await q("BEGIN");
        try {
          for (const statement of splitStatements(m.sql)) await q(statement);
          await q(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await q("COMMIT");
        } catch (e) {
          await q("ROLLBACK");
          throw e;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await q("SELECT pg_advisory_unlock(hashtext($1))", [`rappel-migrate:${schema}`]);
    }
  });
}

/** Splits our own migration text on `;` at line ends (a function body is written on one line). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((x) => x.replace(/^\s*--.*$/gm, "").trim())
    .filter((x) => x.length > 0);
}
