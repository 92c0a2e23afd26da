import {
  type AccountOptions,
  type Agenda,
  type Appointment,
  type CancelSpec,
  type Channel,
  type ClaimedSend,
  type ClientAccount,
  type CollaboratorUser,
  type CompleteManyItem,
  type Contact,
  createInAppTransport,
  ErrorCode,
  type JournalEntryInput,
  type JsonValue,
  type LeaseRef,
  type Logger,
  type MemoryClaim,
  type MemoryCompletion,
  type MemoryJournalInput,
  type MemorySendView,
  type MessageKind,
  noopLogger,
  type OutboundMessage,
  type PlannedSend,
  type PlanResult,
  RappelError,
  type RescheduleOptions,
  type Resource,
  resolveOptions,
  resolveSignature,
  type SendFilter,
  type SendOutcome,
  type SendRecord,
  type SendResult,
  type Service,
  type SkipReason,
  type Storage,
  systemClock,
  type Transport,
  TransportError,
  type UpsertResult,
} from "@rappel/core";
import { applySmsLimit } from "@rappel/templating";
import { planAppointmentEvent, usesContactAppointments } from "../planning/appointment.js";
import { planCustomSms } from "../planning/customSms.js";
import { groupDueSends } from "../planning/groups.js";
import { planNewMessage } from "../planning/newMessage.js";
import { sameSend } from "../planning/reconcile.js";
import { replanForOptionsChange } from "../planning/replan.js";
import { planSecurityEvent } from "../planning/security.js";
import type { ExistingSend, ExistingSendStatus } from "../planning/types.js";
import { zonedDateParts } from "../timing/zonedDateParts.js";
import {
  checkAdapters,
  type DirectStorage,
  directCalls,
  type GuardedData,
  guard,
  transportLists,
  wrapData,
  wrapStorage,
} from "./adapters.js";
import { purposeOf, type RenderData, renderEmail, renderSmsText, type SendData } from "./render.js";
import type {
  AccountRecord,
  PlanSummary,
  Rappel,
  RappelOptions,
  RappelScope,
  RunDueResult,
  Scheduler,
  UsageReport,
} from "./types.js";
import {
  AccountChangedSchema,
  AppointmentEventSchema,
  AppointmentMovedSchema,
  ContactChangedSchema,
  CustomSmsSchema,
  EngineOptionsSchema,
  MessageTakenSchema,
  MonthSchema,
  ProviderStatusSchema,
  parseInput,
  RunDueSchema,
  SecurityEventSchema,
  SmsKeywordSchema,
  StructureIdSchema,
} from "./validate.js";

/** The default clock: the one place the engine reads the system time. */

const realScheduler: Scheduler = {
  sleep(ms, signal) {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      (timer as { unref?: () => void }).unref?.();
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  },
};

const CONTACT_KINDS: readonly MessageKind[] = [
  "reminder",
  "immediate-reminder",
  "confirmation",
  "pending-confirmation",
  "cancellation",
  "survey",
];

const EMPTY_RESULT = (): RunDueResult => ({
  claimed: 0,
  sent: 0,
  retried: 0,
  failed: 0,
  unknown: 0,
  missed: 0,
  skipped: 0,
  cancelled: 0,
  fallback: 0,
  lost: 0,
});

/** The outcome of a claim a cancel or a newer plan stopped before its hand-off. */
const CANCELLED: SendOutcome = Object.freeze({ status: "cancelled" });

function existingStatus(s: SendRecord["status"]): ExistingSendStatus {
  return s === "planned" ? "pending" : s === "sending" ? "in-flight" : s === "cancelled" ? "cancelled" : "done";
}

/**
 * The calendar month (`YYYY-MM`) of an instant in a time zone: the month usage is counted in.
 *
 * @example
 * ```ts
 * monthOf(new Date("2026-05-31T22:30:00Z"), "Europe/Paris") //=> "2026-06"
 * ```
 */
