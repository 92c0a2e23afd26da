import type {
  AccountOptions,
  Agenda,
  Appointment,
  AppointmentAction,
  ClientAccount,
  CollaboratorUser,
  Contact,
  PlannedSend,
} from "@rappel/core";

/**
 * Where an already-planned send stands. Either the planner's four states or the storage's `SendStatus` values
 * (so a storage `SendRecord` can be passed as it is):
 *
 * | status | storage statuses | the planner… |
 * | --- | --- | --- |
 * | `pending` | `planned` | may update it (same key) or cancel it |
 * | `in-flight` | `sending` | never plans it again, never cancels it |
 * | `done` | `sent`, `delivered`, `failed`, `unknown`, `missed`, `skipped` | never plans it again ("nothing sent twice") |
 * | `cancelled` | `cancelled` | may plan it again (the storage's upsert revives a cancelled send) |
 *
 * @example
 * ```ts
 * const status: ExistingSendStatus = "pending"; // or "planned", as the storage says
 * ```
 */
export type ExistingSendStatus =
  | "pending"
  | "in-flight"
  | "done"
  | "cancelled"
  | "planned"
  | "sending"
  | "sent"
  | "delivered"
  | "failed"
  | "unknown"
  | "missed"
  | "skipped";

/** The planner's reading of an {@link ExistingSendStatus}. @internal */
export function stateOf(status: ExistingSendStatus): "pending" | "in-flight" | "done" | "cancelled" {
  switch (status) {
    case "pending":
    case "planned":
      return "pending";
    case "in-flight":
    case "sending":
      return "in-flight";
    case "cancelled":
      return "cancelled";
    default:
      return "done";
  }
}

/**
 * A send already stored, handed back to the planner so that re-planning is exact: with it, planning the same
 * state twice returns nothing to plan and nothing to cancel, cancellations name exact keys, and a send that went
 * out is never planned again.
 *
 * @example
 * ```ts
 * const e: ExistingSend = { ...plannedSend, status: "done" };
 * ```
 */
export interface ExistingSend extends PlannedSend {
  /** Where it stands. */
  status: ExistingSendStatus;
}

/**
 * The account as the planner needs it (a {@link ClientAccount} fits).
 *
 * @example
 * ```ts
 * const a: PlannerAccount = { id: "a1", structureId: "s1", name: "Dr Martin", email: "martin@cabinet.example",
 *   timeZone: "Europe/Paris" };
 * ```
 */
export type PlannerAccount = Pick<ClientAccount, "id" | "structureId" | "name" | "email"> &
  Partial<Pick<ClientAccount, "mobile" | "fax" | "timeZone">>;

/**
 * A collaborator user as the planner needs it (a {@link CollaboratorUser} fits).
 *
 * @example
 * ```ts
 * const u: PlannerUser = { id: "u1", role: "admin", email: "admin@permanence.example" };
 * ```
 */
export type PlannerUser = Pick<CollaboratorUser, "id" | "role" | "email"> & Partial<Pick<CollaboratorUser, "mobile">>;

/**
 * An agenda as the planner needs it (an {@link Agenda} fits).
 *
 * @example
 * ```ts
 * const g: PlannerAgenda = { id: "g1", accountId: "a1", ownerUserId: "u1",
 *   practitioner: { email: "dr.martin@example.org" }, access: [] };
 * ```
 */
export type PlannerAgenda = Pick<Agenda, "id" | "accountId" | "ownerUserId" | "practitioner"> &
  Partial<Pick<Agenda, "access">>;

/**
 * The structure's accounts and users that notification recipients refer to. Recipients not found here get
 * no email and no SMS (recorded as skipped `no-email` / `no-mobile`); their in-app message still goes by id.
 *
 * @example
 * ```ts
 * const directory: RecipientDirectory = {
 *   accounts: [{ id: "a2", structureId: "s1", name: "Cabinet B", email: "b@cabinet.example" }],
 *   users: [{ id: "u-manager", role: "manager", email: "gerant@permanence.example", mobile: "+33612345678" }],
 * };
 * ```
 */
export interface RecipientDirectory {
  /** Client accounts of the structure. */
  accounts?: readonly PlannerAccount[];
  /** Collaborator users of the structure. */
  users?: readonly PlannerUser[];
}

/**
 * Per-operation overrides of the pre-ticked defaults of the booking dialog: `account` for the account
 * notification channels, `contact` for the immediate reminder (or confirmation / cancellation notice) channels.
 * A channel left out keeps the option's default. Unticking a default records the send as skipped `disabled`.
 *
 * @example
 * ```ts
 * // The secretary unticks the SMS notification and ticks the email one for this booking only.
 * const o: AppointmentOverrides = { account: { sms: false, email: true }, contact: { sms: false } };
 * ```
 */
export interface AppointmentOverrides {
  /** Account notification channels for this operation. */
  account?: Partial<Record<"message" | "email" | "sms", boolean>>;
  /** Contact immediate-notice channels for this operation. */
  contact?: Partial<Record<"email" | "sms", boolean>>;
}

/**
 * The input of {@link planAppointmentEvent}: one appointment event plus the state the rules need.
 *
 * @example
 * ```ts
 * const input: PlanAppointmentEventInput = {
 *   event: "created", appointment, account, options: resolveOptions({}), agenda, contact,
 *   contactAppointments: [], now: new Date("2026-06-01T08:00:00Z"),
 * };
 * ```
 */
export interface PlanAppointmentEventInput {
  /** What happened. */
  event: AppointmentAction;
  /** The appointment as it is after the event. */
  appointment: Appointment;
  /** For `moved`: the appointment as it was before (same id). */
  previous?: Appointment;
  /** The appointment's client account. */
  account: PlannerAccount;
  /** The account's resolved options (the output of `resolveOptions`). */
  options: AccountOptions;
  /** The appointment's agenda (practitioner notifications, R-34). */
  agenda: PlannerAgenda;
  /** The appointment's contact, with its preferences. */
  contact: Contact;
  /**
   * The contact's other appointments, any status, any time, any account (the planner filters): the earlier ones
   * decide "new contact" and the survey, those of the same local day are merged into one SMS.
   * @default []
   */
  contactAppointments?: readonly Appointment[];
  /** Sends already stored for this appointment and its contact; makes re-planning exact (see {@link ExistingSend}). */
  existing?: readonly ExistingSend[];
  /** The current instant (the event's time). Never read from a clock inside the planner. */
  now: Date;
  /** Per-operation overrides of the pre-ticked defaults. */
  overrides?: AppointmentOverrides;
  /** Accounts and users the notification recipients refer to. */
  directory?: RecipientDirectory;
}
