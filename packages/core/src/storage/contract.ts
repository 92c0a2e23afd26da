import type { MessageKind } from "../contracts/kinds.js";
import type { CancelSpec, JsonValue, PlannedSend, SkipReason } from "../contracts/sends.js";
import type { Channel } from "../contracts/transport.js";
import type { RappelError } from "../errors/errors.js";

/**
 * Where a send is in its life.
 *
 * | status | meaning | next |
 * | --- | --- | --- |
 * | `planned` | waiting for `nextAttemptAt` (first try or a retry) | `sending`, `cancelled` |
 * | `sending` | claimed by a worker holding a lease | any final status, or `planned` again (retry) |
 * | `sent` | a transport accepted it | `delivered`, `failed` (provider status callbacks, R-49) |
 * | `delivered` | the provider confirmed delivery | — |
 * | `failed` | permanent failure, or the provider reported it undelivered | — |
 * | `unknown` | the transport may have reached the provider without answering (R-48) | `delivered`, `failed` |
 * | `missed` | too late to be useful (R-47) | — |
 * | `cancelled` | cancelled before it was handed to a transport | `planned` (when planned again) |
 * | `skipped` | not sent for a reason found at send time ({@link SkipReason}) | — |
 *
 * @example
 * ```ts
 * const s: SendStatus = "planned";
 * ```
 */
export type SendStatus =
  | "planned"
  | "sending"
  | "sent"
  | "delivered"
  | "failed"
  | "unknown"
  | "missed"
  | "cancelled"
  | "skipped";

/**
 * Every {@link SendStatus}, in life order.
 *
 * @example
 * ```ts
 * SEND_STATUSES.length //=> 9
 * ```
 */
export const SEND_STATUSES: readonly SendStatus[] = Object.freeze([
  "planned",
  "sending",
  "sent",
  "delivered",
  "failed",
  "unknown",
  "missed",
  "cancelled",
  "skipped",
] as const);

/**
 * A provider's delivery status, as reported by its status callbacks. `delivered`, `undelivered` and
 * `failed` are terminal; the others rank `accepted` < `queued` < `sent`.
 *
 * @example
 * ```ts
 * const s: ProviderStatus = "delivered";
 * ```
 */
export type ProviderStatus = "accepted" | "queued" | "sent" | "delivered" | "undelivered" | "failed";

/**
 * The lease a worker holds on a claimed send. `token` is the fencing token: every write a worker makes about
 * the send carries it, and the storage refuses it once another claim has been made or the lease has lapsed.
 *
 * @example
 * ```ts
 * const lease: SendLease = { owner: "worker-1", token: 42, expiresAt: new Date("2026-06-08T10:00:30Z") };
 * ```
 */
export interface SendLease {
  /** Who claimed it (free text: host name, process id, worker name). */
  owner: string;
  /** Fencing token: greater than every token issued before it by the same storage. */
  token: number;
  /** The lease lapses at this instant (a call with `now >= expiresAt` no longer owns the send). */
  expiresAt: Date;
}

/**
 * A stored send: the {@link PlannedSend} as last planned, plus its delivery state.
 *
 * @example
 * ```ts
 * const r = await storage.getSend("s1", "s1:apt:r1:reminder:first:sms");
 * r?.status //=> "planned"
 * r?.attempts //=> 0
 * ```
 */
export interface SendRecord extends PlannedSend {
  /** Where it is in its life. */
  status: SendStatus;
  /** How many times it was handed to a transport ({@link Storage.beginSend} calls). */
  attempts: number;
  /** When it is due next: `sendAt` at first, later for a retry. Meaningful while `planned`. */
  nextAttemptAt: Date;
  /** The current lease while `sending`, else `null`. */
  lease: SendLease | null;
  /**
   * While `sending`: a cancel (or a newer plan for the same key) arrived after it was claimed but before it was
   * handed to a transport. {@link Storage.beginSend} refuses it; the worker releases it.
   */
  cancelRequested: boolean;
  /** While `sending`: when the current or an interrupted attempt began handing it to a transport. */
  handedOffAt: Date | null;
  /** The provider that accepted it (transport name). */
  provider?: string;
  /** The provider's message id (status callbacks refer to it). */
  providerMessageId?: string;
  /** The furthest provider status reached. */
  providerStatus?: ProviderStatus;
  /** Stable failure code of the last failure (an error code such as `transport-permanent`, or a provider code). */
  failureCode?: string;
  /** Human, non-personal description of the last failure. */
  failureReason?: string;
  /** Why it was skipped (status `skipped`). */
  skipReason?: SkipReason;
  /** When it was first stored. */
  createdAt: Date;
  /** When it last changed. */
  updatedAt: Date;
  /** When it reached a final status (`sent`, `failed`, `unknown`, `missed`, `skipped`, `cancelled`). */
  completedAt: Date | null;
}

