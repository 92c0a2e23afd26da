import type {
  AccountOptions,
  AccountOptionsInput,
  Agenda,
  Appointment,
  Channel,
  ClientAccount,
  Clock,
  CollaboratorUser,
  Contact,
  EmailMessage,
  FaxMessage,
  InAppMessage,
  JournalEntry,
  Logger,
  MessageKind,
  Money,
  ProviderStatus,
  ReadJournalOptions,
  Resource,
  SendFilter,
  SendRecord,
  Service,
  SignaturePurpose,
  SkipReason,
  SmsMessage,
  Storage,
  Structure,
  Transport,
  UsageCounters,
} from "@rappel/core";
import type { AppointmentOverrides } from "../planning/types.js";

/**
 * A value or a promise of it: data sources may answer synchronously (the engine then awaits nothing).
 *
 * @example
 * ```ts
 * const a: MaybePromise<number> = 1;
 * const b: MaybePromise<number> = Promise.resolve(1);
 * ```
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A client account as the data source returns it: the account, its options (partial input, resolved by the engine)
 * and its purpose signatures.
 *
 * @example
 * ```ts
 * const rec: AccountRecord = {
 *   account: parseClientAccount({ id: "a1", structureId: "s1", name: "Dr Martin", email: "martin@cabinet.example",
 *     signupDate: "2026-01-15", onlineBooking: true }),
 *   options: { communication: { sms: { allowOverage: false } } },
 *   purposeSignatures: { cancelled: "sig-cancel" },
 * };
 * ```
 */
export interface AccountRecord {
  /** The account. */
  account: ClientAccount;
  /** Its options as stored by the host (any subset); `{}` when left out. Resolved with `resolveOptions`. */
  options?: AccountOptionsInput | AccountOptions;
  /** Purpose signatures: purpose → signature id. */
  purposeSignatures?: Partial<Record<SignaturePurpose, string>>;
}

/**
 * An email signature as the data source returns it.
 *
 * @example
 * ```ts
 * const sig: SignatureRecord = { id: "sig-1", html: "<p>Cabinet du Parc — 01 23 45 67 89</p>" };
 * ```
 */
export interface SignatureRecord {
  /** Signature id. */
  id: string;
  /** HTML template of the signature (macros allowed, values escaped). */
  html: string;
}

/**
 * Where the engine reads the latest domain data, at planning time and again at send time. The host implements it
 * over its own database; {@link createMemoryDataSource} is the in-memory one for tests and demos.
 *
 * Every method is scoped to one structure: it must return `null` (or `[]`) for ids of another structure.
 * Methods may answer synchronously or with a promise; a throw or rejection becomes a `RappelError` of code
 * `adapter-error`. The four `get…` methods marked required are checked by {@link createRappel} at start-up.
 *
 * @example
 * ```ts
 * const data: RappelDataSource = {
 *   getAccount: (s, id) => db.accounts.find(s, id),
 *   getAppointment: (s, id) => db.appointments.find(s, id),
 *   getContact: (s, id) => db.contacts.find(s, id),
 *   getAgenda: (s, id) => db.agendas.find(s, id),
 * };
 * ```
 */
export interface RappelDataSource {
  /** The structure (its name, locale and zone render the security notices of R-36, which have no account). */
  getStructure?(structureId: string): MaybePromise<Structure | null>;
  /** Required. The account with its options, or `null`. */
  getAccount(structureId: string, accountId: string): MaybePromise<AccountRecord | null>;
  /** Required. The appointment, or `null`. */
  getAppointment(structureId: string, appointmentId: string): MaybePromise<Appointment | null>;
  /** Required. The contact, or `null`. */
  getContact(structureId: string, contactId: string): MaybePromise<Contact | null>;
  /** Required. The agenda, or `null`. */
  getAgenda(structureId: string, agendaId: string): MaybePromise<Agenda | null>;
  /** The service ("motif"), or `null`. */
  getService?(structureId: string, serviceId: string): MaybePromise<Service | null>;
  /** The resource, or `null`. */
  getResource?(structureId: string, resourceId: string): MaybePromise<Resource | null>;
  /** A signature by id, or `null` (then the email goes without one). */
  getSignature?(structureId: string, signatureId: string): MaybePromise<SignatureRecord | null>;
  /**
   * Every appointment of a contact (any account, any status): R-32 new contacts, R-35 survey, R-39 one SMS a day.
   * Called only when the account's options use one of those rules for the appointment (one SMS a day, a reminder
   * slot for new contacts only, or a survey of its agenda); other events plan without this read.
   */
  listContactAppointments?(structureId: string, contactId: string): MaybePromise<readonly Appointment[]>;
  /** The account's appointments starting at or after `from` (options re-plan, R-46). */
  listAccountAppointments?(structureId: string, accountId: string, from: Date): MaybePromise<readonly Appointment[]>;
  /** The structure's collaborator users (security notices R-36, notification recipients R-13). */
  listUsers?(structureId: string): MaybePromise<readonly CollaboratorUser[]>;
  /** The structure's agendas (security notices R-36). */
  listAgendas?(structureId: string): MaybePromise<readonly Agenda[]>;
}

