// Formatting reads wall-clock fields through @rappel/core's zone engine (the transition tables the timing functions
// use): this module only maps an unknown zone to templating's `invalid-time-zone` error.

import type { LocalFields, ZoneTable } from "@rappel/core";
import * as core from "@rappel/core";

export type { LocalFields, ZoneTable } from "@rappel/core";

// Bound once (see docs/timing.md): under some loaders each use of an imported binding is a getter call.
const { ErrorCode, RappelError, zoneTable } = core;

/**
 * The zone table of an IANA name (cached in core). Throws `invalid-time-zone` for names the engine does not know.
 */
export function getZone(name: string): ZoneTable {
  const table = zoneTable(name);
  if (table !== undefined) return table;
  if (typeof name !== "string" || name === "") {
    throw new RappelError(ErrorCode.INVALID_TIME_ZONE, "Time zone must be a non-empty IANA name");
  }
  let cause: unknown;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
  } catch (error) {
    cause = error;
  }
  throw new RappelError(ErrorCode.INVALID_TIME_ZONE, `Unknown time zone: ${name}`, {
    cause,
    details: { timeZone: name },
  });
}

/** Calendar fields of instant `t` in `zone`. */
export function localFields(zone: ZoneTable, t: number): LocalFields {
  return zone.localFields(t);
}
