// Worked DST cases. Runs under several host TZ values in CI (pnpm test:tz): answers must not depend on the host.
import { describe, expect, it } from "vitest";
import { at, iso } from "./__fixtures__/testing.js";
import { reminderInstant } from "./reminderInstant.js";

const hours = (value: number) => ({ value, unit: "hours" }) as const;
const days = (value: number, time?: string) =>
  (time === undefined ? { value, unit: "days" } : { value, unit: "days", at: time }) as {
    value: number;
    unit: "days";
    at?: string;
  };
const r = (start: string, zone: string, offset: Parameters<typeof reminderInstant>[2]) =>
  iso(reminderInstant(at(start), zone, offset));

describe("Europe/Paris, spring 2026 (29 March: 02:00 CET → 03:00 CEST)", () => {
  it("24 hours are 24 real hours, 1 day is the same wall time", () => {
    // Monday 30 March 09:30 CEST.
    expect(r("2026-03-30T09:30:00+02:00", "Europe/Paris", hours(24))).toBe("2026-03-29T07:30:00.000Z"); // 09:30 CEST
    expect(r("2026-03-30T09:30:00+02:00", "Europe/Paris", days(1))).toBe("2026-03-29T07:30:00.000Z"); // 09:30 CEST
    // Sunday 29 March 10:00 CEST: the previous day is CET, so 24 h and 1 day differ by an hour.
    expect(r("2026-03-29T10:00:00+02:00", "Europe/Paris", hours(24))).toBe("2026-03-28T08:00:00.000Z"); // 09:00 CET
    expect(r("2026-03-29T10:00:00+02:00", "Europe/Paris", days(1))).toBe("2026-03-28T09:00:00.000Z"); // 10:00 CET
    // Across the change: 2 days vs 48 hours.
    expect(r("2026-03-30T09:30:00+02:00", "Europe/Paris", days(2))).toBe("2026-03-28T08:30:00.000Z"); // 09:30 CET
    expect(r("2026-03-30T09:30:00+02:00", "Europe/Paris", hours(48))).toBe("2026-03-28T07:30:00.000Z"); // 08:30 CET
  });

  it("a wall time in the gap is read with the offset before it: 02:30 → 03:30 CEST", () => {
    expect(r("2026-03-30T02:30:00+02:00", "Europe/Paris", days(1))).toBe("2026-03-29T01:30:00.000Z");
    expect(r("2026-03-30T02:00:00+02:00", "Europe/Paris", days(1))).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(r("2026-03-30T02:59:59.999+02:00", "Europe/Paris", days(1))).toBe("2026-03-29T01:59:59.999Z");
    expect(r("2026-03-30T03:00:00+02:00", "Europe/Paris", days(1))).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(r("2026-03-30T01:59:00+02:00", "Europe/Paris", days(1))).toBe("2026-03-29T00:59:00.000Z"); // 01:59 CET
    expect(r("2026-04-05T10:00:00+02:00", "Europe/Paris", days(7, "02:30"))).toBe("2026-03-29T01:30:00.000Z");
  });

  it("the day before at 18:00, around the change", () => {
    expect(r("2026-03-29T10:00:00+02:00", "Europe/Paris", days(1, "18:00"))).toBe("2026-03-28T17:00:00.000Z"); // CET
    expect(r("2026-03-30T10:00:00+02:00", "Europe/Paris", days(1, "18:00"))).toBe("2026-03-29T16:00:00.000Z"); // CEST
    // An appointment just after midnight still gets the previous calendar day.
    expect(r("2026-03-30T00:15:00+02:00", "Europe/Paris", days(1, "18:00"))).toBe("2026-03-29T16:00:00.000Z");
    expect(r("2026-03-29T03:00:00+02:00", "Europe/Paris", days(1, "18:00"))).toBe("2026-03-28T17:00:00.000Z");
  });
});