/**
 * The transports of each channel: one, or an ordered list tried in turn on transient failures.
 *
 * @example
 * ```ts
 * const transports: EngineTransports = { email: smtp, sms: [twilio, backupGateway] };
 * ```
 */
export interface EngineTransports {
  /** Email transports. */
  email?: Transport<EmailMessage> | readonly Transport<EmailMessage>[];
  /** SMS transports. */
  sms?: Transport<SmsMessage> | readonly Transport<SmsMessage>[];
  /** Fax transports. */
  fax?: Transport<FaxMessage> | readonly Transport<FaxMessage>[];
  /** In-app message transports. */
  message?: Transport<InAppMessage> | readonly Transport<InAppMessage>[];
}

/**
 * SMS prices and the free monthly quota. Configuration, not constants.
 *
 * @example
 * ```ts
 * const pricing: PricingOptions = { currency: "CHF", freeReminderSms: 200, reminderSms: 10, customSms: 15 };
 * ```
 */
export interface PricingOptions {
  /** ISO 4217 currency of the prices. @default "CHF" */
  currency?: string;
  /** Free reminder/confirmation SMS credits per calendar month for online-booking accounts. @default 200 */
  freeReminderSms?: number;
  /** Price of one reminder SMS credit beyond the free quota, in minor units. @default 10 (CHF 0.10) */
  reminderSms?: number;
  /** Price of one custom SMS credit, in minor units. @default 15 (CHF 0.15) */
  customSms?: number;
}

/**
 * Retry policy of transient failures: capped exponential backoff with full jitter.
 * Attempt `n` (from 1) waits a uniformly random delay in `[0, min(maxDelayMs, baseDelayMs × 2^(n−1)))`, and never
 * less than the provider's `retryAfterMs` hint (itself capped at `maxDelayMs`).
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { maxAttempts: 6, baseDelayMs: 10_000, maxDelayMs: 600_000 };
 * ```
 */
export interface RetryOptions {
  /** Attempts (transport hand-offs) before a transiently failing send is recorded `failed`. @default 8 */
  maxAttempts?: number;
  /** First backoff ceiling. @default 30_000 */
  baseDelayMs?: number;
  /** Largest backoff. @default 3_600_000 */
  maxDelayMs?: number;
}

/**
 * Overrides of the default templates ({@link @rappel/templating!defaultTemplate}) for one kind, channel and account.
 * Return `undefined` (or leave a field out) to keep the default.
 *
 * @example
 * ```ts
 * const templates: TemplateResolver = ({ kind, locale }) =>
 *   kind === "reminder" && locale.startsWith("fr") ? { sms: "RDV le {{appointment.startDate}} à {{appointment.startTime}}" } : undefined;
 * ```
 */
export type TemplateResolver = (query: {
  structureId: string;
  accountId: string;
  kind: MessageKind;
  channel: Channel;
  locale: string;
}) => { sms?: string; subject?: string; html?: string; text?: string } | undefined;

/**
 * Sleeps for the engine's loop ({@link Rappel.start}): the default uses real timers; tests pass one that resolves at
 * once (or when their manual clock moves), so nothing waits for real.
 *
 * @example
 * ```ts
 * const instant: Scheduler = { sleep: () => new Promise((r) => setImmediate(r)) };
 * ```
 */
