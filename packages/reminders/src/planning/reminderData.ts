import { ErrorCode, type PlannedSend, ValidationError } from "@rappel/core";

/**
 * The appointments a reminder send is about, each with its start as it was planned (ISO text, as
 * `Date#toISOString` writes it), in start order.
 *
 * A day's merged reminder SMS (R-39, `communication.sms.onePerDay`) lists its members in its `data`
 * (`appointmentIds`, `appointmentStarts`). Any other reminder carries only `{ slot }`: it is about its own
 * `appointmentId`, whose start is its `expiresAt` (a reminder expires when its appointment starts). Sends stored
 * with the earlier shape, where a one-appointment SMS reminder also listed its appointment in `data`, read the same.
 * A send that names no appointment gives two empty lists.
 *
 * @param send - A planned or stored reminder (its `data`, `appointmentId` and `expiresAt` are read).
 * @returns The appointment ids and their planned starts, index by index.
 * @throws {@link @rappel/core!ValidationError} `invalid-input` when `send` is not an object.
 * @example
 * ```ts
 * reminderAppointments({
 *   data: { slot: "first" },
 *   appointmentId: "r1",
 *   expiresAt: new Date("2026-06-09T14:00:00Z"),
 * });
 * //=> { ids: ["r1"], starts: ["2026-06-09T14:00:00.000Z"] }
 * reminderAppointments({
 *   data: { slot: "first", appointmentIds: ["r1", "r2"], appointmentStarts: ["2026-06-09T10:00:00.000Z", "2026-06-09T14:00:00.000Z"] },
 *   appointmentId: "r1",
 * });
 * //=> { ids: ["r1", "r2"], starts: ["2026-06-09T10:00:00.000Z", "2026-06-09T14:00:00.000Z"] }
 * ```
 */
export function reminderAppointments(send: Pick<PlannedSend, "data" | "appointmentId" | "expiresAt">): {
  ids: string[];
  starts: string[];
} {
  if (send === null || typeof send !== "object")
    throw new ValidationError(ErrorCode.INVALID_INPUT, "reminderAppointments needs a send", [
      { path: "send", message: "Expected a planned or stored send" },
    ]);
  const ids = send.data?.appointmentIds;
  const starts = send.data?.appointmentStarts;
  if (Array.isArray(ids) && Array.isArray(starts)) {
    const n = Math.min(ids.length, starts.length);
    const out = { ids: [] as string[], starts: [] as string[] };
    for (let i = 0; i < n; i++) {
      out.ids.push(String(ids[i]));
      out.starts.push(String(starts[i]));
    }
    return out;
  }
  const at = send.expiresAt;
  if (send.appointmentId === undefined || !(at instanceof Date) || Number.isNaN(at.getTime()))
    return { ids: [], starts: [] };
  return { ids: [send.appointmentId], starts: [at.toISOString()] };
}