describe("Europe/Paris, autumn 2026 (25 October: 03:00 CEST → 02:00 CET)", () => {
  it("an ambiguous wall time takes the earlier instant (CEST)", () => {
    expect(r("2026-10-26T02:30:00+01:00", "Europe/Paris", days(1))).toBe("2026-10-25T00:30:00.000Z"); // 02:30 CEST
    expect(r("2026-10-26T02:00:00+01:00", "Europe/Paris", days(1))).toBe("2026-10-25T00:00:00.000Z"); // 02:00 CEST
    expect(r("2026-10-26T03:00:00+01:00", "Europe/Paris", days(1))).toBe("2026-10-25T02:00:00.000Z"); // 03:00 CET
    expect(r("2026-11-01T10:00:00+01:00", "Europe/Paris", days(7, "02:45"))).toBe("2026-10-25T00:45:00.000Z");
  });

  it("appointments inside the overlap: both 02:30s get the day before at 02:30 CEST", () => {
    expect(r("2026-10-25T02:30:00+02:00", "Europe/Paris", days(1))).toBe("2026-10-24T00:30:00.000Z");
    expect(r("2026-10-25T02:30:00+01:00", "Europe/Paris", days(1))).toBe("2026-10-24T00:30:00.000Z");
    // …while 24 hours stay 24 hours: an hour apart.
    expect(r("2026-10-25T02:30:00+02:00", "Europe/Paris", hours(24))).toBe("2026-10-24T00:30:00.000Z");
    expect(r("2026-10-25T02:30:00+01:00", "Europe/Paris", hours(24))).toBe("2026-10-24T01:30:00.000Z"); // 03:30 CEST
  });

  it("24 hours vs 1 day and 2 days vs 48 hours across the change; the day before at 18:00", () => {
    expect(r("2026-10-25T10:00:00+01:00", "Europe/Paris", hours(24))).toBe("2026-10-24T09:00:00.000Z"); // 11:00 CEST
    expect(r("2026-10-25T10:00:00+01:00", "Europe/Paris", days(1))).toBe("2026-10-24T08:00:00.000Z"); // 10:00 CEST
    expect(r("2026-10-26T09:00:00+01:00", "Europe/Paris", days(2))).toBe("2026-10-24T07:00:00.000Z"); // 09:00 CEST
    expect(r("2026-10-26T09:00:00+01:00", "Europe/Paris", hours(48))).toBe("2026-10-24T08:00:00.000Z"); // 10:00 CEST
    expect(r("2026-10-25T10:00:00+01:00", "Europe/Paris", days(1, "18:00"))).toBe("2026-10-24T16:00:00.000Z");
    expect(r("2026-10-26T10:00:00+01:00", "Europe/Paris", days(1, "18:00"))).toBe("2026-10-25T17:00:00.000Z");
  });
});

describe("Australia/Lord_Howe: a 30-minute DST shift", () => {
  it("spring forward 4 October 2026, 02:00 (+10:30) → 02:30 (+11)", () => {
    expect(r("2026-10-05T02:15:00+11:00", "Australia/Lord_Howe", days(1))).toBe("2026-10-03T15:45:00.000Z"); // 02:45
    expect(r("2026-10-05T10:00:00+11:00", "Australia/Lord_Howe", days(1))).toBe("2026-10-03T23:00:00.000Z"); // +11
    expect(r("2026-10-05T10:00:00+11:00", "Australia/Lord_Howe", hours(24))).toBe("2026-10-03T23:00:00.000Z");
    expect(r("2026-10-04T10:00:00+11:00", "Australia/Lord_Howe", days(1))).toBe("2026-10-02T23:30:00.000Z"); // +10:30
    expect(r("2026-10-04T10:00:00+11:00", "Australia/Lord_Howe", hours(24))).toBe("2026-10-02T23:00:00.000Z"); // 09:30
  });

  it("fall back 5 April 2026, 02:00 (+11) → 01:30 (+10:30): the earlier 01:45", () => {
    expect(r("2026-04-06T01:45:00+10:30", "Australia/Lord_Howe", days(1))).toBe("2026-04-04T14:45:00.000Z"); // +11
    expect(r("2026-04-06T18:00:00+10:30", "Australia/Lord_Howe", days(1, "18:00"))).toBe("2026-04-05T07:30:00.000Z");
    expect(r("2026-04-05T10:00:00+10:30", "Australia/Lord_Howe", days(1, "18:00"))).toBe("2026-04-04T07:00:00.000Z");
  });
});

