import type {
  AccountOptions,
  Agenda,
  Appointment,
  Channel,
  ClientAccount,
  Contact,
  JsonValue,
  MessageKind,
  Resource,
  SendRecipient,
  Service,
  SignaturePurpose,
} from "@rappel/core";
import {
  type CompiledTemplate,
  compileTemplate,
  composeEmail,
  defaultTemplate,
  formatTime,
  type MacroContext,
  type TemplateChannel,
} from "@rappel/templating";
import type { TemplateResolver } from "./types.js";

/**
 * What rendering reads of a send: the memory storage's read-only view on the engine's direct path, or a view of a
 * public claim's record (see `createRappel.ts`).
 */
export interface RenderSend {
  readonly key: string;
  readonly structureId: string;
  readonly accountId: string;
  readonly kind: MessageKind;
  readonly channel: Channel;
  readonly rType: SendRecipient["type"];
}

/** A send's template data, parsed (shared and frozen: never mutated). */
export type SendData = Readonly<Record<string, JsonValue>>;

/** The latest domain data a send is rendered with. */
export interface RenderData {
  account: ClientAccount;
  options: AccountOptions;
  purposeSignatures: Partial<Record<SignaturePurpose, string>> | undefined;
  contact: Contact | null;
  appointment: Appointment | null;
  /** Other appointments listed by the message (one SMS a day R-39, grouped practitioner notices R-34). */
  others: Appointment[];
  agenda: Agenda | null;
  service: Service | null;
  resource: Resource | null;
  signatureHtml: string | undefined;
}

/** Per channel, by source text: the source strings are mostly the same few objects, whose hash V8 keeps. */
const cache = new Map<TemplateChannel, Map<string, CompiledTemplate>>();

/** Compiles once per (channel, source): templates are few, sends are many. */
export function compiled(source: string, channel: TemplateChannel): CompiledTemplate {
  let byChannel = cache.get(channel);
  if (byChannel === undefined) {
    byChannel = new Map();
    cache.set(channel, byChannel);
  }
  let c = byChannel.get(source);
  if (c === undefined) {
    if (byChannel.size > 5_000) byChannel.clear();
    c = compileTemplate(source, { channel });
    byChannel.set(source, c);
  }
  return c;
}

/** The signature purpose of a kind, if any. */
export function purposeOf(kind: MessageKind): SignaturePurpose | undefined {
  return kind === "pending-confirmation"
    ? "pending-confirmation"
    : kind === "cancellation"
      ? "cancelled"
      : kind === "survey"
        ? "evaluation-request"
        : undefined;
}

