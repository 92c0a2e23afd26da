import type {
  AccountOptions,
  Appointment,
  AppointmentAction,
  Contact,
  JsonValue,
  LeadTime,
  MessageKind,
  NotificationRecipient,
  PlannedSend,
  PlanResult,
  SendRecipient,
  SkippedSend,
  SkipReason,
  ZoneTable,
} from "@rappel/core";
import {
  type ChannelCheck,
  billingOf as importedBillingOf,
  contactEmail as importedContactEmail,
  emailRefusal as importedEmailRefusal,
  mobileNumber as importedMobileNumber,
  mobileRefusal as importedMobileRefusal,
  quietOf as importedQuietOf,
  Problems,
  quietEnd,
} from "./common.js";
import {
  appointmentPrefix as importedAppointmentPrefix,
  isoString as importedIsoString,
  reminderKey as importedReminderKey,
  seg as importedSeg,
} from "./keys.js";
import {
  type Draft,
  addCancelKey as importedAddCancelKey,
  addScope as importedAddScope,
  finish as importedFinish,
  newDraft as importedNewDraft,
} from "./reconcile.js";
import { reminderAppointments } from "./reminderData.js";
import {
  applyQuietHoursMs as importedApplyQuietHoursMs,
  dayKey as importedDayKey,
  localDayNumber as importedLocalDayNumber,
  quietHoursAt as importedQuietHoursAt,
  reminderAt as importedReminderAt,
  reminderInstantMs as importedReminderInstantMs,
  zoneTable as importedZoneTable,
  notifiesPractitioner,
  surveyInstant,
  zonedDateParts,
} from "./time.js";
import {
  type ExistingSend,
  type PlanAppointmentEventInput,
  type PlannerAccount,
  type RecipientDirectory,
  stateOf,
} from "./types.js";

// Hot-path imports bound once to module constants. A loader that runs the sources as CommonJS (tsx, as the
// benchmarks do) reads every imported binding through a getter on each use; a local constant costs nothing in
// either module system, and these modules have no import cycle, so the bindings are initialised when read here.
const billingOf = importedBillingOf;
const contactEmail = importedContactEmail;
const emailRefusal = importedEmailRefusal;
const mobileRefusal = importedMobileRefusal;
const mobileNumber = importedMobileNumber;
const quietOf = importedQuietOf;
const appointmentPrefix = importedAppointmentPrefix;
const isoString = importedIsoString;
const reminderKey = importedReminderKey;
const seg = importedSeg;
const finish = importedFinish;
const newDraft = importedNewDraft;
const addScope = importedAddScope;
const addCancelKey = importedAddCancelKey;
const applyQuietHoursMs = importedApplyQuietHoursMs;
const dayKey = importedDayKey;
const localDayNumber = importedLocalDayNumber;
const reminderInstantMs = importedReminderInstantMs;
const reminderAt = importedReminderAt;
const quietHoursAt = importedQuietHoursAt;
const zoneTable = importedZoneTable;

/** Kinds addressed to the contact about one appointment: a move cancels the pending ones and plans them anew. */
export const CONTACT_KINDS: readonly MessageKind[] = Object.freeze([
  "reminder",
  "immediate-reminder",
  "confirmation",
  "pending-confirmation",
  "cancellation",
  "survey",
]);

/** Kinds planned from the appointment's state alone (not from an event): what an options change re-plans. */
export const STEADY_KINDS: readonly MessageKind[] = Object.freeze(["reminder", "survey"]);

/** Practitioner notifications are grouped in windows of this length, sent at the window's end. */
export const PRACTITIONER_WINDOW_MS = 10 * 60_000;

/**
 * Whether sends of `kind` are addressed to the contact (they then carry `contactId`); account, practitioner,
 * security and new-message notifications are not. Comparisons rather than a lookup table: the hot paths read small
 * tables with a different key almost every time
 * (slot, channel, kind, event), and a keyed read that sees several property names goes through the engine's
 * megamorphic lookup (a hashed cache probe, about 5 % of planning time measured): comparisons of interned strings
 * cost a few instructions. Same for the slot, channel and event helpers below.
 */
function toContact(kind: MessageKind): boolean {
  return (
    kind === "reminder" ||
    kind === "immediate-reminder" ||
    kind === "confirmation" ||
    kind === "pending-confirmation" ||
    kind === "cancellation" ||
    kind === "survey" ||
    kind === "custom-sms"
  );
}

/** `reminders[slot]` (see {@link toContact}). */
function slotOptions(reminders: AccountOptions["reminders"], slot: Slot): AccountOptions["reminders"]["first"] {
  return slot === "first" ? reminders.first : reminders.second;
}

/** `EVENT_DATA[event]` (see {@link toContact}). */
function eventData(event: AppointmentAction): PlannedSend["data"] {
  return event === "created"
    ? EVENT_DATA.created
    : event === "moved"
      ? EVENT_DATA.moved
      : event === "cancelled"
        ? EVENT_DATA.cancelled
        : EVENT_DATA.confirmed;
}

const SLOTS = ["first", "second"] as const;
// Data objects without per-send values are shared, frozen constants: sends' `data` is read-only.
const SLOT_DATA = Object.freeze({ first: Object.freeze({ slot: "first" }), second: Object.freeze({ slot: "second" }) });
const EVENT_DATA: Readonly<Record<AppointmentAction, PlannedSend["data"]>> = Object.freeze({
  created: Object.freeze({ event: "created" }),
  moved: Object.freeze({ event: "moved" }),
  cancelled: Object.freeze({ event: "cancelled" }),
  confirmed: Object.freeze({ event: "confirmed" }),
});
type Slot = (typeof SLOTS)[number];
const EVENTS: ReadonlySet<string> = new Set(["created", "moved", "cancelled", "confirmed"]);
const DAY_MS = 86_400_000;

/** Everything the per-appointment rules share during one planning call. */
export interface Ctx {
  structureId: string;
  accountId: string;
  options: AccountOptions;
  contact: Contact;
  now: number;
  /** `now` as one fresh `Date`, shared by the sends of this call that go now. */
  nowDate: Date;
  quiet: { start: string; end: string } | undefined;
  /**
   * The contact as the recipient of email sends (one object per call, shared by that channel's sends), or
   * `undefined` with the reason in `emailWhy`; `emailLead` the contact's own lead time for the channel. Same for SMS.
   */
  emailTo: SendRecipient | undefined;
  emailWhy: SkipReason | undefined;
  emailLead: LeadTime | undefined;
  smsTo: SendRecipient | undefined;
  smsWhy: SkipReason | undefined;
  smsLead: LeadTime | undefined;
  /** `slot` → `id@startISO` of appointments whose reminder SMS already went (or is going) out. */
  covered: Map<string, Set<string>> | undefined;
  /**
   * Per-appointment values computed once per call: the subject's and one other appointment's in fields (the usual
   * case: a contact rarely has more than one other appointment in play), further ones in a map made on demand.
   */
  subject: Appointment | undefined;
  subjectInfo: Info | undefined;
  other: Appointment | undefined;
  otherInfo: Info | undefined;
  infos: Map<Appointment, Info> | undefined;
  /**
   * The last `Date` made for a send of this call: a send at the same instant shares it (the email and SMS reminders
   * of a slot). Sends' dates are never mutated, by the planner or the engine.
   */
  lastDate: Date | undefined;
}

