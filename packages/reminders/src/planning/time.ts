// The one door between the planner and the timing engine: every instant the planner computes goes through here,
// so the planner never reads the host's zone and shares the timing engine's cached transition tables.
export { zoneTable } from "@rappel/core";
export { applyQuietHours, applyQuietHoursMs, quietHoursAt } from "../timing/applyQuietHours.js";
export { notifiesPractitioner } from "../timing/notifiesPractitioner.js";
export { reminderAt, reminderInstant, reminderInstantMs } from "../timing/reminderInstant.js";
export { surveyInstant } from "../timing/surveyInstant.js";
export { dayKey, localDayKey, localDayNumber, zonedDateParts } from "../timing/zonedDateParts.js";
export { zonedInstant } from "../timing/zonedInstant.js";
