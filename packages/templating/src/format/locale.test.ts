import { describe, expect, it } from "vitest";
import { formatDate, formatTime } from "./format.js";

describe("locale profiles: the last text is reused only for the same fields", () => {
  it("gives each instant its own date and time, in any order, repeated or not", () => {
    const at = (iso: string) => new Date(iso);
    const cases: [Date, string, string, string, string][] = [
      [at("2026-06-08T08:00:00Z"), "08/06/2026", "10h00", "06/08/2026", "10:00 AM"],
      [at("2026-06-08T08:00:59Z"), "08/06/2026", "10h00", "06/08/2026", "10:00 AM"],
      [at("2026-06-08T08:01:00Z"), "08/06/2026", "10h01", "06/08/2026", "10:01 AM"],
      [at("2026-06-08T20:01:00Z"), "08/06/2026", "22h01", "06/08/2026", "10:01 PM"],
      [at("2026-06-09T08:01:00Z"), "09/06/2026", "10h01", "06/09/2026", "10:01 AM"],
      [at("2027-06-08T08:00:00Z"), "08/06/2027", "10h00", "06/08/2027", "10:00 AM"],
      [at("2026-07-08T08:00:00Z"), "08/07/2026", "10h00", "07/08/2026", "10:00 AM"],
    ];
    const order = [0, 0, 1, 2, 2, 3, 1, 4, 5, 0, 6, 6, 3];
    for (const i of order) {
      const [d, frDate, frTime, enDate, enTime] = cases[i]!;
      expect(formatDate(d, { timeZone: "Europe/Paris" })).toBe(frDate);
      expect(formatTime(d, { timeZone: "Europe/Paris" })).toBe(frTime);
      expect(formatDate(d, { locale: "en-US", timeZone: "Europe/Paris" })).toBe(enDate);
      expect(formatTime(d, { locale: "en-US", timeZone: "Europe/Paris" })).toBe(enTime);
    }
  });
});
