import { zoneTable } from "@rappel/core";

/**
 * Whether `timeZone` is an IANA time zone this runtime knows, as the timing functions accept it: canonical names
 * (`"Europe/Paris"`), links and aliases (`"UTC"`, `"Etc/GMT+5"`, `"US/Eastern"`), case-insensitively. UTC-offset
 * strings such as `"+01:00"` are not zones and are rejected. Does not depend on `Intl.supportedValuesOf`, which
 * lists canonical names only.
 *
 * @param timeZone - Any value.
 * @returns `true` when the timing functions accept it.
 *
 * @example
 * ```ts
 * isValidTimeZone("Europe/Paris"); //=> true
 * isValidTimeZone("Etc/GMT+5"); //=> true
 * isValidTimeZone("Europe/Lyon"); //=> false
 * isValidTimeZone("+01:00"); //=> false
 * ```
 */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  return zoneTable(timeZone) !== undefined;
}
