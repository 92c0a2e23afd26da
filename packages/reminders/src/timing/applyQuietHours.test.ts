import { describe, expect, it } from "vitest";
import { at, expectInvalid, iso } from "./__fixtures__/testing.js";
import { applyQuietHours } from "./applyQuietHours.js";

const NIGHT = { start: "21:00", end: "08:00" };
const q = (sendAt: string, start: string, quiet = NIGHT, zone = "Europe/Paris") =>
  iso(applyQuietHours(at(sendAt), at(start), zone, quiet));

describe("applyQuietHours (R-18), Paris in June (UTC+2)", () => {
  it("gives the documented examples", () => {
    expect(q("2026-06-09T06:30:00+02:00", "2026-06-09T10:00:00+02:00")).toBe("2026-06-09T06:00:00.000Z");
    expect(q("2026-06-09T06:30:00+02:00", "2026-06-09T08:30:00+02:00")).toBe("2026-06-08T19:00:00.000Z");
    expect(q("2026-06-08T21:00:00+02:00", "2026-06-09T21:00:00+02:00")).toBe("2026-06-08T19:00:00.000Z");
  });

  it("leaves times outside the window, and both ends, untouched", () => {
    for (const t of [
      "2026-06-08T20:59:59.999+02:00",
      "2026-06-08T21:00:00+02:00",
      "2026-06-09T08:00:00+02:00",
      "2026-06-09T12:00:00+02:00",
    ]) {
      expect(q(t, "2026-06-09T09:30:00+02:00")).toBe(iso(at(t)));
    }
  });

  it("a time just inside either end is quiet", () => {
    expect(q("2026-06-08T21:00:00.001+02:00", "2026-06-09T10:00:00+02:00")).toBe("2026-06-09T06:00:00.000Z");
    expect(q("2026-06-09T07:59:59.999+02:00", "2026-06-09T10:00:00+02:00")).toBe("2026-06-09T06:00:00.000Z");
  });

  it("evening and after-midnight sends both move to 08:00 of the morning that ends the window", () => {
    expect(q("2026-06-08T23:30:00+02:00", "2026-06-09T14:00:00+02:00")).toBe("2026-06-09T06:00:00.000Z");
    expect(q("2026-06-09T00:00:00+02:00", "2026-06-09T14:00:00+02:00")).toBe("2026-06-09T06:00:00.000Z");
    expect(q("2026-06-09T03:00:00+02:00", "2026-06-09T14:00:00+02:00")).toBe("2026-06-09T06:00:00.000Z");
  });

  it("08:00 exactly one hour before the appointment is allowed; 1 ms less is not", () => {
    expect(q("2026-06-09T07:00:00+02:00", "2026-06-09T09:00:00+02:00")).toBe("2026-06-09T06:00:00.000Z");
    expect(q("2026-06-09T07:00:00+02:00", "2026-06-09T08:59:59.999+02:00")).toBe("2026-06-08T19:00:00.000Z");
  });

  it("an appointment inside the night: the start of that same window (the evening before)", () => {
    // Appointment at 23:30; 1-hour reminder at 22:30 is quiet; 08:00 next day is after the appointment → 21:00.
    expect(q("2026-06-08T22:30:00+02:00", "2026-06-08T23:30:00+02:00")).toBe("2026-06-08T19:00:00.000Z");
    // Appointment at 07:00; reminder at 05:00 → 21:00 the evening before.
    expect(q("2026-06-09T05:00:00+02:00", "2026-06-09T07:00:00+02:00")).toBe("2026-06-08T19:00:00.000Z");
  });

  it("a window that does not wrap midnight (12:00–14:00)", () => {
    const lunch = { start: "12:00", end: "14:00" };
    expect(q("2026-06-09T13:00:00+02:00", "2026-06-09T16:00:00+02:00", lunch)).toBe("2026-06-09T12:00:00.000Z");
    expect(q("2026-06-09T13:00:00+02:00", "2026-06-09T14:30:00+02:00", lunch)).toBe("2026-06-09T10:00:00.000Z");
    expect(q("2026-06-09T12:00:00+02:00", "2026-06-09T14:30:00+02:00", lunch)).toBe("2026-06-09T10:00:00.000Z");
    expect(q("2026-06-09T14:00:00+02:00", "2026-06-09T14:30:00+02:00", lunch)).toBe("2026-06-09T12:00:00.000Z");
    expect(q("2026-06-09T23:00:00+02:00", "2026-06-10T14:30:00+02:00", lunch)).toBe("2026-06-09T21:00:00.000Z");
  });

  it("start equal to end means no quiet hours; 00:00–23:59 leaves only the last minute and midnight", () => {
    expect(q("2026-06-09T03:00:00+02:00", "2026-06-09T09:00:00+02:00", { start: "21:00", end: "21:00" })).toBe(
      "2026-06-09T01:00:00.000Z",
    );
    const allDay = { start: "00:00", end: "23:59" };
    expect(q("2026-06-09T03:00:00+02:00", "2026-06-11T09:00:00+02:00", allDay)).toBe("2026-06-09T21:59:00.000Z");
    expect(q("2026-06-09T03:00:00+02:00", "2026-06-09T09:00:00+02:00", allDay)).toBe("2026-06-08T22:00:00.000Z");
  });

  it("does not look at the current time: a moved send may be past, the planner skips it", () => {
    expect(q("2020-01-01T23:00:00+01:00", "2020-01-02T08:30:00+01:00")).toBe("2020-01-01T20:00:00.000Z");
  });

  it("returns a new Date and never mutates its inputs", () => {
    const sendAt = at("2026-06-09T12:00:00+02:00");
    const start = at("2026-06-09T14:00:00+02:00");
    const quiet = Object.freeze({ ...NIGHT });
    const out = applyQuietHours(sendAt, start, "Europe/Paris", quiet);
    expect(out).not.toBe(sendAt);
    expect(out.getTime()).toBe(sendAt.getTime());
    expect(iso(sendAt)).toBe("2026-06-09T10:00:00.000Z");
    expect(iso(start)).toBe("2026-06-09T12:00:00.000Z");
    const quietSame = { start: "08:00", end: "08:00" };
    expect(applyQuietHours(sendAt, start, "Europe/Paris", quietSame)).not.toBe(sendAt);
  });

  describe("bad input", () => {
    const s = at("2026-06-09T06:30:00+02:00");
    const a = at("2026-06-09T10:00:00+02:00");
    it("invalid dates", () => {
      expectInvalid(() => applyQuietHours(new Date(Number.NaN), a, "Europe/Paris", NIGHT), "invalid-date", ["sendAt"]);
      expectInvalid(() => applyQuietHours(s, "tomorrow" as never, "Europe/Paris", NIGHT), "invalid-date", ["start"]);
    });
    it("unknown zone", () => {
      expectInvalid(() => applyQuietHours(s, a, "Europe/Lyon", NIGHT), "invalid-time-zone", ["timeZone"]);
    });
    it.each([
      [{ start: "21h", end: "08:00" }, ["quiet.start"]],
      [{ start: "21:00", end: "8:00" }, ["quiet.end"]],
      [{ start: "24:00", end: "25:00" }, ["quiet.start", "quiet.end"]],
      [{ start: "21:00" }, ["quiet.end"]],
      [null, ["quiet"]],
      [undefined, ["quiet"]],
    ])("quiet %j → invalid-time-of-day", (quiet, paths) => {
      expectInvalid(() => applyQuietHours(s, a, "Europe/Paris", quiet as never), "invalid-time-of-day", paths);
    });
    it("lists every failing argument", () => {
      expectInvalid(
        () => applyQuietHours(new Date(Number.NaN), new Date(Number.NaN), "", { start: "x", end: "y" }),
        "invalid-date",
        ["sendAt", "start", "timeZone", "quiet.start", "quiet.end"],
      );
    });
  });
});
