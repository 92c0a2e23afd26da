// The zone engine shared by @rappel/reminders (timing) and @rappel/templating (formatting).
export type { CivilDate } from "./civil.js";
export { civilFromDays, DAY_MS, daysFromCivil, MAX_INSTANT_MS, MIN_INSTANT_MS } from "./civil.js";
export type { LocalFields, ZoneTable } from "./zoneEngine.js";
export { zoneTable } from "./zoneEngine.js";
