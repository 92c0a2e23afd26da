import type { ZoneTable } from "@rappel/core";
import * as zoneEngine from "@rappel/core";
import * as civil from "./civil.js";
import * as validate from "./validate.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time). No import cycle here, so the
// bindings are initialised when read. Numeric constants on the hot path are literals (HOUR_MS = 3_600_000, the
// range MIN_INSTANT_MS … MAX_INSTANT_MS): the dist's bundler turns module constants into `var`s, which optimized
// code reloads and type-checks on every use.
const { parseTimeOfDay } = civil;
const { Checks, checkResult, instantOf } = validate;
const { zoneTable } = zoneEngine;

/**
 * How long before an appointment a reminder goes out: `value` whole hours, or `value` whole calendar days
 * optionally at a local time of day `at` (`"HH:mm"`, e.g. `{ value: 1, unit: "days", at: "18:00" }` for "the day
 * before at 18:00").
 *
 * @example
 * ```ts
 * const dayBefore: ReminderOffset = { value: 1, unit: "days", at: "18:00" };
 * const twoHours: ReminderOffset = { value: 2, unit: "hours" };
 * ```
 */
export interface ReminderOffset {
  /** A non-negative integer number of `unit`s. */
  value: number;
  /** `hours`: exact durations; `days`: calendar days in the appointment's time zone. */
  unit: "hours" | "days";
  /** For `days` only: the local time of day (`"HH:mm"`, 00:00–23:59) instead of the appointment's own. */
  at?: string;
}

// The last `at` parsed and its value: a deterministic cache, reminder offsets repeat across calls.
let lastAt: unknown;
let lastAtMs = -1;

/**
 * The instant a reminder goes out for an appointment starting at `start` in `timeZone`.
 *
 * - `unit: "hours"`: exactly `value` × 3,600,000 ms before `start`, whatever the clocks do in between.
 * - `unit: "days"`: `value` calendar days earlier in `timeZone`, at the appointment's own local time (seconds and
 *   milliseconds included) or at `at`. A local time that does not exist (DST gap) is read with the offset in force
 *   before the gap, so it moves forward by the gap's length (Temporal's `"compatible"`, RFC 5545: Paris
 *   2026-03-29 02:30 → 03:30 CEST); an ambiguous one (DST overlap) takes the earlier instant.
 *
 * `value: 0` without `at` is `start` itself (even when its wall time is ambiguous, as Temporal does); with `at` it gives that time on the appointment's own day, which may be after `start`: the planner, not
 * this function, decides what to do with such a send (and with past ones). The result is a new `Date`; inputs are
 * never mutated. The host's time zone plays no part.
 *
 * @param start - The appointment's start instant.
 * @param timeZone - The appointment's IANA time zone (`"Europe/Paris"`; links such as `"UTC"` or `"Etc/GMT+5"` work).
 * @param offset - How long before: see {@link ReminderOffset}.
 * @returns The send instant.
 * @throws {@link @rappel/core!ValidationError} listing every bad argument, with the code of the first:
 *   `invalid-date` (invalid `Date`, or outside 0001-01-04 … 9999-12-28 UTC), `invalid-time-zone`,
 *   `invalid-offset` (negative, non-integer or non-finite value, unknown unit, `at` with hours, or a result out of
 *   range), `invalid-time-of-day` (`at` not `HH:mm`).
 *
 * @example
 * ```ts
 * const start = new Date("2026-03-30T07:30:00Z"); // Monday 30 March 2026, 09:30 in Paris (CEST)
 * reminderInstant(start, "Europe/Paris", { value: 24, unit: "hours" }).toISOString();
 * //=> "2026-03-29T07:30:00.000Z" (09:30 CEST: 24 real hours)
 * reminderInstant(start, "Europe/Paris", { value: 2, unit: "days" }).toISOString();
 * //=> "2026-03-28T08:30:00.000Z" (09:30 CET, two calendar days before)
 * reminderInstant(start, "Europe/Paris", { value: 1, unit: "days", at: "18:00" }).toISOString();
 * //=> "2026-03-29T16:00:00.000Z" (the day before at 18:00 CEST)
 * reminderInstant(new Date("2026-03-30T00:30:00Z"), "Europe/Paris", { value: 1, unit: "days" }).toISOString();
 * //=> "2026-03-29T01:30:00.000Z" (02:30 does not exist that night: 03:30 CEST)
 * ```
 */