/**
 * A send handed to one worker by {@link Storage.claimDue}, with its fencing token.
 *
 * @example
 * ```ts
 * const [claim] = await storage.claimDue({ now, limit: 1, leaseMs: 30_000, owner: "w1" });
 * claim.token //=> 1
 * claim.send.status //=> "sending"
 * claim.interrupted //=> false
 * ```
 */
export interface ClaimedSend {
  /** The send, as stored after the claim (status `sending`, `lease` set). */
  send: SendRecord;
  /** The fencing token to pass to every later call about this send. */
  token: number;
  /** The lease lapses at this instant unless renewed. */
  leaseExpiresAt: Date;
  /**
   * A previous holder called {@link Storage.beginSend} and never recorded the outcome (it crashed or lost its
   * lease mid-call): the transport may have received it. Record it as `unknown` rather than resend it,
   * unless the transport honours idempotency keys.
   */
  interrupted: boolean;
}

/**
 * Identifies a claimed send in calls that need its lease.
 *
 * @example
 * ```ts
 * const ref: LeaseRef = { structureId: "s1", key: "k1", token: 42 };
 * ```
 */
export interface LeaseRef {
  /** Tenant. */
  structureId: string;
  /** The send's key. */
  key: string;
  /** The fencing token returned by {@link Storage.claimDue}. */
  token: number;
}

/**
 * Options of {@link Storage.claimDue}.
 *
 * @example
 * ```ts
 * const o: ClaimDueOptions = { now: new Date(), limit: 100, leaseMs: 30_000, owner: "host-a:1234" };
 * ```
 */
export interface ClaimDueOptions {
  /** The current instant: sends with `nextAttemptAt <= now` and leases with `expiresAt <= now` are due. */
  now: Date;
  /** At most this many sends (an integer from 1 to 10,000). */
  limit: number;
  /** Lease length in milliseconds (a positive integer). */
  leaseMs: number;
  /** Who claims (recorded in the lease). */
  owner: string;
}

/**
 * What {@link Storage.upsertPlanned} did, by key.
 *
 * @example
 * ```ts
 * const r: UpsertResult = { inserted: 2, updated: 0, revived: 0, unchanged: 1, superseded: 0, locked: 0,
 *   lockedKeys: [] };
 * ```
 */
export interface UpsertResult {
  /** New keys, stored as `planned`. */
  inserted: number;
  /** Pending (`planned`) sends whose content changed. */
  updated: number;
  /** `cancelled` sends planned again (they had never been handed to a transport). */
  revived: number;
  /** Sends whose content was already the same (nothing written). */
  unchanged: number;
  /**
   * Claimed sends not yet handed to a transport whose content changed: the new content is kept aside, the
   * claim is flagged `cancelRequested`, and the new content becomes `planned` when the worker releases it.
   */
  superseded: number;
  /** Sends already handed to a transport or final (`sent`, `failed`…): never reset, left as they are. */
  locked: number;
  /** The keys counted in `locked`. */
  lockedKeys: string[];
}

/**
 * What {@link Storage.cancel} did.
 *
 * @example
 * ```ts
 * const r = await storage.cancel("s1", { appointmentId: "r1" }, now);
 * r.cancelled.map((s) => s.key) //=> ["s1:apt:r1:reminder:first:sms"]
 * r.stopped //=> []
 * r.tooLate //=> []
 * ```
 */
export interface CancelResult {
  /** Pending sends now `cancelled`: they will not be sent (unless planned again). */
  cancelled: SendRecord[];
  /**
   * Claimed sends not yet handed to a transport, now flagged `cancelRequested`: {@link Storage.beginSend}
   * will refuse them, so they will not be sent either.
   */
  stopped: SendRecord[];
  /** Sends a worker had already begun handing to a transport: they may still go out. */
  tooLate: SendRecord[];
}

/**
 * What {@link Storage.beginSend} answers.
 *
 * @example
 * ```ts
 * const r: BeginSendResult = { ok: false, reason: "cancel-requested" };
 * ```
 */
export type BeginSendResult =
  | {
      /** Go ahead: hand it to the transport now. */
      ok: true;
      /** Attempts, this one included. */
      attempts: number;
    }
  | {
      /** Do not send: release it with `complete(ref, { status: "cancelled" }, now)`. */
      ok: false;
      /** Why. */
      reason: "cancel-requested";
    };

/**
 * How a worker ends its claim on a send ({@link Storage.complete}).
 *
 * @example
 * ```ts
 * const o: SendOutcome = { status: "sent", provider: "twilio", providerMessageId: "SM123" };
 * ```
 */