describe("zones with a skipped day", () => {
  it("Pacific/Apia skipped 30 December 2011 (UTC−10 → UTC+14)", () => {
    // Appointment Sunday 1 January 2012 10:00 (+14).
    expect(r("2012-01-01T10:00:00+14:00", "Pacific/Apia", days(1))).toBe("2011-12-30T20:00:00.000Z"); // 31 Dec 10:00
    // 2 days before is 30 December 10:00, which never happened: moved forward by the 24 h gap to 31 December 10:00.
    expect(r("2012-01-01T10:00:00+14:00", "Pacific/Apia", days(2))).toBe("2011-12-30T20:00:00.000Z");
    expect(r("2012-01-01T10:00:00+14:00", "Pacific/Apia", days(3))).toBe("2011-12-29T20:00:00.000Z"); // 29 Dec −10
    expect(r("2012-01-01T10:00:00+14:00", "Pacific/Apia", hours(48))).toBe("2011-12-29T20:00:00.000Z");
    expect(r("2011-12-31T12:00:00+14:00", "Pacific/Apia", days(1, "18:00"))).toBe("2011-12-31T04:00:00.000Z");
  });

  it("Pacific/Kiritimati skipped 31 December 1994 (UTC−10 → UTC+14), and is UTC+14 in 2026", () => {
    expect(r("1995-01-01T09:00:00+14:00", "Pacific/Kiritimati", days(1, "18:00"))).toBe("1995-01-01T04:00:00.000Z");
    expect(r("1995-01-01T09:00:00+14:00", "Pacific/Kiritimati", days(2, "18:00"))).toBe("1994-12-31T04:00:00.000Z");
    expect(r("2026-06-09T09:00:00+14:00", "Pacific/Kiritimati", days(1, "18:00"))).toBe("2026-06-08T04:00:00.000Z");
  });
});

describe("America/New_York and Asia/Kolkata", () => {
  it("New York 2026: gap 8 March, overlap 1 November", () => {
    expect(r("2026-03-09T02:30:00-04:00", "America/New_York", days(1))).toBe("2026-03-08T07:30:00.000Z"); // 03:30 EDT
    expect(r("2026-11-02T01:30:00-05:00", "America/New_York", days(1))).toBe("2026-11-01T05:30:00.000Z"); // 01:30 EDT
    expect(r("2026-03-09T10:00:00-04:00", "America/New_York", days(1, "18:00"))).toBe("2026-03-08T22:00:00.000Z");
    expect(r("2026-03-08T10:00:00-04:00", "America/New_York", days(1, "18:00"))).toBe("2026-03-07T23:00:00.000Z");
  });

  it("Kolkata: a fixed +05:30 where hours and days agree", () => {
    expect(r("2026-06-09T10:00:00+05:30", "Asia/Kolkata", days(1, "18:00"))).toBe("2026-06-08T12:30:00.000Z");
    expect(r("2026-06-09T10:00:00+05:30", "Asia/Kolkata", days(1))).toBe("2026-06-08T04:30:00.000Z");
    expect(r("2026-06-09T10:00:00+05:30", "Asia/Kolkata", hours(24))).toBe("2026-06-08T04:30:00.000Z");
    expect(r("2026-06-09T00:10:00+05:30", "Asia/Kolkata", days(1, "18:00"))).toBe("2026-06-08T12:30:00.000Z");
  });
});

describe("short DST excursions (Africa/Casablanca's Ramadan changes), checked against Intl", () => {
  it("2021: UTC+1 suspended from 11 April 03:00 (→ 02:00) to 16 May 02:00 (→ 03:00)", () => {
    // temporal-polyfill 0.3 misses this 35-day excursion (it samples every 60 days); Intl and Rappel do not.
    expect(r("2021-04-12T10:00:00+00:00", "Africa/Casablanca", days(1, "18:00"))).toBe("2021-04-11T18:00:00.000Z");
    expect(r("2021-04-11T10:00:00+00:00", "Africa/Casablanca", days(1, "18:00"))).toBe("2021-04-10T17:00:00.000Z");
    expect(r("2021-05-17T10:00:00+01:00", "Africa/Casablanca", days(1, "18:00"))).toBe("2021-05-16T17:00:00.000Z");
    expect(r("2021-05-16T10:00:00+01:00", "Africa/Casablanca", days(1, "18:00"))).toBe("2021-05-15T18:00:00.000Z");
    // The gap of 16 May: 02:30 does not exist → 03:30 (+01).
    expect(r("2021-05-17T02:30:00+01:00", "Africa/Casablanca", days(1))).toBe("2021-05-16T02:30:00.000Z");
  });
});