/** What the rules derive from one appointment, computed once per planning call. */
interface Info {
  iso: string;
  prefix: string;
  /**
   * The start in epoch ms and the zone's table, read once: the timing rules then run on them directly. `zone` is
   * `undefined` when the start or the zone is invalid: the public timing functions then throw their usual errors.
   */
  start: number;
  zone: ZoneTable | undefined;
  /**
   * The local day number (days since 1970-01-01 in the appointment's zone), `undefined` until needed (not `NaN`: a
   * field that holds small integers is stored as such, a `NaN` would make it a boxed double).
   */
  day: number | undefined;
  /**
   * The first slot's instant (epoch ms) or reason per channel, reused by the second slot's "same instant" rule and
   * by the SMS day groups.
   */
  firstEmail: number | string | undefined;
  firstSms: number | string | undefined;
  /** The last reminder instant computed (epoch ms), by offset object: email and SMS of a slot usually share it. */
  lastOffset: object | undefined;
  lastInstant: number;
  /** A copy of the start for `expiresAt`: sends never alias the caller's Date (they may share this one). */
  expires: Date | undefined;
}

/** Builds the shared context for one contact of one account. */
export function makeCtx(
  account: PlannerAccount,
  options: AccountOptions,
  contact: Contact,
  now: Date,
  existing: readonly ExistingSend[] | undefined,
): Ctx {
  const consent = options.communication.consent;
  // contactEmail and contactMobile ("full" policy) without their result objects.
  const emailWhy = emailRefusal(contact, consent, "full");
  const emailTo: SendRecipient | undefined =
    emailWhy === undefined ? { type: "contact", id: contact.id, address: contact.email! } : undefined;
  let smsWhy = mobileRefusal(contact, consent, "full");
  const mobile = smsWhy === undefined ? mobileNumber(contact) : undefined;
  if (smsWhy === undefined && mobile === undefined) smsWhy = "no-mobile";
  const smsTo: SendRecipient | undefined =
    mobile === undefined ? undefined : { type: "contact", id: contact.id, address: mobile };
  const prefs = contact.preferences;
  return {
    structureId: account.structureId,
    accountId: account.id,
    options,
    contact,
    now: now.getTime(),
    nowDate: new Date(now.getTime()),
    quiet: quietOf(options),
    emailTo,
    emailWhy,
    emailLead: emailTo === undefined ? undefined : prefs?.email?.leadTime,
    smsTo,
    smsWhy,
    smsLead: smsTo === undefined ? undefined : prefs?.sms?.leadTime,
    covered: existing === undefined || existing.length === 0 ? undefined : coveredSms(existing),
    subject: undefined,
    subjectInfo: undefined,
    other: undefined,
    otherInfo: undefined,
    infos: undefined,
    lastDate: undefined,
  };
}

/** The `Date` of a send at `ms`: the last one made in this call when the instant is the same, else a new one. */
function dateAt(ctx: Ctx, ms: number): Date {
  // The instant is read from the Date itself: a separate number field would be one more boxed double per call.
  const last = ctx.lastDate;
  if (last !== undefined && last.getTime() === ms) return last;
  const d = new Date(ms);
  ctx.lastDate = d;
  return d;
}

/** `slot` → `id@startISO` of the SMS reminders already out; `undefined` when there are none (no map to make). */
function coveredSms(existing: readonly ExistingSend[]): Map<string, Set<string>> | undefined {
  let covered: Map<string, Set<string>> | undefined;
  for (const e of existing) {
    if (e.kind !== "reminder" || e.channel !== "sms") continue;
    const state = stateOf(e.status);
    if (state !== "done" && state !== "in-flight") continue;
    const slot = e.data.slot;
    if (typeof slot !== "string") continue;
    const { ids, starts } = reminderAppointments(e);
    if (ids.length === 0) continue;
    covered ??= new Map();
    let set = covered.get(slot);
    if (!set) {
      set = new Set();
      covered.set(slot, set);
    }
    for (let i = 0; i < ids.length; i++) set.add(`${ids[i]}@${starts[i]}`);
  }
  return covered;
}

export function infoOf(ctx: Ctx, a: Appointment): Info {
  if (a === ctx.subject) return ctx.subjectInfo!;
  if (a === ctx.other) return ctx.otherInfo!;
  let info = ctx.infos?.get(a);
  if (info === undefined) {
    const start = a.start.getTime();
    const iso = isoString(start);
    // The checks of the timing functions: a start in 0001-01-04 … 9999-12-28 and a known zone.
    const zone = start >= -62_135_337_600_000 && start <= 253_401_955_200_000 ? zoneTable(a.timeZone) : undefined;
    info = {
      iso,
      prefix: appointmentPrefix(ctx.structureId, a.id, iso),
      start,
      zone,
      day: undefined,
      firstEmail: undefined,
      firstSms: undefined,
      lastOffset: undefined,
      lastInstant: 0,
      expires: undefined,
    };
    if (ctx.subject === undefined) {
      ctx.subject = a;
      ctx.subjectInfo = info;
    } else if (ctx.other === undefined) {
      ctx.other = a;
      ctx.otherInfo = info;
    } else {
      ctx.infos ??= new Map();
      ctx.infos.set(a, info);
    }
  }
  return info;
}

function expiresOf(ctx: Ctx, a: Appointment): Date {
  const info = infoOf(ctx, a);
  info.expires ??= new Date(a.start.getTime());
  return info.expires;
}

function dayOf(ctx: Ctx, a: Appointment): number {
  const info = infoOf(ctx, a);
  if (info.day === undefined) {
    const zone = info.zone;
    // localDayNumber on the values read once (DAY_MS as a literal); it throws its error for a bad start or zone.
    info.day =
      zone === undefined
        ? localDayNumber(a.start, a.timeZone)
        : Math.floor((info.start + zone.offsetAt(info.start)) / 86_400_000);
  }
  return info.day;
}

/**
 * Whether planning an appointment of agenda `agendaId` under `options` reads the contact's other appointments
 * (`contactAppointments`): only the one-SMS-per-day merge, a reminder slot for new contacts only and
 * the survey of the appointment's agenda do. Otherwise the plan is the same with or without them, and the
 * engine does not ask the data source for them (one host read fewer per event).
 */