export type SendOutcome =
  | {
      /** A transport accepted it. */
      status: "sent";
      /** Provider (transport name). */
      provider: string;
      /** The provider's message id, when it gave one. */
      providerMessageId?: string;
      /** The provider's initial status. @default "sent" */
      providerStatus?: ProviderStatus;
    }
  | {
      /** Permanent failure or an outcome the engine gives up on. */
      status: "failed";
      /** Stable failure code. */
      failureCode: string;
      /** Human, non-personal description. */
      failureReason?: string;
      /** Provider that refused it. */
      provider?: string;
    }
  | {
      /** The transport may have reached the provider without answering. */
      status: "unknown";
      /** Stable failure code. */
      failureCode?: string;
      /** Human, non-personal description. */
      failureReason?: string;
      /** Provider it was handed to. */
      provider?: string;
      /** The provider's id, when known. */
      providerMessageId?: string;
    }
  | {
      /** Too late to be useful. */
      status: "missed";
      /** Human, non-personal description. */
      failureReason?: string;
    }
  | {
      /** Not sent for a reason found at send time. */
      status: "skipped";
      /** Why. */
      skipReason: SkipReason;
    }
  | {
      /**
       * Not sent because a cancel arrived after the claim (`cancelRequested`), or because the worker decided so.
       * If a newer plan for the same key arrived meanwhile, the send becomes `planned` with that content.
       */
      status: "cancelled";
    };

/**
 * Options of {@link Storage.reschedule}.
 *
 * @example
 * ```ts
 * const o: RescheduleOptions = { nextAttemptAt: new Date("2026-06-08T10:01:00Z"), failureCode: "transport-transient" };
 * ```
 */
export interface RescheduleOptions {
  /** When to try again (any instant; the past means "due now"). */
  nextAttemptAt: Date;
  /** Code of the transient failure, kept on the record. */
  failureCode?: string;
  /** Human, non-personal description of the failure. */
  failureReason?: string;
}

/**
 * Where a send ended after {@link Storage.complete} or {@link Storage.reschedule}.
 *
 * @example
 * ```ts
 * const r = await storage.complete(ref, { status: "sent", provider: "twilio", providerMessageId: "SM1" }, now);
 * r //=> { status: "sent", nextAttemptAt: new Date("2026-06-08T10:00:00Z"), providerStatus: "sent" }
 * ```
 */
export interface ReleaseResult {
  /**
   * The send's status now: the outcome's, or `delivered`/`failed` when an early provider status was folded in,
   * or `planned` when a cancelled claim had a newer plan (or after `reschedule`), or `cancelled`.
   */
  status: SendStatus;
  /** When it is due next (meaningful when `planned`). */
  nextAttemptAt: Date;
  /** The furthest provider status, when there is one. */
  providerStatus?: ProviderStatus;
}

/**
 * The result of one item of a batched call ({@link Storage.beginSendMany}, {@link Storage.completeMany}): its
 * value, or the error that item alone failed with (`lease-lost`, `invalid-input`, or an adapter error). One
 * item's failure never affects the others.
 *
 * @example
 * ```ts
 * const results = await storage.beginSendMany!([ref1, ref2], now);
 * for (const r of results) {
 *   if (!r.ok) console.log(r.error.code); //=> "lease-lost"
 *   else if (r.value.ok) console.log(r.value.attempts); //=> 1
 * }
 * ```
 */
export type BatchItemResult<T> = { ok: true; value: T } | { ok: false; error: RappelError };

/**
 * One item of {@link Storage.completeMany}: end a claim with an outcome (as {@link Storage.complete}), or
 * release it for a later attempt (as {@link Storage.reschedule}).
 *
 * @example
 * ```ts
 * const items: CompleteManyItem[] = [
 *   { ref: { structureId: "s1", key: "k1", token: 7 }, outcome: { status: "sent", provider: "twilio" } },
 *   { ref: { structureId: "s1", key: "k2", token: 8 },
 *     reschedule: { nextAttemptAt: new Date("2026-06-08T10:01:00Z"), failureCode: "transport-transient" } },
 * ];
 * ```
 */
export type CompleteManyItem =
  | {
      /** The claim to end. */
      ref: LeaseRef;
      /** Its outcome, as {@link Storage.complete} takes it. */
      outcome: SendOutcome;
    }
  | {
      /** The claim to release. */
      ref: LeaseRef;
      /** When to try again, as {@link Storage.reschedule} takes it. */
      reschedule: RescheduleOptions;
    };

/**
 * A provider status callback to fold into the send carrying its message id.
 *
 * @example
 * ```ts
 * const u: ProviderStatusUpdate = { provider: "twilio", providerMessageId: "SM123", status: "delivered",
 *   at: new Date("2026-06-08T10:00:05Z") };
 * ```
 */
