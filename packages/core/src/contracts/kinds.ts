/**
 * Every kind of message Rappel sends. Templates (default French and English ones ship with
 * `@rappel/templating`), the planner and the journal all use these names.
 *
 * | kind | to | requirement |
 * | --- | --- | --- |
 * | `reminder` | contact | R-16, R-30 |
 * | `immediate-reminder` | contact | R-14 |
 * | `confirmation` | contact (booking confirmed) | R-43 (counts against the SMS quota) |
 * | `pending-confirmation` | contact (online booking awaiting manual confirmation) | R-21 |
 * | `cancellation` | contact | R-21 |
 * | `account-notification` | account recipients (created / moved / cancelled) | R-13 |
 * | `practitioner-notification` | the agenda's practitioner (grouped bookings, late cancel/move) | R-34 |
 * | `survey` | contact | R-35 |
 * | `security` | users / administrators | R-36 |
 * | `new-message` | account | R-17, R-37 |
 * | `custom-sms` | contact(s) | R-38 |
 *
 * @example
 * ```ts
 * MESSAGE_KINDS.includes("reminder") //=> true
 * ```
 */
export const MESSAGE_KINDS = Object.freeze([
  "reminder",
  "immediate-reminder",
  "confirmation",
  "pending-confirmation",
  "cancellation",
  "account-notification",
  "practitioner-notification",
  "survey",
  "security",
  "new-message",
  "custom-sms",
] as const);

/**
 * One of {@link MESSAGE_KINDS}.
 *
 * @example
 * ```ts
 * const kind: MessageKind = "reminder";
 * ```
 */
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * The appointment operations that notify: `created`, `moved`, `cancelled`, `confirmed`.
 *
 * @example
 * ```ts
 * const action: AppointmentAction = "moved";
 * ```
 */
export type AppointmentAction = "created" | "moved" | "cancelled" | "confirmed";

/**
 * Security and access events of R-36, each sent immediately by email.
 *
 * @example
 * ```ts
 * SECURITY_EVENTS.length //=> 11
 * ```
 */
export const SECURITY_EVENTS = Object.freeze([
  "administrator-added",
  "agenda-access-changed",
  "agenda-user-added",
  "agenda-user-removed",
  "export-right-granted",
  "patient-base-exported",
  "password-changed",
  "phone-changed",
  "email-changed",
  "new-device-login",
  "account-locked",
] as const);

/**
 * One of {@link SECURITY_EVENTS}.
 *
 * @example
 * ```ts
 * const event: SecurityEvent = "email-changed"; // goes to the user's previous address
 * ```
 */
export type SecurityEvent = (typeof SECURITY_EVENTS)[number];

/**
 * The custom SMS kinds of R-38.
 *
 * @example
 * ```ts
 * const k: CustomSmsKind = "birthday";
 * ```
 */
export type CustomSmsKind = "individual" | "scheduled" | "group" | "birthday";
