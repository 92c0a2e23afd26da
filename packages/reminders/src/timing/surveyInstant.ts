import * as zoneEngine from "@rappel/core";
import * as civil from "./civil.js";
import * as validate from "./validate.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time); a module constant costs nothing in
// either module system (as ES modules, and in the bundled dist, the difference is within noise). No import cycle
// here, so the bindings are initialised when read.
const { DAY_MS, HOUR_MS } = civil;
const { Checks, checkResult, instantOf } = validate;
const { zoneTable } = zoneEngine;

const SURVEY_TIME_MS = 21 * HOUR_MS;

/**
 * When the satisfaction survey email goes out: 21:00 local time on the appointment's day in `timeZone`; an
 * appointment starting at or after 21:00 local gets it at 21:00 the next day.
 *
 * "Day" and "21:00" are the wall clock of `timeZone`, never the host's. Should 21:00 not exist on that date (a DST
 * gap at 21:00), it is read as R-30 says (moved forward by the gap); an ambiguous 21:00 takes the earlier instant.
 * Whether a survey is due at all (first appointment, or previous one more than a month earlier) is the planner's
 * rule, not this function's. The result is a new `Date`.
 *
 * @param start - The appointment's start instant.
 * @param timeZone - The appointment's IANA time zone.
 * @returns The survey's send instant.
 * @throws {@link @rappel/core!ValidationError} listing every bad argument, with the code of the first:
 *   `invalid-date`, `invalid-time-zone`.
 *
 * @example
 * ```ts
 * surveyInstant(new Date("2026-06-09T10:00:00Z"), "Europe/Paris").toISOString();
 * //=> "2026-06-09T19:00:00.000Z" (21:00 in Paris on 9 June)
 * surveyInstant(new Date("2026-06-09T19:00:00Z"), "Europe/Paris").toISOString();
 * //=> "2026-06-10T19:00:00.000Z" (a 21:00 appointment: 21:00 the next day)
 * ```
 */
export function surveyInstant(start: Date, timeZone: string): Date {
  const t = instantOf(start);
  const zone = zoneTable(timeZone);
  if (Number.isNaN(t) || zone === undefined) {
    return new Checks().date(start, "start").timeZone(timeZone, "timeZone").fail("surveyInstant");
  }
  const local = t + zone.offsetAt(t);
  let day = Math.floor(local / DAY_MS);
  if (local - day * DAY_MS >= SURVEY_TIME_MS) day++;
  return checkResult(zone.resolve(day * DAY_MS + SURVEY_TIME_MS), "invalid-date", "start", "surveyInstant");
}
