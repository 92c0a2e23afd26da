import type { ZoneTable } from "@rappel/core";
import * as zoneEngine from "@rappel/core";
import * as civil from "./civil.js";
import * as validate from "./validate.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time). No import cycle here, so the
// bindings are initialised when read. The planner's path (applyQuietHoursMs, quietMove) spells DAY_MS (86_400_000),
// HOUR_MS (3_600_000) and MIN_INSTANT_MS … MAX_INSTANT_MS as literals: the dist's bundler turns module constants
// into `var`s, which optimized code reloads and type-checks on every use.
const { parseTimeOfDay } = civil;
const { Checks, checkResult, instantOf } = validate;
const { zoneTable } = zoneEngine;

/**
 * A daily quiet window in local time, each end `"HH:mm"` (00:00–23:59). `start` later than `end` wraps
 * midnight (the default 21:00–08:00); `start` equal to `end` means no quiet hours.
 *
 * @example
 * ```ts
 * const quiet: QuietHours = { start: "21:00", end: "08:00" };
 * ```
 */
export interface QuietHours {
  /** Local time the window opens (itself not quiet). */
  start: string;
  /** Local time the window closes (itself not quiet). */
  end: string;
}

/**
 * Moves an SMS send time out of the quiet hours.
 *
 * A send whose local wall time in `timeZone` is strictly inside the window (the two ends are not quiet) moves to the
 * end of that window if that is still at least one hour before the appointment's `start`, otherwise to the start
 * of that same window (for 21:00–08:00: 21:00 the evening before). Any other send time is returned unchanged.
 *
 * Edge cases: `quiet.start === quiet.end` means no quiet hours; a window end or start that does not exist on that
 * date (DST gap) is read as R-30 says (moved forward by the gap), an ambiguous one takes the earlier instant,
 * except that the window end is never placed at or before `sendAt` (then its later occurrence is used). The
 * function does not compare `sendAt` with the current time: a moved send that is already past is the planner's
 * to skip. The result is always a new `Date`.
 *
 * @param sendAt - The planned send instant.
 * @param start - The appointment's start instant.
 * @param timeZone - The appointment's IANA time zone.
 * @param quiet - The quiet window, e.g. `{ start: "21:00", end: "08:00" }`.
 * @returns The send instant to use.
 * @throws {@link @rappel/core!ValidationError} listing every bad argument, with the code of the first:
 *   `invalid-date`, `invalid-time-zone`, `invalid-time-of-day` (`quiet.start` / `quiet.end` not `HH:mm`).
 *
 * @example
 * ```ts
 * const quiet = { start: "21:00", end: "08:00" };
 * // Reminder at 06:30 for a 10:00 appointment (Paris, June: UTC+2): moved to 08:00 the same morning.
 * applyQuietHours(new Date("2026-06-09T04:30:00Z"), new Date("2026-06-09T08:00:00Z"), "Europe/Paris", quiet)
 *   .toISOString(); //=> "2026-06-09T06:00:00.000Z"
 * // Reminder at 06:30 for an 08:30 appointment: 08:00 is too close, so 21:00 the evening before.
 * applyQuietHours(new Date("2026-06-09T04:30:00Z"), new Date("2026-06-09T06:30:00Z"), "Europe/Paris", quiet)
 *   .toISOString(); //=> "2026-06-08T19:00:00.000Z"
 * // 21:00 itself is not quiet.
 * applyQuietHours(new Date("2026-06-08T19:00:00Z"), new Date("2026-06-09T19:00:00Z"), "Europe/Paris", quiet)
 *   .toISOString(); //=> "2026-06-08T19:00:00.000Z"
 * ```
 */
