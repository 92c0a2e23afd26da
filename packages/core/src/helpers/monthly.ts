import { isValidTimeZone, localDate } from "../domain/time.js";
import { ErrorCode, RappelError } from "../errors/errors.js";

/**
 * The appointments of an account that fall in a calendar month of its time zone (R-02: "appointments this
 * month"). An appointment belongs to the month of its **local start date**; cancelled ones are left out unless
 * `includeCancelled`. Input order is kept; inputs are not mutated.
 *
 * Throws a `RappelError` for an unknown zone (`invalid-time-zone`), a month outside 1–12 or a non-integer year
 * (`invalid-input`), or an appointment with an invalid start (`invalid-date`).
 *
 * @example
 * ```ts
 * const list = [
 *   { start: new Date("2026-05-31T22:30:00Z"), status: "confirmed" }, // 1 June 00:30 in Paris
 *   { start: new Date("2026-06-30T21:59:00Z"), status: "cancelled" },
 * ];
 * appointmentsInMonth(list, { year: 2026, month: 6, timeZone: "Europe/Paris" }).length //=> 1
 * ```
 */
export function appointmentsInMonth<A extends { start: Date; status?: string }>(
  appointments: readonly A[],
  month: { year: number; month: number; timeZone: string; includeCancelled?: boolean },
): A[] {
  if (!isValidTimeZone(month.timeZone)) {
    throw new RappelError(ErrorCode.INVALID_TIME_ZONE, "Unknown time zone", { details: { timeZone: month.timeZone } });
  }
  if (!Number.isInteger(month.year) || !Number.isInteger(month.month) || month.month < 1 || month.month > 12) {
    throw new RappelError(ErrorCode.INVALID_INPUT, "Expected an integer year and a month from 1 to 12");
  }
  return appointments.filter((a, index) => {
    if (!(a.start instanceof Date) || Number.isNaN(a.start.getTime())) {
      throw new RappelError(ErrorCode.INVALID_DATE, "Appointment start is not a valid instant", { details: { index } });
    }
    if (!month.includeCancelled && a.status === "cancelled") return false;
    const d = localDate(a.start, month.timeZone);
    return d.year === month.year && d.month === month.month;
  });
}