export function usesContactAppointments(options: AccountOptions, agendaId: string): boolean {
  const r = options.reminders;
  return (
    options.communication.sms.onePerDay ||
    r.first.mode === "new-contacts-only" ||
    r.second.mode === "new-contacts-only" ||
    options.survey.agendaIds.includes(agendaId)
  );
}

/** no earlier non-cancelled appointment with the account. */
function isNewContact(a: Appointment, all: readonly Appointment[]): boolean {
  const t = a.start.getTime();
  for (const o of all) {
    if (o.id !== a.id && o.accountId === a.accountId && o.status !== "cancelled" && o.start.getTime() < t) return false;
  }
  return true;
}

function hasChannel(c: "email" | "sms" | "email+sms", channel: "email" | "sms"): boolean {
  return c === "email+sms" || c === channel;
}

/**
 * The reminder instant of one slot and channel for appointment `a` (after quiet hours for SMS), or why there is
 * none (`"disabled"` means "not applicable", recorded nowhere). The contact's lead time for the channel replaces
 * the slot's offset; a second slot landing on the first slot's instant is `merged` into it.
 */
function slotInstant(
  ctx: Ctx,
  a: Appointment,
  slot: Slot,
  channel: "email" | "sms",
  all: readonly Appointment[],
): number | SkipReason | "disabled" {
  if (slot === "first") {
    const info = infoOf(ctx, a);
    const memo = channel === "email" ? info.firstEmail : info.firstSms;
    if (memo !== undefined) return memo as number | SkipReason | "disabled";
    const r = computeSlotInstant(ctx, a, slot, channel, all);
    if (channel === "email") info.firstEmail = r;
    else info.firstSms = r;
    return r;
  }
  return computeSlotInstant(ctx, a, slot, channel, all);
}

function computeSlotInstant(
  ctx: Ctx,
  a: Appointment,
  slot: Slot,
  channel: "email" | "sms",
  all: readonly Appointment[],
): number | SkipReason | "disabled" {
  const s = slotOptions(ctx.options.reminders, slot);
  if (s.mode === "disabled" || !hasChannel(s.channel, channel)) return "disabled";
  if (s.mode === "new-contacts-only" && !isNewContact(a, all)) return "not-new-contact";
  const to = channel === "email" ? ctx.emailTo : ctx.smsTo;
  if (to === undefined) return (channel === "email" ? ctx.emailWhy : ctx.smsWhy)!;
  const offset = (channel === "email" ? ctx.emailLead : ctx.smsLead) ?? s.offset;
  const info = infoOf(ctx, a);
  // Email and SMS of a slot usually share the offset: one instant (and later one `Date`, see dateAt).
  let t: number;
  if (info.lastOffset === offset) t = info.lastInstant;
  else {
    // On the values read once; anything invalid goes through reminderInstantMs, which throws its error.
    t = info.zone === undefined ? Number.NaN : reminderAt(info.start, info.zone, offset);
    if (Number.isNaN(t)) t = reminderInstantMs(a.start, a.timeZone, offset);
    info.lastOffset = offset;
    info.lastInstant = t;
  }
  if (channel === "sms" && ctx.quiet !== undefined) {
    const q = info.zone === undefined ? Number.NaN : quietHoursAt(t, info.start, info.zone, ctx.quiet);
    t = Number.isNaN(q) ? applyQuietHoursMs(t, a.start, a.timeZone, ctx.quiet) : q;
  }
  if (slot === "second") {
    const first = slotInstant(ctx, a, "first", channel, all);
    if (first === t) return "merged";
  }
  return t;
}

/** The contact as recipient on a usable channel (one object per call, shared by that channel's sends). */
function contactRecipient(check: ChannelCheck): SendRecipient | undefined {
  return check.ok ? check.recipient : undefined;
}

/** The contact as recipient of `channel` in this call, `undefined` when the channel cannot be used. */
function contactTo(ctx: Ctx, channel: "email" | "sms"): SendRecipient | undefined {
  return channel === "email" ? ctx.emailTo : ctx.smsTo;
}

/**
 * A skipped-send record, built directly (`skip` of common.ts without its intermediate base object), its fields in
 * the same order: `recipient` and `sendAt` when known, `contactId` only on sends addressed to the contact.
 */
function skipRecord(
  ctx: Ctx,
  key: string,
  kind: MessageKind,
  channel: PlannedSend["channel"],
  appointmentId: string,
  reason: SkipReason,
  recipient?: SendRecipient,
  sendAt?: Date,
): SkippedSend {
  // The common shapes of contact sends as one literal each (fields added afterwards go to a property store).
  if (toContact(kind)) {
    const contactId = ctx.contact.id;
    const { structureId, accountId } = ctx;
    if (recipient === undefined) {
      if (sendAt === undefined) return { key, structureId, accountId, kind, channel, reason, appointmentId, contactId };
    } else if (sendAt === undefined) {
      return { key, structureId, accountId, kind, channel, reason, recipient, appointmentId, contactId };
    } else return { key, structureId, accountId, kind, channel, reason, recipient, sendAt, appointmentId, contactId };
  }
  const s: SkippedSend = { key, structureId: ctx.structureId, accountId: ctx.accountId, kind, channel, reason };
  if (recipient !== undefined) s.recipient = recipient;
  if (sendAt !== undefined) s.sendAt = sendAt;
  s.appointmentId = appointmentId;
  if (toContact(kind)) s.contactId = ctx.contact.id;
  return s;
}

// Planned sends, one small function per shape so that each inlines where it is called (one general function with
// the four shapes did not): every field sits in the object itself, in the same order in every shape (key,
// structureId, accountId, kind, channel, recipient, sendAt, appointmentId, billing, data, then expiresAt and
// contactId for sends to the contact, then groupKey for grouped sends), none added afterwards.

/** A send to the contact about an appointment (reminders, notices, survey): with expiry and contact. */
function contactSend(
  ctx: Ctx,
  key: string,
  kind: MessageKind,
  channel: PlannedSend["channel"],
  appointmentId: string,
  recipient: SendRecipient,
  sendAt: Date,
  expiresAt: Date,
  data: PlannedSend["data"],
): PlannedSend {
  return {
    key,
    structureId: ctx.structureId,
    accountId: ctx.accountId,
    kind,
    channel,
    recipient,
    sendAt,
    appointmentId,
    billing: billingOf(kind, channel),
    data,
    expiresAt,
    contactId: ctx.contact.id,
  };
}

/** A grouped send to the contact (the SMS of a day, R-39). */
function contactGroupSend(
  ctx: Ctx,
  key: string,
  appointmentId: string,
  recipient: SendRecipient,
  sendAt: Date,
  expiresAt: Date,
  data: PlannedSend["data"],
  groupKey: string,
): PlannedSend {
  return {
    key,
    structureId: ctx.structureId,
    accountId: ctx.accountId,
    kind: "reminder",
    channel: "sms",
    recipient,
    sendAt,
    appointmentId,
    billing: "reminder", // billingOf("reminder", "sms")
    data,
    expiresAt,
    contactId: ctx.contact.id,
    groupKey,
  };
}