export interface ProviderStatusUpdate {
  /** The provider (transport name) that sent the callback. */
  provider: string;
  /** The provider's message id. */
  providerMessageId: string;
  /** What the provider reports. */
  status: ProviderStatus;
  /** When the provider reported it (or when the callback was received). */
  at: Date;
  /** Provider error code, for `undelivered` and `failed`. */
  errorCode?: string;
}

/**
 * What {@link Storage.recordProviderStatus} did.
 *
 * @example
 * ```ts
 * const r: ProviderStatusResult = { structureId: "s1", key: "k1", contactId: "c1", status: "delivered",
 *   providerStatus: "delivered", changed: true };
 * ```
 */
export interface ProviderStatusResult {
  /** Tenant of the send (callbacks are global; the engine uses this to scope what follows). */
  structureId: string;
  /** The send's key. */
  key: string;
  /** The send's contact, for the journal. */
  contactId?: string;
  /** The send's status after folding. */
  status: SendStatus;
  /** The furthest provider status after folding. */
  providerStatus: ProviderStatus;
  /** Whether this update moved anything (false for duplicates, stale and post-terminal updates). */
  changed: boolean;
}

/**
 * Filter of {@link Storage.listSends}. Every field given must match; results are ordered by key.
 *
 * @example
 * ```ts
 * const f: SendFilter = { appointmentId: "r1", status: ["planned", "sending"] };
 * ```
 */
export interface SendFilter {
  /** One status or any of several. */
  status?: SendStatus | readonly SendStatus[];
  /** Client account. */
  accountId?: string;
  /** Appointment. */
  appointmentId?: string;
  /** Contact. */
  contactId?: string;
  /** Recipient address (email address, E.164 number…). */
  address?: string;
  /** Channel. */
  channel?: Channel;
  /** Kind. */
  kind?: MessageKind;
  /** Only keys strictly greater than this one (pagination cursor: pass the last key of the previous page). */
  after?: string;
  /** At most this many (an integer from 1 to 10,000). @default 1000 */
  limit?: number;
}

/**
 * What a journal entry records.
 *
 * @example
 * ```ts
 * const e: JournalEvent = "delivered";
 * ```
 */
export type JournalEvent =
  | "planned"
  | "updated"
  | "cancelled"
  | "skipped"
  | "sending"
  | "retry"
  | "sent"
  | "delivered"
  | "failed"
  | "unknown"
  | "missed"
  | "fallback"
  | "provider-status"
  | "opted-out"
  | "opted-in";

/**
 * A journal entry as given to {@link Storage.appendJournal}.
 *
 * @example
 * ```ts
 * const e: JournalEntryInput = { structureId: "s1", contactId: "c1", at: new Date("2026-06-08T10:00:00Z"),
 *   event: "sent", key: "k1", channel: "sms", kind: "reminder", provider: "twilio", providerMessageId: "SM1" };
 * ```
 */
export interface JournalEntryInput {
  /** Tenant. */
  structureId: string;
  /** The contact the entry is about; entries without one are kept but not readable per contact. */
  contactId?: string;
  /** Client account. */
  accountId?: string;
  /** When it happened. */
  at: Date;
  /** What happened. */
  event: JournalEvent;
  /** The send it is about. */
  key?: string;
  /** Channel. */
  channel?: Channel;
  /** Kind. */
  kind?: MessageKind;
  /** Provider (transport name). */
  provider?: string;
  /** Provider message id. */
  providerMessageId?: string;
  /** Reason (skip reason, failure code…). */
  reason?: string;
  /** Other non-personal details. */
  data?: JsonValue;
}

/**
 * A stored journal entry: the input plus its sequence number.
 *
 * @example
 * ```ts
 * const [e] = await storage.readJournal("s1", "c1");
 * e.seq //=> 1
 * e.event //=> "planned"
 * ```
 */
export interface JournalEntry extends JournalEntryInput {
  /** Position in append order: greater than every earlier entry's in the same storage (not necessarily +1). */
  seq: number;
}

/**
 * Options of {@link Storage.readJournal}.
 *
 * @example
 * ```ts
 * const o: ReadJournalOptions = { limit: 50, after: 120 };
 * ```
 */
export interface ReadJournalOptions {
  /** At most this many (an integer from 1 to 10,000). @default 1000 */
  limit?: number;
  /** Only entries with `seq` strictly greater (pagination cursor: the last `seq` of the previous page). */
  after?: number;
}

