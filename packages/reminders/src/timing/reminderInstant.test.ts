import { describe, expect, it } from "vitest";
import { at, expectInvalid, iso } from "./__fixtures__/testing.js";
import { reminderInstant, reminderInstantMs } from "./reminderInstant.js";

describe("reminderInstant", () => {
  it("gives the documented examples", () => {
    const start = at("2026-03-30T07:30:00Z");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 24, unit: "hours" }))).toBe("2026-03-29T07:30:00.000Z");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 2, unit: "days" }))).toBe("2026-03-28T08:30:00.000Z");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 1, unit: "days", at: "18:00" }))).toBe(
      "2026-03-29T16:00:00.000Z",
    );
    expect(iso(reminderInstant(at("2026-03-30T00:30:00Z"), "Europe/Paris", { value: 1, unit: "days" }))).toBe(
      "2026-03-29T01:30:00.000Z",
    );
  });

  it("subtracts exact hours, zero included, keeping milliseconds", () => {
    const start = at("2026-06-09T10:00:00.123Z");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 0, unit: "hours" }))).toBe("2026-06-09T10:00:00.123Z");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 2, unit: "hours" }))).toBe("2026-06-09T08:00:00.123Z");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 72, unit: "hours" }))).toBe("2026-06-06T10:00:00.123Z");
  });

  it("keeps the local time of day, seconds and milliseconds included, for day offsets", () => {
    const start = at("2026-06-09T12:34:56.789+02:00");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 7, unit: "days" }))).toBe("2026-06-02T10:34:56.789Z");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 0, unit: "days" }))).toBe("2026-06-09T10:34:56.789Z");
  });

  it("day 0 at a later time of day is after the start: the planner decides, not this function", () => {
    const start = at("2026-06-09T09:00:00+02:00");
    expect(iso(reminderInstant(start, "Europe/Paris", { value: 0, unit: "days", at: "18:00" }))).toBe(
      "2026-06-09T16:00:00.000Z",
    );
  });

  it("returns a new Date and never mutates its inputs", () => {
    const start = at("2026-06-09T10:00:00Z");
    const offset = Object.freeze({ value: 1, unit: "days", at: "18:00" } as const);
    const r1 = reminderInstant(start, "Europe/Paris", offset);
    const r2 = reminderInstant(start, "Europe/Paris", { value: 0, unit: "hours" });
    expect(start.getTime()).toBe(Date.parse("2026-06-09T10:00:00Z"));
    expect(r2).not.toBe(start);
    expect(r1).not.toBe(r2);
    expect(offset).toEqual({ value: 1, unit: "days", at: "18:00" });
  });

  it("accepts aliases and fixed-offset zones", () => {
    const start = at("2026-06-09T10:00:00Z");
    const dayBefore = { value: 1, unit: "days", at: "18:00" } as const;
    expect(iso(reminderInstant(start, "UTC", dayBefore))).toBe("2026-06-08T18:00:00.000Z");
    expect(iso(reminderInstant(start, "Etc/GMT+5", dayBefore))).toBe("2026-06-08T23:00:00.000Z");
    expect(iso(reminderInstant(start, "US/Eastern", dayBefore))).toBe("2026-06-08T22:00:00.000Z");
    expect(iso(reminderInstant(start, "europe/paris", dayBefore))).toBe("2026-06-08T16:00:00.000Z");
  });

  it("accepts Dates from another realm and Date subclasses", async () => {
    const { runInNewContext } = await import("node:vm");
    const foreign = runInNewContext('new Date("2026-06-09T10:00:00Z")') as Date;
    expect(iso(reminderInstant(foreign, "Europe/Paris", { value: 1, unit: "hours" }))).toBe("2026-06-09T09:00:00.000Z");
    class MyDate extends Date {}
    expect(iso(reminderInstant(new MyDate("2026-06-09T10:00:00Z"), "UTC", { value: 1, unit: "hours" }))).toBe(
      "2026-06-09T09:00:00.000Z",
    );
  });

  // The planner's allocation-free variant (epoch ms) checks and fails exactly like the public function.
  describe.each([
    ["reminderInstant", reminderInstant],
    ["reminderInstantMs", reminderInstantMs],
  ] as const)("%s: bad input is a typed error, never a wrong date", (_name, reminderInstant) => {
    const start = at("2026-06-09T10:00:00Z");
    const ok = { value: 1, unit: "days" } as const;
    it.each([
      ["invalid Date", new Date(Number.NaN)],
      ["a string", "2026-06-09T10:00:00Z"],
      ["a number", 1_780_000_000_000],
      ["null", null],
      ["a Date-like object", { getTime: (): number => 0 }],
      ["an object made from Date.prototype", Object.create(Date.prototype)],
      ["an object borrowing Date's getTime", { getTime: Date.prototype.getTime }],
      ["an instant before year 1", new Date(-62_135_596_800_001)],
      ["an instant after 9999-12-28", new Date(253_401_955_200_001)],
    ])("start: %s → invalid-date", (_, value) => {
      expectInvalid(() => reminderInstant(value as Date, "Europe/Paris", ok), "invalid-date", ["start"]);
    });

    it.each(["Europe/Lyon", "", "+01:00", "UTC+1", "Paris", "Etc/Unknown", 1, null, undefined])(
      "timeZone %j → invalid-time-zone",
      (zone) => {
        expectInvalid(() => reminderInstant(start, zone as string, ok), "invalid-time-zone", ["timeZone"]);
      },
    );

    it.each([
      ["negative", { value: -1, unit: "days" }, ["offset.value"]],
      ["non-integer", { value: 1.5, unit: "hours" }, ["offset.value"]],
      ["NaN", { value: Number.NaN, unit: "hours" }, ["offset.value"]],
      ["Infinity", { value: Number.POSITIVE_INFINITY, unit: "days" }, ["offset.value"]],
      ["a numeric string", { value: "1", unit: "days" }, ["offset.value"]],
      ["an unknown unit", { value: 1, unit: "weeks" }, ["offset.unit"]],
      ["a missing unit", { value: 1 }, ["offset.unit"]],
      ["at with hours", { value: 1, unit: "hours", at: "18:00" }, ["offset.at"]],
      ["no offset at all", undefined, ["offset"]],
      ["null offset", null, ["offset"]],
      ["a result before year 1", { value: 800_000, unit: "days" }, ["offset.value"]],
      ["a huge hour offset", { value: 1e15, unit: "hours" }, ["offset.value"]],
      ["a huge day offset", { value: Number.MAX_SAFE_INTEGER, unit: "days" }, ["offset.value"]],
    ])("offset: %s → invalid-offset", (_, offset, paths) => {
      expectInvalid(() => reminderInstant(start, "Europe/Paris", offset as never), "invalid-offset", paths);
    });

    it.each(["24:00", "8:00", "18h00", "18:00:00", "", "18:60", 1800])("at %j → invalid-time-of-day", (value) => {
      expectInvalid(
        () => reminderInstant(start, "Europe/Paris", { value: 1, unit: "days", at: value as string }),
        "invalid-time-of-day",
        ["offset.at"],
      );
    });

    it("lists every failing argument, with the first one's code", () => {
      expectInvalid(
        () => reminderInstant(new Date(Number.NaN), "Mars/Base", { value: -1, unit: "weeks" as "days", at: "25:00" }),
        "invalid-date",
        ["start", "timeZone", "offset.value", "offset.unit", "offset.at"],
      );
      expectInvalid(
        () => reminderInstant(start, "Mars/Base", { value: 1, unit: "days", at: "x" }),
        "invalid-time-zone",
        ["timeZone", "offset.at"],
      );
    });
  });
});
