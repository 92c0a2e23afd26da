/**
 * The pure planner of `@rappel/reminders`: from an event (appointment created, moved, cancelled or confirmed,
 * security event, new message, custom SMS, options change) and the state it needs, the sends to plan (each with a
 * stable key), the pending sends to cancel, and the sends skipped with their reason. No clock, no I/O: `now` is a
 * parameter. See `docs/planning.md`.
 *
 * @packageDocumentation
 */
export { planAppointmentEvent } from "./appointment.js";
export type { PlanCustomSmsInput } from "./customSms.js";
export { planCustomSms } from "./customSms.js";
export type { SendGroup } from "./groups.js";
export { groupDueSends } from "./groups.js";
export type { PlanNewMessageInput } from "./newMessage.js";
export { planNewMessage } from "./newMessage.js";
export { reminderAppointments } from "./reminderData.js";
export type { ReplanInput } from "./replan.js";
export { replanForOptionsChange } from "./replan.js";
export type { PlanSecurityEventInput } from "./security.js";
export { planSecurityEvent } from "./security.js";
export type {
  AppointmentOverrides,
  ExistingSend,
  ExistingSendStatus,
  PlanAppointmentEventInput,
  PlannerAccount,
  PlannerAgenda,
  PlannerUser,
  RecipientDirectory,
} from "./types.js";