/**
 * Monthly usage counters of one client account. All are non-negative integers.
 *
 * @example
 * ```ts
 * const u: UsageCounters = { reminderSmsCredits: 12, customSmsCredits: 3, otherSmsCredits: 0, emails: 40,
 *   faxes: 0, messages: 2 };
 * ```
 */
export interface UsageCounters {
  /** SMS credits (segments) of reminders and confirmations: they use the free monthly quota. */
  reminderSmsCredits: number;
  /** SMS credits of custom SMS. */
  customSmsCredits: number;
  /** SMS credits not billed to the account (`billing: "none"`). */
  otherSmsCredits: number;
  /** Emails sent. */
  emails: number;
  /** Faxes sent. */
  faxes: number;
  /** In-app messages sent. */
  messages: number;
}

/**
 * Options of {@link Storage.addUsage}.
 *
 * @example
 * ```ts
 * const o: AddUsageOptions = { max: { reminderSmsCredits: 200 } };
 * ```
 */
export interface AddUsageOptions {
  /** Apply the delta only if no counter named here would exceed its maximum (an atomic quota reservation). */
  max?: Partial<UsageCounters>;
}

/**
 * What {@link Storage.addUsage} did.
 *
 * @example
 * ```ts
 * const r: AddUsageResult = { applied: true, counters: { reminderSmsCredits: 13, customSmsCredits: 0,
 *   otherSmsCredits: 0, emails: 0, faxes: 0, messages: 0 } };
 * ```
 */
export interface AddUsageResult {
  /** Whether the delta was added (false only when a `max` would have been exceeded). */
  applied: boolean;
  /** The counters after the call. */
  counters: UsageCounters;
}

/**
 * An SMS opt-out state.
 *
 * @example
 * ```ts
 * const s: SmsOptOut = { optedOut: true, at: new Date("2026-06-08T10:00:00Z") };
 * ```
 */
export interface SmsOptOut {
  /** Whether the number is opted out. */
  optedOut: boolean;
  /** When the STOP (or START) was received. */
  at: Date;
}

/**
 * An in-app message to store in an inbox (R-08, R-44 channel `message`).
 *
 * @example
 * ```ts
 * const m: InboxMessageInput = { idempotencyKey: "s1:apt:r1:account-notification:created:message",
 *   recipientId: "a1", accountId: "a1", subject: "Nouveau rendez-vous", text: "…", at: new Date() };
 * ```
 */
export interface InboxMessageInput {
  /** Stable key: storing the same key twice stores one message. */
  idempotencyKey: string;
  /** Whose inbox: a client account or collaborator user id. */
  recipientId: string;
  /** The client account it concerns. */
  accountId: string;
  /** Subject line. */
  subject: string;
  /** Body text. */
  text: string;
  /** When it was delivered. */
  at: Date;
}

/**
 * A stored in-app message.
 *
 * @example
 * ```ts
 * const m: InboxMessage = { id: 1, structureId: "s1", idempotencyKey: "k", recipientId: "a1", accountId: "a1",
 *   subject: "Nouveau rendez-vous", text: "…", at: new Date("2026-06-08T08:00:00Z"), read: false };
 * ```
 */
export interface InboxMessage extends InboxMessageInput {
  /** Increasing id within the structure. */
  id: number;
  /** Tenant. */
  structureId: string;
  /** Read status. */
  read: boolean;
}

/**
 * Options of `Storage.readInbox`.
 *
 * @example
 * ```ts
 * const o: ReadInboxOptions = { unreadOnly: true, limit: 20 };
 * ```
 */
export interface ReadInboxOptions {
  /** Only unread messages. @default false */
  unreadOnly?: boolean;
  /** At most this many, oldest first. @default 100 */
  limit?: number;
  /** Only messages with an id greater than this (paging). */
  after?: number;
}

/**
 * What a storage can do beyond the contract's minimum, so the engine can adapt.
 *
 * @example
 * ```ts
 * const c: StorageCapabilities = { persistent: false, multiProcess: false };
 * ```
 */
export interface StorageCapabilities {
  /** State survives a restart of the process. */
  persistent: boolean;
  /** Several processes (or machines) may share it safely. */
  multiProcess: boolean;
}

