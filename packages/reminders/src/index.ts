/**
 * `@rappel/reminders`: reminder timing across time zones and DST, then planning and the
 * delivery engine. Every timing function is pure: the time zone is a parameter, the host's zone and clock play
 * no part.
 *
 * @packageDocumentation
 */

export * from "./engine/index.js";
export * from "./planning/index.js";
export type { QuietHours } from "./timing/applyQuietHours.js";
export { applyQuietHours } from "./timing/applyQuietHours.js";
export { isValidTimeZone } from "./timing/isValidTimeZone.js";
export { notifiesPractitioner } from "./timing/notifiesPractitioner.js";
export type { ReminderOffset } from "./timing/reminderInstant.js";
export { reminderInstant } from "./timing/reminderInstant.js";
export { surveyInstant } from "./timing/surveyInstant.js";
export type { ZonedDateParts } from "./timing/zonedDateParts.js";
export { localDayKey, zonedDateParts } from "./timing/zonedDateParts.js";
export type { LocalDateTime } from "./timing/zonedInstant.js";
export { zonedInstant } from "./timing/zonedInstant.js";
