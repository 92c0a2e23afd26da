// The zone engine lives in @rappel/core (shared with @rappel/templating's formatting); this module keeps the
// timing modules' import path.
export type { ZoneTable } from "@rappel/core";
export { zoneTable } from "@rappel/core";