/**
 * The storage contract: where the engine keeps planned sends, leases, the journal, usage counters and opt-outs.
 *
 * Rules for every method:
 * - It returns a `Promise`; "not found" is `null`, never an error.
 * - Invalid arguments reject with a `ValidationError` of code `invalid-input`; a lost lease rejects with a
 *   `RappelError` of code `lease-lost`. Adapters may reject with any other error when the backend fails; the
 *   engine wraps those as `adapter-error`.
 * - Tenancy: every read and write is scoped to one structure; nothing of one structure is ever returned to
 *   a call scoped to another. Only {@link Storage.claimDue} and {@link Storage.recordProviderStatus} are global by
 *   nature, and they return the structure of what they touch.
 * - Inputs and outputs are copies: mutating a returned record never changes what is stored.
 * - Each method is atomic: concurrent calls (from async workers of one process, or from several processes for a
 *   shared storage) behave as if run one after another.
 *
 * Run `runStorageConformance` from `@rappel/adapter-tests` against any implementation.
 *
 * @example
 * ```ts
 * const storage: Storage = createMemoryStorage();
 * await storage.upsertPlanned("s1", [send], now);
 * const claims = await storage.claimDue({ now, limit: 100, leaseMs: 30_000, owner: "w1" });
 * for (const c of claims) {
 *   const ref = { structureId: c.send.structureId, key: c.send.key, token: c.token };
 *   if ((await storage.beginSend(ref, now)).ok) {
 *     const r = await transport.send(render(c.send));
 *     await storage.complete(ref, { status: "sent", provider: transport.name, providerMessageId: r.providerMessageId }, now);
 *   } else await storage.complete(ref, { status: "cancelled" }, now);
 * }
 * ```
 */
export interface Storage {
  /** What this storage can do; absent means `{ persistent: false, multiProcess: false }`. */
  readonly capabilities?: StorageCapabilities;

  /**
   * Stores a plan idempotently, by `(structureId, key)`:
   * - a new key is inserted as `planned` with `nextAttemptAt = sendAt`;
   * - a `planned` send whose content changed is updated (`nextAttemptAt` follows a changed `sendAt`); one with
   *   the same content is left untouched (content is every {@link PlannedSend} field, `data` compared as JSON);
   * - a `cancelled` send is planned again with the new content (it was never handed to a transport);
   * - a claimed send not yet handed to a transport whose content changed is superseded (see {@link UpsertResult});
   *   planning it again with its claimed content clears a pending cancel;
   * - a send handed to a transport, or final, is never reset (`locked`).
   *
   * Later duplicates of a key in `sends` apply after earlier ones.
   *
   * Throws `invalid-input` (and stores nothing) when a send belongs to another structure, has an empty key or an
   * invalid date, or `data` is not JSON.
   *
   * Concurrency: atomic per call; two concurrent upserts of the same plan insert each key once.
   */
  upsertPlanned(structureId: string, sends: readonly PlannedSend[], now: Date): Promise<UpsertResult>;

  /**
   * Cancels the sends of one structure matching `spec` that have not been handed to a transport: pending ones
   * become `cancelled`, claimed ones are flagged `cancelRequested` ({@link CancelResult}). Final sends are
   * ignored. Matching nothing is not an error.
   *
   * Concurrency: linearizable with {@link Storage.claimDue} and {@link Storage.beginSend}: a cancel that
   * commits before a claim wins (the send is never claimed); one that commits after the claim but before
   * `beginSend` stops it (`beginSend` refuses); one that commits after `beginSend` reports the send `tooLate`.
   * So once `cancel` resolves, nothing it returned in `cancelled` or `stopped` is ever handed to a transport.
   */
  cancel(structureId: string, spec: CancelSpec, now: Date): Promise<CancelResult>;

  /**
   * Claims up to `limit` due sends across all structures, earliest first: `planned` ones with
   * `nextAttemptAt <= now`, and `sending` ones whose lease lapsed (`expiresAt <= now`; a crashed worker's).
   * Each claimed send becomes `sending` with a lease for `owner` until `now + leaseMs` and a fresh fencing token
   * greater than every token issued before. A lapsed claim whose cancel was requested and which was never handed
   * off is resolved (cancelled, or planned with its newer content) instead of being returned. Returns `[]` when
   * nothing is due.
   *
   * Concurrency: under concurrent calls (from any number of workers), each due send is returned to exactly one
   * caller until its lease expires; after that it may be claimed again, by anyone, with a greater token.
   */
  claimDue(options: ClaimDueOptions): Promise<ClaimedSend[]>;

  /**
   * Extends the lease of a claimed send to `now + leaseMs`; returns the new expiry.
   *
   * Throws `lease-lost` when `ref.token` no longer owns the send: another claim was made, the send was released
   * or completed, the send does not exist, or the lease lapsed (`now >= expiresAt`), even if nobody re-claimed it.
   *
   * Concurrency: atomic with claims: it never extends a lease another worker holds.
   */
  renewLease(ref: LeaseRef, leaseMs: number, now: Date): Promise<Date>;

