import { formatMinutesOfDay, minutesOfDay, TimeOfDaySchema } from "../domain/time.js";
import { ErrorCode, RappelError } from "../errors/errors.js";

/**
 * A waiting-list validity window, local times of day.
 *
 * @example
 * ```ts
 * const w: WaitingListWindow = { from: "08:00", to: "12:00" };
 * ```
 */
export interface WaitingListWindow {
  /** Start, `HH:mm`. */
  from: string;
  /** End, `HH:mm`, after `from`. */
  to: string;
}

/**
 * Moves a waiting-list window so that it starts at `newFrom`, keeping its length: moving the start moves the
 * end by the same amount. Throws a `RappelError` (`invalid-time-of-day`) for a malformed time, a window
 * that does not end after it starts, or a move that would push the end past 23:59.
 *
 * @example
 * ```ts
 * shiftWaitingListWindow({ from: "08:00", to: "12:00" }, "09:30") //=> { from: "09:30", to: "13:30" }
 * ```
 */
export function shiftWaitingListWindow(window: WaitingListWindow, newFrom: string): WaitingListWindow {
  for (const [name, value] of [
    ["from", window?.from],
    ["to", window?.to],
    ["newFrom", newFrom],
  ] as const) {
    if (!TimeOfDaySchema.safeParse(value).success) {
      throw new RappelError(ErrorCode.INVALID_TIME_OF_DAY, `${name} must be a time of day HH:mm`, {
        details: { field: name },
      });
    }
  }
  const length = minutesOfDay(window.to) - minutesOfDay(window.from);
  if (length <= 0) {
    throw new RappelError(ErrorCode.INVALID_TIME_OF_DAY, "The window must end after it starts", {
      details: { field: "to" },
    });
  }
  const end = minutesOfDay(newFrom) + length;
  if (end > 23 * 60 + 59) {
    throw new RappelError(ErrorCode.INVALID_TIME_OF_DAY, "The moved window would end after 23:59", {
      details: { field: "newFrom" },
    });
  }
  return { from: newFrom, to: formatMinutesOfDay(end) };
}