export function reminderInstant(start: Date, timeZone: string, offset: ReminderOffset): Date {
  const t = instantOf(start);
  const zone = zoneTable(timeZone);
  // One null check, then plain reads: the optimized code checks the offset's shape once rather than per read.
  if (offset === null || offset === undefined) return invalid(start, timeZone, offset);
  const value = offset.value;
  const unit = offset.unit;
  const at = offset.at;
  const hours = unit === "hours";
  // Reminder offsets come from options and repeat: remember the last time of day parsed.
  let atMs = -1;
  if (at !== undefined) {
    if (at !== lastAt) {
      lastAtMs = parseTimeOfDay(at);
      lastAt = at;
    }
    atMs = lastAtMs;
  }
  if (
    Number.isNaN(t) ||
    zone === undefined ||
    !Number.isInteger(value) ||
    value < 0 ||
    (hours ? at !== undefined : unit !== "days" || (at !== undefined && atMs < 0))
  ) {
    invalid(start, timeZone, offset);
  }
  // The result's range check and allocation stay inline here (a call to checkResult per reminder is measurable);
  // only an out-of-range result goes through checkResult, which then throws the same error.
  let r: number;
  if (hours) r = t - value * 3_600_000;
  else if (value === 0 && atMs < 0) return new Date(t);
  else r = zone.daysBefore(t, value, atMs);
  if (r >= -62_135_337_600_000 && r <= 253_401_955_200_000) return new Date(r);
  return checkResult(r, "invalid-offset", "offset.value", "reminderInstant");
}

/**
 * {@link reminderInstant} for the planner, in epoch milliseconds: the same rule, checks and errors, but nothing is
 * allocated (the planner makes a `Date` only for the instants a send keeps, and shares it between equal ones).
 *
 * @internal
 */
export function reminderInstantMs(start: Date, timeZone: string, offset: ReminderOffset): number {
  const t = instantOf(start);
  const zone = zoneTable(timeZone);
  if (zone !== undefined && !Number.isNaN(t)) {
    const r = reminderAt(t, zone, offset);
    if (!Number.isNaN(r)) return r;
  }
  // Something is wrong: the public function throws the very same error.
  return reminderInstant(start, timeZone, offset).getTime();
}

/**
 * The rule of {@link reminderInstant} on a start already checked (`t` in range) and its zone's table: the instant in
 * epoch ms, or `NaN` when the offset is invalid or the result out of range (the caller then goes through
 * {@link reminderInstantMs} for the error). For the planner, which reads an appointment's zone once.
 *
 * @internal
 */
export function reminderAt(t: number, zone: ZoneTable, offset: ReminderOffset): number {
  if (offset === null || offset === undefined) return Number.NaN;
  const value = offset.value;
  const unit = offset.unit;
  const at = offset.at;
  if (!Number.isInteger(value) || value < 0) return Number.NaN;
  let r = Number.NaN;
  if (unit === "hours") {
    if (at === undefined) r = t - value * 3_600_000;
  } else if (unit === "days") {
    if (at === undefined) r = value === 0 ? t : zone.daysBefore(t, value, -1);
    else {
      if (at !== lastAt) {
        lastAtMs = parseTimeOfDay(at);
        lastAt = at;
      }
      if (lastAtMs >= 0) r = zone.daysBefore(t, value, lastAtMs);
    }
  }
  // MIN_INSTANT_MS … MAX_INSTANT_MS as literals (see the module note).
  return r >= -62_135_337_600_000 && r <= 253_401_955_200_000 ? r : Number.NaN;
}

function invalid(start: unknown, timeZone: unknown, offset: unknown): never {
  const checks = new Checks().date(start, "start").timeZone(timeZone, "timeZone");
  if (typeof offset !== "object" || offset === null) {
    checks.add("invalid-offset", "offset", "Expected { value, unit, at? }");
  } else {
    const { value, unit, at } = offset as Record<string, unknown>;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      checks.add("invalid-offset", "offset.value", "Expected a non-negative integer");
    }
    if (unit !== "hours" && unit !== "days") checks.add("invalid-offset", "offset.unit", 'Expected "hours" or "days"');
    if (at !== undefined) {
      if (unit === "hours") checks.add("invalid-offset", "offset.at", 'A time of day only applies to unit "days"');
      checks.timeOfDay(at, "offset.at");
    }
  }
  return checks.fail("reminderInstant");
}