  /**
   * Marks the moment a worker hands the send to a transport (after rendering, right before `transport.send`),
   * and counts the attempt. Answers `{ ok: false }` when a cancel or a newer plan arrived since the claim: the
   * worker must not send it and releases it with `complete(ref, { status: "cancelled" }, now)`.
   *
   * Throws `lease-lost` as {@link Storage.renewLease} does.
   *
   * Concurrency: the linearization point between cancel and send: a cancel committed before it wins; one
   * committed after it reports the send `tooLate`. A send whose holder called `beginSend` and then lost its lease
   * is re-claimed with `interrupted: true`.
   */
  beginSend(ref: LeaseRef, now: Date): Promise<BeginSendResult>;

  /**
   * Ends a claim with its outcome ({@link SendOutcome}), releases the lease and says where the send ended
   * ({@link ReleaseResult}: small on purpose, this is on the hot path; read the record with `getSend`). A
   * `cancelled` outcome makes the send `planned` again when a newer plan for its key arrived while it was
   * claimed; otherwise it becomes `cancelled`. A provider status that arrived before this call (callbacks can beat
   * the transport's answer) is folded in when `providerMessageId` is recorded.
   *
   * Throws `lease-lost` as {@link Storage.renewLease} does (the outcome is then not recorded: the next claimer
   * sees the send `interrupted` if `beginSend` had been called).
   *
   * Concurrency: fenced: of a stale and a current holder, only the current one's outcome is recorded.
   */
  complete(ref: LeaseRef, outcome: SendOutcome, now: Date): Promise<ReleaseResult>;

  /**
   * Releases a claimed send for a later attempt (after a transient failure, or unsent at shutdown): it becomes
   * `planned` with `nextAttemptAt`, keeping its attempt count ({@link Storage.beginSend} counts attempts) and
   * recording the failure, if given. If a cancel was requested meanwhile it becomes `cancelled` (or `planned`
   * with the newer content) instead. Returns where the send ended ({@link ReleaseResult}).
   *
   * Throws `lease-lost` as {@link Storage.renewLease} does.
   *
   * Concurrency: fenced like {@link Storage.complete}.
   */
  reschedule(ref: LeaseRef, options: RescheduleOptions, now: Date): Promise<ReleaseResult>;

  /**
   * The send with this key in this structure, or `null` when there is none (including when the key exists only
   * in another structure).
   *
   * Concurrency: reads a committed state (never a half-applied call).
   */
  getSend(structureId: string, key: string): Promise<SendRecord | null>;

  /**
   * The sends of one structure matching `filter`, ordered by key, at most `filter.limit` (default 1000). Page with
   * `after`.
   *
   * Concurrency: each record is a committed state; pages taken at different times may differ.
   */
  listSends(structureId: string, filter?: SendFilter): Promise<SendRecord[]>;

  /**
   * Appends entries to the journal, in the order given; returns them with their `seq`. Throws `invalid-input`
   * (and appends nothing) when an entry belongs to another structure or has an invalid date.
   *
   * Concurrency: atomic per call; entries of concurrent calls are not interleaved within a call's batch, and
   * `seq` increases in commit order.
   */
  appendJournal(structureId: string, entries: readonly JournalEntryInput[]): Promise<JournalEntry[]>;

  /**
   * One contact's journal in append order (`seq` ascending), after `options.after`, at most `options.limit`
   * (default 1000). `[]` when there is none.
   *
   * Concurrency: reads committed entries only.
   */
  readJournal(structureId: string, contactId: string, options?: ReadJournalOptions): Promise<JournalEntry[]>;

  /**
   * Folds a provider status callback into the send carrying `(provider, providerMessageId)`: the furthest
   * status wins, a terminal one (`delivered`, `undelivered`, `failed`) is never overwritten, duplicates change
   * nothing. `delivered` makes a `sent` or `unknown` send `delivered`; `undelivered` and `failed` make it
   * `failed` with the provider's error code. Returns `null` when no send carries the id yet: the update is kept
   * and folded in by the {@link Storage.complete} that records the id (bounded retention, adapter-defined).
   *
   * Concurrency: atomic; any interleaving of duplicated and shuffled updates ends in the same state.
   */
  recordProviderStatus(update: ProviderStatusUpdate): Promise<ProviderStatusResult | null>;

  /**
   * Adds `delta` to an account's counters for `month` (`"YYYY-MM"`) and returns the counters after the call.
   * With `options.max`, nothing is added when a named counter would exceed its maximum (`applied: false`).
   * Throws `invalid-input` for a malformed month or a non-integer delta, or when a counter would go negative.
   *
   * Concurrency: atomic read-modify-write: concurrent increments are never lost, and `max` is never exceeded.
   */
  addUsage(
    structureId: string,
    accountId: string,
    month: string,
    delta: Partial<UsageCounters>,
    options?: AddUsageOptions,
  ): Promise<AddUsageResult>;

