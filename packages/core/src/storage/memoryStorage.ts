import type { MessageKind } from "../contracts/kinds.js";
import type { CancelSpec, JsonValue, PlannedSend, SendRecipient, SkipReason } from "../contracts/sends.js";
import type { Channel } from "../contracts/transport.js";
import { ErrorCode, RappelError } from "../errors/errors.js";
import type {
  AddUsageOptions,
  AddUsageResult,
  BatchItemResult,
  BeginSendResult,
  CancelResult,
  ClaimDueOptions,
  ClaimedSend,
  CompleteManyItem,
  InboxMessage,
  JournalEntry,
  JournalEntryInput,
  LeaseRef,
  ProviderStatus,
  ProviderStatusResult,
  ProviderStatusUpdate,
  ReadInboxOptions,
  ReadJournalOptions,
  ReleaseResult,
  RescheduleOptions,
  SendFilter,
  SendOutcome,
  SendRecord,
  SendStatus,
  SmsOptOut,
  Storage,
  StorageCapabilities,
  UpsertResult,
  UsageCounters,
} from "./contract.js";
import { countUpsertAction, emptyUpsertResult, upsertAction } from "./upsertDecision.js";
import {
  checkLeaseRef,
  checkStorageDate,
  checkStorageLimit,
  checkStructureId,
  checkUsageMonth,
  invalidStorageInput as invalid,
  leaseLostError as leaseLost,
  providerStatusAdvances,
  USAGE_COUNTERS as USAGE_FIELDS,
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
} from "./validate.js";

/**
 * Options of {@link createMemoryStorage}.
 *
 * @example
 * ```ts
 * const o: MemoryStorageOptions = { maxEarlyProviderStatuses: 1000 };
 * ```
 */
export interface MemoryStorageOptions {
  /**
   * How many provider status updates for message ids no send carries yet are kept (oldest dropped first) until a
   * `complete` records the id.
   * @default 10000
   */
  maxEarlyProviderStatuses?: number;
}

/**
 * A send exactly as the memory storage keeps it: instants are epoch milliseconds, `data` is JSON text, the lease
 * and delivery fields are flattened. Returned (as a copy) by {@link MemoryStorage.inspect}.
 *
 * @example
 * ```ts
 * storage.inspect().send("s1", "k1")?.leaseToken //=> 3
 * ```
 */
export interface MemoryStoredSend {
  /** Tenant. */
  structureId: string;
  /** Key. */
  key: string;
  /** Client account. */
  accountId: string;
  /** Kind. */
  kind: MessageKind;
  /** Channel. */
  channel: Channel;
  /** Recipient type. */
  recipientType: SendRecipient["type"];
  /** Recipient id. */
  recipientId: string;
  /** Recipient address. */
  recipientAddress: string;
  /** Due instant (ms). */
  sendAt: number;
  /** Expiry (ms), if any. */
  expiresAt: number | null;
  /** Appointment. */
  appointmentId: string | null;
  /** Contact. */
  contactId: string | null;
  /** Billing. */
  billing: PlannedSend["billing"] | null;
  /** Group key. */
  groupKey: string | null;
  /** Template data as JSON text. */
  dataJson: string;
  /** Status. */
  status: SendStatus;
  /** Attempts. */
  attempts: number;
  /** Next attempt (ms). */
  nextAttemptAt: number;
  /** Lease owner, while leased. */
  leaseOwner: string | null;
  /** Fencing token of the current or last lease (0 when never claimed). */
  leaseToken: number;
  /** Lease expiry (ms), while leased. */
  leaseExpiresAt: number | null;
  /** A cancel or newer plan arrived while claimed. */
  cancelRequested: boolean;
  /** When the current attempt was handed to a transport (ms). */
  handedOffAt: number | null;
  /** JSON text of the newer content waiting for the claim's release. */
  replacementJson: string | null;
  /** Provider. */
  provider: string | null;
  /** Provider message id. */
  providerMessageId: string | null;
  /** Furthest provider status. */
  providerStatus: ProviderStatus | null;
  /** Last failure code. */
  failureCode: string | null;
  /** Last failure reason. */
  failureReason: string | null;
  /** Skip reason. */
  skipReason: SkipReason | null;
  /** Created (ms). */
  createdAt: number;
  /** Updated (ms). */
  updatedAt: number;
  /** Completed (ms). */
  completedAt: number | null;
}

/**
 * Reads the memory storage's raw state, bypassing the {@link Storage} methods: what conformance tests compare
 * against ("what was really persisted"). Every result is a copy.
 *
 * @example
 * ```ts
 * const raw = storage.inspect();
 * raw.sendCount("s1") //=> 2
 * raw.send("s1", "k1")?.status //=> "planned"
 * ```
 */
export interface MemoryStorageInspector {
  /** One raw send, or `null`. */
  send(structureId: string, key: string): MemoryStoredSend | null;
  /** How many sends a structure has (any status). */
  sendCount(structureId: string): number;
  /** A contact's raw journal, in stored order. */
  journal(structureId: string, contactId: string): JournalEntry[];
  /** Raw usage counters, or `null` when none were ever written. */
  usage(structureId: string, accountId: string, month: string): UsageCounters | null;
  /** Raw opt-out state, or `null` when never recorded. */
  smsOptOut(structureId: string, e164: string): SmsOptOut | null;
  /** Sizes of the internal indexes (for tests and benchmarks). */
  stats(): MemoryStorageStats;
}

/**
 * Sizes of the memory storage's internal indexes.
 *
 * @example
 * ```ts
 * storage.inspect().stats() //=> { sends: 3, due: 2, leased: 1, journal: 0, earlyProviderStatuses: 0 }
 * ```
 */
export interface MemoryStorageStats {
  /** Sends stored, every structure and status. */
  sends: number;
  /** Sends in the due index (`planned`). */
  due: number;
  /** Sends in the lease index (`sending`). */
  leased: number;
  /** Journal entries stored. */
  journal: number;
  /** Provider status updates kept for message ids no send carries yet. */
  earlyProviderStatuses: number;
}

/**
 * The in-memory {@link Storage}: its capabilities and a raw inspector for tests.
 *
 * @example
 * ```ts
 * const storage: MemoryStorage = createMemoryStorage();
 * storage.capabilities //=> { persistent: false, multiProcess: false }
 * ```
 */
export interface MemoryStorage extends Storage {
  /** `{ persistent: false, multiProcess: false }`. */
  readonly capabilities: StorageCapabilities;
  /** Raw state, for tests ({@link MemoryStorageInspector}). */
  inspect(): MemoryStorageInspector;
  /** Makes every later call reject with `invalid-state`. */
  close(): Promise<void>;
}

/**
 * The key under which a memory storage carries its {@link MemoryStorageDirectCalls}: Rappel's engine reads it to
 * call the memory storage synchronously. Hosts have no use for it.
 *
 * @example
 * ```ts
 * const direct = (createMemoryStorage() as unknown as Record<symbol, unknown>)[MEMORY_STORAGE_DIRECT];
 * typeof direct //=> "object"
 * ```
 */
export const MEMORY_STORAGE_DIRECT: unique symbol = Symbol.for("rappel.memoryStorage.direct");

/**
 * Synchronous twins of some {@link Storage} methods of the memory storage, for Rappel's own engine (it is in the
 * same process: no promise and no microtask per call). Each does exactly what its public method does, with the same
 * input checks and errors, thrown instead of rejected; `appendJournal` returns nothing (the engine does not read the
 * copies back). `methods` holds the public methods they stand for: the engine uses a direct call only while the
 * storage it was given still has that very method (a wrapper or a proxy that hides or replaces a method gets the
 * public path).
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage();
 * const direct = (storage as unknown as Record<symbol, MemoryStorageDirectCalls>)[MEMORY_STORAGE_DIRECT];
 * direct.upsertPlanned("s1", [send], now).inserted //=> 1
 * direct.methods.upsertPlanned === storage.upsertPlanned //=> true
 * ```
 */
export interface MemoryStorageDirectCalls {
  /** The public methods the direct calls stand for. */
  readonly methods: {
    readonly upsertPlanned: Storage["upsertPlanned"];
    readonly claimDue: Storage["claimDue"];
    readonly beginSendMany: NonNullable<Storage["beginSendMany"]>;
    readonly completeMany: NonNullable<Storage["completeMany"]>;
    readonly listSends: Storage["listSends"];
    readonly appendJournal: Storage["appendJournal"];
    readonly smsOptedOutAmong: NonNullable<Storage["smsOptedOutAmong"]>;
  };
  /** {@link Storage.upsertPlanned}, synchronously. */
  upsertPlanned(structureId: string, sends: readonly PlannedSend[], now: Date): UpsertResult;
  /** {@link Storage.claimDue}, synchronously. */
  claimDue(options: ClaimDueOptions): ClaimedSend[];
  /** {@link Storage.beginSendMany}, synchronously. */
  beginSendMany(refs: readonly LeaseRef[], now: Date): BatchItemResult<BeginSendResult>[];
  /** {@link Storage.completeMany}, synchronously. */
  completeMany(items: readonly CompleteManyItem[], now: Date): BatchItemResult<ReleaseResult>[];
  /** {@link Storage.listSends}, synchronously. */
  listSends(structureId: string, filter?: SendFilter): SendRecord[];
  /** {@link Storage.appendJournal}, synchronously, without returning the stored entries. */
  appendJournal(structureId: string, entries: readonly JournalEntryInput[]): void;
  /** {@link Storage.smsOptedOutAmong}, synchronously. */
  smsOptedOutAmong(structureId: string, e164s: readonly string[]): string[];
  /**
   * {@link Storage.claimDue}, synchronously, answering read-only views of the stored sends instead of copies (see
   * {@link MemoryClaim}). Stands for `methods.claimDue`.
   */
  claimViews(options: ClaimDueOptions): MemoryClaim[];
  /**
   * {@link Storage.beginSendMany} over claims: per item, the attempts counted (≥ 1), `0` when a cancel or a newer
   * plan arrived since the claim (`{ ok: false, reason: "cancel-requested" }`), or the item's error. Stands for
   * `methods.beginSendMany`.
   */
  beginClaims(claims: readonly MemoryLeaseHandle[], now: Date): (number | RappelError)[];
  /**
   * {@link Storage.completeMany} over claims: per item, `null` when the outcome (or the reschedule) was recorded,
   * or the item's error. Stands for `methods.completeMany`.
   */
  completeClaims(items: readonly MemoryCompletion[], now: Date): (RappelError | null)[];
  /**
   * {@link Storage.appendJournal} for entries Rappel's engine built from sends it read from this storage: the
   * structure of each entry is checked, the rest is trusted; an entry's `plannedSendAt` (epoch milliseconds) is
   * kept as a number and read back as `data: { sendAt: <ISO text> }`. Stands for `methods.appendJournal`.
   */
  appendEngineJournal(structureId: string, entries: readonly MemoryJournalInput[]): void;
}