/** An account notification: no expiry, not addressed to the contact. */
function notificationSend(
  ctx: Ctx,
  key: string,
  kind: MessageKind,
  channel: PlannedSend["channel"],
  appointmentId: string,
  recipient: SendRecipient,
  sendAt: Date,
  data: PlannedSend["data"],
): PlannedSend {
  return {
    key,
    structureId: ctx.structureId,
    accountId: ctx.accountId,
    kind,
    channel,
    recipient,
    sendAt,
    appointmentId,
    billing: billingOf(kind, channel),
    data,
  };
}

/** A grouped notification (the practitioner's, R-34). */
function notificationGroupSend(
  ctx: Ctx,
  key: string,
  kind: MessageKind,
  channel: PlannedSend["channel"],
  appointmentId: string,
  recipient: SendRecipient,
  sendAt: Date,
  data: PlannedSend["data"],
  groupKey: string,
): PlannedSend {
  return {
    key,
    structureId: ctx.structureId,
    accountId: ctx.accountId,
    kind,
    channel,
    recipient,
    sendAt,
    appointmentId,
    billing: billingOf(kind, channel),
    data,
    groupKey,
  };
}

/** The reminders and the survey of a live, confirmed appointment. */
export function planSteady(ctx: Ctx, a: Appointment, all: readonly Appointment[], draft: Draft): void {
  const prefix = infoOf(ctx, a).prefix;
  for (const slot of SLOTS) {
    const s = slotOptions(ctx.options.reminders, slot);
    if (s.mode === "disabled") continue;
    if (hasChannel(s.channel, "email")) planOwnReminder(ctx, a, all, draft, prefix, slot, "email");
    if (hasChannel(s.channel, "sms")) {
      if (ctx.options.communication.sms.onePerDay) planSmsDay(ctx, dayOf(ctx, a), slot, all, draft, a);
      else planOwnReminder(ctx, a, all, draft, prefix, slot, "sms");
    }
  }
  planSurvey(ctx, a, all, draft, prefix);
}

function planOwnReminder(
  ctx: Ctx,
  a: Appointment,
  all: readonly Appointment[],
  draft: Draft,
  prefix: string,
  slot: Slot,
  channel: "email" | "sms",
): void {
  const key = reminderKey(prefix, slot, channel);
  const r = slotInstant(ctx, a, slot, channel, all);
  if (typeof r === "string") {
    if (r !== "disabled")
      draft.skipped.push(skipRecord(ctx, key, "reminder", channel, a.id, r, contactTo(ctx, channel)));
    return;
  }
  const recipient = contactTo(ctx, channel)!;
  const sendAt = dateAt(ctx, r);
  if (r < ctx.now) {
    draft.skipped.push(skipRecord(ctx, key, "reminder", channel, a.id, "past", recipient, sendAt));
    return;
  }
  // About its own appointment alone: `{ slot }`, shared (see reminderAppointments).
  const data = slot === "first" ? SLOT_DATA.first : SLOT_DATA.second;
  draft.plan.push(contactSend(ctx, key, "reminder", channel, a.id, recipient, sendAt, expiresOf(ctx, a), data));
}

/**
 * One SMS per contact, account, local day and slot (R-39). The day's live appointments whose own reminder is still
 * due and not yet sent are the group; the one whose reminder comes first leads: its own key carries the send, at its
 * own instant, listing every member; the others' keys are cancelled and recorded `merged`. The result depends only
 * on the state, so every member's event plans the same send.
 */
export function planSmsDay(
  ctx: Ctx,
  day: number,
  slot: Slot,
  all: readonly Appointment[],
  draft: Draft,
  subject: Appointment | undefined,
): void {
  // The group usually has one member: it is held in locals, and the list is only made for a second one.
  let first: Appointment | undefined;
  let firstT = 0;
  let members: { a: Appointment; t: number }[] | undefined;
  for (const a of all) {
    if (a.accountId !== ctx.accountId || a.status !== "confirmed" || dayOf(ctx, a) !== day) continue;
    const isSubject = a === subject;
    const r = slotInstant(ctx, a, slot, "sms", all);
    if (typeof r === "string") {
      if (isSubject && r !== "disabled") {
        const key = reminderKey(infoOf(ctx, a).prefix, slot, "sms");
        draft.skipped.push(skipRecord(ctx, key, "reminder", "sms", a.id, r, ctx.smsTo));
      }
      continue;
    }
    const t = r;
    if (t < ctx.now) {
      if (isSubject) {
        const key = reminderKey(infoOf(ctx, a).prefix, slot, "sms");
        const sendAt = dateAt(ctx, t);
        draft.skipped.push(skipRecord(ctx, key, "reminder", "sms", a.id, "past", ctx.smsTo, sendAt));
      }
      continue;
    }
    if (ctx.covered?.get(slot)?.has(`${a.id}@${infoOf(ctx, a).iso}`)) continue;
    if (first === undefined) {
      first = a;
      firstT = t;
    } else {
      members ??= [{ a: first, t: firstT }];
      members.push({ a, t });
    }
  }
  if (first === undefined) return;
  const recipient = ctx.smsTo!;
  // `+`, not a template: see appointmentPrefix in keys.ts.
  const groupKey = smsDayPrefix(ctx.structureId, ctx.accountId) + seg(ctx.contact.id) + smsDaySuffix(day, slot);
  if (members === undefined) {
    const key = reminderKey(infoOf(ctx, first).prefix, slot, "sms");
    // One member: the send is about its own appointment (`{ slot }`, see reminderAppointments).
    const data = slot === "first" ? SLOT_DATA.first : SLOT_DATA.second;
    const expires = expiresOf(ctx, first);
    const sendAt = dateAt(ctx, firstT);
    draft.plan.push(contactGroupSend(ctx, key, first.id, recipient, sendAt, expires, data, groupKey));
    return;
  }
  const listed = members.slice();
  // Groups are a few appointments: a stable insertion sort, without the work array `Array#sort` allocates.
  insertionSort(members, byInstant);
  insertionSort(listed, byStart);
  const leader = members[0]!;
  const sendAt = dateAt(ctx, leader.t);
  const key = reminderKey(infoOf(ctx, leader.a).prefix, slot, "sms");
  const ids: string[] = [];
  const starts: string[] = [];
  for (const m of listed) {
    ids.push(m.a.id);
    starts.push(infoOf(ctx, m.a).iso);
  }
  const data = { slot, appointmentIds: ids, appointmentStarts: starts };
  draft.plan.push(contactGroupSend(ctx, key, leader.a.id, recipient, sendAt, expiresOf(ctx, leader.a), data, groupKey));
  for (let i = 1; i < members.length; i++) {
    const a = members[i]!.a;
    const k = reminderKey(infoOf(ctx, a).prefix, slot, "sms");
    addCancelKey(draft, k);
    draft.skipped.push(skipRecord(ctx, k, "reminder", "sms", a.id, "merged", recipient, sendAt));
  }
}

