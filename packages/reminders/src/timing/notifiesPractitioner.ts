import * as civil from "./civil.js";
import * as validate from "./validate.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time); a module constant costs nothing in
// either module system (as ES modules, and in the bundled dist, the difference is within noise). No import cycle
// here, so the bindings are initialised when read.
const { DAY_MS } = civil;
const { Checks, instantOf } = validate;

/**
 * Whether cancelling or moving an appointment notifies its practitioner: only when the change happens less
 * than 24 hours before the appointment's start.
 *
 * The 24 hours are exact durations (not calendar days, so DST does not stretch them). Edge cases: a change exactly
 * 24 h before the start does not notify ("less than"); a change at or after the start does not notify either (the
 * appointment has begun: the change is record keeping, and the practitioner is already there). For a move, pass
 * the appointment's start before the move; a planner that also wants to warn about a move *into* the next 24 hours
 * calls it again with the new start. Online bookings are a separate rule (always notified, grouped).
 *
 * @param change - `"cancel"` or `"move"` (the rule is the same; the kind is checked and kept for clarity).
 * @param at - When the change happens.
 * @param start - The appointment's start instant.
 * @returns `true` when `start - 24 h < at < start`.
 * @throws {@link @rappel/core!ValidationError} listing every bad argument, with the code of the first:
 *   `invalid-input` (unknown `change`), `invalid-date`.
 *
 * @example
 * ```ts
 * // The seed's example: appointment on 9 June at 12:00 (Paris).
 * const start = new Date("2026-06-09T10:00:00Z");
 * notifiesPractitioner("cancel", new Date("2026-06-08T12:00:00Z"), start); //=> true  (8 June 14:00)
 * notifiesPractitioner("move", new Date("2026-06-08T06:00:00Z"), start);   //=> false (8 June 08:00)
 * notifiesPractitioner("cancel", new Date("2026-06-08T10:00:00Z"), start); //=> false (exactly 24 h before)
 * ```
 */
export function notifiesPractitioner(change: "cancel" | "move", at: Date, start: Date): boolean {
  const a = instantOf(at);
  const s = instantOf(start);
  if ((change !== "cancel" && change !== "move") || Number.isNaN(a) || Number.isNaN(s)) {
    const checks = new Checks();
    if (change !== "cancel" && change !== "move") checks.add("invalid-input", "change", 'Expected "cancel" or "move"');
    return checks.date(at, "at").date(start, "start").fail("notifiesPractitioner");
  }
  return a < s && s - a < DAY_MS;
}