/**
 * A stored send as the memory storage shows it to Rappel's engine on its direct path: a **read-only view** of the
 * stored row, not a copy (instants as epoch milliseconds, `data` as its JSON text, the recipient flattened). The
 * engine reads it while it delivers the claim and keeps nothing of it; the public methods keep copying in and out.
 *
 * @example
 * ```ts
 * const [claim] = direct.claimViews({ now, limit: 1, leaseMs: 30_000, owner: "w1" });
 * claim.send.rAddress //=> "+33612345678"
 * JSON.parse(claim.send.data).slot //=> "first"
 * ```
 */
export interface MemorySendView {
  /** Key. */
  readonly key: string;
  /** Tenant. */
  readonly structureId: string;
  /** Client account. */
  readonly accountId: string;
  /** Kind. */
  readonly kind: MessageKind;
  /** Channel. */
  readonly channel: Channel;
  /** Recipient type. */
  readonly rType: SendRecipient["type"];
  /** Recipient id. */
  readonly rId: string;
  /** Recipient address, as planned. */
  readonly rAddress: string;
  /** Due instant (ms). */
  readonly sendAt: number;
  /** Expiry (ms), if any. */
  readonly expiresAt: number | undefined;
  /** Next attempt (ms) when claimed. */
  readonly nextAttemptAt: number;
  /** Appointment. */
  readonly appointmentId: string | undefined;
  /** Contact. */
  readonly contactId: string | undefined;
  /** Billing. */
  readonly billing: PlannedSend["billing"];
  /** Group key. */
  readonly groupKey: string | undefined;
  /** Template data as JSON text. */
  readonly data: string;
}

/**
 * What the fenced direct calls need of a claim: its send's structure and key, and the fencing token.
 *
 * @example
 * ```ts
 * const h: MemoryLeaseHandle = { send: { structureId: "s1", key: "k1" }, token: 3 };
 * ```
 */
export interface MemoryLeaseHandle {
  /** The claimed send (its structure and key). */
  readonly send: { readonly structureId: string; readonly key: string };
  /** Fencing token. */
  readonly token: number;
}

/**
 * A claim of {@link MemoryStorageDirectCalls.claimViews}: a {@link ClaimedSend} with a view instead of a copy.
 *
 * @example
 * ```ts
 * const [c] = direct.claimViews({ now, limit: 1, leaseMs: 30_000, owner: "w1" });
 * c.leaseExpiresAt - now.getTime() //=> 30000
 * ```
 */
export interface MemoryClaim extends MemoryLeaseHandle {
  /** The send, read-only. */
  readonly send: MemorySendView;
  /** Lease expiry (ms). */
  readonly leaseExpiresAt: number;
  /** A previous holder began the hand-off and vanished. */
  readonly interrupted: boolean;
}

/**
 * One item of {@link MemoryStorageDirectCalls.completeClaims}: `outcome` as `complete`, else `reschedule`.
 *
 * @example
 * ```ts
 * const item: MemoryCompletion = { claim, outcome: { status: "skipped", skipReason: "consent" }, reschedule: undefined };
 * ```
 */
export interface MemoryCompletion {
  /** The claim. */
  readonly claim: MemoryLeaseHandle;
  /** The outcome to record, or `undefined` to reschedule. */
  readonly outcome: SendOutcome | undefined;
  /** The retry, when `outcome` is `undefined`. */
  readonly reschedule: RescheduleOptions | undefined;
}

/**
 * A journal entry of {@link MemoryStorageDirectCalls.appendEngineJournal}: a {@link JournalEntryInput} whose data
 * may be given as the planned instant alone.
 *
 * @example
 * ```ts
 * const e: MemoryJournalInput = { structureId: "s1", contactId: "c1", at: now, event: "planned", plannedSendAt: 1780912800000 };
 * ```
 */
export interface MemoryJournalInput extends JournalEntryInput {
  /** Stored as a number, read back as `data: { sendAt: <ISO text> }` (instead of `data`). */
  plannedSendAt?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Internal representation. One `Row` per send, flat and small (the due index holds rows directly); the rarely used
// delivery fields live in `Ext`, allocated on first claim.

const PENDING = "planned";

interface Ext {
  leaseOwner: string | null;
  leaseToken: number;
  leaseExpiresAt: number;
  cancelRequested: boolean;
  handedOffAt: number | null;
  replacement: Row | null;
  provider: string | null;
  providerMessageId: string | null;
  providerStatus: ProviderStatus | null;
  failureCode: string | null;
  failureReason: string | null;
  skipReason: SkipReason | null;
  completedAt: number | null;
}

/** A row's delivery fields, made on its first claim; a literal, like the row itself (see {@link Row}). */
function newExt(): Ext {
  return {
    leaseOwner: null,
    leaseToken: 0,
    leaseExpiresAt: 0,
    cancelRequested: false,
    handedOffAt: null,
    replacement: null,
    provider: null,
    providerMessageId: null,
    providerStatus: null,
    failureCode: null,
    failureReason: null,
    skipReason: null,
    completedAt: null,
  };
}

/**
 * One stored send. Made by {@link newRow} only, as an object literal: V8 tracks where literals are allocated, sees
 * that every row outlives the young generation, and then allocates rows in the old generation directly instead of
 * copying each one twice (a class instance has no allocation site to track). The row is also the engine's view of a
 * claimed send ({@link MemorySendView}), so the fields it shares with many sends (structure, account, kind, channel,
 * recipient type, billing) are its own: they reference shared strings, and a getter per field would need a class.
 */
interface Row {
  readonly seq: number;
  key: string;
  structureId: string;
  accountId: string;
  kind: MessageKind;
  channel: Channel;
  rType: SendRecipient["type"];
  billing: PlannedSend["billing"];
  rId: string;
  rAddress: string;
  sendAt: number;
  expiresAt: number | undefined;
  appointmentId: string | undefined;
  contactId: string | undefined;
  groupKey: string | undefined;
  data: string;
  /** Position in its due bucket (planned) or in the lease heap (sending); -1 when in neither. */
  pos: number;
  status: SendStatus;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  x: Ext | null;
}

/** The one literal that makes rows (see {@link Row}). */
function newRow(
  seq: number,
  key: string,
  structureId: string,
  accountId: string,
  kind: MessageKind,
  channel: Channel,
  rType: SendRecipient["type"],
  billing: PlannedSend["billing"],
  rId: string,
  rAddress: string,
  sendAt: number,
  expiresAt: number | undefined,
  appointmentId: string | undefined,
  contactId: string | undefined,
  groupKey: string | undefined,
  data: string,
  now: number,
): Row {
  return {
    seq,
    key,
    structureId,
    accountId,
    kind,
    channel,
    rType,
    billing,
    rId,
    rAddress,
    sendAt,
    expiresAt,
    appointmentId,
    contactId,
    groupKey,
    data,
    pos: -1,
    status: PENDING,
    attempts: 0,
    nextAttemptAt: sendAt,
    createdAt: now,
    updatedAt: now,
    x: null,
  };
}

/**
 * A row made once at load with `null` instants, before any real one. V8 keeps a field that has only ever held
 * numbers that are not small integers as an unboxed double, one 16-byte box of its own per field and row; once a
 * field of the rows' shape has held something else, it holds references, and a row's equal instants share one
 * number (`sendAt` and `nextAttemptAt`, `createdAt` and `updatedAt`): 48 bytes less per stored send.
 */
const SHAPE_ROW: Row = newRow(
  0,
  "",
  "",
  "",
  "reminder",
  "sms",
  "contact",
  undefined,
  "",
  "",
  null as unknown as number,
  undefined,
  undefined,
  undefined,
  undefined,
  "",
  null as unknown as number,
);

/**
 * A flat copy of a string: a string built by concatenation is a tree of pieces in V8 (about 32 bytes a piece);
 * reading a character flattens it in place, and the garbage collector then drops the pieces. Stored keys and
 * addresses live as long as their send, so they are kept flat.
 */
function flat<T extends string | undefined>(s: T): T {
  if (s !== undefined) s.charCodeAt(0);
  return s;
}

/** A binary min-heap of rows that keeps each row's position, so rows can be removed or re-keyed in O(log n). */
abstract class RowHeap {
  protected readonly a: Row[] = [];
  protected abstract less(x: Row, y: Row): boolean;
  get size(): number {
    return this.a.length;
  }
  peek(): Row | undefined {
    return this.a[0];
  }
  push(r: Row): void {
    this.a.push(r);
    r.pos = this.a.length - 1;
    this.up(r.pos);
  }
  pop(): Row | undefined {
    const top = this.a[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }
  remove(r: Row): void {
    if (r.pos >= 0 && this.a[r.pos] === r) this.removeAt(r.pos);
  }
  update(r: Row): void {
    if (r.pos < 0 || this.a[r.pos] !== r) return;
    this.up(r.pos);
    this.down(r.pos);
  }
  private removeAt(i: number): void {
    const a = this.a;
    const removed = a[i]!;
    const last = a.pop()!;
    removed.pos = -1;
    if (i < a.length) {
      a[i] = last;
      last.pos = i;
      this.up(i);
      this.down(last.pos);
    }
  }
  private up(i: number): void {
    const a = this.a;
    const r = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pr = a[p]!;
      if (!this.less(r, pr)) break;
      a[i] = pr;
      pr.pos = i;
      i = p;
    }
    a[i] = r;
    r.pos = i;
  }
  private down(i: number): void {
    const a = this.a;
    const n = a.length;
    const r = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const rr = l + 1;
      let c = l;
      if (rr < n && this.less(a[rr]!, a[l]!)) c = rr;
      const cr = a[c]!;
      if (!this.less(cr, r)) break;
      a[i] = cr;
      cr.pos = i;
      i = c;
    }
    a[i] = r;
    r.pos = i;
  }
}

