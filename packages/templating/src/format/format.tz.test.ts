// Named *.tz.test.ts: the lead runs it under several host TZ values; answers must not depend on the host zone.
import { ErrorCode } from "@rappel/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTemplate } from "../compile/compileTemplate.js";
import { formatDate, formatDuration, formatMoney, formatTime } from "./format.js";
import { getZone, localFields } from "./zone.js";

const noon = new Date("2026-06-09T10:00:00Z"); // 12:00 in Paris (CEST)

describe("dates and times", () => {
  it("fr-FR (default) writes 09/06/2026 and 12h00", () => {
    expect(formatDate(noon, { timeZone: "Europe/Paris" })).toBe("09/06/2026");
    expect(formatTime(noon, { timeZone: "Europe/Paris" })).toBe("12h00");
    expect(formatTime(new Date("2026-06-09T07:05:00Z"), { timeZone: "Europe/Paris" })).toBe("09h05");
  });

  it("en-US writes 06/09/2026 and 12:00 PM with a plain ASCII space", () => {
    const t = formatTime(noon, { locale: "en-US", timeZone: "Europe/Paris" });
    expect(t).toBe("12:00 PM");
    expect(t).not.toContain("\u202f");
    expect(formatDate(noon, { locale: "en-US", timeZone: "Europe/Paris" })).toBe("06/09/2026");
    expect(formatTime(new Date("2026-06-09T22:00:00Z"), { locale: "en-US", timeZone: "Europe/Paris" })).toBe(
      "12:00 AM",
    );
    expect(formatTime(new Date("2026-06-09T19:30:00Z"), { locale: "en", timeZone: "UTC" })).toBe("7:30 PM");
  });

  it("other locales go through the same path (date-fns locales, else Intl) with ASCII spaces", () => {
    expect(formatDate(noon, { locale: "de-CH", timeZone: "Europe/Zurich" })).toBe("09.06.2026");
    expect(formatDate(noon, { locale: "fr-CH", timeZone: "Europe/Zurich" })).toBe("09.06.2026");
    expect(formatTime(noon, { locale: "fr-CH", timeZone: "Europe/Zurich" })).toBe("12:00");
    expect(formatDate(noon, { locale: "en-GB", timeZone: "Europe/London" })).toBe("09/06/2026");
    expect(formatTime(noon, { locale: "en-GB", timeZone: "Europe/London" })).toBe("11:00");
    const ja = formatTime(noon, { locale: "ja-JP", timeZone: "Asia/Tokyo" });
    expect(ja).toBe("19:00");
    expect(formatTime(noon, { locale: "ko", timeZone: "Asia/Seoul" })).not.toMatch(/[\u00a0\u202f]/);
  });

  it("handles the extreme instants of Date", () => {
    expect(formatDate(new Date(8.64e15), { timeZone: "Europe/Paris" })).toBe("13/09/275760");
    expect(formatDate(new Date(-8.64e15))).toBe("20/04/-271821");
  });

  it("defaults to UTC", () => {
    expect(formatTime(noon)).toBe("10h00");
  });

  it("DST in Paris: the hours around both transitions of 2026", () => {
    const p = { timeZone: "Europe/Paris" };
    expect(formatTime(new Date("2026-03-29T00:59:00Z"), p)).toBe("01h59");
    expect(formatTime(new Date("2026-03-29T01:00:00Z"), p)).toBe("03h00");
    expect(formatTime(new Date("2026-10-25T00:59:00Z"), p)).toBe("02h59");
    expect(formatTime(new Date("2026-10-25T01:00:00Z"), p)).toBe("02h00");
    expect(formatTime(new Date("2026-10-25T01:30:00Z"), p)).toBe("02h30");
  });

  it("DST with a 30-minute shift (Australia/Lord_Howe) and a date line zone", () => {
    const lh = { timeZone: "Australia/Lord_Howe" };
    // 2026-04-05 02:00 local (+11) falls back to 01:30 (+10:30).
    expect(formatTime(new Date("2026-04-04T14:59:00Z"), lh)).toBe("01h59");
    expect(formatTime(new Date("2026-04-04T15:00:00Z"), lh)).toBe("01h30");
    expect(formatTime(new Date("2026-04-04T15:29:00Z"), lh)).toBe("01h59");
    expect(formatTime(new Date("2026-04-04T15:30:00Z"), lh)).toBe("02h00");
    expect(formatDate(new Date("2026-06-09T10:00:00Z"), { timeZone: "Pacific/Kiritimati" })).toBe("10/06/2026");
  });

  it("property: local fields equal Intl's for random instants in many zones (1900–2100)", () => {
    const zones = [
      "Europe/Paris",
      "Europe/Zurich",
      "America/New_York",
      "America/Sao_Paulo",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "Pacific/Chatham",
      "America/St_Johns",
      "Africa/Casablanca",
      "UTC",
    ];
    const ref = new Map(
      zones.map((z) => [
        z,
        new Intl.DateTimeFormat("en-US", {
          timeZone: z,
          hourCycle: "h23",
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
        }),
      ]),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        (zone, t) => {
          const parts = Object.fromEntries(
            ref
              .get(zone)!
              .formatToParts(t)
              .map((p) => [p.type, Number(p.value)]),
          );
          expect(localFields(getZone(zone), t)).toEqual({
            year: parts.year,
            month: parts.month,
            day: parts.day,
            hour: parts.hour,
            minute: parts.minute,
          });
        },
      ),
      { numRuns: 20_000 },
    );
  }, 60_000);

  it("does not mutate its input and rejects invalid input with typed errors", () => {
    const d = new Date(noon);
    formatDate(d, { timeZone: "Europe/Paris" });
    expect(d.getTime()).toBe(noon.getTime());
    expect(() => formatDate(new Date("nope"))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_DATE }));
    expect(() => formatTime("2026-06-09" as unknown as Date)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_DATE }),
    );
    expect(() => formatDate(noon, { timeZone: "Europe/Pariss" })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_TIME_ZONE }),
    );
    expect(() => formatDate(noon, { locale: "@@" })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
  });

  it("a render uses options.timeZone, else appointment.timeZone, else UTC", () => {
    const t = compileTemplate("{{appointment.startDate}} {{appointment.startTime}} {{appointment.timeZone}}", {
      channel: "sms",
    });
    const appointment = { start: new Date("2026-06-09T22:30:00Z"), timeZone: "Europe/Paris" };
    expect(t.render({ appointment })).toBe("10/06/2026 00h30 Europe/Paris");
    expect(t.render({ appointment }, { timeZone: "America/New_York" })).toBe("09/06/2026 18h30 America/New_York");
    expect(t.render({ appointment: { start: appointment.start } })).toBe("09/06/2026 22h30 UTC");
    expect(t.render({ appointment }, { locale: "en-US" })).toBe("06/10/2026 12:30 AM Europe/Paris");
  });
});

