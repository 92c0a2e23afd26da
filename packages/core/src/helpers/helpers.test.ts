import { describe, expect, it } from "vitest";
import { RappelError } from "../errors/errors.js";
import { appointmentsInMonth } from "./monthly.js";
import { missingBookingFields } from "./requiredFields.js";
import { shiftWaitingListWindow } from "./waitingList.js";

describe("shiftWaitingListWindow (R-12)", () => {
  it("moves the end by the same amount as the start", () => {
    expect(shiftWaitingListWindow({ from: "08:00", to: "12:00" }, "09:30")).toEqual({ from: "09:30", to: "13:30" });
    expect(shiftWaitingListWindow({ from: "14:15", to: "15:00" }, "07:05")).toEqual({ from: "07:05", to: "07:50" });
    expect(shiftWaitingListWindow({ from: "08:00", to: "12:00" }, "19:59")).toEqual({ from: "19:59", to: "23:59" });
  });
  it("rejects malformed times, empty windows and ends past midnight", () => {
    for (const [w, from, field] of [
      [{ from: "8:00", to: "12:00" }, "09:00", "from"],
      [{ from: "08:00", to: "25:00" }, "09:00", "to"],
      [{ from: "08:00", to: "12:00" }, "9h", "newFrom"],
      [{ from: "12:00", to: "08:00" }, "09:00", "to"],
      [{ from: "08:00", to: "12:00" }, "20:00", "newFrom"],
    ] as const) {
      try {
        shiftWaitingListWindow(w, from);
        throw new Error("expected a throw");
      } catch (e) {
        expect(e).toBeInstanceOf(RappelError);
        expect((e as RappelError).code).toBe("invalid-time-of-day");
        expect((e as RappelError).details.field).toBe(field);
      }
    }
  });
});

describe("missingBookingFields (R-15)", () => {
  it("reports blank and absent fields in the required order", () => {
    expect(
      missingBookingFields(
        { contact: { email: "a@b.example", birthDate: "1980-01-01", address: "", postalCode: null, city: " " } },
        ["city", "email", "address", "postalCode", "remark", "birthDate", "reason"],
      ),
    ).toEqual(["city", "address", "postalCode", "remark", "reason"]);
    expect(missingBookingFields({ contact: {}, reason: "Douleur" }, ["reason"])).toEqual([]);
    expect(missingBookingFields({ contact: {} }, [])).toEqual([]);
  });
});

describe("appointmentsInMonth (R-02)", () => {
  const list = [
    { id: 1, start: new Date("2026-05-31T21:59:00Z"), status: "confirmed" }, // 31 May 23:59 Paris
    { id: 2, start: new Date("2026-05-31T22:00:00Z"), status: "confirmed" }, // 1 June 00:00 Paris
    { id: 3, start: new Date("2026-06-15T10:00:00Z"), status: "cancelled" },
    { id: 4, start: new Date("2026-06-30T21:59:00Z"), status: "pending-confirmation" }, // 30 June 23:59
    { id: 5, start: new Date("2026-06-30T22:00:00Z"), status: "confirmed" }, // 1 July
  ];
  it("uses the account's local calendar month", () => {
    expect(appointmentsInMonth(list, { year: 2026, month: 6, timeZone: "Europe/Paris" }).map((a) => a.id)).toEqual([
      2, 4,
    ]);
    expect(appointmentsInMonth(list, { year: 2026, month: 6, timeZone: "UTC" }).map((a) => a.id)).toEqual([4, 5]);
    expect(
      appointmentsInMonth(list, { year: 2026, month: 6, timeZone: "Europe/Paris", includeCancelled: true }).map(
        (a) => a.id,
      ),
    ).toEqual([2, 3, 4]);
    expect(
      appointmentsInMonth(list, { year: 2026, month: 5, timeZone: "Pacific/Kiritimati" }).map((a) => a.id),
    ).toEqual([]);
  });
  it("rejects bad zones, months and dates", () => {
    expect(() => appointmentsInMonth(list, { year: 2026, month: 13, timeZone: "UTC" })).toThrow(RappelError);
    expect(() => appointmentsInMonth(list, { year: 2026.5, month: 1, timeZone: "UTC" })).toThrow(RappelError);
    expect(() => appointmentsInMonth(list, { year: 2026, month: 1, timeZone: "Mars/Olympus" })).toThrow(/time zone/);
    expect(() => appointmentsInMonth([{ start: new Date("x") }], { year: 2026, month: 1, timeZone: "UTC" })).toThrow(
      RappelError,
    );
  });
});