function dueBefore(x: Row, y: Row): boolean {
  return x.nextAttemptAt < y.nextAttemptAt || (x.nextAttemptAt === y.nextAttemptAt && x.seq < y.seq);
}

function dueOrder(x: Row, y: Row): number {
  return x.nextAttemptAt - y.nextAttemptAt || x.seq - y.seq;
}

/**
 * The last object made of each internal shape that may have no instance left between two batches (a claim, a due
 * bucket, a row's delivery fields), kept by the module. V8 reaches the hidden class (map) of a class instance through
 * transitions it holds only weakly: when no instance is alive at a full garbage collection (between two batches, or
 * once a storage is dropped), the map is freed and every optimized function that checks it is thrown away, then
 * compiled again for the next batch — about 10 µs a send over the first 10,000 sends of a batch run. A sentinel made
 * once at load does not do: the first real instance generalizes a field (a row where it had `null`), which gives
 * the class a new map. Keeping the last real one costs a store per object and holds one small object (an emptied
 * bucket gives its array back). `row` holds {@link SHAPE_ROW}, made at load on purpose (its `null` instants).
 */
const SHAPES: { claim: ViewClaim | null; bucket: DueBucket | null; ext: Ext | null; row: Row } = {
  row: SHAPE_ROW,
  claim: null,
  bucket: null,
  ext: null,
};

/** The planned rows due within one minute, appended as they come and sorted once when claims reach them. */
class DueBucket {
  /** Rows from `head` on; a removed row leaves `null` behind. */
  rows: (Row | null)[] = [];
  head = 0;
  live = 0;
  /** Whether `rows` is in due order (appending in due order keeps it so). */
  sorted = true;
  /** The latest row appended while sorted. */
  last: Row | null = null;
  constructor(readonly minute: number) {}
}

const BUCKET_MS = 60_000;

/**
 * The due index: planned rows in buckets by minute of `nextAttemptAt`, and a small min-heap of the minutes.
 * Inserting appends to a bucket (planners and retries mostly come in due order, which keeps it sorted); claiming
 * reads a sorted bucket from its head, so a claim touches a few neighbouring rows instead of a heap path through
 * memory; removing leaves a hole that claims skip.
 */
class DueQueue {
  private readonly buckets = new Map<number, DueBucket>();
  /** Minutes of the buckets, as a binary min-heap (a minute may appear twice after its bucket was dropped). */
  private readonly minutes: number[] = [];
  size = 0;

  push(r: Row): void {
    const m = Math.floor(r.nextAttemptAt / BUCKET_MS);
    let b = this.buckets.get(m);
    if (b === undefined) {
      b = new DueBucket(m);
      SHAPES.bucket = b;
      this.buckets.set(m, b);
      this.pushMinute(m);
    }
    if (b.sorted) {
      if (b.last !== null && dueBefore(r, b.last)) b.sorted = false;
      else b.last = r;
    }
    r.pos = b.rows.length;
    b.rows.push(r);
    b.live++;
    this.size++;
  }

  /** Removes a queued row (its `nextAttemptAt` must be the one it was queued with: it names the bucket). */
  remove(r: Row): void {
    const b = this.buckets.get(Math.floor(r.nextAttemptAt / BUCKET_MS));
    if (b !== undefined && r.pos >= 0 && b.rows[r.pos] === r) this.removeFrom(b, r);
  }

  private removeFrom(b: DueBucket, r: Row): void {
    b.rows[r.pos] = null;
    r.pos = -1;
    b.live--;
    this.size--;
    if (b.live === 0) {
      this.buckets.delete(b.minute);
      b.rows = [];
      b.head = 0;
    }
  }

  peek(): Row | undefined {
    const b = this.first();
    return b === undefined ? undefined : (b.rows[b.head] ?? undefined);
  }

  pop(): Row | undefined {
    const b = this.first();
    if (b === undefined) return undefined;
    const r = b.rows[b.head]!;
    this.removeFrom(b, r);
    // A bucket consumed from its head while still receiving rows is compacted now and then.
    if (b.live > 0 && b.head > 1024 && b.head * 2 > b.rows.length) this.compact(b);
    return r;
  }

  /** The earliest bucket, sorted, with its head on a row. */
  private first(): DueBucket | undefined {
    const minutes = this.minutes;
    while (minutes.length > 0) {
      const b = this.buckets.get(minutes[0]!);
      if (b === undefined) {
        this.popMinute();
        continue;
      }
      if (!b.sorted) this.sort(b);
      const rows = b.rows;
      while (rows[b.head] === null) b.head++;
      return b;
    }
    return undefined;
  }

  private compact(b: DueBucket): void {
    const out: Row[] = [];
    for (let i = b.head; i < b.rows.length; i++) {
      const r = b.rows[i];
      if (r !== null && r !== undefined) out.push(r);
    }
    b.rows = out;
    b.head = 0;
    for (let i = 0; i < out.length; i++) out[i]!.pos = i;
  }

  private sort(b: DueBucket): void {
    this.compact(b);
    const rows = b.rows as Row[];
    rows.sort(dueOrder);
    for (let i = 0; i < rows.length; i++) rows[i]!.pos = i;
    b.sorted = true;
    b.last = rows[rows.length - 1] ?? null;
  }

  private pushMinute(m: number): void {
    const a = this.minutes;
    let i = a.length;
    a.push(m);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= m) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = m;
  }

  private popMinute(): void {
    const a = this.minutes;
    const last = a.pop()!;
    const n = a.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && a[l + 1]! < a[l]! ? l + 1 : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
  }
}

class LeaseHeap extends RowHeap {
  protected less(x: Row, y: Row): boolean {
    const a = x.x!.leaseExpiresAt;
    const b = y.x!.leaseExpiresAt;
    return a < b || (a === b && x.seq < y.seq);
  }
}

/** The rows of one appointment or contact: none, one, or several (most have few sends). */
type Rows = Row | Row[] | undefined;

/** `rows` with `row` added (an array is extended in place). */
function rowsWith(rows: Rows, row: Row): Row | Row[] {
  if (rows === undefined) return row;
  if (Array.isArray(rows)) {
    rows.push(row);
    return rows;
  }
  return [rows, row];
}

/** `rows` without `row` (an array is shortened in place; one left is kept alone). */
function rowsWithout(rows: Rows, row: Row): Rows {
  if (rows === row) return undefined;
  if (!Array.isArray(rows)) return rows;
  const i = rows.indexOf(row);
  if (i >= 0) rows.splice(i, 1);
  return rows.length === 1 ? rows[0]! : rows;
}

const NO_ROWS: readonly Row[] = Object.freeze([]);

function rowsList(rows: Rows): readonly Row[] {
  return rows === undefined ? NO_ROWS : Array.isArray(rows) ? rows : [rows];
}

/** A multimap of rows by appointment. */
type RowIndex = Map<string, Row | Row[]>;

function indexAdd(index: RowIndex, id: string | undefined, row: Row): void {
  if (id === undefined) return;
  const cur = index.get(id);
  const next = rowsWith(cur, row);
  if (next !== cur) index.set(id, next);
}

function indexRemove(index: RowIndex, id: string | undefined, row: Row): void {
  if (id === undefined) return;
  const cur = index.get(id);
  const next = rowsWithout(cur, row);
  if (next === undefined) index.delete(id);
  else if (next !== cur) index.set(id, next);
}

function indexGet(index: RowIndex, id: string): readonly Row[] {
  return rowsList(index.get(id));
}

/**
 * What the storage keeps per contact, in one table entry: its sends and its newest journal entry (the others are
 * chained from it). Planning a contact's first send touches the entry once for both: a cold look-up in a table of
 * 10^5 contacts is a few cache misses, whatever it finds.
 */