  /**
   * An account's counters for `month`; all zeros when nothing was counted (a month with no usage is not "not
   * found"). Throws `invalid-input` for a malformed month.
   *
   * Concurrency: reads a committed state.
   */
  getUsage(structureId: string, accountId: string, month: string): Promise<UsageCounters>;

  /**
   * Records that an E.164 number opted out of SMS (STOP, `optedOut: true`) or back in (START, `false`) at `at`.
   * An update older than the stored one is ignored (replies processed out of order). Returns the state after the
   * call. Throws `invalid-input` for a number that is not E.164.
   *
   * Concurrency: atomic; the latest `at` wins whatever the order of calls.
   */
  setSmsOptOut(structureId: string, e164: string, optedOut: boolean, at: Date): Promise<SmsOptOut>;

  /**
   * Whether an E.164 number is opted out of SMS in this structure (false when never recorded).
   *
   * Concurrency: reads a committed state.
   */
  isSmsOptedOut(structureId: string, e164: string): Promise<boolean>;

  /**
   * Batched {@link Storage.beginSend} (optional: the engine falls back to one `beginSend` per send without it).
   * Same as calling `beginSend(ref, now)` for each ref in order; results in input order. An item that would
   * throw (`lease-lost`, `invalid-input`) is `{ ok: false, error }` and does not affect the others; the call
   * itself rejects only when it cannot run at all (the backend is down, `now` is invalid). A ref repeated in
   * one batch behaves as two calls in order (the second counts a second attempt).
   *
   * Concurrency: each item is atomic on its own (the batch as a whole need not be); the cancel-versus-begin
   * linearization of {@link Storage.beginSend} holds per item: a cancel committed before an item's begin wins
   * (`{ ok: false, reason: "cancel-requested" }`), one committed after reports the send `tooLate`.
   *
   * @example
   * ```ts
   * const refs = claims.map((c) => ({ structureId: c.send.structureId, key: c.send.key, token: c.token }));
   * const begun = await storage.beginSendMany!(refs, now);
   * begun[0] //=> { ok: true, value: { ok: true, attempts: 1 } }
   * ```
   */
  beginSendMany?(refs: readonly LeaseRef[], now: Date): Promise<BatchItemResult<BeginSendResult>[]>;

  /**
   * Batched {@link Storage.complete} and {@link Storage.reschedule} (optional: the engine falls back to the
   * single calls without it). Same as calling `complete(ref, outcome, now)` or `reschedule(ref, options, now)`
   * for each item in order; results in input order, per-item errors as in `beginSendMany`.
   *
   * Concurrency: each item is atomic and fenced on its own, like the single calls.
   *
   * @example
   * ```ts
   * const released = await storage.completeMany!([{ ref, outcome: { status: "sent", provider: "twilio" } }], now);
   * released[0] //=> { ok: true, value: { status: "sent", nextAttemptAt: …, providerStatus: "sent" } }
   * ```
   */
  completeMany?(items: readonly CompleteManyItem[], now: Date): Promise<BatchItemResult<ReleaseResult>[]>;

  /**
   * Of these E.164 numbers, the ones opted out of SMS in this structure: the same answers as calling
   * {@link Storage.isSmsOptedOut} for each (optional: the engine falls back to it). Each opted-out number is
   * returned once, whatever the order or repetitions of the input. Throws `invalid-input` when a number is not
   * a string.
   *
   * Concurrency: reads a committed state.
   *
   * @example
   * ```ts
   * await storage.smsOptedOutAmong!("s1", ["+33612345678", "+33698765432"]) //=> ["+33612345678"]
   * ```
   */
  smsOptedOutAmong?(structureId: string, e164s: readonly string[]): Promise<string[]>;

  /**
   * In-app inbox (optional: storages without it cannot serve the `message` channel). Stores a message in the
   * recipient's inbox, idempotently by `(structureId, idempotencyKey)`: storing the same key again returns the
   * message already stored and changes nothing. Atomic; concurrent calls with one key store it once.
   * Rejects with `invalid-input` for malformed input.
   */
  appendInbox?(structureId: string, message: InboxMessageInput): Promise<InboxMessage>;

  /**
   * Reads a recipient's inbox, oldest first. Never returns another structure's messages. An unknown recipient
   * has an empty inbox (`[]`, not `null`).
   */
  readInbox?(structureId: string, recipientId: string, options?: ReadInboxOptions): Promise<InboxMessage[]>;

  /**
   * Marks messages of a recipient read (or unread); ids of other recipients or structures are ignored. Resolves
   * with the number of messages whose status changed.
   */
  markInboxRead?(structureId: string, recipientId: string, ids: readonly number[], read: boolean): Promise<number>;

  /** Releases resources (connections, timers). Calls after `close` may reject. */
  close?(): Promise<void>;
}