describe("durations", () => {
  it.each([
    [0, "fr-FR", "0 min"],
    [30, "fr-FR", "30 min"],
    [60, "fr-FR", "1 h"],
    [90, "fr-FR", "1 h 30"],
    [65, "fr-FR", "1 h 05"],
    [150, "de", "2 h 30"],
    [90, "en-US", "1 h 30 min"],
    [45, "en-US", "45 min"],
    [29.6, "fr-FR", "30 min"],
  ])("%d min in %s → %s", (minutes, locale, expected) => {
    expect(formatDuration(minutes, { locale })).toBe(expected);
  });

  it("rejects negative and non-finite durations", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => formatDuration(bad)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_INPUT }));
    }
  });

  it("appointment.duration comes from start and end; end before start is invalid", () => {
    const t = compileTemplate("{{appointment.duration}}", { channel: "sms" });
    const start = new Date("2026-03-29T00:30:00Z");
    expect(t.render({ appointment: { start, end: new Date("2026-03-29T01:30:00Z"), timeZone: "Europe/Paris" } })).toBe(
      "1 h",
    ); // across the spring-forward gap: elapsed time, not wall-clock difference
    expect(() => t.render({ appointment: { start, end: new Date("2026-03-29T00:00:00Z") } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_DATE }),
    );
  });
});

describe("money", () => {
  it.each([
    [{ amount: 1250, currency: "EUR" }, "fr-FR", "12,50 €"],
    [{ amount: 10, currency: "CHF" }, "fr-FR", "0,10 CHF"],
    [{ amount: 10, currency: "CHF" }, "en-US", "CHF 0.10"],
    [{ amount: 10, currency: "CHF" }, "de-CH", "CHF 0.10"],
    [{ amount: 10, currency: "CHF" }, "fr-CH", "0.10 CHF"],
    [{ amount: 123456789, currency: "EUR" }, "fr-FR", "1 234 567,89 €"],
    [{ amount: -500, currency: "EUR" }, "fr-FR", "-5,00 €"],
    [{ amount: 500, currency: "JPY" }, "en-US", "¥500"],
    [{ amount: 1234, currency: "KWD" }, "en-US", "KWD 1.234"],
    [{ amount: 9007199254740991, currency: "EUR" }, "en-US", "€90,071,992,547,409.91"],
  ])("%j in %s → %s", (money, locale, expected) => {
    const s = formatMoney(money, { locale });
    expect(s).toBe(expected);
    expect(s).not.toMatch(/[\u00a0\u202f]/);
  });

  it("rejects floats and bad currencies", () => {
    expect(() => formatMoney({ amount: 0.1, currency: "EUR" })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
    expect(() => formatMoney({ amount: 1, currency: "eur" })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
  });
});