interface ContactEntry {
  rows: Rows;
  /** The index in the journal log of the contact's newest entry, or -1. */
  journal: number;
}

type ContactIndex = Map<string, ContactEntry>;

function contactEntry(index: ContactIndex, id: string): ContactEntry {
  let e = index.get(id);
  if (e === undefined) {
    // A literal, like the rows (see Row): entries live as long as the storage.
    e = { rows: undefined, journal: -1 };
    index.set(id, e);
  }
  return e;
}

function contactAdd(index: ContactIndex, id: string | undefined, row: Row): void {
  if (id === undefined) return;
  const e = contactEntry(index, id);
  e.rows = rowsWith(e.rows, row);
}

function contactRemove(index: ContactIndex, id: string | undefined, row: Row): void {
  if (id === undefined) return;
  const e = index.get(id);
  if (e !== undefined) e.rows = rowsWithout(e.rows, row);
}

interface Tenant {
  /** The structure id, shared by every row of the tenant. */
  id: string;
  sends: Map<string, Row>;
  byAppointment: RowIndex;
  /**
   * Per contact: its sends and its newest journal entry. Entries without a contact are kept in the storage's log
   * only: no read names them.
   */
  contacts: ContactIndex;
  usage: Map<string, UsageCounters>;
  optOuts: Map<string, { optedOut: boolean; at: number }>;
}

interface EarlyStatus {
  status: ProviderStatus;
  at: number;
  errorCode: string | undefined;
}

/** The error of one item of a batched call: storage errors as they are, anything else wrapped. */
function itemError(e: unknown): RappelError {
  return e instanceof RappelError
    ? e
    : new RappelError(ErrorCode.ADAPTER_ERROR, "The memory storage failed on this item", { cause: e });
}

const ms = checkStorageDate;

function date(msValue: number): Date {
  return new Date(msValue);
}

function emptyUsage(): UsageCounters {
  return { reminderSmsCredits: 0, customSmsCredits: 0, otherSmsCredits: 0, emails: 0, faxes: 0, messages: 0 };
}

/** Sets `out[k]` to `v` unless `v` is undefined (an entry read back has no member for an absent field). */
function setIfDefined<K extends keyof JournalEntry>(out: JournalEntry, k: K, v: JournalEntry[K] | undefined): void {
  if (v !== undefined) out[k] = v;
}

/**
 * The stored journal, storage-wide, in columns: entry `i` has seq `i + 1`. Instants live in typed arrays and the
 * other fields in one array each, so an entry is no object of its own (nothing per entry for the garbage collector
 * to copy or mark but the texts it references). Each contact's entries are chained by `prev`, newest first, from
 * the `journal` field of its {@link ContactEntry}.
 */
class JournalLog {
  n = 0;
  at = new Float64Array(1024);
  /** The planned instant of an entry whose data is `{ sendAt }` (NaN: none). */
  planned = new Float64Array(1024);
  /** The previous entry of the same contact, or -1. */
  prev = new Int32Array(1024);
  readonly structureId: string[] = [];
  readonly contactId: (string | undefined)[] = [];
  readonly accountId: (string | undefined)[] = [];
  readonly event: JournalEntry["event"][] = [];
  readonly key: (string | undefined)[] = [];
  readonly channel: (Channel | undefined)[] = [];
  readonly kind: (MessageKind | undefined)[] = [];
  readonly provider: (string | undefined)[] = [];
  readonly providerMessageId: (string | undefined)[] = [];
  readonly reason: (string | undefined)[] = [];
  /** JSON text, if any. */
  readonly data: (string | undefined)[] = [];

  /** Appends an entry; returns its index. */
  append(structureId: string, e: JournalEntryInput, data: string | number | undefined, prev: number): number {
    const i = this.n;
    if (i === this.at.length) this.grow();
    this.at[i] = e.at.getTime();
    this.planned[i] = typeof data === "number" ? data : Number.NaN;
    this.prev[i] = prev;
    this.structureId.push(structureId);
    this.contactId.push(e.contactId);
    this.accountId.push(e.accountId);
    this.event.push(e.event);
    this.key.push(e.key);
    this.channel.push(e.channel);
    this.kind.push(e.kind);
    this.provider.push(e.provider);
    this.providerMessageId.push(e.providerMessageId);
    this.reason.push(e.reason);
    this.data.push(typeof data === "string" ? data : undefined);
    this.n = i + 1;
    return i;
  }

  private grow(): void {
    const at = new Float64Array(this.at.length * 2);
    at.set(this.at);
    this.at = at;
    const planned = new Float64Array(at.length);
    planned.set(this.planned);
    this.planned = planned;
    const prev = new Int32Array(at.length);
    prev.set(this.prev);
    this.prev = prev;
  }

  /** A fresh copy of entry `i`. */
  entry(i: number): JournalEntry {
    const out: JournalEntry = {
      seq: i + 1,
      structureId: this.structureId[i]!,
      at: new Date(this.at[i]!),
      event: this.event[i]!,
    };
    setIfDefined(out, "contactId", this.contactId[i]);
    setIfDefined(out, "accountId", this.accountId[i]);
    setIfDefined(out, "key", this.key[i]);
    setIfDefined(out, "channel", this.channel[i]);
    setIfDefined(out, "kind", this.kind[i]);
    setIfDefined(out, "provider", this.provider[i]);
    setIfDefined(out, "providerMessageId", this.providerMessageId[i]);
    setIfDefined(out, "reason", this.reason[i]);
    const data = this.data[i];
    const planned = this.planned[i]!;
    if (data !== undefined) out.data = JSON.parse(data) as JsonValue;
    else if (!Number.isNaN(planned)) out.data = { sendAt: new Date(planned).toISOString() };
    return out;
  }
}

/** A claim of the direct path (one small object: the view is the stored row itself). */
class ViewClaim implements MemoryClaim {
  constructor(
    readonly send: Row,
    readonly token: number,
    readonly leaseExpiresAt: number,
    readonly interrupted: boolean,
    /** The storage that made the claim (its `leasedRows` map, as an identity). */
    readonly from: object,
  ) {}
}

/** The indexes of a contact's entries in `log` whose seq (index + 1) is greater than `after`, oldest first. */
function journalOf(log: JournalLog, t: Tenant | undefined, contactId: string, after = 0): number[] {
  const out: number[] = [];
  const head = t?.contacts.get(contactId)?.journal ?? -1;
  // The chain runs newest first: it stops at the first entry at or before `after`.
  for (let i = head; i >= 0 && i + 1 > after; i = log.prev[i]!) out.push(i);
  return out.reverse();
}