// The last `<structure>:sms-day:<account>:` built: one account's events come in runs.
let lastStructureId: string | undefined;
let lastAccountId: string | undefined;
let lastSmsDayPrefix = "";

// `:<YYYY-MM-DD>:<slot>` per local day number and slot (direct-mapped, 1,024 days per slot): the end of an SMS day
// group key, one concatenation instead of four.
const SMS_DAY_SLOTS = 1024;
const smsDayFirstDays = new Float64Array(SMS_DAY_SLOTS).fill(Number.NaN);
const smsDayFirstTexts: string[] = new Array<string>(SMS_DAY_SLOTS).fill("");
const smsDaySecondDays = new Float64Array(SMS_DAY_SLOTS).fill(Number.NaN);
const smsDaySecondTexts: string[] = new Array<string>(SMS_DAY_SLOTS).fill("");

function smsDaySuffix(day: number, slot: Slot): string {
  const i = day & 1023; // SMS_DAY_SLOTS - 1, as a literal (see practitionerWindowStart)
  const days = slot === "first" ? smsDayFirstDays : smsDaySecondDays;
  const texts = slot === "first" ? smsDayFirstTexts : smsDaySecondTexts;
  if (days[i] === day) return texts[i]!;
  const text = `:${dayKey(day)}:${slot}`;
  days[i] = day;
  texts[i] = text;
  return text;
}

function smsDayPrefix(structureId: string, accountId: string): string {
  if (structureId !== lastStructureId || accountId !== lastAccountId) {
    lastSmsDayPrefix = `${seg(structureId)}:sms-day:${seg(accountId)}:`;
    lastStructureId = structureId;
    lastAccountId = accountId;
  }
  return lastSmsDayPrefix;
}

// Key pieces after the appointment prefix, built once per distinct value: `:<kind>:<event>:<channel>` for notices,
// and the last account-notification and practitioner group pieces (an account's events come in runs). Each key is
// then one concatenation instead of five to nine.
let lastSuffixes: { kind: string; event: string; email: string; sms: string }[] = [];

function keySuffix(kind: MessageKind, event: AppointmentAction, channel: "email" | "sms"): string {
  for (const k of lastSuffixes) if (k.kind === kind && k.event === event) return channel === "email" ? k.email : k.sms;
  const entry = { kind, event, email: `:${kind}:${event}:email`, sms: `:${kind}:${event}:sms` };
  if (lastSuffixes.length >= 8) lastSuffixes = [];
  lastSuffixes.push(entry);
  return channel === "email" ? entry.email : entry.sms;
}

let lastAccountKey: { event: string; type: string; id: string; channel: string; suffix: string }[] = [];

function accountKeySuffix(event: string, type: string, id: string, channel: string): string {
  for (const k of lastAccountKey) {
    if (k.channel === channel && k.id === id && k.event === event && k.type === type) return k.suffix;
  }
  const suffix = `:account-notification:${event}:${type}-${seg(id)}:${channel}`;
  if (lastAccountKey.length >= 6) lastAccountKey = [];
  lastAccountKey.push({ event, type, id, channel, suffix });
  return suffix;
}

let lastPractitionerGroup: { structureId: string; agendaId: string; channel: string; prefix: string }[] = [];

function practitionerGroupPrefix(structureId: string, agendaId: string, channel: string): string {
  for (const g of lastPractitionerGroup) {
    if (g.channel === channel && g.agendaId === agendaId && g.structureId === structureId) return g.prefix;
  }
  const prefix = `${seg(structureId)}:practitioner:${seg(agendaId)}:${channel}:`;
  if (lastPractitionerGroup.length >= 4) lastPractitionerGroup = [];
  lastPractitionerGroup.push({ structureId, agendaId, channel, prefix });
  return prefix;
}

function insertionSort<T>(list: T[], compare: (x: T, y: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    const item = list[i]!;
    let j = i - 1;
    while (j >= 0 && compare(list[j]!, item) > 0) {
      list[j + 1] = list[j]!;
      j--;
    }
    list[j + 1] = item;
  }
}

function byStart(x: { a: Appointment }, y: { a: Appointment }): number {
  return x.a.start.getTime() - y.a.start.getTime() || (x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0);
}

function byInstant(x: { a: Appointment; t: number }, y: { a: Appointment; t: number }): number {
  return x.t - y.t || byStart(x, y);
}

