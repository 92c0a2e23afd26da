import type { z } from "zod";
import { ErrorCode, ValidationError, type ValidationIssue } from "../errors/errors.js";
import type { AccountOptions } from "../options/schema.js";
import {
  _agendaSchema,
  _clientAccountSchema,
  _userSchema,
  type Agenda,
  type Appointment,
  AppointmentSchema,
  type ClientAccount,
  type CollaboratorUser,
  type Contact,
  contactSchemaFor,
  type Message,
  MessageSchema,
  type Resource,
  ResourceSchema,
  type Service,
  ServiceSchema,
  type Structure,
  StructureSchema,
} from "./schemas.js";
import { parseOrThrow } from "./validation.js";

/**
 * Options of the `parse…` functions.
 *
 * @example
 * ```ts
 * const o: ParseOptions = { defaultRegion: "CH" };
 * ```
 */
export interface ParseOptions {
  /** Region used to read national phone numbers. @default "FR" */
  defaultRegion?: string;
}

function cached<T>(factory: (region: string) => T): (region: string) => T {
  const cache = new Map<string, T>();
  return (region) => {
    let value = cache.get(region);
    if (value === undefined) {
      value = factory(region);
      cache.set(region, value);
    }
    return value;
  };
}

const accountSchemas = cached(_clientAccountSchema);
const agendaSchemas = cached(_agendaSchema);
const userSchemas = cached(_userSchema);

const parse = <S extends z.ZodType>(schema: S, input: unknown, what: string) =>
  parseOrThrow(schema, input, ErrorCode.INVALID_INPUT, what);

/**
 * Validates a structure (tenant) and applies its defaults. Throws `ValidationError` (`invalid-input`) listing
 * every failing path.
 *
 * @example
 * ```ts
 * parseStructure({ id: "s1", name: "Permanence Azur" }).timeZone //=> "Europe/Paris"
 * ```
 */
export function parseStructure(input: unknown): Structure {
  return parse(StructureSchema, input, "structure");
}

/**
 * Validates a collaborator user; its mobile is normalised to E.164.
 *
 * @example
 * ```ts
 * parseCollaboratorUser({ id: "u1", structureId: "s1", role: "admin", firstName: "Léa", lastName: "Roux",
 *   email: "lea@permanence.example" }).role //=> "admin"
 * ```
 */
export function parseCollaboratorUser(input: unknown, options: ParseOptions = {}): CollaboratorUser {
  return parse(userSchemas(options.defaultRegion ?? "FR"), input, "collaborator user");
}

/**
 * Validates a client account: email, private mobile (must be a mobile), fax, status, online booking.
 *
 * @example
 * ```ts
 * parseClientAccount({ id: "a1", structureId: "s1", name: "Dr Martin", email: "martin@cabinet.example",
 *   mobile: "06 12 34 56 78", signupDate: "2026-01-15" }).mobile //=> "+33612345678"
 * ```
 */
export function parseClientAccount(input: unknown, options: ParseOptions = {}): ClientAccount {
  return parse(accountSchemas(options.defaultRegion ?? "FR"), input, "client account");
}

/**
 * Validates an agenda.
 *
 * @example
 * ```ts
 * parseAgenda({ id: "g1", accountId: "a1", name: "Dr Martin", ownerUserId: "u1" }).access //=> []
 * ```
 */
export function parseAgenda(input: unknown, options: ParseOptions = {}): Agenda {
  return parse(agendaSchemas(options.defaultRegion ?? "FR"), input, "agenda");
}

/**
 * Validates a service ("motif").
 *
 * @example
 * ```ts
 * parseService({ id: "m1", accountId: "a1", label: "Consultation", durationMinutes: 30 }).allowedTypes //=> []
 * ```
 */
export function parseService(input: unknown): Service {
  return parse(ServiceSchema, input, "service");
}

/**
 * Validates a resource.
 *
 * @example
 * ```ts
 * parseResource({ id: "r1", accountId: "a1", name: "Salle 2" }).kind //=> "room"
 * ```
 */
export function parseResource(input: unknown): Resource {
  return parse(ResourceSchema, input, "resource");
}

