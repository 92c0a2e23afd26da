import {
  type AccountOptionsInput,
  type Agenda,
  type Appointment,
  type ClientAccount,
  type CollaboratorUser,
  type Contact,
  parseAgenda,
  parseAppointment,
  parseClientAccount,
  parseCollaboratorUser,
  parseContact,
  parseResource,
  parseService,
  parseStructure,
  type Resource,
  resolveOptions,
  type Service,
  type SignaturePurpose,
  type Structure,
} from "@rappel/core";
import type { AccountRecord, RappelDataSource, SignatureRecord } from "./types.js";

/**
 * The in-memory {@link RappelDataSource}: tests, demos and the test kit keep their domain data here. Every `put…`
 * validates its input with the core zod schemas (throwing `ValidationError`) and replaces the previous record with
 * the same id; the `get…` methods return the stored objects (do not mutate them: `put` a changed copy instead).
 *
 * @example
 * ```ts
 * const data = createMemoryDataSource();
 * data.putAccount({ id: "a1", structureId: "s1", name: "Dr Martin", email: "martin@cabinet.example",
 *   signupDate: "2026-01-15" }, { reminders: { first: { channel: "sms" } } });
 * data.getAccount("s1", "a1")?.account.name //=> "Dr Martin"
 * ```
 */
export interface MemoryDataSource extends RappelDataSource {
  /** Stores a structure (input of `parseStructure`). */
  putStructure(structure: unknown): Structure;
  /** Stores an account (input of `parseClientAccount`), its options (partial) and purpose signatures. */
  putAccount(
    account: unknown,
    options?: AccountOptionsInput,
    purposeSignatures?: Partial<Record<SignaturePurpose, string>>,
  ): ClientAccount;
  /** Replaces an account's options (then call `accountOptionsChanged`). */
  setAccountOptions(structureId: string, accountId: string, options: AccountOptionsInput): void;
  /** Stores an appointment (input of `parseAppointment`). */
  putAppointment(appointment: unknown): Appointment;
  /** Stores a contact (input of `parseContact`). */
  putContact(contact: unknown): Contact;
  /** Stores an agenda. */
  putAgenda(agenda: unknown, structureId: string): Agenda;
  /** Stores a service. */
  putService(service: unknown, structureId: string): Service;
  /** Stores a resource. */
  putResource(resource: unknown, structureId: string): Resource;
  /** Stores a collaborator user. */
  putUser(user: unknown): CollaboratorUser;
  /** Stores a signature. */
  putSignature(structureId: string, signature: SignatureRecord): void;
  getAccount(structureId: string, accountId: string): AccountRecord | null;
  getAppointment(structureId: string, appointmentId: string): Appointment | null;
  getContact(structureId: string, contactId: string): Contact | null;
  getAgenda(structureId: string, agendaId: string): Agenda | null;
}

interface Tenant {
  structure: Structure | null;
  accounts: Map<string, AccountRecord>;
  appointments: Map<string, Appointment>;
  byContact: Map<string, Map<string, Appointment>>;
  byAccount: Map<string, Map<string, Appointment>>;
  contacts: Map<string, Contact>;
  agendas: Map<string, Agenda>;
  services: Map<string, Service>;
  resources: Map<string, Resource>;
  users: Map<string, CollaboratorUser>;
  signatures: Map<string, SignatureRecord>;
}

/**
 * Creates an empty {@link MemoryDataSource}.
 *
 * @example
 * ```ts
 * const data = createMemoryDataSource();
 * data.putContact({ id: "c1", structureId: "s1", accountIds: ["a1"], lastName: "Martin",
 *   phones: [{ number: "06 12 34 56 78" }] }).phones[0].number //=> "+33612345678"
 * ```
 */
export function createMemoryDataSource(): MemoryDataSource {
  const tenants = new Map<string, Tenant>();
  const t = (structureId: string): Tenant => {
    let x = tenants.get(structureId);
    if (x === undefined) {
      x = {
        structure: null,
        accounts: new Map(),
        appointments: new Map(),
        byContact: new Map(),
        byAccount: new Map(),
        contacts: new Map(),
        agendas: new Map(),
        services: new Map(),
        resources: new Map(),
        users: new Map(),
        signatures: new Map(),
      };
      tenants.set(structureId, x);
    }
    return x;
  };
  const index = (m: Map<string, Map<string, Appointment>>, id: string, a: Appointment) => {
    let inner = m.get(id);
    if (inner === undefined) {
      inner = new Map();
      m.set(id, inner);
    }
    inner.set(a.id, a);
  };
  return {
    putStructure(input) {
      const structure = parseStructure(input);
      t(structure.id).structure = structure;
      return structure;
    },
    putAccount(input, options = {}, purposeSignatures) {
      const account = parseClientAccount(input);
      const rec: AccountRecord = { account, options: resolveOptions(options) };
      if (purposeSignatures) rec.purposeSignatures = purposeSignatures;
      t(account.structureId).accounts.set(account.id, rec);
      return account;
    },
    setAccountOptions(structureId, accountId, options) {
      const rec = tenants.get(structureId)?.accounts.get(accountId);
      if (rec) tenants.get(structureId)!.accounts.set(accountId, { ...rec, options: resolveOptions(options) });
    },
    putAppointment(input) {
      const a = parseAppointment(input);
      const x = t(a.structureId);
      const old = x.appointments.get(a.id);
      if (old) {
        x.byContact.get(old.contactId)?.delete(a.id);
        x.byAccount.get(old.accountId)?.delete(a.id);
      }
      x.appointments.set(a.id, a);
      index(x.byContact, a.contactId, a);
      index(x.byAccount, a.accountId, a);
      return a;
    },
    putContact(input) {
      const c = parseContact(input);
      t(c.structureId).contacts.set(c.id, c);
      return c;
    },
    putAgenda(input, structureId) {
      const g = parseAgenda(input);
      t(structureId).agendas.set(g.id, g);
      return g;
    },
    putService(input, structureId) {
      const s = parseService(input);
      t(structureId).services.set(s.id, s);
      return s;
    },
    putResource(input, structureId) {
      const r = parseResource(input);
      t(structureId).resources.set(r.id, r);
      return r;
    },
    putUser(input) {
      const u = parseCollaboratorUser(input);
      t(u.structureId).users.set(u.id, u);
      return u;
    },
    putSignature(structureId, signature) {
      t(structureId).signatures.set(signature.id, { id: signature.id, html: signature.html });
    },
    getStructure: (s) => tenants.get(s)?.structure ?? null,
    getAccount: (s, id) => tenants.get(s)?.accounts.get(id) ?? null,
    getAppointment: (s, id) => tenants.get(s)?.appointments.get(id) ?? null,
    getContact: (s, id) => tenants.get(s)?.contacts.get(id) ?? null,
    getAgenda: (s, id) => tenants.get(s)?.agendas.get(id) ?? null,
    getService: (s, id) => tenants.get(s)?.services.get(id) ?? null,
    getResource: (s, id) => tenants.get(s)?.resources.get(id) ?? null,
    getSignature: (s, id) => tenants.get(s)?.signatures.get(id) ?? null,
    listContactAppointments: (s, id) => [...(tenants.get(s)?.byContact.get(id)?.values() ?? [])],
    listAccountAppointments: (s, id, from) =>
      [...(tenants.get(s)?.byAccount.get(id)?.values() ?? [])].filter((a) => a.start.getTime() >= from.getTime()),
    listUsers: (s) => [...(tenants.get(s)?.users.values() ?? [])],
    listAgendas: (s) => [...(tenants.get(s)?.agendas.values() ?? [])],
  };
}