/** R-35: whether `cur` is more than one calendar month after `prev`, read in `cur`'s zone. */
function moreThanAMonthApart(prev: Appointment, cur: Appointment): boolean {
  const p = zonedDateParts(prev.start, cur.timeZone);
  const c = zonedDateParts(cur.start, cur.timeZone);
  let y = p.year;
  let m = p.month + 1;
  if (m === 13) {
    m = 1;
    y++;
  }
  const d = Math.min(p.day, daysInMonth(y, m));
  const target = (y * 100 + m) * 100 + d;
  const current = (c.year * 100 + c.month) * 100 + c.day;
  if (current !== target) return current > target;
  // Same calendar date a month later: more than a month only if later in the day.
  const pt = ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + p.millisecond;
  const ct = ((c.hour * 60 + c.minute) * 60 + c.second) * 1000 + c.millisecond;
  return ct > pt;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function planSurvey(ctx: Ctx, a: Appointment, all: readonly Appointment[], draft: Draft, prefix: string): void {
  if (!ctx.options.survey.agendaIds.includes(a.agendaId)) return;
  const key = `${prefix}:survey:email`;
  let prev: Appointment | undefined;
  const t = a.start.getTime();
  for (const o of all) {
    if (o.id === a.id || o.agendaId !== a.agendaId || o.status === "cancelled") continue;
    const ot = o.start.getTime();
    if (ot < t && (prev === undefined || ot > prev.start.getTime())) prev = o;
  }
  const check = contactEmail(ctx.contact, ctx.options.communication.consent, "explicit");
  if (prev !== undefined && !moreThanAMonthApart(prev, a)) {
    draft.skipped.push(skipRecord(ctx, key, "survey", "email", a.id, "survey-too-recent", contactRecipient(check)));
    return;
  }
  if (!check.ok) {
    draft.skipped.push(skipRecord(ctx, key, "survey", "email", a.id, check.reason));
    return;
  }
  const recipient = check.recipient;
  const sendAt = surveyInstant(a.start, a.timeZone);
  if (sendAt.getTime() < ctx.now) {
    draft.skipped.push(skipRecord(ctx, key, "survey", "email", a.id, "past", recipient, sendAt));
    return;
  }
  const expiresAt = new Date(sendAt.getTime() + DAY_MS);
  draft.plan.push(
    contactSend(ctx, key, "survey", "email", a.id, recipient, sendAt, expiresAt, { agendaId: a.agendaId }),
  );
}

/** The contact notice of an event. */
function noticeKind(event: AppointmentAction, a: Appointment): MessageKind {
  if (event === "created") return a.status === "pending-confirmation" ? "pending-confirmation" : "immediate-reminder";
  return event === "confirmed" ? "confirmation" : event === "moved" ? "immediate-reminder" : "cancellation";
}

const CONTACT_CHANNELS = ["email", "sms"] as const;
const ACCOUNT_CHANNELS = ["message", "email", "sms"] as const;

function planContactNotice(ctx: Ctx, input: PlanAppointmentEventInput, prefix: string, draft: Draft): void {
  const { event, appointment: a, options } = input;
  const kind = noticeKind(event, a);
  const ir = options.immediateReminder;
  // Created and confirmed follow `onCreate`; moved and cancelled follow `onModify`.
  const byOption = event === "created" || event === "confirmed" ? ir.onCreate : ir.onModify;
  for (const channel of CONTACT_CHANNELS) {
    const ticked = byOption && (channel === "email" ? ir.email : ir.sms);
    const override = input.overrides?.contact?.[channel];
    const on = override ?? ticked;
    const to = contactTo(ctx, channel);
    const key = prefix + keySuffix(kind, event, channel);
    if (!on) {
      if (ticked) draft.skipped.push(skipRecord(ctx, key, kind, channel, a.id, "disabled", to));
      continue;
    }
    if (to === undefined) {
      draft.skipped.push(skipRecord(ctx, key, kind, channel, a.id, (channel === "email" ? ctx.emailWhy : ctx.smsWhy)!));
      continue;
    }
    const recipient = to;
    const start = a.start.getTime();
    let sendAt = ctx.now;
    if (channel === "sms" && ctx.quiet !== undefined) {
      const now = ctx.nowDate;
      // The subject's values (the subject is this appointment, or a copy of it with the event's status).
      const info = ctx.subjectInfo!;
      const q = info.zone === undefined ? Number.NaN : quietHoursAt(ctx.now, info.start, info.zone, ctx.quiet);
      sendAt = Number.isNaN(q) ? applyQuietHoursMs(ctx.now, a.start, a.timeZone, ctx.quiet) : q;
      // An immediate notice is never pushed into the past: it goes when the quiet hours end, if still useful.
      if (sendAt < ctx.now) sendAt = quietEnd(now, a.timeZone, ctx.quiet).getTime();
    }
    if (start <= sendAt) {
      draft.skipped.push(skipRecord(ctx, key, kind, channel, a.id, "past", recipient, new Date(sendAt)));
      continue;
    }
    draft.plan.push(
      contactSend(
        ctx,
        key,
        kind,
        channel,
        a.id,
        recipient,
        sendAt === ctx.now ? ctx.nowDate : new Date(sendAt),
        expiresOf(ctx, a),
        eventData(event),
      ),
    );
  }
}

/** The address of a notification recipient on `channel`, `undefined` when it has none there. */
function recipientAddress(
  r: NotificationRecipient,
  channel: "message" | "email" | "sms",
  account: PlannerAccount,
  directory: RecipientDirectory | undefined,
): string | undefined {
  if (r.type === "account") {
    if (channel === "message") return r.accountId;
    const acc = r.accountId === account.id ? account : directory?.accounts?.find((x) => x.id === r.accountId);
    return channel === "email" ? acc?.email : acc?.mobile;
  }
  if (channel === "message") return r.userId;
  const user = directory?.users?.find((x) => x.id === r.userId);
  return channel === "email" ? user?.email : user?.mobile;
}

// Recipients of account and practitioner notifications, frozen and kept by value (type, id, address) across calls:
// an account's or an agenda's notifications name the same few recipients event after event, so their sends share
// one frozen object instead of a new one each (a caller cannot change one send's recipient through another's).
let sharedRecipients: SendRecipient[] = [];

function sharedRecipient(type: "account" | "user" | "practitioner", id: string, address: string): SendRecipient {
  const list = sharedRecipients;
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    if (r.address === address && r.id === id && r.type === type) return r;
  }
  const r: SendRecipient = Object.freeze({ type, id, address });
  if (list.length >= 8) sharedRecipients = [r];
  else list.push(r);
  return r;
}

/**
 * The account's own notifications (the default recipient list) for one event: per channel, the key suffix and the
 * recipient (`undefined` when the account has no address there). Kept for the last account and event, by value (id,
 * email, mobile, event): an account's events come in runs, and a changed address makes a new entry.
 */
interface OwnNotices {
  id: string;
  email: string | undefined;
  mobile: string | undefined;
  event: AppointmentAction;
  messageSuffix: string;
  messageTo: SendRecipient | undefined;
  emailSuffix: string;
  emailTo: SendRecipient | undefined;
  smsSuffix: string;
  smsTo: SendRecipient | undefined;
}

let ownNotices: OwnNotices | undefined;

function ownNoticesOf(account: PlannerAccount, event: AppointmentAction): OwnNotices {
  const c = ownNotices;
  const { id, email, mobile } = account;
  if (c !== undefined && c.id === id && c.event === event && c.email === email && c.mobile === mobile) return c;
  // The general path's values for the recipient { type: "account", accountId: id } (recipientAddress, the key
  // suffix and the shared recipient), once.
  const fresh: OwnNotices = {
    id,
    email,
    mobile,
    event,
    messageSuffix: accountKeySuffix(event, "account", id, "message"),
    messageTo: sharedRecipient("account", id, id),
    emailSuffix: accountKeySuffix(event, "account", id, "email"),
    emailTo: email === undefined ? undefined : sharedRecipient("account", id, email),
    smsSuffix: accountKeySuffix(event, "account", id, "sms"),
    smsTo: mobile === undefined ? undefined : sharedRecipient("account", id, mobile),
  };
  ownNotices = fresh;
  return fresh;
}

