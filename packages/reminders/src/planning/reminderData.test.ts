import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reminderAppointments } from "./index.js";

describe("reminderAppointments", () => {
  const at = new Date("2026-06-09T14:00:00Z");

  it("reads a send about one appointment from its own appointmentId and expiresAt", () => {
    expect(reminderAppointments({ data: { slot: "second" }, appointmentId: "r9", expiresAt: at })).toEqual({
      ids: ["r9"],
      starts: ["2026-06-09T14:00:00.000Z"],
    });
  });

  it("reads the lists of a merged day's SMS (and of sends stored with the earlier one-appointment lists) as given", () => {
    const data = { slot: "first", appointmentIds: ["r1", "r2"], appointmentStarts: ["A", "B"] };
    expect(reminderAppointments({ data, appointmentId: "r1", expiresAt: at })).toEqual({
      ids: ["r1", "r2"],
      starts: ["A", "B"],
    });
    // Lists of unequal length pair what they can.
    const uneven = { slot: "first", appointmentIds: ["r1", "r2"], appointmentStarts: ["A"] };
    expect(reminderAppointments({ data: uneven, appointmentId: "r1" })).toEqual({ ids: ["r1"], starts: ["A"] });
  });

  it("gives empty lists when the send names no appointment or has no valid expiry", () => {
    expect(reminderAppointments({ data: { slot: "first" }, expiresAt: at })).toEqual({ ids: [], starts: [] });
    expect(reminderAppointments({ data: { slot: "first" }, appointmentId: "r1" })).toEqual({ ids: [], starts: [] });
    const invalid = new Date(Number.NaN);
    expect(reminderAppointments({ data: { slot: "first" }, appointmentId: "r1", expiresAt: invalid })).toEqual({
      ids: [],
      starts: [],
    });
  });

  it("rejects a send that is not an object with a ValidationError", () => {
    for (const bad of [null, undefined, "r1", 42]) {
      expect(() => reminderAppointments(bad as never)).toThrow(
        expect.objectContaining({
          name: "ValidationError",
          code: "invalid-input",
          issues: [expect.objectContaining({ path: "send" })],
        }),
      );
    }
  });

  it("both shapes of a one-appointment reminder read the same, for any id and instant", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }),
        (id, ms) => {
          const expiresAt = new Date(ms);
          const compact = reminderAppointments({ data: { slot: "first" }, appointmentId: id, expiresAt });
          const listed = reminderAppointments({
            data: { slot: "first", appointmentIds: [id], appointmentStarts: [expiresAt.toISOString()] },
            appointmentId: id,
            expiresAt,
          });
          expect(compact).toEqual(listed);
        },
      ),
    );
  });
});