export interface Scheduler {
  /** Resolves after about `ms` milliseconds, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * Options of {@link createRappel}.
 *
 * @example
 * ```ts
 * const options: RappelOptions = {
 *   storage: createMemoryStorage(),
 *   transports: { email: createMemoryTransport({ channel: "email" }), sms: createMemoryTransport({ channel: "sms" }) },
 *   data: createMemoryDataSource(),
 *   clock: createManualClock(new Date("2026-06-01T08:00:00Z")),
 * };
 * ```
 */
export interface RappelOptions {
  /** Where planned sends, leases, the journal, usage and opt-outs live. */
  storage: Storage;
  /** Delivery providers per channel. A channel without one fails its sends with `no-transport`. */
  transports: EngineTransports;
  /** The host's latest domain data. */
  data: RappelDataSource;
  /** Where the engine reads the time. @default the system clock (`new Date()`) */
  clock?: Clock;
  /** Receives pseudonymous events (keys, ids, codes; never names, numbers, addresses or texts). @default noopLogger */
  logger?: Logger;
  /** SMS prices and free quota. */
  pricing?: PricingOptions;
  /** A send more than this late (ms) is recorded `missed`. @default 3_600_000 (one hour) */
  lateness?: number;
  /** Transient failure policy. */
  retry?: RetryOptions;
  /** Lease on claimed sends (ms): a crashed worker's sends are taken over after it. @default 60_000 */
  leaseMs?: number;
  /** Name of this worker in leases. @default "rappel" */
  workerId?: string;
  /** Template overrides. */
  templates?: TemplateResolver;
  /** Random number in `[0, 1)` for the backoff jitter. @default Math.random */
  random?: () => number;
  /** The loop of {@link Rappel.start}: how it sleeps. @default real timers */
  scheduler?: Scheduler;
  /** Sends claimed per {@link Rappel.runDue} call of the loop. @default 200 */
  batchSize?: number;
  /** Loop pause when nothing is due (ms). @default 1_000 */
  pollIntervalMs?: number;
}

/**
 * What an event call did: the keys planned, cancelled, stopped (claimed but not yet handed off: they will not go),
 * too late to cancel (already handed to a transport), and skipped with their reason.
 *
 * @example
 * ```ts
 * const r: PlanSummary = await scope.appointmentCancelled({ appointmentId: "r1" });
 * r.cancelled //=> ["s1:apt:r1@2026-06-09T10:00:00.000Z:reminder:first:sms"]
 * ```
 */
export interface PlanSummary {
  /** Keys stored (new or updated). */
  planned: string[];
  /** Pending keys cancelled. */
  cancelled: string[];
  /** Claimed keys stopped before hand-off. */
  stopped: string[];
  /** Keys already handed to a transport when the cancel committed. */
  tooLate: string[];
  /** Sends not planned, with the reason. */
  skipped: { key: string; reason: SkipReason }[];
}

/**
 * What one {@link Rappel.runDue} call did, by outcome.
 *
 * @example
 * ```ts
 * const r: RunDueResult = await engine.runDue({ limit: 100 });
 * r.claimed //=> 3
 * r.sent //=> 3
 * ```
 */
export interface RunDueResult {
  /** Sends claimed. */
  claimed: number;
  /** Handed to a transport and accepted. */
  sent: number;
  /** Rescheduled after a transient failure. */
  retried: number;
  /** Failed for good. */
  failed: number;
  /** Outcome unknown. */
  unknown: number;
  /** Too late. */
  missed: number;
  /** Skipped at send time (opted out, no address, quota, too long…). */
  skipped: number;
  /** Cancelled after the claim. */
  cancelled: number;
  /** Sent by email instead of SMS; also counted in `sent`. */
  fallback: number;
  /** Claims lost to another worker (lease lapsed). */
  lost: number;
}

/**
 * One client account's SMS consumption for a month.
 *
 * @example
 * ```ts
 * const u: UsageReport = await scope.usage("a1", "2026-06");
 * u.freeLeft //=> 0
 * u.amountDue //=> { amount: 130, currency: "CHF" } // 10 reminder credits beyond the quota + 2 custom
 * ```
 */
export interface UsageReport {
  /** Client account. */
  accountId: string;
  /** `YYYY-MM`, in the account's time zone. */
  month: string;
  /** Raw counters. */
  counters: UsageCounters;
  /** SMS credits used (reminder + custom + unbilled). */
  creditsUsed: number;
  /** Free reminder credits of the month (0 without online booking). */
  freeQuota: number;
  /** Free reminder credits left. */
  freeLeft: number;
  /** Reminder credits beyond the free quota. */
  billableReminderCredits: number;
  /** Custom SMS credits (all billable). */
  customCredits: number;
  /** What the month costs. */
  amountDue: Money;
}

/**
 * A provider status callback for {@link Rappel.providerStatus}.
 *
 * @example
 * ```ts
 * await engine.providerStatus({ provider: "twilio", providerMessageId: "SM123", status: "delivered", at: new Date() });
 * ```
 */
export interface ProviderStatusInput {
  /** Transport name that sent the message. */
  provider: string;
  /** The provider's message id. */
  providerMessageId: string;
  /** What the provider reports. */
  status: ProviderStatus;
  /** When. */
  at: Date;
  /** Provider error code for failures. */
  errorCode?: string;
}

/**
 * The calls of one structure (tenant, R-10): appointment lifecycle, messages, security, custom SMS, preferences,
 * options, and reads. Get it with {@link Rappel.forStructure}.
 *
 * @example
 * ```ts
 * const s = engine.forStructure("s1");
 * await s.appointmentCreated({ appointmentId: "r1" });
 * await s.journal("c1");
 * ```
 */
export interface RappelScope {
  /** The structure id. */
  readonly structureId: string;
  /** An appointment was created: reminders, immediate reminder, account and practitioner notices. */
  appointmentCreated(input: { appointmentId: string; overrides?: AppointmentOverrides }): Promise<PlanSummary>;
  /** An appointment moved (its data already holds the new start): old pending sends cancelled, new ones planned. */
  appointmentMoved(input: {
    appointmentId: string;
    previousStart: Date | string;
    previousEnd?: Date | string;
    overrides?: AppointmentOverrides;
  }): Promise<PlanSummary>;
  /** An appointment was cancelled: every pending send of it cancelled, notices per options. */
  appointmentCancelled(input: { appointmentId: string; overrides?: AppointmentOverrides }): Promise<PlanSummary>;
  /** A booking awaiting confirmation was confirmed. */
  appointmentConfirmed(input: { appointmentId: string; overrides?: AppointmentOverrides }): Promise<PlanSummary>;
  /** A message was taken for an account. */
  messageTaken(input: {
    message: { id: string; accountId: string; subject: string; contactId?: string };
    overrides?: Partial<Record<"email" | "fax" | "sms", boolean>>;
  }): Promise<PlanSummary>;
  /** A security or access event. */
  securityEvent(input: {
    event: import("@rappel/core").SecurityEvent;
    eventId: string;
    user: { id: string; email: string };
    previousEmail?: string;
    agendaId?: string;
    agendaIds?: string[];
    accountId?: string;
  }): Promise<PlanSummary>;
  /** Custom SMS: individual, scheduled, group or birthday. */
  customSms(input: {
    kind: import("@rappel/core").CustomSmsKind;
    id: string;
    accountId: string;
    contactIds: string[];
    text: string;
    sendAt?: Date | string;
    at?: string;
    timeZone?: string;
  }): Promise<PlanSummary>;
  /** A contact's preferences (channels, lead times, SMS number) changed: its future reminders are re-planned. */
  contactPreferencesChanged(input: { contactId: string }): Promise<PlanSummary>;
  /** An inbound STOP or START for a number: STOP opts it out and cancels its pending SMS. */
  smsKeyword(input: { phone: string; keyword: "stop" | "start"; at?: Date | string }): Promise<PlanSummary>;
  /** An account's options changed: its future appointments are re-planned. */
  accountOptionsChanged(input: { accountId: string }): Promise<PlanSummary>;
  /** A contact's journal, oldest first. */
  journal(contactId: string, options?: ReadJournalOptions): Promise<JournalEntry[]>;
  /** An account's consumption for a month `YYYY-MM`. */
  usage(accountId: string, month: string): Promise<UsageReport>;
  /**
   * An account's or user's in-app inbox (R-08, channel `message`), oldest first, when the storage has one
   * (`readInbox`); `invalid-state` otherwise.
   */
  inbox(
    recipientId: string,
    options?: import("@rappel/core").ReadInboxOptions,
  ): Promise<import("@rappel/core").InboxMessage[]>;
  /** One send's record (status, attempts, provider ids), or `null`. */
  sendStatus(key: string): Promise<SendRecord | null>;
  /** Sends matching a filter, ordered by key. */
  listSends(filter?: SendFilter): Promise<SendRecord[]>;
}

/**
 * The engine returned by {@link createRappel}.
 *
 * @example
 * ```ts
 * const engine: Rappel = createRappel({ storage, transports, data });
 * engine.start();
 * // …
 * await engine.stop();
 * ```
 */
export interface Rappel {
  /** The calls of one structure. Throws `invalid-input` for an empty id. */
  forStructure(structureId: string): RappelScope;
  /** Claims what is due now (at most `limit`, default `batchSize`) and delivers it; resolves when all are settled. */
  runDue(options?: { limit?: number }): Promise<RunDueResult>;
  /** Delivers everything due now, batch after batch, until nothing is due. */
  drain(options?: { limit?: number }): Promise<RunDueResult>;
  /** Starts the in-process loop (no-op when running). */
  start(): void;
  /** Stops the loop: in-flight sends finish, nothing claimed is abandoned. Resolves when it has stopped. */
  stop(): Promise<void>;
  /** Whether the loop runs. */
  readonly running: boolean;
  /** Folds a provider status callback in; returns what the send became, or `null` when unknown yet. */
  providerStatus(input: ProviderStatusInput): Promise<import("@rappel/core").ProviderStatusResult | null>;
}