function planAccountNotifications(ctx: Ctx, input: PlanAppointmentEventInput, prefix: string, draft: Draft): void {
  const { event, options, account } = input;
  if (event === "confirmed") return;
  // Keyed reads with a different name each time are megamorphic (see toContact): branches instead.
  const notifications = options.notifications;
  const ticked =
    event === "created" ? notifications.created : event === "moved" ? notifications.moved : notifications.cancelled;
  const recipients = options.notifications.recipients;
  // No recipients configured: the account itself (its own notices, resolved once per account and event).
  const own = recipients.length === 0 ? ownNoticesOf(account, event) : undefined;
  const data: PlannedSend["data"] =
    event === "moved" && input.previous
      ? { event, previousStart: isoString(input.previous.start.getTime()) }
      : eventData(event);
  const id = input.appointment.id;
  for (const channel of ACCOUNT_CHANNELS) {
    const override = input.overrides?.account?.[channel];
    const tickedHere = channel === "message" ? ticked.message : channel === "email" ? ticked.email : ticked.sms;
    const on = override ?? tickedHere;
    if (!on && !tickedHere) continue;
    if (own !== undefined) {
      const suffix = channel === "message" ? own.messageSuffix : channel === "email" ? own.emailSuffix : own.smsSuffix;
      const recipient = channel === "message" ? own.messageTo : channel === "email" ? own.emailTo : own.smsTo;
      accountNotice(ctx, draft, prefix + suffix, channel, id, recipient, on, data);
      continue;
    }
    // An index loop: `for…of` over a frozen array is not optimised and allocates an iterator result per element.
    for (let i = 0; i < recipients.length; i++) {
      const r = recipients[i]!;
      const rid = r.type === "account" ? r.accountId : r.userId;
      const address = recipientAddress(r, channel, account, input.directory);
      const key = prefix + accountKeySuffix(event, r.type, rid, channel);
      const recipient = address === undefined ? undefined : sharedRecipient(r.type, rid, address);
      accountNotice(ctx, draft, key, channel, id, recipient, on, data);
    }
  }
}

/** One account notification: planned now, or skipped (unticked for this operation, or no address on the channel). */
function accountNotice(
  ctx: Ctx,
  draft: Draft,
  key: string,
  channel: "message" | "email" | "sms",
  id: string,
  recipient: SendRecipient | undefined,
  on: boolean,
  data: PlannedSend["data"],
): void {
  if (!on) {
    draft.skipped.push(skipRecord(ctx, key, "account-notification", channel, id, "disabled", recipient));
    return;
  }
  if (recipient === undefined) {
    const reason = channel === "email" ? "no-email" : "no-mobile";
    draft.skipped.push(skipRecord(ctx, key, "account-notification", channel, id, reason));
    return;
  }
  draft.plan.push(notificationSend(ctx, key, "account-notification", channel, id, recipient, ctx.nowDate, data));
}

/** The start of the 10-minute window holding `now`; its end is the send instant. */
export function practitionerWindowStart(now: number): number {
  // PRACTITIONER_WINDOW_MS as a literal: a bundled module constant is reloaded and type-checked on every use.
  return Math.floor(now / 600_000) * 600_000;
}

function planPractitioner(ctx: Ctx, input: PlanAppointmentEventInput, prefix: string, draft: Draft): void {
  const { event, appointment: a, agenda } = input;
  if (event === "confirmed") return;
  if (event === "created" && (a.source !== "online" || a.status === "cancelled")) return;
  const p = agenda.practitioner ?? {};
  if (!p.email && !p.mobile) return;
  let late = true;
  if (event === "cancelled") late = notifiesPractitioner("cancel", ctx.nowDate, a.start);
  else if (event === "moved") {
    const at = ctx.nowDate;
    late = notifiesPractitioner("move", at, input.previous!.start) || notifiesPractitioner("move", at, a.start);
  }
  const windowStart = practitionerWindowStart(ctx.now);
  const windowEnd = windowStart + 600_000; // PRACTITIONER_WINDOW_MS
  const windowIso = isoString(windowStart);
  // One `Date` for the window's end, shared by both channels' sends (sends' dates are never mutated).
  let sendAt: Date | undefined;
  for (const channel of CONTACT_CHANNELS) {
    const address = channel === "email" ? p.email : p.mobile;
    if (!address) continue;
    const key = prefix + keySuffix("practitioner-notification", event, channel);
    const recipient = sharedRecipient("practitioner", agenda.id, address);
    if (!late) {
      draft.skipped.push(
        skipRecord(ctx, key, "practitioner-notification", channel, a.id, "not-late-change", recipient),
      );
      continue;
    }
    const data: Record<string, JsonValue> = { event, agendaId: agenda.id, windowStart: windowIso };
    if (event === "moved") data.previousStart = isoString(input.previous!.start.getTime());
    const groupKey = practitionerGroupPrefix(ctx.structureId, agenda.id, channel) + windowIso;
    sendAt ??= new Date(windowEnd);
    draft.plan.push(
      notificationGroupSend(ctx, key, "practitioner-notification", channel, a.id, recipient, sendAt, data, groupKey),
    );
  }
}

/** A valid `Date` (from any realm): has `getTime` and it is not `NaN`. */
// Called as a method on a Date that keeps the standard getTime, getTime compiles to a read of the Date's slot;
// `getTime.call(d)` stays a generic call through Function.prototype.call.
const isDate = (d: unknown): d is Date =>
  d instanceof Date && d.getTime === getTime ? !Number.isNaN(d.getTime()) : isDateLike(d);
const getTime = Date.prototype.getTime;
/** Dates of another realm (and anything with a working `getTime`): the general check. */
const isDateLike = (d: unknown): d is Date =>
  typeof (d as Date | undefined)?.getTime === "function" && !Number.isNaN((d as Date).getTime());
/** `EVENTS.has` without the hash lookup, for the hot path. */
const isEvent = (e: unknown): boolean => e === "created" || e === "moved" || e === "cancelled" || e === "confirmed";
const isObject = (o: unknown): o is object => typeof o === "object" && o !== null;

/** The common case without allocation; anything unusual goes to {@link validateFully} for the full list. */
function validate(input: PlanAppointmentEventInput): void {
  if (isObject(input) && isObject(input.appointment) && isObject(input.account) && isObject(input.options)) {
    const a = input.appointment;
    if (
      isEvent(input.event) &&
      isDate(input.now) &&
      typeof a.id === "string" &&
      a.id !== "" &&
      isDate(a.start) &&
      typeof a.timeZone === "string" &&
      isObject(input.agenda) &&
      isObject(input.contact) &&
      a.accountId === input.account.id &&
      a.structureId === input.account.structureId &&
      a.agendaId === input.agenda.id &&
      a.contactId === input.contact.id &&
      (input.event !== "moved" ||
        (isObject(input.previous) && input.previous.id === a.id && isDate(input.previous.start))) &&
      (input.contactAppointments === undefined || Array.isArray(input.contactAppointments)) &&
      (input.existing === undefined || Array.isArray(input.existing))
    ) {
      return;
    }
  }
  validateFully(input);
}