export function applyQuietHours(sendAt: Date, start: Date, timeZone: string, quiet: QuietHours): Date {
  const t = instantOf(sendAt);
  const s = instantOf(start);
  const zone = zoneTable(timeZone);
  const qs = parseTimeOfDay(quiet?.start);
  const qe = parseTimeOfDay(quiet?.end);
  if (Number.isNaN(t) || Number.isNaN(s) || zone === undefined || qs < 0 || qe < 0) {
    const checks = new Checks().date(sendAt, "sendAt").date(start, "start").timeZone(timeZone, "timeZone");
    if (typeof quiet !== "object" || quiet === null) {
      checks.add("invalid-time-of-day", "quiet", 'Expected { start: "HH:mm", end: "HH:mm" }');
    } else checks.timeOfDay(quiet.start, "quiet.start").timeOfDay(quiet.end, "quiet.end");
    return checks.fail("applyQuietHours");
  }
  const r = quietMove(t, s, zone, qs, qe);
  return r === t ? new Date(t) : checkResult(r, "invalid-date", "sendAt", "applyQuietHours");
}

/** The rule on validated numbers: `t` itself when outside the window, else the instant it moves to (unchecked). */
function quietMove(t: number, s: number, zone: ZoneTable, qs: number, qe: number): number {
  if (qs === qe) return t;
  const local = t + zone.offsetAt(t);
  const day = Math.floor(local / 86_400_000);
  const timeOfDay = local - day * 86_400_000;
  const wraps = qs > qe;
  const inside = wraps ? timeOfDay > qs || timeOfDay < qe : timeOfDay > qs && timeOfDay < qe;
  if (!inside) return t;
  // The window holding sendAt opens on `openDay` and closes on `closeDay`.
  const closeDay = wraps && timeOfDay > qs ? day + 1 : day;
  const openDay = wraps ? closeDay - 1 : closeDay;
  let end = zone.resolve(closeDay * 86_400_000 + qe);
  if (end <= t) end = zone.resolve(closeDay * 86_400_000 + qe, true);
  if (s - end >= 3_600_000) return end;
  return zone.resolve(openDay * 86_400_000 + qs);
}

// The last quiet window parsed (its two strings and their values): accounts' windows repeat across calls.
let lastQs: unknown;
let lastQe: unknown;
let lastQsMs = -1;
let lastQeMs = -1;

/**
 * {@link applyQuietHours} for the planner, on epoch milliseconds: the same rule, checks and errors, but the result
 * is a number and nothing is allocated. `sendAt` is returned unchanged (`===`) when it is not quiet.
 *
 * @internal
 */
export function applyQuietHoursMs(sendAt: number, start: Date, timeZone: string, quiet: QuietHours): number {
  const s = instantOf(start);
  const zone = zoneTable(timeZone);
  if (!Number.isNaN(s) && zone !== undefined) {
    const r = quietHoursAt(sendAt, s, zone, quiet);
    if (!Number.isNaN(r)) return r;
  }
  // Something is wrong: the public function throws the very same error.
  return applyQuietHours(new Date(sendAt), start, timeZone, quiet).getTime();
}

/**
 * The rule of {@link applyQuietHours} on a start already checked (`start` in range) and its zone's table: the send
 * instant in epoch ms (`sendAt` itself, `===`, when not quiet), or `NaN` when `sendAt` is out of range, the window
 * invalid or the result out of range (the caller then goes through {@link applyQuietHoursMs} for the error). For
 * the planner, which reads an appointment's zone once.
 *
 * @internal
 */
export function quietHoursAt(sendAt: number, start: number, zone: ZoneTable, quiet: QuietHours): number {
  const qStart = quiet?.start;
  const qEnd = quiet?.end;
  if (qStart !== lastQs || qEnd !== lastQe) {
    lastQsMs = parseTimeOfDay(qStart);
    lastQeMs = parseTimeOfDay(qEnd);
    lastQs = qStart;
    lastQe = qEnd;
  }
  const qs = lastQsMs;
  const qe = lastQeMs;
  if (sendAt >= -62_135_337_600_000 && sendAt <= 253_401_955_200_000 && qs >= 0 && qe >= 0) {
    const r = quietMove(sendAt, start, zone, qs, qe);
    if (r >= -62_135_337_600_000 && r <= 253_401_955_200_000) return r;
  }
  return Number.NaN;
}