/**
 * Creates the in-memory {@link Storage}: for tests, examples, demos and single-process hosts that accept
 * losing planned sends on restart.
 *
 * - Safe under any number of concurrent async workers in one process: every method does its whole
 *   read-modify-write synchronously, so calls never interleave.
 * - Copies in and out: records handed in or returned are never shared with the stored state.
 * - Claims use a due index (planned sends in buckets by minute of `nextAttemptAt`, each sorted once when claims
 *   reach it, and a binary heap by lease expiry for the claims in flight), so a claim reads a few neighbouring rows
 *   whatever the number of pending sends, in (`nextAttemptAt`, creation) order.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage();
 * const now = new Date("2026-06-08T10:00:00Z");
 * await storage.upsertPlanned("s1", [send], now);
 * //=> { inserted: 1, updated: 0, revived: 0, unchanged: 0, superseded: 0, locked: 0, lockedKeys: [] }
 * const [claim] = await storage.claimDue({ now, limit: 10, leaseMs: 30_000, owner: "w1" });
 * claim.send.status //=> "sending"
 * ```
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): MemoryStorage {
  const maxEarly = options.maxEarlyProviderStatuses ?? 10_000;
  const tenants = new Map<string, Tenant>();
  const due = new DueQueue();
  const leased = new LeaseHeap();
  /** Every row now `sending` through a public claim (`claimDue`), by its lease token; a view claim holds its row. */
  const leasedRows = new Map<number, Row>();
  /**
   * Sent rows by provider, then by provider message id. Built lazily: a completion appends to `unindexed`, and the
   * first provider status after it files what was appended (a host that never reports statuses never pays for it).
   */
  const byProviderId = new Map<string, Map<string, Row>>();
  const unindexed: { rows: Row[]; providers: string[]; ids: string[] } = { rows: [], providers: [], ids: [] };

  function providerIndex(): Map<string, Map<string, Row>> {
    const { rows, providers, ids } = unindexed;
    for (let i = 0; i < rows.length; i++) {
      let byId = byProviderId.get(providers[i]!);
      if (byId === undefined) {
        byId = new Map();
        byProviderId.set(providers[i]!, byId);
      }
      byId.set(ids[i]!, rows[i]!);
    }
    if (rows.length > 0) {
      unindexed.rows = [];
      unindexed.providers = [];
      unindexed.ids = [];
    }
    return byProviderId;
  }
  const early = new Map<string, EarlyStatus>();
  let rowSeq = 0;
  let tokenSeq = 0;
  const log = new JournalLog();
  let closed = false;

  function open(): void {
    if (closed) throw new RappelError(ErrorCode.INVALID_STATE, "The memory storage is closed");
  }

  function tenant(structureId: string): Tenant | undefined {
    return tenants.get(structureId);
  }

  function tenantForWrite(structureId: string): Tenant {
    let t = tenants.get(structureId);
    if (t === undefined) {
      t = {
        id: structureId,
        sends: new Map(),
        byAppointment: new Map(),
        contacts: new Map(),
        usage: new Map(),
        optOuts: new Map(),
      };
      tenants.set(structureId, t);
    }
    return t;
  }

  function ext(row: Row): Ext {
    if (row.x === null) {
      row.x = newExt();
      SHAPES.ext = row.x;
    }
    return row.x;
  }

  /**
   * The account id of a new row: the previous row's string when the text is the same, else one shared copy per
   * distinct id (a host may pass a fresh string with every send).
   */
  const accountIds = new Map<string, string>();
  let lastAccountId = "";
  function accountIdOf(id: string): string {
    if (id === lastAccountId) return lastAccountId;
    lastAccountId = intern(accountIds, flat(id), 256);
    return lastAccountId;
  }

  function rowFrom(t: Tenant, send: PlannedSend, data: string, now: number, seq: number): Row {
    const rId = flat(send.recipient.id);
    return newRow(
      seq,
      flat(send.key),
      t.id,
      accountIdOf(send.accountId),
      send.kind,
      send.channel,
      send.recipient.type,
      send.billing,
      rId,
      flat(send.recipient.address),
      send.sendAt.getTime(),
      send.expiresAt?.getTime(),
      send.appointmentId === rId ? rId : flat(send.appointmentId),
      send.contactId === rId ? rId : flat(send.contactId),
      flat(send.groupKey),
      intern(dataTexts, flat(data), 64),
      now,
    );
  }

  function sameContent(row: Row, c: Row): boolean {
    return (
      row.accountId === c.accountId &&
      row.kind === c.kind &&
      row.channel === c.channel &&
      row.rType === c.rType &&
      row.billing === c.billing &&
      row.rId === c.rId &&
      row.rAddress === c.rAddress &&
      row.sendAt === c.sendAt &&
      row.expiresAt === c.expiresAt &&
      row.appointmentId === c.appointmentId &&
      row.contactId === c.contactId &&
      row.groupKey === c.groupKey &&
      row.data === c.data
    );
  }

  /** Copies the content of `c` into `row`, keeping the tenant's indexes right. */
  function applyContent(t: Tenant, row: Row, c: Row, now: number): void {
    if (row.appointmentId !== c.appointmentId) {
      indexRemove(t.byAppointment, row.appointmentId, row);
      indexAdd(t.byAppointment, c.appointmentId, row);
    }
    if (row.contactId !== c.contactId) {
      contactRemove(t.contacts, row.contactId, row);
      contactAdd(t.contacts, c.contactId, row);
    }
    const sendAtChanged = row.sendAt !== c.sendAt;
    row.accountId = c.accountId;
    row.kind = c.kind;
    row.channel = c.channel;
    row.rType = c.rType;
    row.billing = c.billing;
    row.rId = c.rId;
    row.rAddress = c.rAddress;
    row.sendAt = c.sendAt;
    row.expiresAt = c.expiresAt;
    row.appointmentId = c.appointmentId;
    row.contactId = c.contactId;
    row.groupKey = c.groupKey;
    row.data = c.data;
    if (sendAtChanged) row.nextAttemptAt = c.sendAt;
    row.updatedAt = now;
  }

  function clearLease(row: Row): void {
    const x = row.x;
    if (x === null) return;
    leasedRows.delete(x.leaseToken);
    x.leaseOwner = null;
    x.leaseExpiresAt = 0;
    x.cancelRequested = false;
    x.handedOffAt = null;
    x.replacement = null;
  }

  /** Ends a claim whose cancel was requested: the newer content becomes planned, else the send is cancelled. */
  function resolveCancelled(row: Row, now: number): void {
    leased.remove(row);
    const t = tenants.get(row.structureId)!;
    const replacement = row.x?.replacement ?? null;
    clearLease(row);
    if (replacement !== null) {
      applyContent(t, row, replacement, now);
      row.nextAttemptAt = row.sendAt;
      row.status = PENDING;
      due.push(row);
    } else {
      row.status = "cancelled";
      ext(row).completedAt = now;
    }
    row.updatedAt = now;
  }

  function owned(ref: LeaseRef, now: number): Row {
    checkLeaseRef(ref);
    return ownedAt(ref.structureId, ref.key, ref.token, now);
  }

  /** The row a fencing token holds, or `lease-lost` (the ref of the error is built only then). */
  function ownedAt(structureId: string, key: string, token: number, now: number): Row {
    // The current claims by token: a small map (the claims in flight), where the key map is as large as the store.
    const held = leasedRows.get(token);
    if (held !== undefined && held.key === key && held.structureId === structureId) {
      if (held.x!.leaseExpiresAt <= now) throw leaseLost({ structureId, key, token }, "the lease lapsed");
      return held;
    }
    const row = tenants.get(structureId)?.sends.get(key);
    if (row === undefined) throw leaseLost({ structureId, key, token }, "no such send");
    const x = row.x;
    if (row.status !== "sending" || x === null || x.leaseToken !== token)
      throw leaseLost({ structureId, key, token }, "another claim owns it or it was released");
    if (x.leaseExpiresAt <= now) throw leaseLost({ structureId, key, token }, "the lease lapsed");
    return row;
  }

  /**
   * The row a claim of the direct calls holds: a claim this storage handed out (`claimViews`) holds its row, which
   * is checked in place; any other handle, or a lease that is no longer this claim's, goes through {@link ownedAt}
   * (the same checks, and the precise `lease-lost` reason).
   */
  function claimedRow(c: MemoryLeaseHandle, now: number): Row {
    if (c instanceof ViewClaim && c.from === leasedRows) {
      const row = c.send;
      const x = row.x;
      if (row.status === "sending" && x !== null && x.leaseToken === c.token && x.leaseExpiresAt > now) return row;
    }
    return ownedAt(c.send.structureId, c.send.key, tokenOf(c.token), now);
  }

  function toRecord(row: Row): SendRecord {
    const x = row.x;
    const r: SendRecord = {
      key: row.key,
      structureId: row.structureId,
      accountId: row.accountId,
      kind: row.kind,
      channel: row.channel,
      recipient: { type: row.rType, id: row.rId, address: row.rAddress },
      sendAt: date(row.sendAt),
      data: JSON.parse(row.data) as SendRecord["data"],
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: date(row.nextAttemptAt),
      lease:
        row.status === "sending" && x !== null && x.leaseOwner !== null
          ? { owner: x.leaseOwner, token: x.leaseToken, expiresAt: date(x.leaseExpiresAt) }
          : null,
      cancelRequested: x?.cancelRequested ?? false,
      handedOffAt: x?.handedOffAt == null ? null : date(x.handedOffAt),
      createdAt: date(row.createdAt),
      updatedAt: date(row.updatedAt),
      completedAt: x?.completedAt == null ? null : date(x.completedAt),
    };
    if (row.expiresAt !== undefined) r.expiresAt = date(row.expiresAt);
    if (row.appointmentId !== undefined) r.appointmentId = row.appointmentId;
    if (row.contactId !== undefined) r.contactId = row.contactId;
    if (row.billing !== undefined) r.billing = row.billing;
    if (row.groupKey !== undefined) r.groupKey = row.groupKey;
    if (x !== null) {
      if (x.provider !== null) r.provider = x.provider;
      if (x.providerMessageId !== null) r.providerMessageId = x.providerMessageId;
      if (x.providerStatus !== null) r.providerStatus = x.providerStatus;
      if (x.failureCode !== null) r.failureCode = x.failureCode;
      if (x.failureReason !== null) r.failureReason = x.failureReason;
      if (x.skipReason !== null) r.skipReason = x.skipReason;
    }
    return r;
  }

  function released(row: Row): ReleaseResult {
    const r: ReleaseResult = { status: row.status, nextAttemptAt: date(row.nextAttemptAt) };
    const ps = row.x?.providerStatus ?? null;
    if (ps !== null) r.providerStatus = ps;
    return r;
  }

  /**
   * Shares one string per distinct small data text, instead of one per send (account ids likewise, see
   * `accountIdOf`). The cache is bounded; beyond it, texts are kept as given.
   */
  const dataTexts = new Map<string, string>();
  function intern(cache: Map<string, string>, value: string, maxLength: number): string {
    // Longer texts are kept as given without a lookup: they name an appointment or a time and are rarely shared.
    if (value.length > maxLength) return value;
    const cur = cache.get(value);
    if (cur !== undefined) return cur;
    // A full cache starts over (it would otherwise stop sharing every text that comes after the first 4,096).
    if (cache.size >= 4096) cache.clear();
    cache.set(value, value);
    return value;
  }

  function toStored(row: Row): MemoryStoredSend {
    const x = row.x;
    return {
      structureId: row.structureId,
      key: row.key,
      accountId: row.accountId,
      kind: row.kind,
      channel: row.channel,
      recipientType: row.rType,
      recipientId: row.rId,
      recipientAddress: row.rAddress,
      sendAt: row.sendAt,
      expiresAt: row.expiresAt ?? null,
      appointmentId: row.appointmentId ?? null,
      contactId: row.contactId ?? null,
      billing: row.billing ?? null,
      groupKey: row.groupKey ?? null,
      dataJson: row.data,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.nextAttemptAt,
      leaseOwner: x?.leaseOwner ?? null,
      leaseToken: x?.leaseToken ?? 0,
      leaseExpiresAt: x?.leaseOwner == null ? null : x.leaseExpiresAt,
      cancelRequested: x?.cancelRequested ?? false,
      handedOffAt: x?.handedOffAt ?? null,
      replacementJson: x?.replacement == null ? null : JSON.stringify(toRecord(x.replacement)),
      provider: x?.provider ?? null,
      providerMessageId: x?.providerMessageId ?? null,
      providerStatus: x?.providerStatus ?? null,
      failureCode: x?.failureCode ?? null,
      failureReason: x?.failureReason ?? null,
      skipReason: x?.skipReason ?? null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      completedAt: x?.completedAt ?? null,
    };
  }

  /** Kept flat: one is stored per sent send (see {@link flat}). */
  function providerKey(provider: string, id: string): string {
    return flat(`${provider}\u0000${id}`);
  }

  /** Folds a provider status into a row; returns whether anything changed. */
  function fold(row: Row, status: ProviderStatus, errorCode: string | undefined, at: number): boolean {
    const x = ext(row);
    const cur = x.providerStatus;
    if (!providerStatusAdvances(cur, status)) return false;
    x.providerStatus = status;
    if (row.status === "sent" || row.status === "unknown") {
      if (status === "delivered") row.status = "delivered";
      else if (status === "undelivered" || status === "failed") {
        row.status = "failed";
        x.failureCode = errorCode ?? `provider-${status}`;
      } else row.status = "sent";
    }
    row.updatedAt = Math.max(row.updatedAt, at);
    return true;
  }

  function matchesCancel(row: Row, spec: CancelSpec): boolean {
    if ("keys" in spec) return true;
    if ("appointmentId" in spec) {
      if (row.appointmentId !== spec.appointmentId) return false;
      if (spec.kinds !== undefined && !spec.kinds.includes(row.kind)) return false;
      if (spec.channels !== undefined && !spec.channels.includes(row.channel)) return false;
      return true;
    }
    return row.contactId === spec.contactId && spec.channels.includes(row.channel);
  }

  const inboxes = new Map<
    string,
    { seq: number; byKey: Map<string, InboxMessage>; byRecipient: Map<string, InboxMessage[]> }
  >();
  const cloneInbox = (m: InboxMessage): InboxMessage => ({ ...m, at: new Date(m.at.getTime()) });

  /** `beginSend` on one item, synchronously (shared by `beginSend` and `beginSendMany`). */
  function beginOne(ref: LeaseRef, nowMs: number): BeginSendResult {
    const attempts = beginRow(owned(ref, nowMs), nowMs);
    return attempts === 0 ? { ok: false, reason: "cancel-requested" } : { ok: true, attempts };
  }

  /** The hand-off of an owned row: the attempts counted, or 0 when a cancel or newer plan came since the claim. */
  function beginRow(row: Row, nowMs: number): number {
    const x = row.x!;
    if (x.cancelRequested) return 0;
    x.handedOffAt = nowMs;
    row.attempts++;
    row.updatedAt = nowMs;
    return row.attempts;
  }

  /** `complete` on one item, synchronously (shared by `complete` and `completeMany`). */
  function completeOne(ref: LeaseRef, outcome: SendOutcome, nowMs: number): ReleaseResult {
    validateSendOutcome(outcome);
    const row = owned(ref, nowMs);
    completeRow(row, outcome, nowMs);
    return released(row);
  }

  /** Records a (validated) outcome on an owned row. */
  function completeRow(row: Row, outcome: SendOutcome, nowMs: number): void {
    const x = row.x!;
    if (outcome.status === "cancelled") {
      resolveCancelled(row, nowMs);
      return;
    }
    leased.remove(row);
    clearLease(row);
    row.status = outcome.status;
    row.updatedAt = nowMs;
    x.completedAt = nowMs;
    switch (outcome.status) {
      case "sent":
      case "unknown": {
        if (outcome.provider !== undefined) x.provider = outcome.provider;
        if (outcome.status === "unknown") {
          x.failureCode = outcome.failureCode ?? ErrorCode.TRANSPORT_UNKNOWN;
          if (outcome.failureReason !== undefined) x.failureReason = outcome.failureReason;
        }
        if (outcome.providerMessageId !== undefined && x.provider !== null) {
          x.providerMessageId = outcome.providerMessageId;
          const id = flat(outcome.providerMessageId);
          unindexed.rows.push(row);
          unindexed.providers.push(x.provider);
          unindexed.ids.push(id);
          if (outcome.status === "sent") fold(row, outcome.providerStatus ?? "sent", undefined, nowMs);
          const pk = early.size === 0 ? undefined : providerKey(x.provider, id);
          const pending = pk === undefined ? undefined : early.get(pk);
          if (pk !== undefined && pending !== undefined) {
            early.delete(pk);
            fold(row, pending.status, pending.errorCode, nowMs);
          }
        }
        break;
      }
      case "failed":
        x.failureCode = outcome.failureCode;
        if (outcome.failureReason !== undefined) x.failureReason = outcome.failureReason;
        if (outcome.provider !== undefined) x.provider = outcome.provider;
        break;
      case "missed":
        if (outcome.failureReason !== undefined) x.failureReason = outcome.failureReason;
        break;
      case "skipped":
        x.skipReason = outcome.skipReason;
        break;
    }
  }

  /** `reschedule` on one item, synchronously (shared by `reschedule` and `completeMany`). */
  function rescheduleOne(ref: LeaseRef, opts: RescheduleOptions, nowMs: number): ReleaseResult {
    const next = rescheduleInstant(opts);
    const row = owned(ref, nowMs);
    rescheduleRow(row, next, opts, nowMs);
    return released(row);
  }

  function rescheduleInstant(opts: RescheduleOptions): number {
    if (opts === null || typeof opts !== "object")
      throw invalid("options must be an object", [{ path: "options", message: "Expected RescheduleOptions" }]);
    return ms(opts.nextAttemptAt, "nextAttemptAt");
  }

  /** Puts an owned row back to planned for `next` (or resolves its requested cancel). */
  function rescheduleRow(row: Row, next: number, opts: RescheduleOptions, nowMs: number): void {
    const x = row.x!;
    if (opts.failureCode !== undefined) x.failureCode = opts.failureCode;
    if (opts.failureReason !== undefined) x.failureReason = opts.failureReason;
    if (x.cancelRequested) {
      resolveCancelled(row, nowMs);
      return;
    }
    leased.remove(row);
    clearLease(row);
    row.status = PENDING;
    row.nextAttemptAt = next;
    row.updatedAt = nowMs;
    due.push(row);
  }

  function upsertPlannedSync(structureId: string, sends: readonly PlannedSend[], now: Date): UpsertResult {
    open();
    checkStructureId(structureId);
    const nowMs = ms(now, "now");
    const texts = validatePlannedSends(structureId, sends);
    const t = tenantForWrite(structureId);
    const result = emptyUpsertResult();
    for (let i = 0; i < sends.length; i++) {
      const send = sends[i]!;
      const existing = t.sends.get(send.key);
      if (existing === undefined) {
        const row = rowFrom(t, send, texts[i]!, nowMs, ++rowSeq);
        t.sends.set(row.key, row);
        indexAdd(t.byAppointment, row.appointmentId, row);
        contactAdd(t.contacts, row.contactId, row);
        due.push(row);
        result.inserted++;
        continue;
      }
      const content = rowFrom(t, send, texts[i]!, nowMs, 0);
      const x = existing.x;
      const action = upsertAction(
        existing.status,
        sameContent(existing, content),
        x !== null && x.handedOffAt !== null,
        x?.cancelRequested === true,
      );
      countUpsertAction(result, action, send.key);
      switch (action) {
        case "update":
          due.remove(existing);
          applyContent(t, existing, content, nowMs);
          due.push(existing);
          break;
        case "revive":
          applyContent(t, existing, content, nowMs);
          existing.nextAttemptAt = existing.sendAt;
          existing.status = PENDING;
          existing.x!.completedAt = null;
          existing.updatedAt = nowMs;
          due.push(existing);
          break;
        case "withdraw-cancel":
          // Planned again as claimed: whatever cancel or newer plan came in between is undone.
          x!.cancelRequested = false;
          x!.replacement = null;
          existing.updatedAt = nowMs;
          break;
        case "supersede":
          x!.cancelRequested = true;
          x!.replacement = content;
          existing.updatedAt = nowMs;
          break;
      }
    }
    return result;
  }

  function claimDueSync(opts: ClaimDueOptions): ClaimedSend[] {
    return claim(opts, false) as ClaimedSend[];
  }

  function claimViewsSync(opts: ClaimDueOptions): MemoryClaim[] {
    return claim(opts, true) as MemoryClaim[];
  }

  /** `claimDue`: copies out (the public call), or views of the rows (the engine's direct call). */
  function claim(opts: ClaimDueOptions, views: boolean): (ClaimedSend | MemoryClaim)[] {
    open();
    const limit = validateClaimDueOptions(opts);
    const nowMs = opts.now.getTime();
    const out: (ClaimedSend | MemoryClaim)[] = [];
    while (out.length < limit) {
      const d = due.peek();
      const l = leased.peek();
      const dueOk = d !== undefined && d.nextAttemptAt <= nowMs;
      const leaseOk = l !== undefined && l.x!.leaseExpiresAt <= nowMs;
      if (!dueOk && !leaseOk) break;
      let row: Row;
      let interrupted = false;
      if (dueOk && (!leaseOk || d.nextAttemptAt <= l.x!.leaseExpiresAt)) row = due.pop()!;
      else {
        row = leased.pop()!;
        const x = row.x!;
        if (x.cancelRequested && x.handedOffAt === null) {
          resolveCancelled(row, nowMs);
          continue;
        }
        interrupted = x.handedOffAt !== null;
      }
      const x = ext(row);
      row.status = "sending";
      x.leaseOwner = opts.owner;
      leasedRows.delete(x.leaseToken);
      x.leaseToken = ++tokenSeq;
      // A view claim holds its row (see claimedRow); only the public claims are found by token.
      if (!views) leasedRows.set(x.leaseToken, row);
      x.leaseExpiresAt = nowMs + opts.leaseMs;
      if (!interrupted) x.handedOffAt = null;
      x.cancelRequested = false;
      x.replacement = null;
      row.updatedAt = nowMs;
      leased.push(row);
      if (views) {
        const c = new ViewClaim(row, x.leaseToken, x.leaseExpiresAt, interrupted, leasedRows);
        SHAPES.claim = c;
        out.push(c);
      } else
        out.push({ send: toRecord(row), token: x.leaseToken, leaseExpiresAt: date(x.leaseExpiresAt), interrupted });
    }
    return out;
  }

  function beginSendManySync(refs: readonly LeaseRef[], now: Date): BatchItemResult<BeginSendResult>[] {
    open();
    const nowMs = ms(now, "now");
    if (!Array.isArray(refs)) throw invalid("refs must be an array", [{ path: "refs", message: "Expected an array" }]);
    const out: BatchItemResult<BeginSendResult>[] = new Array(refs.length);
    for (let i = 0; i < refs.length; i++) {
      try {
        out[i] = { ok: true, value: beginOne(refs[i]!, nowMs) };
      } catch (e) {
        out[i] = { ok: false, error: itemError(e) };
      }
    }
    return out;
  }

  function completeManySync(items: readonly CompleteManyItem[], now: Date): BatchItemResult<ReleaseResult>[] {
    open();
    const nowMs = ms(now, "now");
    if (!Array.isArray(items))
      throw invalid("items must be an array", [{ path: "items", message: "Expected an array" }]);
    const out: BatchItemResult<ReleaseResult>[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      try {
        if (item === null || typeof item !== "object")
          throw invalid("item must be an object", [{ path: `items.${i}`, message: "Expected { ref, outcome }" }]);
        out[i] = {
          ok: true,
          value:
            "outcome" in item
              ? completeOne(item.ref, item.outcome, nowMs)
              : rescheduleOne(item.ref, item.reschedule, nowMs),
        };
      } catch (e) {
        out[i] = { ok: false, error: itemError(e) };
      }
    }
    return out;
  }

  function beginClaimsSync(claims: readonly MemoryLeaseHandle[], now: Date): (number | RappelError)[] {
    open();
    const nowMs = ms(now, "now");
    if (!Array.isArray(claims))
      throw invalid("claims must be an array", [{ path: "claims", message: "Expected an array" }]);
    const out: (number | RappelError)[] = new Array(claims.length);
    for (let i = 0; i < claims.length; i++) {
      try {
        const c = claims[i]!;
        out[i] = beginRow(claimedRow(c, nowMs), nowMs);
      } catch (e) {
        out[i] = itemError(e);
      }
    }
    return out;
  }

  function completeClaimsSync(items: readonly MemoryCompletion[], now: Date): (RappelError | null)[] {
    open();
    const nowMs = ms(now, "now");
    if (!Array.isArray(items))
      throw invalid("items must be an array", [{ path: "items", message: "Expected an array" }]);
    const out: (RappelError | null)[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      try {
        const item = items[i]!;
        const c = item.claim;
        const outcome = item.outcome;
        if (outcome !== undefined) {
          validateSendOutcome(outcome);
          completeRow(claimedRow(c, nowMs), outcome, nowMs);
        } else {
          const opts = item.reschedule!;
          const next = rescheduleInstant(opts);
          rescheduleRow(claimedRow(c, nowMs), next, opts, nowMs);
        }
        out[i] = null;
      } catch (e) {
        out[i] = itemError(e);
      }
    }
    return out;
  }

  function tokenOf(token: number): number {
    if (!Number.isSafeInteger(token))
      throw invalid("token must be an integer", [{ path: "token", message: "Expected an integer" }]);
    return token;
  }

  function appendEngineJournalSync(structureId: string, entries: readonly MemoryJournalInput[]): void {
    open();
    checkStructureId(structureId);
    if (!Array.isArray(entries))
      throw invalid("entries must be an array", [{ path: "entries", message: "Expected an array" }]);
    for (let i = 0; i < entries.length; i++)
      if (entries[i]!.structureId !== structureId)
        throw invalid("Invalid journal entries", [
          { path: `entries.${i}.structureId`, message: `Expected "${structureId}" (the call's structure)` },
        ]);
    const t = tenantForWrite(structureId);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const data = e.plannedSendAt ?? (e.data === undefined ? undefined : JSON.stringify(e.data));
      storeJournal(t, e, data);
    }
  }

  function storeJournal(t: Tenant, e: JournalEntryInput, data: string | number | undefined): number {
    const contactId = e.contactId;
    if (contactId === undefined) return log.append(t.id, e, data, -1);
    const c = contactEntry(t.contacts, contactId);
    const i = log.append(t.id, e, data, c.journal);
    c.journal = i;
    return i;
  }

  function listSendsSync(structureId: string, filter: SendFilter = {}): SendRecord[] {
    open();
    const limit = checkStorageLimit(filter.limit, "filter.limit", 1000);
    const t = tenant(structureId);
    if (t === undefined) return [];
    const statuses =
      filter.status === undefined
        ? undefined
        : new Set<SendStatus>(typeof filter.status === "string" ? [filter.status] : filter.status);
    const source: Iterable<Row> =
      filter.appointmentId !== undefined
        ? indexGet(t.byAppointment, filter.appointmentId)
        : filter.contactId !== undefined
          ? rowsList(t.contacts.get(filter.contactId)?.rows)
          : t.sends.values();
    const rows: Row[] = [];
    if (source === NO_ROWS) return [];
    for (const r of source) {
      if (statuses !== undefined && !statuses.has(r.status)) continue;
      if (filter.accountId !== undefined && r.accountId !== filter.accountId) continue;
      if (filter.appointmentId !== undefined && r.appointmentId !== filter.appointmentId) continue;
      if (filter.contactId !== undefined && r.contactId !== filter.contactId) continue;
      if (filter.address !== undefined && r.rAddress !== filter.address) continue;
      if (filter.channel !== undefined && r.channel !== filter.channel) continue;
      if (filter.kind !== undefined && r.kind !== filter.kind) continue;
      if (filter.after !== undefined && !(r.key > filter.after)) continue;
      rows.push(r);
    }
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return rows.slice(0, limit).map(toRecord);
  }

  /** Appends; returns the stored entries' copies unless `copies` is false (the direct call, whose caller has them). */
  function appendJournalSync(
    structureId: string,
    entries: readonly JournalEntryInput[],
    copies = true,
  ): JournalEntry[] | undefined {
    open();
    checkStructureId(structureId);
    const texts = validateJournalEntries(structureId, entries);
    const n = texts.length;
    const t = tenantForWrite(structureId);
    const out: JournalEntry[] | undefined = copies ? new Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const index = storeJournal(t, entries[i]!, texts[i]);
      if (out !== undefined) out[i] = log.entry(index);
    }
    return out;
  }

  function smsOptedOutAmongSync(structureId: string, e164s: readonly string[]): string[] {
    open();
    checkStructureId(structureId);
    validateE164List(e164s);
    const optOuts = tenants.get(structureId)?.optOuts;
    if (optOuts === undefined || optOuts.size === 0) return [];
    const out: string[] = [];
    const seen = new Set<string>();
    for (const n of e164s) {
      if (seen.has(n)) continue;
      seen.add(n);
      if (optOuts.get(n)?.optedOut === true) out.push(n);
    }
    return out;
  }

  const storage: MemoryStorage = {
    capabilities: Object.freeze({ persistent: false, multiProcess: false }),

    async upsertPlanned(structureId, sends, now) {
      return upsertPlannedSync(structureId, sends, now);
    },

    async cancel(structureId, spec, now) {
      open();
      checkStructureId(structureId);
      const nowMs = ms(now, "now");
      validateCancelSpec(spec);
      const result: CancelResult = { cancelled: [], stopped: [], tooLate: [] };
      const t = tenant(structureId);
      if (t === undefined) return result;
      let candidates: readonly Row[];
      if ("keys" in spec) candidates = spec.keys.map((k) => t.sends.get(k)).filter((r): r is Row => r !== undefined);
      else if ("appointmentId" in spec) candidates = indexGet(t.byAppointment, spec.appointmentId);
      else candidates = rowsList(t.contacts.get(spec.contactId)?.rows);
      const seen = new Set<Row>();
      for (const row of [...candidates]) {
        if (seen.has(row) || !matchesCancel(row, spec)) continue;
        seen.add(row);
        if (row.status === "planned") {
          due.remove(row);
          row.status = "cancelled";
          ext(row).completedAt = nowMs;
          row.updatedAt = nowMs;
          result.cancelled.push(toRecord(row));
        } else if (row.status === "sending") {
          const x = row.x!;
          if (x.handedOffAt !== null) result.tooLate.push(toRecord(row));
          else {
            x.cancelRequested = true;
            x.replacement = null;
            row.updatedAt = nowMs;
            result.stopped.push(toRecord(row));
          }
        }
      }
      return result;
    },

    async claimDue(opts) {
      return claimDueSync(opts);
    },

    async renewLease(ref, leaseMs, now) {
      open();
      const nowMs = ms(now, "now");
      if (!Number.isInteger(leaseMs) || leaseMs < 1)
        throw invalid("leaseMs must be a positive integer", [
          { path: "leaseMs", message: "Expected a positive integer" },
        ]);
      const row = owned(ref, nowMs);
      row.x!.leaseExpiresAt = nowMs + leaseMs;
      row.updatedAt = nowMs;
      leased.update(row);
      return date(row.x!.leaseExpiresAt);
    },

    async beginSend(ref, now) {
      open();
      return beginOne(ref, ms(now, "now"));
    },

    async beginSendMany(refs, now) {
      return beginSendManySync(refs, now);
    },

    async complete(ref, outcome, now) {
      open();
      return completeOne(ref, outcome, ms(now, "now"));
    },

    async reschedule(ref, opts, now) {
      open();
      return rescheduleOne(ref, opts, ms(now, "now"));
    },

    async completeMany(items, now) {
      return completeManySync(items, now);
    },

    async getSend(structureId, key) {
      open();
      const row = tenants.get(structureId)?.sends.get(key);
      return row === undefined ? null : toRecord(row);
    },

    async listSends(structureId, filter) {
      return listSendsSync(structureId, filter);
    },

    async appendJournal(structureId, entries) {
      return appendJournalSync(structureId, entries)!;
    },

    async readJournal(structureId, contactId, opts: ReadJournalOptions = {}) {
      open();
      const limit = checkStorageLimit(opts.limit, "options.limit", 1000);
      if (opts.after !== undefined && !Number.isFinite(opts.after))
        throw invalid("options.after must be a number", [{ path: "options.after", message: "Expected a number" }]);
      const list = journalOf(log, tenants.get(structureId), contactId, opts.after ?? 0);
      return list.slice(0, limit).map((i) => log.entry(i));
    },

    async recordProviderStatus(update: ProviderStatusUpdate) {
      open();
      validateProviderStatusUpdate(update);
      const pk = providerKey(update.provider, update.providerMessageId);
      const row = providerIndex().get(update.provider)?.get(update.providerMessageId);
      const at = update.at.getTime();
      if (row === undefined) {
        const cur = early.get(pk);
        if (cur === undefined) {
          early.set(pk, { status: update.status, at, errorCode: update.errorCode });
          while (early.size > maxEarly) early.delete(early.keys().next().value!);
        } else if (providerStatusAdvances(cur.status, update.status)) {
          cur.status = update.status;
          cur.at = at;
          cur.errorCode = update.errorCode;
        }
        return null;
      }
      const changed = fold(row, update.status, update.errorCode, at);
      const r: ProviderStatusResult = {
        structureId: row.structureId,
        key: row.key,
        status: row.status,
        providerStatus: row.x!.providerStatus!,
        changed,
      };
      if (row.contactId !== undefined) r.contactId = row.contactId;
      return r;
    },

    async addUsage(structureId, accountId, month, delta, opts: AddUsageOptions = {}) {
      open();
      checkStructureId(structureId);
      validateUsageUpdate(accountId, month, delta, opts);
      const t = tenantForWrite(structureId);
      const uk = `${accountId}\u0000${month}`;
      const cur = t.usage.get(uk) ?? emptyUsage();
      const next = { ...cur };
      for (const f of USAGE_FIELDS) next[f] += delta[f] ?? 0;
      for (const f of USAGE_FIELDS)
        if (next[f] < 0)
          throw invalid("Usage counters cannot go negative", [
            { path: `delta.${f}`, message: `Would make ${f} negative` },
          ]);
      const max = opts.max ?? {};
      for (const f of USAGE_FIELDS) {
        const m = max[f];
        if (m !== undefined && (delta[f] ?? 0) > 0 && next[f] > m) return { applied: false, counters: { ...cur } };
      }
      t.usage.set(uk, next);
      return { applied: true, counters: { ...next } } satisfies AddUsageResult;
    },

    async getUsage(structureId, accountId, month) {
      open();
      checkUsageMonth(month);
      const cur = tenants.get(structureId)?.usage.get(`${accountId}\u0000${month}`);
      return cur === undefined ? emptyUsage() : { ...cur };
    },

    async setSmsOptOut(structureId, e164, optedOut, at) {
      open();
      checkStructureId(structureId);
      const atMs = validateSmsOptOut(e164, optedOut, at);
      const t = tenantForWrite(structureId);
      const cur = t.optOuts.get(e164);
      // Latest `at` wins; on a tie, opted-out wins (never text someone who said STOP at that instant).
      if (cur === undefined || atMs > cur.at || (atMs === cur.at && optedOut && !cur.optedOut))
        t.optOuts.set(e164, { optedOut, at: atMs });
      const s = t.optOuts.get(e164)!;
      return { optedOut: s.optedOut, at: date(s.at) } satisfies SmsOptOut;
    },

    async isSmsOptedOut(structureId, e164) {
      open();
      return tenants.get(structureId)?.optOuts.get(e164)?.optedOut ?? false;
    },

    async smsOptedOutAmong(structureId, e164s) {
      return smsOptedOutAmongSync(structureId, e164s);
    },

    async appendInbox(structureId, message) {
      open();
      checkStructureId(structureId);
      validateInboxMessage(message);
      let box = inboxes.get(structureId);
      if (box === undefined) {
        box = { seq: 0, byKey: new Map(), byRecipient: new Map() };
        inboxes.set(structureId, box);
      }
      const existing = box.byKey.get(message.idempotencyKey);
      if (existing !== undefined) return cloneInbox(existing);
      box.seq += 1;
      const stored: InboxMessage = {
        id: box.seq,
        structureId,
        idempotencyKey: message.idempotencyKey,
        recipientId: message.recipientId,
        accountId: message.accountId,
        subject: message.subject,
        text: message.text,
        at: new Date(message.at.getTime()),
        read: false,
      };
      box.byKey.set(stored.idempotencyKey, stored);
      let list = box.byRecipient.get(stored.recipientId);
      if (list === undefined) {
        list = [];
        box.byRecipient.set(stored.recipientId, list);
      }
      list.push(stored);
      return cloneInbox(stored);
    },

    async readInbox(structureId, recipientId, options: ReadInboxOptions = {}) {
      open();
      checkStructureId(structureId);
      const limit = checkStorageLimit(options.limit, "limit", 100);
      const after = options.after ?? 0;
      const list = inboxes.get(structureId)?.byRecipient.get(recipientId) ?? [];
      const out: InboxMessage[] = [];
      for (const m of list) {
        if (out.length >= limit) break;
        if (m.id <= after || (options.unreadOnly && m.read)) continue;
        out.push(cloneInbox(m));
      }
      return out;
    },

    async markInboxRead(structureId, recipientId, ids, read) {
      open();
      checkStructureId(structureId);
      const wanted = new Set(ids);
      let changed = 0;
      for (const m of inboxes.get(structureId)?.byRecipient.get(recipientId) ?? []) {
        if (wanted.has(m.id) && m.read !== read) {
          m.read = read;
          changed += 1;
        }
      }
      return changed;
    },

    async close() {
      closed = true;
    },

    inspect(): MemoryStorageInspector {
      return {
        send: (structureId, key) => {
          const row = tenants.get(structureId)?.sends.get(key);
          return row === undefined ? null : toStored(row);
        },
        sendCount: (structureId) => tenants.get(structureId)?.sends.size ?? 0,
        journal: (structureId, contactId) =>
          journalOf(log, tenants.get(structureId), contactId).map((i) => log.entry(i)),
        usage: (structureId, accountId, month) => {
          const u = tenants.get(structureId)?.usage.get(`${accountId}\u0000${month}`);
          return u === undefined ? null : { ...u };
        },
        smsOptOut: (structureId, e164) => {
          const s = tenants.get(structureId)?.optOuts.get(e164);
          return s === undefined ? null : { optedOut: s.optedOut, at: date(s.at) };
        },
        stats: () => ({
          sends: [...tenants.values()].reduce((n, t) => n + t.sends.size, 0),
          due: due.size,
          leased: leased.size,
          journal: log.n,
          earlyProviderStatuses: early.size,
        }),
      };
    },
  };
  const direct: MemoryStorageDirectCalls = Object.freeze({
    methods: Object.freeze({
      upsertPlanned: storage.upsertPlanned,
      claimDue: storage.claimDue,
      beginSendMany: storage.beginSendMany!,
      completeMany: storage.completeMany!,
      listSends: storage.listSends,
      appendJournal: storage.appendJournal,
      smsOptedOutAmong: storage.smsOptedOutAmong!,
    }),
    upsertPlanned: upsertPlannedSync,
    claimDue: claimDueSync,
    beginSendMany: beginSendManySync,
    completeMany: completeManySync,
    listSends: listSendsSync,
    appendJournal: (structureId: string, entries: readonly JournalEntryInput[]) => {
      appendJournalSync(structureId, entries, false);
    },
    smsOptedOutAmong: smsOptedOutAmongSync,
    claimViews: claimViewsSync,
    beginClaims: beginClaimsSync,
    completeClaims: completeClaimsSync,
    appendEngineJournal: appendEngineJournalSync,
  });
  // Not enumerable: a spread copy of the storage (`{ ...storage, cancel: spy }`) does not carry it.
  Object.defineProperty(storage, MEMORY_STORAGE_DIRECT, { value: direct, enumerable: false });
  return storage;
}