/** HTML-escapes a plain text and neutralises template braces, so data never becomes markup or a macro. */
function escapeText(t: string): string {
  return t.replace(/[&<>"'{}]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** HTML-escapes markup characters but leaves `{{macro}}` braces, for account-authored text that may use macros. */
function escapeMarkup(t: string): string {
  return t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * `{ name }` parts of the context shared per record (account, agenda): templating only reads the context, and the
 * part is made again when the record's name changed.
 */
const namedParts = new WeakMap<object, Readonly<{ name: string; email?: string }>>();

function namedPart(owner: object, name: string, email?: string): Readonly<{ name: string; email?: string }> {
  let part = namedParts.get(owner);
  if (part === undefined || part.name !== name || part.email !== email) {
    part = Object.freeze(email === undefined ? { name } : { name, email });
    namedParts.set(owner, part);
  }
  return part;
}

const NO_LOCATION: NonNullable<MacroContext["location"]> = Object.freeze({});

/** The macro context of a send, from the latest data. `email` applies the account's email details. */
export function macroContext(send: RenderSend, data: SendData, d: RenderData, email: boolean): MacroContext {
  const a = d.appointment;
  const details = d.options.communication.emailDetails;
  const accountPart = namedPart(d.account, d.account.name);
  const ctx: MacroContext = { account: accountPart, clinic: accountPart };
  if (d.contact) {
    const name = `${d.contact.firstName} ${d.contact.lastName}`.trim();
    ctx.client = { firstName: d.contact.firstName, lastName: d.contact.lastName, name };
    if (send.rType === "contact") ctx.recipient = { name };
  }
  if (a) {
    const appointment: NonNullable<MacroContext["appointment"]> = { start: a.start, end: a.end, timeZone: a.timeZone };
    const action = str(data.event);
    if (action !== undefined) appointment.action = action;
    if (a.billedAmount && (!email || details.price)) appointment.billedAmount = a.billedAmount;
    ctx.appointment = appointment;
    const address = d.service?.address ?? d.account.address;
    const withAddress = address !== undefined && (!email || details.address);
    ctx.location = a.locationName || withAddress ? {} : NO_LOCATION;
    if (a.locationName) ctx.location.name = a.locationName;
    if (address && withAddress) {
      ctx.location.address = address.line2 ? `${address.line1}, ${address.line2}` : address.line1;
      if (address.city) ctx.location.city = address.city;
      if (address.region) ctx.location.region = address.region;
      if (address.regionCode) ctx.location.regionCode = address.regionCode;
      if (address.country) ctx.location.country = address.country;
    }
    const room = a.roomName ?? d.resource?.name;
    if (room) ctx.room = { name: room };
  }
  if (d.agenda && (!email || details.practitionerName)) {
    const p = d.agenda.practitioner;
    ctx.practitioner = namedPart(d.agenda, p.name ?? d.agenda.name, p.email ? p.email : undefined);
  }
  if (d.service) {
    ctx.service = {};
    if (!email || details.serviceName) ctx.service.name = d.service.label;
    if (d.service.patientInstructions && (!email || details.instructions))
      ctx.service.instructions = d.service.patientInstructions;
  }
  const subject = str(data.subject);
  const contact = str(data.contact);
  if (subject !== undefined || contact !== undefined) ctx.message = { subject: subject ?? "", contact: contact ?? "" };
  lastContext.ctx = ctx;
  return ctx;
}

/**
 * The context made last, kept: its hidden class (and those of its parts) is reached through the transitions of the
 * members added above, which V8 holds only weakly, so a full garbage collection between two batches would free it
 * and throw away the optimized code that checks it (see the engine's SHAPES).
 */
const lastContext: { ctx: MacroContext | null } = { ctx: null };

function overrides(templates: TemplateResolver | undefined, send: RenderSend, channel: Channel, locale: string) {
  return templates?.({ structureId: send.structureId, accountId: send.accountId, kind: send.kind, channel, locale });
}

/** The listed times of the other appointments, e.g. ` (et à 11h30)`. */
function othersSuffix(d: RenderData, locale: string): string {
  if (d.others.length === 0 || d.appointment === null) return "";
  const zone = d.appointment.timeZone;
  const times = d.others.map((o) => formatTime(o.start, { locale, timeZone: zone }));
  return locale.startsWith("en") ? ` (and at ${times.join(", ")})` : ` (et à ${times.join(", ")})`;
}

/** The SMS text of a send, before the segment limit. Throws `TemplateError` for a bad template. */
export function renderSmsText(
  send: RenderSend,
  data: SendData,
  d: RenderData,
  templates: TemplateResolver | undefined,
): string {
  const locale = d.options.communication.locale;
  const o = overrides(templates, send, "sms", locale);
  let source = o?.sms ?? defaultTemplate(send.kind, locale).sms;
  if (send.kind === "custom-sms") source += str(data.text) ?? "";
  const timeZone = d.appointment?.timeZone ?? d.account.timeZone;
  const ctx = macroContext(send, data, d, false);
  let text = compiled(source, "sms").render(ctx, { locale, timeZone });
  text += othersSuffix(d, locale);
  if (send.kind === "reminder") {
    const slot = data.slot === "second" ? "second" : "first";
    const supplement = d.options.reminders[slot].smsSupplement;
    if (supplement !== "") text += ` ${compiled(supplement, "sms").render(ctx, { locale, timeZone })}`;
  }
  return text;
}

/** The email of a send. Throws `TemplateError` / `email-too-long`. */
export function renderEmail(
  send: RenderSend,
  data: SendData,
  d: RenderData,
  templates: TemplateResolver | undefined,
  kind: MessageKind = send.kind,
): { subject: string; html: string; text: string } {
  const locale = d.options.communication.locale;
  const o = overrides(templates, send, "email", locale);
  const def = defaultTemplate(kind, locale);
  let body = o?.html ?? def.html;
  if (kind === "custom-sms") {
    const t = str(data.text);
    if (t) body += `<p>${escapeText(t)}</p>`;
  }
  if (kind === "reminder") {
    const slot = data.slot === "second" ? "second" : "first";
    const supplement = d.options.reminders[slot].emailSupplement;
    // The supplement is the account's plain text (macros allowed): markup characters are escaped so it can never
    // inject HTML, line breaks are kept.
    if (supplement !== "") body += `\n<p>${escapeMarkup(supplement).replace(/\r?\n/g, "<br>")}</p>`;
  }
  let subject = o?.subject ?? def.subject;
  const subjectTemplate = str(data.subjectTemplate);
  if (kind === "new-message" && subjectTemplate !== undefined && o?.subject === undefined) subject = subjectTemplate;
  const parts: Parameters<typeof composeEmail>[0] = { subject, body, instructions: def.instructions };
  if (o?.text !== undefined) parts.text = o.text;
  if (d.signatureHtml !== undefined) parts.signature = d.signatureHtml;
  if (kind === "new-message") {
    if (d.options.messages.emailHeader) parts.header = d.options.messages.emailHeader;
    if (d.options.messages.emailFooter) parts.footer = d.options.messages.emailFooter;
  }
  const timeZone = d.appointment?.timeZone ?? d.account.timeZone;
  return composeEmail(parts, macroContext(send, data, d, true), { locale, timeZone });
}