export function monthOf(at: Date, timeZone: string): string {
  const p = zonedDateParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}`;
}

function notFound(what: string, id: string): RappelError {
  return new RappelError(ErrorCode.NOT_FOUND, `No such ${what} in this structure`, { details: { [`${what}Id`]: id } });
}

/** The common `{ appointmentId }` input, checked without zod (same rule as the schema: a 1–500 character id). */
function isBareAppointmentEvent(input: unknown): input is { appointmentId: string; overrides?: undefined } {
  if (input === null || typeof input !== "object") return false;
  const id = (input as { appointmentId?: unknown }).appointmentId;
  if (typeof id !== "string" || id.length === 0 || id.length > 500) return false;
  for (const k in input) if (k !== "appointmentId") return false;
  return true;
}

/**
 * Runs a generator whose `yield`s are adapter answers: it resumes at once with a plain value and awaits only a real
 * promise, so a synchronous data source costs no promise and no microtask. A rejection is thrown into the
 * generator at its `yield`.
 */
function drive<T>(g: Generator<unknown, T>): T | Promise<T> {
  let r = g.next();
  while (r.done !== true) {
    const v = r.value;
    if (v instanceof Promise) return driveAsync(g, v);
    r = g.next(v);
  }
  return r.value;
}

async function driveAsync<T>(g: Generator<unknown, T>, pending: Promise<unknown>): Promise<T> {
  let p: unknown = pending;
  for (;;) {
    let r: IteratorResult<unknown, T>;
    if (p instanceof Promise) {
      let value: unknown;
      let failed = false;
      let error: unknown;
      try {
        value = await p;
      } catch (e) {
        failed = true;
        error = e;
      }
      r = failed ? g.throw(error) : g.next(value);
    } else r = g.next(p);
    if (r.done === true) return r.value;
    p = r.value;
  }
}

function isLeaseLost(e: unknown): boolean {
  return e instanceof RappelError && e.code === ErrorCode.LEASE_LOST;
}

/**
 * A claimed send as the delivery phases read it: on a memory storage, the storage's read-only view of its row
 * (numbers for instants, `data` as JSON text, nothing copied); from any other storage, a {@link RecordView} of the
 * claim's record.
 */
type SendView = MemorySendView;

/** A claim as the delivery phases hold it (a memory storage's own claims are already of this shape). */
type Claim = MemoryClaim;

/**
 * The last object of each short-lived shape built by a `new`, kept by the module (see the memory storage's SHAPES):
 * V8 reaches the hidden class of a class instance through transitions it holds only weakly, so a full garbage
 * collection while no event is being read (or no claim of a storage reached through the contract is alive) would
 * free it, and every optimized function that checks it would be thrown away and compiled again. Plain object
 * literals need nothing of the kind (their site keeps their hidden class) as long as no property is added after the
 * literal: the engine's short-lived objects are built whole, in one literal each.
 */
const SHAPES: { reads: EventReads | null; record: RecordView | null } = { reads: null, record: null };

/** A view of a record a storage returned through the public contract (its data is already parsed). */
class RecordView implements SendView {
  readonly key: string;
  readonly structureId: string;
  readonly accountId: string;
  readonly kind: MessageKind;
  readonly channel: Channel;
  readonly rType: SendRecord["recipient"]["type"];
  readonly rId: string;
  readonly rAddress: string;
  readonly sendAt: number;
  readonly expiresAt: number | undefined;
  readonly nextAttemptAt: number;
  readonly appointmentId: string | undefined;
  readonly contactId: string | undefined;
  readonly billing: SendRecord["billing"];
  readonly groupKey: string | undefined;
  readonly data = "";
  readonly parsed: SendData;
  constructor(r: SendRecord) {
    this.key = r.key;
    this.structureId = r.structureId;
    this.accountId = r.accountId;
    this.kind = r.kind;
    this.channel = r.channel;
    this.rType = r.recipient.type;
    this.rId = r.recipient.id;
    this.rAddress = r.recipient.address;
    this.sendAt = r.sendAt.getTime();
    this.expiresAt = r.expiresAt?.getTime();
    this.nextAttemptAt = r.nextAttemptAt.getTime();
    this.appointmentId = r.appointmentId;
    this.contactId = r.contactId;
    this.billing = r.billing;
    this.groupKey = r.groupKey;
    this.parsed = r.data;
  }
}

function claimOf(c: ClaimedSend): Claim {
  const send = new RecordView(c.send);
  SHAPES.record = send;
  return {
    send,
    token: c.token,
    leaseExpiresAt: c.leaseExpiresAt.getTime(),
    interrupted: c.interrupted,
  };
}

function refOf(c: Claim): LeaseRef {
  return { structureId: c.send.structureId, key: c.send.key, token: c.token };
}

/** Parsed data texts, shared: the memory storage shares its short texts, so most sends parse nothing. */
const parsedTexts = new Map<string, SendData>();

function deepFreeze(v: JsonValue): void {
  if (v === null || typeof v !== "object") return;
  Object.freeze(v);
  for (const k in v) deepFreeze((v as Record<string, JsonValue>)[k]!);
}

/** A send's data, parsed: frozen and shared for short texts, parsed per send for long ones (they are unique). */
function dataOf(s: SendView): SendData {
  if (s instanceof RecordView) return s.parsed;
  const text = s.data;
  if (text.length > 64) return JSON.parse(text) as SendData;
  let d = parsedTexts.get(text);
  if (d === undefined) {
    d = JSON.parse(text) as SendData;
    deepFreeze(d as JsonValue);
    if (parsedTexts.size >= 4096) parsedTexts.clear();
    parsedTexts.set(text, d);
  }
  return d;
}

/** A planned send rebuilt from a view (for {@link groupDueSends}, on the rare grouped notices). */
function plannedOf(s: SendView): PlannedSend {
  const p: PlannedSend = {
    key: s.key,
    structureId: s.structureId,
    accountId: s.accountId,
    kind: s.kind,
    channel: s.channel,
    recipient: { type: s.rType, id: s.rId, address: s.rAddress },
    sendAt: new Date(s.sendAt),
    data: dataOf(s) as PlannedSend["data"],
  };
  if (s.expiresAt !== undefined) p.expiresAt = new Date(s.expiresAt);
  if (s.appointmentId !== undefined) p.appointmentId = s.appointmentId;
  if (s.contactId !== undefined) p.contactId = s.contactId;
  if (s.billing !== undefined) p.billing = s.billing;
  if (s.groupKey !== undefined) p.groupKey = s.groupKey;
  return p;
}

/**
 * A completion waiting for the batch's next `completeMany`: what to tally and journal once it is recorded. It is
 * itself the item of the memory storage's direct call.
 */
interface Pending extends MemoryCompletion {
  readonly claim: Claim;
  readonly outcome: SendOutcome | undefined;
  readonly reschedule: RescheduleOptions | undefined;
  tally: keyof RunDueResult | null;
  fallback: boolean;
  journal: JournalEntryInput | null;
  unitKey: string;
}

/** Usage counted after the fact for one account and month. */
interface UsageEntry {
  structureId: string;
  accountId: string;
  month: string;
  delta: Record<string, number>;
}

/** Per-`runDue` state: tallies and the journal entries written at the end of the batch. */
interface Batch {
  result: RunDueResult;
  journal: JournalEntryInput[];
  /** Usage counted after the fact (no quota gate): one `addUsage` per account and month at the end of the batch. */
  usage: Map<string, UsageEntry>;
  /** The usage entry counted into last. */
  lastUsage: UsageEntry | undefined;
  accounts: Map<string, AccountRecord | null | Promise<AccountRecord | null>>;
  /** The account read last (most units of a batch share one): no key built per unit. */
  lastSid: string;
  lastAccountId: string;
  lastAccount: AccountRecord | null | Promise<AccountRecord | null> | undefined;
  /** Completions waiting for the next `completeMany`. */
  pending: Pending[];
  /** Work that follows the recorded outcomes (an opt-out found by a transport). */
  after: (() => Promise<void>)[];
  /** The first unexpected error: the batch finishes, then `runDue` rejects with it. */
  firstError: unknown;
  /** Usage months by time zone, for the instant `monthAt`. */
  months: Map<string, string>;
  monthAt: number;
}

const READ_APPOINTMENT = 0;
const READ_ACCOUNT = 1;
const READ_AGENDA = 2;
const READ_CONTACT = 3;
const READ_HISTORY = 4;
const READ_USERS = 5;
const READ_ACCOUNTS = 6;
const READ_EXISTING = 7;

const NO_APPOINTMENTS: readonly Appointment[] = Object.freeze([]);
const NO_ACCOUNTS: readonly ClientAccount[] = Object.freeze([]);
const NO_CANCELS: readonly CancelSpec[] = Object.freeze([]);
const NO_USERS: readonly CollaboratorUser[] = Object.freeze([]);
/** A unit's claims let through by `beginSend` before any is: shared, replaced (never pushed to) by the first. */
const NO_LIVE: readonly number[] = Object.freeze([]);

/**
 * On an in-process storage, the most units a batch takes through its phases at once: a larger `runDue` limit is
 * delivered chunk after chunk, each with its own batched storage calls (function calls there). A unit's objects
 * (its record, outcome, journal entry, completion) live until its chunk's outcomes are recorded. V8 allocates the
 * objects of a literal straight into the old generation ("pretenuring") once most of those made since the last
 * collection are still alive at it, which it decides only for a site with at least 100 such objects: with hundreds
 * of units alive at once that happened at random from one process to the next, and every later scavenge then cost
 * more (docs/engine.md, "Eighth session"). 64 units stay under that count. A storage across a network keeps whole
 * batches: its round trips cost far more than the collector.
 */
const DELIVERY_CHUNK = 64;

/** What an appointment event reads before planning, filled read by read (`step` is the next read). */
class EventReads {
  step = READ_APPOINTMENT;
  /** Index of the next notification recipient to look up. */
  k = 0;
  appointment!: Appointment;
  rec!: AccountRecord;
  agenda!: Agenda;
  contact!: Contact;
  history: readonly Appointment[] = NO_APPOINTMENTS;
  users: readonly CollaboratorUser[] = NO_USERS;
  accounts: ClientAccount[] | undefined = undefined;
  existing: ExistingSend[] | undefined = undefined;
  constructor(
    readonly structureId: string,
    readonly appointmentId: string,
    /** Planned against what is stored (creations and confirmations). */
    readonly exact: boolean,
  ) {}
}

/**
 * Creates the Rappel engine: it plans sends when the host reports events, stores them in `storage`, claims
 * the due ones with a lease (several workers may share one storage), renders them at send time with the latest
 * data from `data`, applies SMS limits and quotas, hands them to the transports with an idempotency key, and records
 * every outcome in the per-contact journal.
 *
 * Every adapter call (storage, data source, transports) is wrapped: sync, async and throwing become one promise, and
 * failures are rethrown as `RappelError` code `adapter-error` with the original as `cause`. At creation, one
 * `adapter-incomplete` error lists every missing required method (`details.missing`). Invalid options throw
 * `ValidationError` (`invalid-input`).
 *
 * @param options - See {@link RappelOptions}.
 * @returns The engine: {@link Rappel}.
 * @throws `adapter-incomplete`, `invalid-input`.
 *
 * @example
 * ```ts
 * const engine = createRappel({
 *   storage: createMemoryStorage(),
 *   transports: { email: createMemoryTransport({ channel: "email" }), sms: [twilio, backupSms] },
 *   data: myDataSource,
 * });
 * await engine.forStructure("s1").appointmentCreated({ appointmentId: "r1" });
 * engine.start(); // delivers what is due, in the background
 * await engine.stop(); // in-flight sends finish first
 * ```
 */
export function createRappel(options: RappelOptions): Rappel {
  if (options === null || typeof options !== "object") {
    throw new RappelError(ErrorCode.ADAPTER_INCOMPLETE, "createRappel needs storage, data and transports", {
      details: { missing: ["storage", "data", "transports"] },
    });
  }
  checkAdapters(options.storage, options.data, options.transports);
  const opts = parseInput(EngineOptionsSchema, options, "engine options");
  const store: Storage = wrapStorage(options.storage);
  // The memory storage's synchronous calls (same checks, same errors, no promise per call), when it is one.
  const direct: DirectStorage = directCalls(options.storage);
  const data: GuardedData & { has(m: string): boolean } = wrapData(options.data);
  const chains = transportLists(options.transports);
  const clock = options.clock ?? systemClock;
  // In-app messages (R-44 channel `message`) go to the storage's inbox when the host gives no transport for them.
  const raw = options.storage;
  if (!chains.has("message") && typeof raw.appendInbox === "function" && typeof raw.readInbox === "function") {
    chains.set("message", [createInAppTransport({ storage: raw, clock }) as Transport]);
  }
  const logger: Logger = options.logger ?? noopLogger;
  const random = options.random ?? Math.random;
  const scheduler = options.scheduler ?? realScheduler;
  const lateness = opts.lateness ?? 3_600_000;
  const leaseMs = opts.leaseMs ?? 60_000;
  const owner = opts.workerId ?? "rappel";
  const batchSize = opts.batchSize ?? 200;
  const pollMs = opts.pollIntervalMs ?? 1_000;
  const maxAttempts = opts.retry?.maxAttempts ?? 8;
  const baseDelay = opts.retry?.baseDelayMs ?? 30_000;
  const maxDelay = opts.retry?.maxDelayMs ?? 3_600_000;
  const currency = opts.pricing?.currency ?? "CHF";
  const freeQuota = opts.pricing?.freeReminderSms ?? 200;
  const reminderPrice = opts.pricing?.reminderSms ?? 10;
  const customPrice = opts.pricing?.customSms ?? 15;
  const templates = options.templates;

  const resolvedOptions = new WeakMap<object, AccountOptions>();
  function optionsOf(rec: AccountRecord): AccountOptions {
    const input = rec.options ?? {};
    let o = resolvedOptions.get(input);
    if (o === undefined) {
      o = resolveOptions(input);
      resolvedOptions.set(input, o);
    }
    return o;
  }

  async function account(structureId: string, accountId: string): Promise<AccountRecord> {
    const rec = await data.getAccount(structureId, accountId);
    if (rec === null || rec.account.structureId !== structureId) throw notFound("account", accountId);
    return rec;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Planning side

  function existingFilter(f: { appointmentId?: string; contactId?: string }, after: string | undefined): SendFilter {
    // The two common filters as whole literals (see SHAPES); the rare ones are built member by member.
    if (after === undefined && (f.appointmentId === undefined) !== (f.contactId === undefined)) {
      return f.appointmentId !== undefined
        ? { limit: 10_000, appointmentId: f.appointmentId }
        : { limit: 10_000, contactId: f.contactId! };
    }
    const filter: SendFilter = { limit: 10_000 };
    if (f.appointmentId !== undefined) filter.appointmentId = f.appointmentId;
    if (f.contactId !== undefined) filter.contactId = f.contactId;
    if (after !== undefined) filter.after = after;
    return filter;
  }

  /** Adds a page of stored sends to `byKey`; the records are the storage's copies: their status is rewritten. */
  function collectExisting(byKey: Map<string, ExistingSend>, page: SendRecord[]): void {
    for (const r of page) {
      const e = r as unknown as ExistingSend;
      e.status = existingStatus(r.status);
      byKey.set(r.key, e);
    }
  }

  /** The stored sends matching any of `filters`, as the planner's existing sends (synchronous on a memory storage). */
  function existingOf(
    structureId: string,
    filters: { appointmentId?: string; contactId?: string }[],
  ): ExistingSend[] | Promise<ExistingSend[]> {
    const list = direct.listSends;
    if (list === undefined) return existingAsync(structureId, filters);
    let byKey: Map<string, ExistingSend> | undefined;
    for (const f of filters) {
      let after: string | undefined;
      for (;;) {
        const page = list(structureId, existingFilter(f, after));
        if (page.length > 0) {
          byKey ??= new Map();
          collectExisting(byKey, page);
        }
        if (page.length < 10_000) break;
        after = page[page.length - 1]!.key;
      }
    }
    return byKey === undefined ? [] : [...byKey.values()];
  }

  async function existingAsync(structureId: string, filters: { appointmentId?: string; contactId?: string }[]) {
    const byKey = new Map<string, ExistingSend>();
    for (const f of filters) {
      let after: string | undefined;
      for (;;) {
        const page = await store.listSends(structureId, existingFilter(f, after));
        collectExisting(byKey, page);
        if (page.length < 10_000) break;
        after = page[page.length - 1]!.key;
      }
    }
    return [...byKey.values()];
  }

  function emptySummary(): PlanSummary {
    return { planned: [], cancelled: [], stopped: [], tooLate: [], skipped: [] };
  }

  /**
   * Applies a plan: cancels first, then stores, then journals; returns the summary. Synchronous on a memory storage
   * when there is nothing to cancel or dedupe (the common creation).
   */
  function apply(
    structureId: string,
    plan: PlanResult,
    now: Date,
    extraCancels: readonly CancelSpec[] = [],
    dedupe = false,
  ): PlanSummary | Promise<PlanSummary> {
    const upsert = direct.upsertPlanned;
    const append = direct.appendEngineJournal;
    if (dedupe || extraCancels.length > 0 || plan.cancel.length > 0 || upsert === undefined || append === undefined)
      return applyAsync(structureId, plan, now, extraCancels, dedupe);
    const summary = emptySummary();
    const journal: JournalEntryInput[] = [];
    if (plan.plan.length > 0) recordPlanned(summary, journal, plan, upsert(structureId, plan.plan, now), now);
    recordSkipped(summary, journal, plan, now);
    if (journal.length > 0) append(structureId, journal);
    return summary;
  }

  function recordPlanned(
    summary: PlanSummary,
    journal: JournalEntryInput[],
    plan: PlanResult,
    r: UpsertResult,
    now: Date,
  ): void {
    const locked = r.lockedKeys.length === 0 ? undefined : new Set(r.lockedKeys);
    // The memory storage keeps the planned instant as a number (read back as `{ sendAt: <ISO> }`): no text per send.
    const compact = direct.appendEngineJournal !== undefined;
    for (const s of plan.plan) {
      if (locked?.has(s.key)) continue;
      summary.planned.push(s.key);
      if (s.contactId !== undefined) {
        // Built whole (see SHAPES): the fields of `entry` in the same order, then the planned instant.
        const e: MemoryJournalInput = compact
          ? {
              structureId: s.structureId,
              accountId: s.accountId,
              at: now,
              event: "planned",
              key: s.key,
              channel: s.channel,
              kind: s.kind,
              contactId: s.contactId,
              plannedSendAt: s.sendAt.getTime(),
            }
          : {
              structureId: s.structureId,
              accountId: s.accountId,
              at: now,
              event: "planned",
              key: s.key,
              channel: s.channel,
              kind: s.kind,
              contactId: s.contactId,
              data: { sendAt: s.sendAt.toISOString() },
            };
        journal.push(e);
      }
    }
  }

  function recordSkipped(summary: PlanSummary, journal: JournalEntryInput[], plan: PlanResult, now: Date): void {
    for (const s of plan.skipped) {
      summary.skipped.push({ key: s.key, reason: s.reason });
      if (s.contactId !== undefined) {
        journal.push({
          structureId: s.structureId,
          accountId: s.accountId,
          at: now,
          event: "skipped",
          key: s.key,
          channel: s.channel,
          kind: s.kind,
          contactId: s.contactId,
          reason: s.reason,
        });
      }
    }
  }

  async function applyAsync(
    structureId: string,
    plan: PlanResult,
    now: Date,
    extraCancels: readonly CancelSpec[],
    dedupe: boolean,
  ): Promise<PlanSummary> {
    const summary = emptySummary();
    if (dedupe) {
      // Planned without the stored state: leave out what is stored already with the same content (a replayed event
      // plans, journals and reports nothing new).
      const fresh = [];
      for (const send of plan.plan) {
        const stored = await store.getSend(structureId, send.key);
        if (stored === null || stored.status === "cancelled" || !sameSend(stored, send)) fresh.push(send);
      }
      plan = { ...plan, plan: fresh, skipped: fresh.length === plan.plan.length ? plan.skipped : [] };
    }
    const journal: JournalEntryInput[] = [];
    const cancels = extraCancels.length === 0 ? plan.cancel : [...extraCancels, ...plan.cancel];
    const plannedKeys = cancels.length === 0 ? undefined : new Set(plan.plan.map((s) => s.key));
    for (const spec of cancels) {
      const r = await store.cancel(structureId, spec, now);
      for (const s of r.cancelled) {
        if (plannedKeys?.has(s.key)) continue;
        summary.cancelled.push(s.key);
        if (s.contactId !== undefined) journal.push(entry(s, now, "cancelled"));
      }
      for (const s of r.stopped) {
        if (plannedKeys?.has(s.key)) continue;
        summary.stopped.push(s.key);
        if (s.contactId !== undefined) journal.push(entry(s, now, "cancelled"));
      }
      for (const s of r.tooLate) summary.tooLate.push(s.key);
    }
    if (plan.plan.length > 0) {
      const upsert = direct.upsertPlanned;
      const r =
        upsert !== undefined
          ? upsert(structureId, plan.plan, now)
          : await store.upsertPlanned(structureId, plan.plan, now);
      recordPlanned(summary, journal, plan, r, now);
    }
    recordSkipped(summary, journal, plan, now);
    // Every entry made here names its contact (entries without one are never made).
    if (journal.length > 0) await appendJournal(structureId, journal);
    for (const k of summary.tooLate) logger.info("plan.cancel-too-late", { structureId, sendKey: k });
    return summary;
  }

  /**
   * `appendJournal`, synchronously on a memory storage (which trusts the entries the engine built from its sends and
   * keeps a planned instant as a number).
   */
  function appendJournal(structureId: string, entries: MemoryJournalInput[]): Promise<unknown> | undefined {
    const append = direct.appendEngineJournal;
    if (append === undefined) return store.appendJournal(structureId, entries);
    append(structureId, entries);
    return undefined;
  }

  function entry(
    s: Pick<SendRecord, "structureId" | "key" | "kind" | "channel" | "accountId"> & { contactId?: string },
    at: Date,
    event: JournalEntryInput["event"],
  ): JournalEntryInput {
    // One literal per shape (no property added afterwards, see SHAPES): same fields, same order as before.
    if (s.contactId === undefined) {
      return {
        structureId: s.structureId,
        accountId: s.accountId,
        at,
        event,
        key: s.key,
        channel: s.channel,
        kind: s.kind,
      };
    }
    return {
      structureId: s.structureId,
      accountId: s.accountId,
      at,
      event,
      key: s.key,
      channel: s.channel,
      kind: s.kind,
      contactId: s.contactId,
    };
  }

  /**
   * An appointment event: reads (a resumable state machine, {@link advanceReads}: synchronous while the data source
   * and the storage answer synchronously, so a creation on a memory storage costs no promise and no async frame
   * until the one it returns), then plans and applies.
   */
  function appointmentEvent(
    structureId: string,
    event: "created" | "moved" | "cancelled" | "confirmed",
    input: unknown,
  ): Promise<PlanSummary> {
    try {
      const moved = event === "moved";
      const args = moved
        ? parseInput(AppointmentMovedSchema, input, "appointmentMoved input")
        : isBareAppointmentEvent(input)
          ? input
          : parseInput(AppointmentEventSchema, input, `appointment ${event} input`);
      // Creations and confirmations are planned against what is stored (exact, idempotent).
      const r = new EventReads(structureId, args.appointmentId, event === "created" || event === "confirmed");
      SHAPES.reads = r;
      const now = clock.now();
      const pending = advanceReads(r);
      if (pending !== undefined) return resumeEvent(r, pending, event, args, now);
      const out = planEvent(r, event, args, now);
      return out instanceof Promise ? out : Promise.resolve(out);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async function resumeEvent(
    r: EventReads,
    pending: Promise<void>,
    event: "created" | "moved" | "cancelled" | "confirmed",
    args: { appointmentId: string; overrides?: unknown },
    now: Date,
  ): Promise<PlanSummary> {
    for (let p: Promise<void> | undefined = pending; p !== undefined; p = advanceReads(r)) await p;
    return planEvent(r, event, args, now);
  }

  /**
   * Runs the reads of `r` from its current step on; returns the first answer that is a promise (already wired to
   * store its value and move on: the caller awaits it and calls again), or `undefined` once everything is read.
   */
  function advanceReads(r: EventReads): Promise<void> | undefined {
    const sid = r.structureId;
    for (;;) {
      let v: unknown;
      switch (r.step) {
        case READ_APPOINTMENT:
          v = data.getAppointment(sid, r.appointmentId);
          break;
        case READ_ACCOUNT:
          v = data.getAccount(sid, r.appointment.accountId);
          break;
        case READ_AGENDA:
          v = data.getAgenda(sid, r.appointment.agendaId);
          break;
        case READ_CONTACT:
          v = data.getContact(sid, r.appointment.contactId);
          break;
        case READ_HISTORY:
          // Read only when the account's rules look at the contact's other appointments.
          if (!usesContactAppointments(optionsOf(r.rec), r.appointment.agendaId)) {
            r.step = READ_USERS;
            continue;
          }
          v = data.listContactAppointments(sid, r.contact.id);
          break;
        case READ_USERS: {
          // Notification recipients other than the account itself are looked up only when named.
          let any = false;
          for (const x of optionsOf(r.rec).notifications.recipients) if (x.type === "user") any = true;
          if (!any) {
            r.step = READ_ACCOUNTS;
            continue;
          }
          v = data.listUsers(sid);
          break;
        }
        case READ_ACCOUNTS: {
          const recipients = optionsOf(r.rec).notifications.recipients;
          while (r.k < recipients.length) {
            const x = recipients[r.k]!;
            if (x.type === "account" && x.accountId !== r.rec.account.id) break;
            r.k++;
          }
          if (r.k >= recipients.length) {
            r.step = READ_EXISTING;
            continue;
          }
          v = data.getAccount(sid, (recipients[r.k] as { accountId: string }).accountId);
          break;
        }
        case READ_EXISTING:
          if (!r.exact) return undefined;
          v = existingOf(sid, [{ appointmentId: r.appointment.id }, { contactId: r.contact.id }]);
          break;
        default:
          return undefined;
      }
      if (v instanceof Promise) return v.then((x: unknown) => takeRead(r, x));
      takeRead(r, v);
    }
  }

  /** Stores the answer of the current read of `r` (or throws `not-found`) and moves to the next read. */
  function takeRead(r: EventReads, v: unknown): void {
    const sid = r.structureId;
    switch (r.step) {
      case READ_APPOINTMENT: {
        const a = v as Appointment | null;
        if (a === null || a.structureId !== sid) throw notFound("appointment", r.appointmentId);
        r.appointment = a;
        break;
      }
      case READ_ACCOUNT: {
        const rec = v as AccountRecord | null;
        if (rec === null || rec.account.structureId !== sid) throw notFound("account", r.appointment.accountId);
        r.rec = rec;
        break;
      }
      case READ_AGENDA:
        if (v === null) throw notFound("agenda", r.appointment.agendaId);
        r.agenda = v as Agenda;
        break;
      case READ_CONTACT:
        if (v === null) throw notFound("contact", r.appointment.contactId);
        r.contact = v as Contact;
        break;
      case READ_HISTORY:
        r.history = (v as readonly Appointment[] | null) ?? NO_APPOINTMENTS;
        break;
      case READ_USERS:
        r.users = (v as CollaboratorUser[] | null) ?? NO_USERS;
        break;
      case READ_ACCOUNTS: {
        const other = v as AccountRecord | null;
        if (other !== null && other.account.structureId === sid) {
          if (r.accounts === undefined) r.accounts = [other.account];
          else r.accounts.push(other.account);
        }
        r.k++;
        return;
      }
      case READ_EXISTING:
        r.existing = v as ExistingSend[];
        break;
    }
    r.step++;
  }

  function planEvent(
    r: EventReads,
    event: "created" | "moved" | "cancelled" | "confirmed",
    args: { appointmentId: string; overrides?: unknown },
    now: Date,
  ): PlanSummary | Promise<PlanSummary> {
    const { appointment, rec } = r;
    const moved = event === "moved";
    let previous: Appointment | undefined;
    if (moved) {
      const m = args as unknown as { previousStart: Date; previousEnd?: Date };
      const end =
        m.previousEnd ??
        new Date(m.previousStart.getTime() + (appointment.end.getTime() - appointment.start.getTime()));
      previous = { ...appointment, start: m.previousStart, end };
    }
    // Moves and cancellations are planned from the state alone and cancel the appointment's whole scope first
    // (claimed sends included, so nothing of the old state goes out after the call); the plan then revives what the
    // new state still wants.
    // One literal (see SHAPES): the planner reads an absent and an undefined member alike.
    const planInput: Parameters<typeof planAppointmentEvent>[0] = {
      event,
      appointment,
      account: rec.account,
      options: optionsOf(rec),
      agenda: r.agenda,
      contact: r.contact,
      contactAppointments: r.history,
      now,
      directory: { users: r.users, accounts: r.accounts ?? NO_ACCOUNTS },
      previous,
      existing: r.existing,
      overrides: args.overrides ? (args.overrides as never) : undefined,
    };
    const plan = planAppointmentEvent(planInput);
    const extra: readonly CancelSpec[] =
      event === "cancelled"
        ? [{ appointmentId: appointment.id }]
        : moved
          ? [{ appointmentId: appointment.id, kinds: CONTACT_KINDS }]
          : NO_CANCELS;
    return apply(r.structureId, plan, now, extra);
  }

  async function replanAccount(
    structureId: string,
    rec: AccountRecord,
    appointments: readonly Appointment[],
    contacts: readonly Contact[],
    now: Date,
  ): Promise<PlanSummary> {
    const history: Appointment[] = [];
    const options = optionsOf(rec);
    if (appointments.some((a) => usesContactAppointments(options, a.agendaId)))
      for (const c of contacts) history.push(...((await data.listContactAppointments(structureId, c.id)) ?? []));
    const existing = await existingOf(
      structureId,
      appointments.map((a) => ({ appointmentId: a.id })),
    );
    const plan = replanForOptionsChange({
      account: rec.account,
      options,
      appointments,
      contacts,
      history,
      existing,
      now,
    });
    return apply(structureId, plan, now);
  }

  function merge(into: PlanSummary, from: PlanSummary): PlanSummary {
    into.planned.push(...from.planned);
    into.cancelled.push(...from.cancelled);
    into.stopped.push(...from.stopped);
    into.tooLate.push(...from.tooLate);
    into.skipped.push(...from.skipped);
    return into;
  }

  async function optOut(structureId: string, phone: string, at: Date, now: Date): Promise<PlanSummary> {
    await store.setSmsOptOut(structureId, phone, true, at);
    const pending = await store.listSends(structureId, {
      address: phone,
      channel: "sms",
      status: ["planned", "sending"],
      limit: 10_000,
    });
    const summary: PlanSummary = { planned: [], cancelled: [], stopped: [], tooLate: [], skipped: [] };
    if (pending.length > 0) {
      const r = await store.cancel(structureId, { keys: pending.map((s) => s.key) }, now);
      summary.cancelled = r.cancelled.map((s) => s.key);
      summary.stopped = r.stopped.map((s) => s.key);
      summary.tooLate = r.tooLate.map((s) => s.key);
      const journal: JournalEntryInput[] = [];
      const told = new Set<string>();
      for (const s of [...r.cancelled, ...r.stopped]) {
        if (s.contactId === undefined) continue;
        if (!told.has(s.contactId)) {
          told.add(s.contactId);
          journal.push({ ...entry(s, now, "opted-out"), key: undefined as never, reason: "stop" });
        }
        journal.push({ ...entry(s, now, "cancelled"), reason: "opted-out" });
      }
      for (const e of journal) if (e.key === undefined) delete e.key;
      if (journal.length > 0) await store.appendJournal(structureId, journal);
    }
    return summary;
  }

  const scopes = new Map<string, RappelScope>();
  function forStructure(structureIdInput: string): RappelScope {
    const structureId = parseInput(StructureIdSchema, structureIdInput, "structure id");
    const cached = scopes.get(structureId);
    if (cached) return cached;
    const scope: RappelScope = {
      structureId,
      appointmentCreated: (input) => appointmentEvent(structureId, "created", input),
      appointmentMoved: (input) => appointmentEvent(structureId, "moved", input),
      appointmentCancelled: (input) => appointmentEvent(structureId, "cancelled", input),
      appointmentConfirmed: (input) => appointmentEvent(structureId, "confirmed", input),
      async messageTaken(input) {
        const args = parseInput(MessageTakenSchema, input, "messageTaken input");
        const now = clock.now();
        const rec = await account(structureId, args.message.accountId);
        const contact = args.message.contactId ? await data.getContact(structureId, args.message.contactId) : null;
        const plan = planNewMessage({
          message: { ...args.message, structureId },
          account: rec.account,
          options: optionsOf(rec),
          ...(contact ? { contact } : {}),
          ...(args.overrides ? { overrides: args.overrides as never } : {}),
          now,
        });
        return apply(structureId, plan, now, [], true);
      },
      async securityEvent(input) {
        const args = parseInput(SecurityEventSchema, input, "securityEvent input");
        const now = clock.now();
        const users = (await data.listUsers(structureId)) ?? [];
        const agenda = args.agendaId ? await data.getAgenda(structureId, args.agendaId) : null;
        if (args.agendaId && agenda === null) throw notFound("agenda", args.agendaId);
        let agendas: readonly import("@rappel/core").Agenda[] = [];
        if (args.agendaIds) {
          for (const id of args.agendaIds) {
            const g = await data.getAgenda(structureId, id);
            if (g === null) throw notFound("agenda", id);
            agendas = [...agendas, g];
          }
        } else agendas = (await data.listAgendas(structureId)) ?? [];
        const plan = planSecurityEvent({
          event: args.event,
          eventId: args.eventId,
          structureId,
          ...(args.accountId ? { accountId: args.accountId } : {}),
          user: args.user,
          ...(args.previousEmail ? { previousEmail: args.previousEmail } : {}),
          ...(agenda ? { agenda } : {}),
          agendas,
          users,
          now,
        });
        return apply(structureId, plan, now, [], true);
      },
      async customSms(input) {
        const args = parseInput(CustomSmsSchema, input, "customSms input");
        const now = clock.now();
        const rec = await account(structureId, args.accountId);
        const contacts: Contact[] = [];
        for (const id of args.contactIds) {
          const c = await data.getContact(structureId, id);
          if (c === null) throw notFound("contact", id);
          contacts.push(c);
        }
        const plan = planCustomSms({
          kind: args.kind,
          id: args.id,
          account: rec.account,
          options: optionsOf(rec),
          contacts,
          text: args.text,
          ...(args.sendAt ? { sendAt: args.sendAt } : {}),
          ...(args.at ? { at: args.at } : {}),
          ...(args.timeZone ? { timeZone: args.timeZone } : {}),
          now,
        });
        return apply(structureId, plan, now, [], true);
      },
      async contactPreferencesChanged(input) {
        const args = parseInput(ContactChangedSchema, input, "contactPreferencesChanged input");
        const now = clock.now();
        const contact = await data.getContact(structureId, args.contactId);
        if (contact === null) throw notFound("contact", args.contactId);
        const all = (await data.listContactAppointments(structureId, contact.id)) ?? [];
        const byAccount = new Map<string, Appointment[]>();
        for (const a of all) {
          if (a.start.getTime() <= now.getTime()) continue;
          const l = byAccount.get(a.accountId) ?? [];
          l.push(a);
          byAccount.set(a.accountId, l);
        }
        const summary: PlanSummary = { planned: [], cancelled: [], stopped: [], tooLate: [], skipped: [] };
        for (const [accountId, list] of byAccount) {
          const rec = await account(structureId, accountId);
          merge(summary, await replanAccount(structureId, rec, list, [contact], now));
        }
        return summary;
      },
      async smsKeyword(input) {
        const args = parseInput(SmsKeywordSchema, input, "smsKeyword input");
        const now = clock.now();
        const at = args.at ?? now;
        if (args.keyword === "stop") return optOut(structureId, args.phone, at, now);
        await store.setSmsOptOut(structureId, args.phone, false, at);
        return { planned: [], cancelled: [], stopped: [], tooLate: [], skipped: [] };
      },
      async accountOptionsChanged(input) {
        const args = parseInput(AccountChangedSchema, input, "accountOptionsChanged input");
        if (!data.has("listAccountAppointments")) {
          throw new RappelError(
            ErrorCode.INVALID_STATE,
            "Re-planning after an options change needs data.listAccountAppointments",
          );
        }
        const now = clock.now();
        const rec = await account(structureId, args.accountId);
        const appointments = ((await data.listAccountAppointments(structureId, args.accountId, now)) ?? []).filter(
          (a) => a.structureId === structureId && a.accountId === args.accountId,
        );
        const contacts: Contact[] = [];
        const seen = new Set<string>();
        const kept: Appointment[] = [];
        for (const a of appointments) {
          if (!seen.has(a.contactId)) {
            seen.add(a.contactId);
            const c = await data.getContact(structureId, a.contactId);
            if (c !== null) contacts.push(c);
          }
          if (contacts.some((c) => c.id === a.contactId)) kept.push(a);
        }
        return replanAccount(structureId, rec, kept, contacts, now);
      },
      async journal(contactId, readOptions) {
        parseInput(StructureIdSchema, contactId, "contact id");
        return store.readJournal(structureId, contactId, readOptions);
      },
      async usage(accountId, month) {
        parseInput(StructureIdSchema, accountId, "account id");
        parseInput(MonthSchema, month, "month");
        const rec = await account(structureId, accountId);
        const counters = await store.getUsage(structureId, accountId, month);
        const quota = rec.account.onlineBooking ? freeQuota : 0;
        const billable = Math.max(0, counters.reminderSmsCredits - quota);
        const report: UsageReport = {
          accountId,
          month,
          counters,
          creditsUsed: counters.reminderSmsCredits + counters.customSmsCredits + counters.otherSmsCredits,
          freeQuota: quota,
          freeLeft: Math.max(0, quota - counters.reminderSmsCredits),
          billableReminderCredits: billable,
          customCredits: counters.customSmsCredits,
          amountDue: { amount: billable * reminderPrice + counters.customSmsCredits * customPrice, currency },
        };
        return report;
      },
      async inbox(recipientId, readOptions) {
        parseInput(StructureIdSchema, recipientId, "recipient id");
        if (typeof raw.readInbox !== "function") {
          throw new RappelError(ErrorCode.INVALID_STATE, "This storage has no in-app inbox (readInbox)");
        }
        const r = raw.readInbox;
        return guard("storage", "readInbox", () => r.call(raw, structureId, recipientId, readOptions));
      },
      async sendStatus(key) {
        parseInput(StructureIdSchema, key, "send key");
        return store.getSend(structureId, key);
      },
      async listSends(filter) {
        return store.listSends(structureId, filter);
      },
    };
    scopes.set(structureId, scope);
    return scope;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Delivery side

  function backoff(attempt: number, retryAfterMs: number | undefined): number {
    const ceiling = Math.min(maxDelay, baseDelay * 2 ** Math.max(0, attempt - 1));
    const jitter = Math.floor(random() * ceiling);
    return retryAfterMs !== undefined ? Math.max(Math.min(retryAfterMs, maxDelay), jitter) : jitter;
  }

  function idempotentChain(channel: Channel): boolean {
    const list = chains.get(channel);
    return list?.every((t) => t.capabilities?.idempotencyKey === true) === true;
  }

  /** Security notices concern users, not a client account: they render as the structure. */
  async function structureAccount(structureId: string): Promise<AccountRecord> {
    const st = await data.getStructure(structureId);
    const account: ClientAccount = {
      id: structureId,
      structureId,
      name: st?.name ?? "",
      email: "",
      signupDate: "2000-01-01",
      status: "active",
      onlineBooking: false,
      timeZone: st?.timeZone ?? "Europe/Paris",
      locale: st?.locale ?? "fr-FR",
    };
    return { account, options: { communication: { locale: account.locale } } };
  }

  async function signatureOf(send: SendView, d: RenderData, kind: MessageKind): Promise<string | undefined> {
    if (!data.has("getSignature")) return undefined;
    const NONE = "\u0000none";
    const purpose = purposeOf(kind);
    const id = resolveSignature({
      account: d.account.signatureId ? { signatureId: d.account.signatureId } : {},
      ...(d.agenda?.signatureId ? { agenda: { signatureId: d.agenda.signatureId } } : {}),
      ...(d.service?.signatureId ? { service: { signatureId: d.service.signatureId } } : {}),
      ...(d.resource?.signatureId ? { resource: { signatureId: d.resource.signatureId } } : {}),
      ...(purpose ? { purpose } : {}),
      ...(d.purposeSignatures ? { purposeSignatures: d.purposeSignatures } : {}),
      defaultSignatureId: d.account.signatureId ?? NONE,
    });
    if (id === NONE) return undefined;
    const sig = await data.getSignature(send.structureId, id);
    return sig?.html;
  }

  /** The address a contact send goes to now (latest data), or why it cannot go. */
  function currentAddress(send: SendView, d: RenderData, channel: Channel): string | SkipReason {
    if (send.rType !== "contact" || d.contact === null) return send.rAddress;
    const c = d.contact;
    if (channel === "email") {
      if (c.preferences.email.enabled === false && send.kind !== "custom-sms") return "consent";
      return c.email ?? "no-email";
    }
    if (channel === "sms") {
      if (c.preferences.sms.optedOut) return "opted-out";
      if (c.preferences.sms.enabled === false) return "consent";
      const i = c.preferences.sms.phoneIndex;
      const phone = i !== undefined ? c.phones[i] : c.phones.find((p) => p.mobile);
      return phone?.mobile ? phone.number : "no-mobile";
    }
    return send.rAddress;
  }

  type Attempt =
    | { ok: true; provider: string; providerMessageId: string; status: SendRecord["providerStatus"] }
    | { ok: false; failure: "transient" | "permanent" | "unknown"; error: unknown; provider: string };

  function failureCode(e: unknown): string {
    if (e instanceof TransportError && e.providerCode) return e.providerCode;
    if (e instanceof RappelError) return e.code;
    return ErrorCode.TRANSPORT_TRANSIENT;
  }

  function failureText(e: unknown): string {
    if (e instanceof TransportError) {
      return [e.command, e.responseCode, e.providerCode].filter((x) => x !== undefined).join(" ") || e.code;
    }
    return e instanceof RappelError ? e.code : "transport error";
  }

  /** Builds the outbound message of a send on `channel` (SMS may fall back to email). */
  function outbound(
    send: SendView,
    sendData: SendData,
    d: RenderData,
    channel: Channel,
    to: string,
    key: string,
    sms: string | undefined,
    email: { subject: string; html: string; text: string } | undefined,
  ): OutboundMessage {
    const metadata = { kind: send.kind, sendKey: send.key };
    const { structureId, accountId } = send;
    if (channel === "sms") {
      return { channel, idempotencyKey: key, structureId, accountId, metadata, to, body: sms! };
    }
    const e = email!;
    if (channel === "email") {
      const m: OutboundMessage = {
        channel,
        idempotencyKey: key,
        structureId,
        accountId,
        metadata,
        to: { address: to },
        subject: e.subject,
        text: e.text,
        html: e.html,
      };
      const slot = sendData.slot === "second" ? "second" : "first";
      const sender = send.kind === "reminder" ? d.options.reminders[slot].senderEmail : undefined;
      if (sender) m.from = { address: sender, name: d.account.name };
      return m;
    }
    if (channel === "fax") {
      return {
        channel,
        idempotencyKey: key,
        structureId,
        accountId,
        metadata,
        to,
        subject: e.subject,
        text: e.text,
        html: e.html,
      };
    }
    return {
      channel: "message",
      idempotencyKey: key,
      structureId,
      accountId,
      metadata,
      to,
      subject: e.subject,
      text: e.text,
    };
  }

  /** One message being delivered: its claims, leases, batch and what the phases found out about it. */
  interface Unit {
    batch: Batch;
    claims: Claim[];
    /** The lead claim's data, parsed. */
    data: SendData;
    /** The message key (idempotency key given to the transport). */
    key: string;
    now: Date;
    /** Finished early (completed, skipped, failed or lost): later phases leave it alone. */
    done: boolean;
    d: RenderData | null;
    channel: Channel;
    to: string;
    smsText: string | undefined;
    email: { subject: string; html: string; text: string } | undefined;
    credits: number;
    month: string;
    reserved: UsageDelta | undefined;
    later: UsageDelta | undefined;
    fellBack: boolean;
    /** Indexes of the claims `beginSend` let through. */
    live: number[];
    attempts: number;
  }

  function journalEntry(
    u: Unit,
    s: SendView,
    event: JournalEntryInput["event"],
    extra?: Partial<JournalEntryInput>,
  ): JournalEntryInput | null {
    if (s.contactId === undefined) return null;
    const e = entry(s, u.now, event);
    return extra === undefined ? e : Object.assign(e, extra);
  }

  function journalOf(u: Unit, s: SendView, event: JournalEntryInput["event"], extra?: Partial<JournalEntryInput>) {
    const e = journalEntry(u, s, event, extra);
    if (e !== null) u.batch.journal.push(e);
  }

  /** Queues the completion of one claim; it is tallied and journaled once the storage recorded it. */
  function queue(
    u: Unit,
    i: number,
    outcome: SendOutcome | undefined,
    reschedule: RescheduleOptions | undefined,
    tally: keyof RunDueResult | null,
    event: JournalEntryInput["event"],
    extra?: Partial<JournalEntryInput>,
  ): void {
    pendingOf(u, i, outcome, reschedule, tally, journalEntry(u, u.claims[i]!.send, event, extra));
  }

  function pendingOf(
    u: Unit,
    i: number,
    outcome: SendOutcome | undefined,
    reschedule: RescheduleOptions | undefined,
    tally: keyof RunDueResult | null,
    journal: JournalEntryInput | null,
  ): void {
    u.batch.pending.push({
      claim: u.claims[i]!,
      outcome,
      reschedule,
      tally,
      fallback: u.fellBack && tally === "sent",
      journal,
      unitKey: u.key,
    });
  }

  /** Queues the same outcome for every claim of the unit and ends it. */
  function completeAll(
    u: Unit,
    outcome: SendOutcome,
    event: JournalEntryInput["event"],
    tally: keyof RunDueResult,
    extra?: Partial<JournalEntryInput>,
  ): void {
    for (let i = 0; i < u.claims.length; i++) queue(u, i, outcome, undefined, tally, event, extra);
    u.done = true;
  }

  function skipAll(u: Unit, reason: SkipReason): void {
    completeAll(u, { status: "skipped", skipReason: reason }, "skipped", "skipped", { reason });
  }

  type UsageDelta = Partial<Record<keyof import("@rappel/core").UsageCounters, number>>;

  /** A batch item's error as the engine sees it: lease loss as is, anything else as an adapter error. */
  function itemError(method: string, e: unknown): RappelError {
    if (e instanceof RappelError && (e.code === ErrorCode.LEASE_LOST || e.code === ErrorCode.ADAPTER_ERROR)) return e;
    return new RappelError(ErrorCode.ADAPTER_ERROR, `storage.${method} failed on an item`, {
      cause: e,
      details: { adapter: "storage", method },
    });
  }

  /**
   * The hand-off of every claim, in order: per item the attempts counted (≥ 1), 0 when a cancel or a newer plan
   * came since the claim, or the item's error. The memory storage's direct call, else `beginSendMany`, else one
   * `beginSend` per claim.
   */
  function beginMany(claims: Claim[], now: Date): (number | RappelError)[] | Promise<(number | RappelError)[]> {
    if (direct.beginClaims !== undefined) return direct.beginClaims(claims, now);
    return beginManyPublic(claims, now);
  }

  async function beginManyPublic(claims: Claim[], now: Date): Promise<(number | RappelError)[]> {
    const out: (number | RappelError)[] = [];
    if (store.beginSendMany !== undefined) {
      const results = await store.beginSendMany(claims.map(refOf), now);
      for (let i = 0; i < claims.length; i++) {
        const r = results[i];
        out.push(
          r === undefined
            ? new RappelError(ErrorCode.ADAPTER_ERROR, "beginSendMany: missing result")
            : r.ok
              ? r.value.ok
                ? r.value.attempts
                : 0
              : r.error,
        );
      }
      return out;
    }
    for (const c of claims) {
      try {
        const r = await store.beginSend(refOf(c), now);
        out.push(r.ok ? r.attempts : 0);
      } catch (e) {
        out.push(itemError("beginSend", e));
      }
    }
    return out;
  }

  /**
   * Records the queued completions, in order: per item `null` once recorded, or the item's error. The memory
   * storage's direct call, else `completeMany`, else one `complete`/`reschedule` per item.
   */
  function completeMany(items: Pending[], now: Date): (RappelError | null)[] | Promise<(RappelError | null)[]> {
    if (direct.completeClaims !== undefined) return direct.completeClaims(items, now);
    return completeManyPublic(items, now);
  }

  async function completeManyPublic(items: Pending[], now: Date): Promise<(RappelError | null)[]> {
    const out: (RappelError | null)[] = [];
    if (store.completeMany !== undefined) {
      const batchItems: CompleteManyItem[] = items.map((p) =>
        p.outcome !== undefined
          ? { ref: refOf(p.claim), outcome: p.outcome }
          : { ref: refOf(p.claim), reschedule: p.reschedule! },
      );
      const results = await store.completeMany(batchItems, now);
      for (let i = 0; i < items.length; i++) {
        const r = results[i];
        out.push(
          r === undefined
            ? new RappelError(ErrorCode.ADAPTER_ERROR, "completeMany: missing result")
            : r.ok
              ? null
              : r.error,
        );
      }
      return out;
    }
    for (const p of items) {
      try {
        if (p.outcome !== undefined) await store.complete(refOf(p.claim), p.outcome, now);
        else await store.reschedule(refOf(p.claim), p.reschedule!, now);
        out.push(null);
      } catch (e) {
        out.push(itemError(p.outcome !== undefined ? "complete" : "reschedule", e));
      }
    }
    return out;
  }

  /** The numbers among `e164s` opted out of SMS in the structure: one call when the storage can answer for many. */
  async function optedOutAmong(structureId: string, e164s: string[]): Promise<Set<string>> {
    if (direct.smsOptedOutAmong !== undefined) return new Set(direct.smsOptedOutAmong(structureId, e164s));
    if (store.smsOptedOutAmong !== undefined) return new Set(await store.smsOptedOutAmong(structureId, e164s));
    const out = new Set<string>();
    for (const n of new Set(e164s)) if (await store.isSmsOptedOut(structureId, n)) out.add(n);
    return out;
  }

  /** Records the queued completions in one `completeMany`; tallies and journals what was recorded. */
  async function flush(batch: Batch): Promise<void> {
    const pending = batch.pending;
    if (pending.length === 0) return;
    batch.pending = [];
    let results: (RappelError | null)[];
    try {
      const r = completeMany(pending, clock.now());
      results = r instanceof Promise ? await r : r;
    } catch (e) {
      logger.error("send.error", { code: e instanceof RappelError ? e.code : "unexpected", sends: pending.length });
      batch.firstError ??= e;
      return;
    }
    const res = batch.result;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      const r = results[i];
      if (r === null) {
        if (p.tally !== null) res[p.tally]++;
        if (p.fallback) res.fallback++;
        if (p.journal !== null) batch.journal.push(p.journal);
        continue;
      }
      const error = r === undefined ? new RappelError(ErrorCode.ADAPTER_ERROR, "completeMany: missing result") : r;
      if (isLeaseLost(error)) {
        res.lost++;
        logger.warn("send.lease-lost", { sendKey: p.claim.send.key });
      } else {
        logger.error("send.error", {
          sendKey: p.unitKey,
          code: error instanceof RappelError ? error.code : "unexpected",
        });
        batch.firstError ??= error;
      }
    }
  }

  /** Ends a unit on an error: lease loss is counted, anything else is logged and rethrown after the batch. */
  function fail(u: Unit, e: unknown): void {
    u.done = true;
    if (isLeaseLost(e)) {
      u.batch.result.lost += u.claims.length;
      logger.warn("send.lease-lost", { sendKey: u.key });
      return;
    }
    logger.error("send.error", { sendKey: u.key, code: e instanceof RappelError ? e.code : "unexpected" });
    u.batch.firstError ??= e;
  }

  /** Runs one phase of a unit: synchronously when the phase can (no promise, no microtask), else its promise. */
  function step(u: Unit, phase: (u: Unit) => Promise<void> | void): Promise<void> | undefined {
    let r: Promise<void> | void;
    try {
      r = phase(u);
    } catch (e) {
      fail(u, e);
      return undefined;
    }
    return r instanceof Promise ? r.then(undefined, (e: unknown) => fail(u, e)) : undefined;
  }

  /** Phase 1: too late or interrupted, latest data, who it goes to now. */
  function prepare(u: Unit): Promise<void> | void {
    const { claims } = u;
    const lead = claims[0]!.send;
    const sid = lead.structureId;
    // a previous holder handed it off and vanished: the provider may have it.
    let interrupted = false;
    for (const c of claims) if (c.interrupted) interrupted = true;
    if (interrupted && !idempotentChain(lead.channel)) {
      completeAll(
        u,
        { status: "unknown", failureCode: "interrupted", failureReason: "worker lost during hand-off" },
        "unknown",
        "unknown",
      );
      logger.warn("send.unknown", { sendKey: lead.key, structureId: sid, reason: "interrupted" });
      return;
    }
    // too late to be useful.
    const t = u.now.getTime();
    if ((lead.expiresAt !== undefined && t >= lead.expiresAt) || t - lead.nextAttemptAt >= lateness) {
      completeAll(u, { status: "missed", failureReason: "too late" }, "missed", "missed");
      logger.info("send.missed", { sendKey: lead.key, structureId: sid });
      return;
    }
    return drive(loadUnit(u));
  }

  /** Phase 1, with the latest data (a generator run by {@link drive}: no promise while the data source has none). */
  function* loadUnit(u: Unit): Generator<unknown, void> {
    const { claims } = u;
    const lead = claims[0]!.send;
    const sid = lead.structureId;
    const n = claims.length;
    // Every read is awaited (yielded) only when the data source answered with a promise: a synchronous source makes
    // no iterator result per read.
    let cached: AccountRecord | null | Promise<AccountRecord | null> | undefined;
    if (u.batch.lastAccount !== undefined && u.batch.lastSid === sid && u.batch.lastAccountId === lead.accountId)
      cached = u.batch.lastAccount;
    else {
      const ak = `${sid}\u0000${lead.accountId}`;
      cached = u.batch.accounts.get(ak);
      if (cached === undefined) {
        cached = data.getAccount(sid, lead.accountId);
        u.batch.accounts.set(ak, cached);
      }
      u.batch.lastSid = sid;
      u.batch.lastAccountId = lead.accountId;
      u.batch.lastAccount = cached;
    }
    let rec = (cached instanceof Promise ? yield cached : cached) as AccountRecord | null;
    if ((rec === null || rec.account.structureId !== sid) && lead.kind === "security")
      rec = (yield structureAccount(sid)) as AccountRecord;
    if (rec === null || rec.account.structureId !== sid) {
      completeAll(
        u,
        { status: "failed", failureCode: ErrorCode.NOT_FOUND, failureReason: "account not found" },
        "failed",
        "failed",
        { reason: ErrorCode.NOT_FOUND },
      );
      return;
    }
    let contact: unknown = lead.contactId !== undefined ? data.getContact(sid, lead.contactId) : null;
    if (contact instanceof Promise) contact = yield contact;
    let appointment: unknown = lead.appointmentId !== undefined ? data.getAppointment(sid, lead.appointmentId) : null;
    if (appointment instanceof Promise) appointment = yield appointment;
    const a = appointment as Appointment | null;
    // Notices to the account or the practitioner carry no contactId (they are not in the contact's journal), but
    // their templates still name the patient: read the contact through the appointment.
    if (contact === null && a !== null && a.structureId === sid) {
      contact = data.getContact(sid, a.contactId);
      if (contact instanceof Promise) contact = yield contact;
    }
    const c = contact as Contact | null;
    const others: Appointment[] = [];
    const ids = u.data.appointmentIds;
    if (Array.isArray(ids) && ids.length > 1) {
      for (const id of ids) {
        if (typeof id !== "string" || id === lead.appointmentId) continue;
        const o = (yield data.getAppointment(sid, id)) as Appointment | null;
        if (o !== null && o.status !== "cancelled") others.push(o);
      }
    }
    const agendaId = a?.agendaId ?? (typeof u.data.agendaId === "string" ? u.data.agendaId : undefined);
    let agenda: unknown = agendaId !== undefined ? data.getAgenda(sid, agendaId) : null;
    if (agenda instanceof Promise) agenda = yield agenda;
    let service: unknown = a?.serviceId ? data.getService(sid, a.serviceId) : null;
    if (service instanceof Promise) service = yield service;
    let resource: unknown = a?.resourceId ? data.getResource(sid, a.resourceId) : null;
    if (resource instanceof Promise) resource = yield resource;
    const d: RenderData = {
      account: rec.account,
      options: optionsOf(rec),
      purposeSignatures: rec.purposeSignatures,
      contact: c !== null && c.structureId === sid ? c : null,
      appointment: a !== null && a.structureId === sid ? a : null,
      others,
      agenda: (agenda as Agenda | null) ?? null,
      service: (service as Service | null) ?? null,
      resource: (resource as Resource | null) ?? null,
      signatureHtml: undefined,
    };
    if (d.account.status === "disabled") return skipAll(u, "disabled");
    if (
      lead.appointmentId !== undefined &&
      CONTACT_KINDS.includes(lead.kind) &&
      lead.kind !== "cancellation" &&
      (d.appointment === null || d.appointment.status === "cancelled")
    ) {
      completeAll(u, { status: "cancelled" }, "cancelled", "cancelled", { reason: "appointment-cancelled" });
      return;
    }
    for (let i = 1; i < n; i++) {
      const s = claims[i]!.send;
      if (s.appointmentId === undefined || s.appointmentId === lead.appointmentId) continue;
      const o = (yield data.getAppointment(sid, s.appointmentId)) as Appointment | null;
      if (o !== null && o.status !== "cancelled") d.others.push(o);
    }
    u.d = d;
    u.channel = lead.channel;
    const to = currentAddress(lead, d, u.channel);
    if (to === "opted-out" || to === "consent" || to === "no-mobile" || to === "no-email") return skipAll(u, to);
    u.to = to;
  }

  /** Phase 2 (after the batch's opt-out check): render, SMS policy, quota and fallback. Synchronous for an SMS. */
  function render(u: Unit): Promise<void> | void {
    const lead = u.claims[0]!.send;
    const d = u.d!;
    u.month = monthIn(u.batch, u.now, d.account.timeZone);
    if (u.channel !== "sms") return renderEmailOf(u);
    // Render (R-24…R-27) and apply the SMS policy.
    try {
      const sms = d.options.communication.sms;
      const limited = applySmsLimit(renderSmsText(lead, u.data, d, templates), {
        maxSegments: sms.maxSegments,
        overflow: sms.overflow,
        encoding: sms.encoding,
      });
      u.smsText = limited.text;
      u.credits = limited.info.segments;
    } catch (e) {
      return renderFailed(u, e);
    }
    // Quota and fallback. Reserved (gated) credits are counted now, atomically against the free
    // quota; ungated ones are counted once per batch.
    const billing = lead.billing ?? "none";
    if (billing === "reminder" && !d.options.communication.sms.allowOverage) return reserve(u);
    u.later =
      billing === "reminder"
        ? { reminderSmsCredits: u.credits }
        : billing === "custom"
          ? { customSmsCredits: u.credits }
          : { otherSmsCredits: u.credits };
  }

  async function renderEmailOf(u: Unit): Promise<void> {
    const lead = u.claims[0]!.send;
    const d = u.d!;
    try {
      d.signatureHtml = await signatureOf(lead, d, lead.kind);
      u.email = renderEmail(lead, u.data, d, templates);
    } catch (e) {
      renderFailed(u, e);
    }
  }

  /** A rendering error: too long is a skip, an adapter failure ends the unit, anything else fails the send. */
  function renderFailed(u: Unit, e: unknown): void {
    const lead = u.claims[0]!.send;
    if (e instanceof RappelError && e.code === ErrorCode.SMS_TOO_LONG) {
      skipAll(u, "too-long");
      return;
    }
    if (e instanceof RappelError && e.code === ErrorCode.ADAPTER_ERROR) throw e;
    const code = e instanceof RappelError ? e.code : "render-error";
    completeAll(u, { status: "failed", failureCode: code, failureReason: "rendering failed" }, "failed", "failed", {
      reason: code,
    });
    logger.error("send.render-failed", { sendKey: lead.key, structureId: lead.structureId, code });
  }

  /** Gated quota (`allowOverage: false`): reserves the credits now, or falls back to email. */
  async function reserve(u: Unit): Promise<void> {
    const lead = u.claims[0]!.send;
    const sid = lead.structureId;
    const d = u.d!;
    const quota = d.account.onlineBooking ? freeQuota : 0;
    const delta = { reminderSmsCredits: u.credits };
    const r = await store.addUsage(sid, lead.accountId, u.month, delta, { max: { reminderSmsCredits: quota } });
    if (r.applied) {
      u.reserved = delta;
      return;
    }
    const address = d.contact?.email;
    if (lead.rType !== "contact" || !address || d.contact?.preferences.email.enabled === false) {
      return skipAll(u, "quota-exhausted");
    }
    u.fellBack = true;
    u.channel = "email";
    u.to = address;
    try {
      d.signatureHtml = await signatureOf(lead, d, lead.kind);
      u.email = renderEmail(lead, u.data, d, templates);
    } catch (e) {
      const code = e instanceof RappelError ? e.code : "render-error";
      completeAll(u, { status: "failed", failureCode: code }, "failed", "failed", { reason: code });
      return;
    }
    journalOf(u, lead, "fallback", { reason: "quota-exhausted", data: { to: "email" } });
  }

  /** Gives back credits reserved against the free quota for a message that did not go out. */
  async function unreserve(u: Unit): Promise<void> {
    if (u.reserved === undefined) return;
    const lead = u.claims[0]!.send;
    await store.addUsage(lead.structureId, lead.accountId, u.month, { reminderSmsCredits: -u.credits });
    u.reserved = undefined;
  }

  /**
   * Phase 3: the hand-off, for every unit of the batch in one `beginSendMany`: the linearization point against
   * cancels. A claim that spent half its lease getting here (slow data source, large batch) renews it
   * first, so the transport call starts with a full lease.
   */
  async function handOff(batch: Batch, units: Unit[]): Promise<void> {
    const now = clock.now();
    const nowMs = now.getTime();
    const claims: Claim[] = [];
    // The unit and claim index of each claim handed off (the common single-claim unit needs no entry of its own).
    const owners: Unit[] = [];
    const indexes: number[] = [];
    for (const u of units) {
      if (u.done) continue;
      u.now = now;
      for (let i = 0; i < u.claims.length && !u.done; i++) {
        if (u.claims[i]!.leaseExpiresAt - nowMs < leaseMs / 2) {
          await store.renewLease(refOf(u.claims[i]!), leaseMs, now).catch((e: unknown) => fail(u, e));
        }
      }
      if (u.done) continue;
      for (let i = 0; i < u.claims.length; i++) {
        claims.push(u.claims[i]!);
        owners.push(u);
        indexes.push(i);
      }
    }
    if (claims.length === 0) return;
    let results: (number | RappelError)[];
    try {
      const r = beginMany(claims, now);
      results = r instanceof Promise ? await r : r;
    } catch (e) {
      logger.error("send.error", { code: e instanceof RappelError ? e.code : "unexpected", sends: claims.length });
      batch.firstError ??= e;
      for (const u of owners) u.done = true;
      return;
    }
    for (let k = 0; k < owners.length; k++) {
      const u = owners[k]!;
      const i = indexes[k]!;
      const r = results[k];
      if (typeof r === "number") {
        if (r > 0) {
          // An exact-size array (a push on an empty one reserves room for 17).
          if (u.live.length === 0) u.live = [i];
          else u.live.push(i);
          if (r > u.attempts) u.attempts = r;
        } else queue(u, i, CANCELLED, undefined, "cancelled", "cancelled");
        continue;
      }
      const error = r === undefined ? new RappelError(ErrorCode.ADAPTER_ERROR, "beginSendMany: missing result") : r;
      if (isLeaseLost(error)) {
        batch.result.lost++;
        logger.warn("send.lease-lost", { sendKey: u.claims[i]!.send.key });
      } else {
        // The message is not sent: what was begun with it is re-claimed later as interrupted.
        logger.error("send.error", { sendKey: u.key, code: error instanceof RappelError ? error.code : "unexpected" });
        batch.firstError ??= error;
        u.done = true;
      }
    }
  }

  /**
   * Phase 4 over the batch: one transport call per unit, all concurrently; resolves once every outcome is queued.
   * A unit costs the transport's promise and one `then` on it (no promise of the engine's own per unit, no
   * `Promise.all`): each handler counts itself done, the last one resolves the phase.
   */
  function sendAll(units: Unit[]): Promise<void> | undefined {
    let open = 1;
    let resolve!: () => void;
    const finished = new Promise<void>((r) => {
      resolve = r;
    });
    const done = () => {
      if (--open === 0) resolve();
    };
    for (const u of units) {
      if (u.done) continue;
      open++;
      let r: Promise<void> | undefined;
      try {
        r = send(u, done);
      } catch (e) {
        fail(u, e);
        done();
        continue;
      }
      if (r !== undefined)
        r.then(done, (e: unknown) => {
          fail(u, e);
          done();
        });
    }
    done();
    return open === 0 ? undefined : finished;
  }

  /**
   * One unit's transport call. Returns a promise only for what is not counted by `done` itself (a unit with nothing
   * left to send gives its credits back); a transport's answer is handled by {@link answered} / {@link refused},
   * which call `done`.
   */
  function send(u: Unit, done: () => void): Promise<void> | undefined {
    if (u.live.length === 0) return unreserve(u);
    const lead = u.claims[0]!.send;
    const channel = u.channel;
    const key = u.fellBack ? `${u.key}#email` : u.key;
    const message = outbound(lead, u.data, u.d!, channel, u.to, key, u.smsText, u.email);
    const list = chains.get(channel) as Transport[] | undefined;
    if (list === undefined) {
      const r = sent(u, {
        ok: false,
        failure: "permanent",
        error: new RappelError(ErrorCode.NO_TRANSPORT, `No transport for ${channel}`),
        provider: "none",
      });
      return r;
    }
    tryTransport(u, list, 0, message, done);
    return undefined;
  }

  /** Calls transport `i` of the chain; its answer goes to {@link answered} or {@link refused}. */
  function tryTransport(u: Unit, list: Transport[], i: number, message: OutboundMessage, done: () => void): void {
    const t = list[i]!;
    let pending: Promise<SendResult> | SendResult;
    try {
      pending = t.send(message);
    } catch (e) {
      refused(u, list, i, message, e, done);
      return;
    }
    if (!(pending instanceof Promise)) pending = Promise.resolve(pending);
    pending.then(
      (r: SendResult) => answered(u, t, r, done),
      (e: unknown) => refused(u, list, i, message, e, done),
    );
  }

  function answered(u: Unit, t: Transport, r: SendResult, done: () => void): void {
    try {
      accepted(u, r.provider ?? t.name, r.providerMessageId, r.status ?? "sent");
    } catch (e) {
      fail(u, e);
    }
    done();
  }

  /** A transport failed: the next one of the chain after a transient failure, else the unit's outcome. */
  function refused(u: Unit, list: Transport[], i: number, message: OutboundMessage, e: unknown, done: () => void) {
    const t = list[i]!;
    let failure: "transient" | "permanent" | "unknown" = e instanceof TransportError ? e.failure : "transient";
    if (failure === "unknown" && t.capabilities?.idempotencyKey === true) failure = "transient";
    if (failure === "transient" && i + 1 < list.length) {
      tryTransport(u, list, i + 1, message, done);
      return;
    }
    let r: Promise<void> | undefined;
    try {
      r = sent(u, { ok: false, failure, error: e, provider: t.name });
    } catch (err) {
      fail(u, err);
    }
    if (r === undefined) done();
    else
      r.then(done, (err: unknown) => {
        fail(u, err);
        done();
      });
  }

  /** Phase 4, a transport accepted the message: the outcome is queued, usage counted. */
  function accepted(
    u: Unit,
    provider: string,
    providerMessageId: string,
    providerStatus: SendRecord["providerStatus"],
  ): void {
    const { batch, claims, live } = u;
    const lead = claims[0]!.send;
    const sid = lead.structureId;
    const channel = u.channel;
    u.now = clock.now();
    if (u.later !== undefined) countLater(batch, sid, lead.accountId, u.month, u.later);
    else if (channel !== "sms") {
      countLater(batch, sid, lead.accountId, u.month, {
        [channel === "email" ? "emails" : channel === "fax" ? "faxes" : "messages"]: 1,
      });
    }
    // Built whole (see SHAPES).
    const outcome: SendOutcome = providerStatus
      ? { status: "sent", provider, providerMessageId, providerStatus }
      : { status: "sent", provider, providerMessageId };
    for (let k = 0; k < live.length; k++) {
      const i = live[k]!;
      const send = claims[i]!.send;
      const e: JournalEntryInput | null =
        send.contactId === undefined
          ? null
          : {
              structureId: send.structureId,
              accountId: send.accountId,
              at: u.now,
              event: "sent",
              key: send.key,
              channel,
              kind: send.kind,
              contactId: send.contactId,
              provider,
              providerMessageId,
            };
      pendingOf(u, i, outcome, undefined, "sent", e);
    }
    // The default logger drops info events: no event object per send for it.
    if (logger !== noopLogger) logger.info("send.sent", { sendKey: lead.key, structureId: sid, channel, provider });
  }

  /** Phase 4, once the transport answered with a failure: the outcome is queued, a retry planned. */
  function sent(u: Unit, attempt: Extract<Attempt, { ok: false }>): Promise<void> | undefined {
    const { batch, claims, live } = u;
    const lead = claims[0]!.send;
    const sid = lead.structureId;
    u.now = clock.now();
    if (attempt.failure === "unknown") {
      // It may have gone out: the credits stay counted.
      if (u.later !== undefined) countLater(batch, sid, lead.accountId, u.month, u.later);
      const code = failureCode(attempt.error);
      const outcome: SendOutcome = {
        status: "unknown",
        failureCode: code,
        failureReason: failureText(attempt.error),
        provider: attempt.provider,
      };
      const extra = { provider: attempt.provider, reason: code };
      for (const i of live) queue(u, i, outcome, undefined, "unknown", "unknown", extra);
      logger.warn("send.unknown", { sendKey: lead.key, structureId: sid, code });
      return undefined;
    }
    return notSent(u, attempt);
  }

  /** Phase 4 after a failed or transient attempt: credits given back, then failed or rescheduled. */
  async function notSent(u: Unit, attempt: Extract<Attempt, { ok: false }>): Promise<void> {
    const { batch, claims, live } = u;
    const lead = claims[0]!.send;
    const sid = lead.structureId;
    const channel = u.channel;
    const code = failureCode(attempt.error);
    const reason = failureText(attempt.error);
    const finish = (status: "unknown" | "failed", failureReason: string) => {
      const outcome: SendOutcome = { status, failureCode: code, failureReason, provider: attempt.provider };
      const extra = { provider: attempt.provider, reason: code };
      for (const i of live) queue(u, i, outcome, undefined, status, status, extra);
    };
    await unreserve(u);
    if (attempt.failure === "permanent") {
      finish("failed", reason);
      logger.warn("send.failed", { sendKey: lead.key, structureId: sid, code });
      if (attempt.error instanceof TransportError && attempt.error.optedOut && channel === "sms") {
        const to = u.to;
        const at = u.now;
        batch.after.push(() => optOut(sid, to, at, at).then(() => undefined));
      }
      return;
    }
    // Transient: retry with capped exponential backoff and full jitter, up to maxAttempts.
    const attempts = u.attempts;
    const retryAfter = attempt.error instanceof TransportError ? attempt.error.retryAfterMs : undefined;
    const next = new Date(u.now.getTime() + backoff(attempts, retryAfter));
    const expired = lead.expiresAt !== undefined && next.getTime() >= lead.expiresAt;
    if (attempts >= maxAttempts || expired) {
      finish("failed", expired ? "retries would end after it expires" : `gave up after ${attempts} attempts`);
      logger.warn("send.failed", { sendKey: lead.key, structureId: sid, code, attempts });
      return;
    }
    for (const i of live) {
      queue(u, i, undefined, { nextAttemptAt: next, failureCode: code, failureReason: reason }, "retried", "retry", {
        provider: attempt.provider,
        reason: code,
        data: { attempt: attempts, nextAttemptAt: next.toISOString() },
      });
    }
    logger.warn("send.retry", { sendKey: lead.key, structureId: sid, code, attempts });
  }

  /** {@link monthOf}, remembered per batch and zone (the units of a batch share one `now`). */
  function monthIn(batch: Batch, now: Date, timeZone: string): string {
    const t = now.getTime();
    if (batch.monthAt !== t) {
      batch.monthAt = t;
      batch.months.clear();
    }
    let m = batch.months.get(timeZone);
    if (m === undefined) {
      m = monthOf(now, timeZone);
      batch.months.set(timeZone, m);
    }
    return m;
  }

  function countLater(batch: Batch, structureId: string, accountId: string, month: string, delta: UsageDelta): void {
    // Most units of a batch count into the same account and month: no key string for them.
    let u = batch.lastUsage;
    if (u === undefined || u.structureId !== structureId || u.accountId !== accountId || u.month !== month) {
      const k = `${structureId}\u0000${accountId}\u0000${month}`;
      u = batch.usage.get(k);
      if (u === undefined) {
        u = { structureId, accountId, month, delta: {} };
        batch.usage.set(k, u);
      }
      batch.lastUsage = u;
    }
    for (const name in delta) {
      const v = delta[name as keyof UsageDelta]!;
      u.delta[name] = (u.delta[name] ?? 0) + v;
    }
  }

  function unitOf(batch: Batch, claims: Claim[], key: string, now: Date): Unit {
    return {
      batch,
      claims,
      data: dataOf(claims[0]!.send),
      key,
      now,
      done: false,
      d: null,
      channel: claims[0]!.send.channel,
      to: "",
      smsText: undefined,
      email: undefined,
      credits: 0,
      month: "",
      reserved: undefined,
      later: undefined,
      fellBack: false,
      live: NO_LIVE as number[],
      attempts: 0,
    };
  }

  /** Runs a phase over every unit still going, concurrently when a unit has to wait. */
  async function each(units: Unit[], phase: (u: Unit) => Promise<void> | void): Promise<void> {
    const waiting: Promise<void>[] = [];
    for (const u of units) {
      if (u.done) continue;
      const p = step(u, phase);
      if (p !== undefined) waiting.push(p);
    }
    if (waiting.length > 0) await Promise.all(waiting);
  }

  /** The batch's opt-out check: one question per structure for every SMS about to go out. */
  async function checkOptOuts(units: Unit[]): Promise<void> {
    const bySid = new Map<string, Unit[]>();
    for (const u of units) {
      if (u.done || u.channel !== "sms") continue;
      const sid = u.claims[0]!.send.structureId;
      const l = bySid.get(sid);
      if (l) l.push(u);
      else bySid.set(sid, [u]);
    }
    for (const [sid, list] of bySid) {
      let out: Set<string>;
      try {
        out = await optedOutAmong(
          sid,
          list.map((u) => u.to),
        );
      } catch (e) {
        for (const u of list) fail(u, e);
        continue;
      }
      if (out.size === 0) continue;
      for (const u of list) if (out.has(u.to)) skipAll(u, "opted-out");
    }
  }

  /**
   * The phases of delivery over one chunk of a batch's units: a few storage round trips per chunk instead of several
   * per send. The chunk's outcomes are recorded and journaled before the next chunk starts.
   */
  async function deliverUnits(batch: Batch, units: Unit[]): Promise<void> {
    await each(units, prepare);
    await checkOptOuts(units);
    await each(units, render);
    await handOff(batch, units);
    // What ended before the hand-off (skipped, missed, cancelled…) is recorded before the transport calls.
    await flush(batch);
    const transmitted = sendAll(units);
    if (transmitted !== undefined) await transmitted;
    await flush(batch);
    await appendBatchJournal(batch);
  }

  /** Appends the journal entries of what `flush` recorded, one call per structure, and empties the list. */
  async function appendBatchJournal(batch: Batch): Promise<void> {
    if (batch.journal.length > 0) {
      const entries = batch.journal;
      batch.journal = [];
      const bySid = new Map<string, JournalEntryInput[]>();
      for (const e of entries) {
        const l = bySid.get(e.structureId);
        if (l) l.push(e);
        else bySid.set(e.structureId, [e]);
      }
      for (const [sid, list] of bySid) {
        try {
          await appendJournal(sid, list);
        } catch (e) {
          logger.error("journal.append-failed", { structureId: sid, entries: list.length });
          batch.firstError ??= e;
        }
      }
    }
  }

  async function runDue(input?: { limit?: number }): Promise<RunDueResult> {
    const args = parseInput(RunDueSchema, input, "runDue options");
    const limit = args?.limit ?? batchSize;
    const claimOptions = { now: clock.now(), limit, leaseMs, owner };
    const claims: Claim[] =
      direct.claimViews !== undefined
        ? direct.claimViews(claimOptions)
        : (await store.claimDue(claimOptions)).map(claimOf);
    const batch: Batch = {
      result: EMPTY_RESULT(),
      journal: [],
      accounts: new Map(),
      lastSid: "",
      lastAccountId: "",
      lastAccount: undefined,
      usage: new Map(),
      lastUsage: undefined,
      pending: [],
      after: [],
      firstError: undefined,
      months: new Map(),
      monthAt: Number.NaN,
    };
    batch.result.claimed = claims.length;
    if (claims.length === 0) return batch.result;
    const now = clock.now();
    const grouped: Claim[] = [];
    const single: Claim[] = [];
    for (const c of claims) {
      if (c.send.groupKey !== undefined && c.send.kind === "practitioner-notification") grouped.push(c);
      else single.push(c);
    }
    if (grouped.length > 0) {
      const units: Unit[] = [];
      const byKey = new Map(grouped.map((c) => [c.send.key, c]));
      for (const g of groupDueSends(grouped.map((c) => plannedOf(c.send)))) {
        units.push(
          unitOf(
            batch,
            g.sends.map((s) => byKey.get(s.key)!),
            g.key,
            now,
          ),
        );
      }
      await deliverUnits(batch, units);
    }
    // The others a chunk at a time on an in-process storage (see DELIVERY_CHUNK), their units made as it starts.
    const chunk = direct.claimViews !== undefined ? DELIVERY_CHUNK : single.length;
    for (let from = 0; from < single.length; from += chunk) {
      const to = Math.min(single.length, from + chunk);
      const units: Unit[] = [];
      for (let i = from; i < to; i++) units.push(unitOf(batch, [single[i]!], single[i]!.send.key, now));
      await deliverUnits(batch, units);
    }
    for (const f of batch.after) {
      try {
        await f();
      } catch (e) {
        batch.firstError ??= e;
      }
    }
    for (const u of batch.usage.values()) {
      try {
        await store.addUsage(u.structureId, u.accountId, u.month, u.delta);
      } catch (e) {
        logger.error("usage.add-failed", { structureId: u.structureId, accountId: u.accountId });
        batch.firstError ??= e;
      }
    }
    const firstError = batch.firstError;
    if (firstError !== undefined) {
      throw firstError instanceof RappelError
        ? firstError
        : new RappelError(ErrorCode.ADAPTER_ERROR, "Delivery failed", { cause: firstError });
    }
    return batch.result;
  }

  async function drain(input?: { limit?: number }): Promise<RunDueResult> {
    const total = EMPTY_RESULT();
    for (;;) {
      const r = await runDue(input);
      for (const k of Object.keys(total) as (keyof RunDueResult)[]) total[k] += r[k];
      if (r.claimed === 0) return total;
    }
  }

  let loop: Promise<void> | null = null;
  let abort: AbortController | null = null;
  const engine: Rappel = {
    forStructure,
    runDue,
    drain,
    get running() {
      return loop !== null;
    },
    start() {
      if (loop !== null) return;
      const controller = new AbortController();
      abort = controller;
      loop = (async () => {
        while (!controller.signal.aborted) {
          let claimed = 0;
          try {
            claimed = (await runDue({ limit: batchSize })).claimed;
          } catch (e) {
            logger.error("engine.loop-error", { code: e instanceof RappelError ? e.code : "unexpected" });
          }
          if (controller.signal.aborted) break;
          if (claimed === 0) await scheduler.sleep(pollMs, controller.signal);
        }
      })();
    },
    async stop() {
      const l = loop;
      if (l === null) return;
      abort?.abort();
      await l;
      loop = null;
      abort = null;
    },
    async providerStatus(input) {
      const u = parseInput(ProviderStatusSchema, input, "provider status");
      const r = await store.recordProviderStatus({
        provider: u.provider,
        providerMessageId: u.providerMessageId,
        status: u.status,
        at: u.at,
        ...(u.errorCode !== undefined ? { errorCode: u.errorCode } : {}),
      });
      if (r?.changed && r.contactId !== undefined) {
        const send = await store.getSend(r.structureId, r.key);
        const e: JournalEntryInput = {
          ...(send ? { accountId: send.accountId, kind: send.kind, channel: send.channel } : {}),
          structureId: r.structureId,
          contactId: r.contactId,
          at: u.at,
          event: r.status === "delivered" ? "delivered" : r.status === "failed" ? "failed" : "provider-status",
          key: r.key,
          provider: u.provider,
          providerMessageId: u.providerMessageId,
          data: { providerStatus: r.providerStatus },
        };
        if (u.errorCode !== undefined) e.reason = u.errorCode;
        await store.appendJournal(r.structureId, [e]);
      }
      return r;
    },
  };
  return engine;
}