/**
 * Validates a contact: phones normalised to E.164 and flagged mobile or not, preferences defaulted.
 *
 * @example
 * ```ts
 * parseContact({ id: "c1", structureId: "s1", accountIds: ["a1"], lastName: "Martin",
 *   phones: [{ number: "01 42 68 53 00" }, { number: "06 12 34 56 78" }] }).phones.map((p) => p.mobile)
 * //=> [false, true]
 * ```
 */
export function parseContact(input: unknown, options: ParseOptions = {}): Contact {
  return parse(contactSchemaFor(options.defaultRegion ?? "FR"), input, "contact");
}

/**
 * Validates an appointment: ISO strings become `Date`s, the zone must be a known IANA zone, the end must
 * be after the start.
 *
 * @example
 * ```ts
 * parseAppointment({ id: "r1", structureId: "s1", accountId: "a1", agendaId: "g1", contactId: "c1",
 *   start: "2026-06-09T10:00:00Z", end: "2026-06-09T10:30:00Z", timeZone: "Europe/Paris" }).start.getTime()
 * //=> 1780999200000
 * ```
 */
export function parseAppointment(input: unknown): Appointment {
  return parse(AppointmentSchema, input, "appointment");
}

/**
 * Validates a message taken for a client account.
 *
 * @example
 * ```ts
 * parseMessage({ id: "m1", structureId: "s1", accountId: "a1", subject: "Rappeler", body: "…",
 *   createdAt: "2026-06-08T09:00:00Z" }).read //=> false
 * ```
 */
export function parseMessage(input: unknown): Message {
  return parse(MessageSchema, input, "message");
}

/**
 * Checks rules that span several accounts of a structure: account ids are unique, and an account's email is
 * unique among accounts (compared case-insensitively). Throws `ValidationError` (`invalid-input`) naming
 * every duplicate (`path` is the index of the later duplicate).
 *
 * @example
 * ```ts
 * validateAccounts([{ id: "a1", email: "x@y.example" }, { id: "a2", email: "X@y.example" }]);
 * // throws ValidationError { issues: [{ path: "1.email", message: "Email already used by account a1" }] }
 * ```
 */
export function validateAccounts(accounts: readonly Pick<ClientAccount, "id" | "email">[]): void {
  const issues: ValidationIssue[] = [];
  const byEmail = new Map<string, string>();
  const ids = new Set<string>();
  accounts.forEach((account, index) => {
    if (ids.has(account.id)) issues.push({ path: `${index}.id`, message: "Duplicate account id" });
    ids.add(account.id);
    const key = account.email.trim().toLowerCase();
    const other = byEmail.get(key);
    if (other !== undefined) issues.push({ path: `${index}.email`, message: `Email already used by account ${other}` });
    else byEmail.set(key, account.id);
  });
  if (issues.length > 0) throw new ValidationError(ErrorCode.INVALID_INPUT, "Invalid accounts", issues);
}

/**
 * Checks options against the account they belong to: notifying new messages by email, fax or SMS needs
 * that address on the account. Returns the issues (empty when consistent) rather than throwing, so a settings
 * screen can show them next to the fields.
 *
 * @example
 * ```ts
 * checkAccountOptions({ email: "x@y.example" }, resolveOptions({ messages: { notify: { sms: true } } }))
 * //=> [{ path: "messages.notify.sms", message: "Notifying by SMS needs the account's mobile number" }]
 * ```
 */
export function checkAccountOptions(
  account: Pick<ClientAccount, "email"> & Partial<Pick<ClientAccount, "mobile" | "fax">>,
  options: AccountOptions,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const notify = options.messages.notify;
  if (notify.email && !account.email) {
    issues.push({ path: "messages.notify.email", message: "Notifying by email needs the account's email address" });
  }
  if (notify.fax && !account.fax) {
    issues.push({ path: "messages.notify.fax", message: "Notifying by fax needs the account's fax number" });
  }
  if (notify.sms && !account.mobile) {
    issues.push({ path: "messages.notify.sms", message: "Notifying by SMS needs the account's mobile number" });
  }
  return issues;
}