function validateFully(input: PlanAppointmentEventInput): void {
  const p = new Problems();
  if (!p.object(input, "input")) p.throwIfAny("planAppointmentEvent");
  if (!EVENTS.has(input.event))
    p.add("invalid-input", "event", 'Expected "created", "moved", "cancelled" or "confirmed"');
  p.date(input.now, "now");
  const a = input.appointment;
  if (p.object(a, "appointment")) {
    p.id(a.id, "appointment.id");
    p.date(a.start, "appointment.start");
    if (typeof a.timeZone !== "string")
      p.add("invalid-time-zone", "appointment.timeZone", "Expected an IANA time zone");
  }
  const okAccount = p.object(input.account, "account");
  p.object(input.options, "options");
  const okAgenda = p.object(input.agenda, "agenda");
  const okContact = p.object(input.contact, "contact");
  if (p.issues.length === 0) {
    if (a.accountId !== input.account.id) p.add("invalid-input", "appointment.accountId", "Not the given account");
    if (a.structureId !== input.account.structureId) {
      p.add("invalid-input", "appointment.structureId", "Not the account's structure");
    }
    if (okAgenda && a.agendaId !== input.agenda.id) p.add("invalid-input", "agenda.id", "Not the appointment's agenda");
    if (okContact && a.contactId !== input.contact.id) {
      p.add("invalid-input", "contact.id", "Not the appointment's contact");
    }
    if (okAccount && input.event === "moved") {
      const prev = input.previous;
      if (prev === undefined || !p.object(prev, "previous")) {
        p.add("invalid-input", "previous", "A move needs the appointment before the move");
      } else {
        p.date(prev.start, "previous.start");
        if (prev.id !== a.id) p.add("invalid-input", "previous.id", "Not the same appointment");
      }
    }
    if (input.contactAppointments !== undefined && !Array.isArray(input.contactAppointments)) {
      p.add("invalid-input", "contactAppointments", "Expected an array");
    }
    if (input.existing !== undefined && !Array.isArray(input.existing))
      p.add("invalid-input", "existing", "Expected an array");
  }
  p.throwIfAny("planAppointmentEvent");
}

/**
 * Plans what an appointment event sets off (R-13, R-14, R-16, R-18, R-30… ): which messages go to whom,
 * on which channel, at which instant, what to cancel, and what was skipped and why. Pure: same input, same output;
 * `now` is a parameter; inputs are never mutated.
 *
 * - `created`: the two reminder slots and the survey (for a confirmed appointment; a booking awaiting confirmation
 *   gets a `pending-confirmation` notice instead), the immediate reminder, the account notifications, and the
 *   practitioner notification of an online booking (grouped in 10-minute windows).
 * - `confirmed`: a booking awaiting confirmation was accepted: its reminders, its survey and a `confirmation`
 *   notice on the immediate-reminder channels.
 * - `moved`: the pending contact sends of the old time are cancelled (keys carry the start, so the new ones are
 *   new keys), the new ones planned, the account notified, the practitioner notified when the move happens less
 *   than 24 h before the old or the new start.
 * - `cancelled`: every pending send of the appointment is cancelled; the contact is told on the immediate-reminder
 *   channels (`onModify`), the account per options, the practitioner when less than 24 h before.
 *
 * With `existing`, the result holds only what changes (planning the same state twice plans nothing the second
 * time), cancellations name exact keys, and sends already out are never planned again.
 *
 * @param input - The event and its state: see {@link PlanAppointmentEventInput}.
 * @returns Sends to upsert by key, pending sends to cancel (apply first), sends skipped with their reasons.
 * @throws {@link @rappel/core!ValidationError} `invalid-input` / `invalid-date` listing every bad argument (wrong
 *   event, invalid dates, appointment not of the given account, agenda or contact, a move without `previous`);
 *   `invalid-time-zone` from the timing functions for an unknown zone.
 *
 * @example
 * ```ts
 * const result = planAppointmentEvent({
 *   event: "created",
 *   appointment: { id: "r1", structureId: "s1", accountId: "a1", agendaId: "g1", contactId: "c1",
 *     start: new Date("2026-06-09T10:00:00Z"), end: new Date("2026-06-09T10:30:00Z"),
 *     timeZone: "Europe/Paris", status: "confirmed", source: "staff" },
 *   account: { id: "a1", structureId: "s1", name: "Dr Martin", email: "martin@cabinet.example" },
 *   options: resolveOptions({}), // first reminder 24 h before by email and SMS
 *   agenda: { id: "g1", accountId: "a1", ownerUserId: "u1", practitioner: {} },
 *   contact: ContactSchema.parse({ id: "c1", structureId: "s1", accountIds: ["a1"], lastName: "Martin",
 *     email: "jeanne@example.org", phones: [{ number: "06 12 34 56 78" }] }),
 *   now: new Date("2026-06-01T08:00:00Z"),
 * });
 * result.plan.map((s) => `${s.channel} ${s.sendAt.toISOString()}`);
 * //=> ["email 2026-06-08T10:00:00.000Z", "sms 2026-06-08T10:00:00.000Z"]
 * result.plan[1].key; //=> "s1:apt:r1@2026-06-09T10:00:00.000Z:reminder:first:sms"
 * ```
 */
export function planAppointmentEvent(input: PlanAppointmentEventInput): PlanResult {
  validate(input);
  const { event, appointment, account, options, contact } = input;
  const ctx = makeCtx(account, options, contact, input.now, input.existing);
  const draft = newDraft();
  const live = event !== "cancelled" && appointment.status !== "cancelled";
  // The event wins over a status the caller has not updated yet.
  const subject: Appointment = !live
    ? appointment.status === "cancelled"
      ? appointment
      : { ...appointment, status: "cancelled" }
    : event === "confirmed" && appointment.status !== "confirmed"
      ? { ...appointment, status: "confirmed" }
      : appointment;
  const others = input.contactAppointments ?? [];
  const all: Appointment[] = [subject];
  for (const o of others) if (o.id !== appointment.id) all.push(o);
  const prefix = infoOf(ctx, subject).prefix;

  if (live && subject.status === "confirmed") planSteady(ctx, subject, all, draft);
  // The SMS day groups this appointment left (moved away or cancelled) get a new leader.
  if (options.communication.sms.onePerDay) {
    const left = event === "moved" && input.previous ? input.previous : event === "cancelled" ? appointment : undefined;
    if (left !== undefined) {
      const leftDay = localDayNumber(left.start, left.timeZone);
      if (!live || subject.status !== "confirmed" || leftDay !== dayOf(ctx, subject)) {
        for (const slot of SLOTS) {
          const s = slotOptions(options.reminders, slot);
          if (s.mode !== "disabled" && hasChannel(s.channel, "sms"))
            planSmsDay(ctx, leftDay, slot, all, draft, undefined);
        }
      }
    }
  }
  planContactNotice(ctx, input, prefix, draft);
  planAccountNotifications(ctx, input, prefix, draft);
  planPractitioner(ctx, input, prefix, draft);

  if (event === "cancelled") {
    addScope(draft, { appointmentId: appointment.id });
    draft.scopesWithoutExisting = true;
  } else if (event === "moved") {
    addScope(draft, { appointmentId: appointment.id, kinds: CONTACT_KINDS });
    draft.scopesWithoutExisting = true;
  } else {
    // Only meaningful against stored sends: without them (none known, or none stored) nothing is cancelled for a
    // create or a confirmation.
    if (input.existing !== undefined && input.existing.length > 0)
      addScope(draft, { appointmentId: appointment.id, kinds: STEADY_KINDS });
  }
  return finish(draft, input.existing);
}
