// Property tests of every timing function against an independent oracle (temporal-polyfill), over every IANA zone
// this runtime lists, 2020–2035. Half the cases are aimed at DST transitions (found by the oracle, not by our own
// tables). Runs under several host TZ values in CI (pnpm test:tz): results must not depend on the host's zone.
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { applyQuietHours } from "./applyQuietHours.js";
import { notifiesPractitioner } from "./notifiesPractitioner.js";
import { reminderInstant, reminderInstantMs } from "./reminderInstant.js";
import { surveyInstant } from "./surveyInstant.js";
import { localDayKey, zonedDateParts } from "./zonedDateParts.js";
import { zonedInstant } from "./zonedInstant.js";

const ZONES = Intl.supportedValuesOf("timeZone");
const FROM = Date.UTC(2020, 0, 1);
const TO = Date.UTC(2036, 0, 1);
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Tuned to keep this file under ~20 s on a loaded 2-core machine (most of it is the polyfill). */
const RUNS = 400;
/** Size of the seeded sample on which the near-transition generator's coverage is asserted. */
const COVERAGE_SAMPLE = 2_000;
/** Generous: the polyfill is slow and CI machines are shared; the runs above bound the real cost. */
const TIMEOUT = 60_000;

const zdtOf = (t: number, zone: string) => Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone);
const hhmm = (t: Temporal.PlainTime) => `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** UTC offset in ms straight from Intl ("GMT+05:30", "GMT"), without our tables. */
function intlOffset(zone: string, t: number): number {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    formatters.set(zone, f);
  }
  const name = f.formatToParts(t).find((p) => p.type === "timeZoneName")!.value;
  const m = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(name)!;
  const ms = m[1] === undefined ? 0 : (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === "-" ? -ms : ms;
}

/**
 * Whether the oracle itself can be trusted at these instants. temporal-polyfill samples zones every 60 days and so
 * misses short DST excursions that Intl knows about (Africa/Casablanca's Ramadan changes of 2021 and 2030, for
 * one): there its answers are wrong, and such cases are skipped here and pinned by worked examples checked
 * against Intl in reminderInstant.dst.test.ts.
 */
function oracleTrusted(zone: string, ...instants: number[]): boolean {
  return instants.every((t) => zdtOf(t, zone).offsetNanoseconds / 1e6 === intlOffset(zone, t));
}

/** R-30 spelled out with the oracle: an existing (possibly ambiguous) reading → earlier; a gap → "compatible". */
function oracleResolve(pdt: Temporal.PlainDateTime, zone: string): number {
  const earlier = pdt.toZonedDateTime(zone, { disambiguation: "earlier" });
  if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), pdt) === 0) return earlier.epochMilliseconds;
  return pdt.toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds;
}

/** A transition of `zone` after `t` inside the tested years, according to the oracle. */
function transitionAfter(zone: string, t: number): Temporal.ZonedDateTime | null {
  const next = zdtOf(t, zone).getTimeZoneTransition("next");
  return next !== null && next.epochMilliseconds < TO - 30 * DAY ? next : null;
}

const zoneArb = fc.constantFrom(...ZONES);
const instantArb = fc.integer({ min: FROM, max: TO - 30 * DAY });
const timeArb = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }) });
const fmt = ({ h, m }: { h: number; m: number }) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;

/**
 * An appointment whose reminder, `days` calendar days earlier, lands near one of the zone's transitions (within
 * ±90 minutes of wall time), or anywhere when the zone has none left: the cases where implementations disagree.
 */
const nearTransitionArb = fc
  .record({
    zone: zoneArb,
    t: instantArb,
    days: fc.integer({ min: 0, max: 14 }),
    shiftMinutes: fc.integer({ min: -90, max: 90 }),
    useAt: fc.boolean(),
    startTime: timeArb,
  })
  .map(({ zone, t, days, shiftMinutes, useAt, startTime }) => {
    const transition = transitionAfter(zone, t);
    if (transition === null) return { zone, start: t, days, at: useAt ? fmt(startTime) : undefined };
    // Wall-clock arithmetic, so that the wanted wall time can fall inside a gap or an overlap.
    const near = transition.toPlainDateTime().add({ minutes: shiftMinutes });
    if (useAt) {
      // The time of day is the wall time near the transition; the appointment is `days` later at any time.
      const date = near.toPlainDate().add({ days });
      const start = oracleResolve(date.toPlainDateTime({ hour: startTime.h, minute: startTime.m }), zone);
      return { zone, start, days, at: hhmm(near.toPlainTime()) };
    }
    return { zone, start: oracleResolve(near.add({ days }), zone), days, at: undefined as string | undefined };
  });

const uniformArb = fc.record({
  zone: zoneArb,
  start: instantArb,
  days: fc.integer({ min: 0, max: 14 }),
  at: fc.option(timeArb.map(fmt), { nil: undefined }),
});

describe("reminderInstant agrees with the Temporal oracle in every zone, 2020–2035", { timeout: TIMEOUT }, () => {
  const check = ({ zone, start, days, at }: { zone: string; start: number; days: number; at: string | undefined }) => {
    const offset =
      at === undefined ? { value: days, unit: "days" as const } : { value: days, unit: "days" as const, at };
    const got = reminderInstant(new Date(start), zone, offset).getTime();
    // The planner's allocation-free variant gives the same instant.
    expect(reminderInstantMs(new Date(start), zone, offset)).toBe(got);
    const zdt = zdtOf(start, zone);
    if (days === 0 && at === undefined) {
      // Zero days is the appointment itself, even when its wall time is ambiguous (as in Temporal).
      expect(got).toBe(start);
      return;
    }
    const wanted =
      at === undefined
        ? zdt.toPlainDateTime().subtract({ days })
        : zdt.toPlainDate().subtract({ days }).toPlainDateTime(Temporal.PlainTime.from(at));
    fc.pre(oracleTrusted(zone, start, got, oracleResolve(wanted, zone)));
    if (at === undefined) {
      // Temporal's own calendar arithmetic (ZonedDateTime.subtract uses "compatible")…
      expect(got).toBe(zdt.subtract({ days }).epochMilliseconds);
      // …and R-30 spelled out: gap → compatible, overlap → earlier.
      expect(got).toBe(oracleResolve(zdt.toPlainDateTime().subtract({ days }), zone));
    } else {
      const date = zdt.toPlainDate().subtract({ days });
      const plainTime = Temporal.PlainTime.from(at);
      expect(got).toBe(date.toZonedDateTime({ timeZone: zone, plainTime }).epochMilliseconds);
      expect(got).toBe(oracleResolve(date.toPlainDateTime(plainTime), zone));
    }
  };

  it("near DST transitions (and the generator really lands in gaps and overlaps)", () => {
    fc.assert(fc.property(nearTransitionArb, check), { numRuns: RUNS });
    // Coverage, on a fixed sample of the same generator with the same filter as `check`: in one random run the
    // count dips below any fixed threshold now and then (12–23 gaps per 400 runs typically; 7 seen once), so the
    // threshold is asserted on a seeded sample five times as large rather than on the run above.
    let gaps = 0;
    let overlaps = 0;
    for (const c of fc.sample(nearTransitionArb, { numRuns: COVERAGE_SAMPLE, seed: 20_260_329 })) {
      if (c.days === 0 && c.at === undefined) continue;
      const zdt = zdtOf(c.start, c.zone);
      const wanted =
        c.at === undefined
          ? zdt.toPlainDateTime().subtract({ days: c.days })
          : zdt.toPlainDate().subtract({ days: c.days }).toPlainDateTime(Temporal.PlainTime.from(c.at));
      const offset = { value: c.days, unit: "days" as const, ...(c.at === undefined ? {} : { at: c.at }) };
      const got = reminderInstant(new Date(c.start), c.zone, offset).getTime();
      if (!oracleTrusted(c.zone, c.start, got, oracleResolve(wanted, c.zone))) continue;
      const earlier = wanted.toZonedDateTime(c.zone, { disambiguation: "earlier" });
      const later = wanted.toZonedDateTime(c.zone, { disambiguation: "later" });
      if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), wanted) !== 0) gaps++;
      else if (earlier.epochMilliseconds !== later.epochMilliseconds) overlaps++;
    }
    expect(gaps).toBeGreaterThan(COVERAGE_SAMPLE / 50);
    expect(overlaps).toBeGreaterThan(COVERAGE_SAMPLE / 50);
  });

  it("anywhere", () => {
    fc.assert(fc.property(uniformArb, check), { numRuns: RUNS });
  });

  it("hour offsets are exact durations", () => {
    fc.assert(
      fc.property(zoneArb, instantArb, fc.integer({ min: 0, max: 24 * 30 }), (zone, start, value) => {
        const got = reminderInstant(new Date(start), zone, { value, unit: "hours" }).getTime();
        expect(got).toBe(start - value * HOUR);
        expect(reminderInstantMs(new Date(start), zone, { value, unit: "hours" })).toBe(got);
        expect(got).toBe(zdtOf(start, zone).subtract({ hours: value }).epochMilliseconds);
      }),
      { numRuns: RUNS },
    );
  });

  it("no reminder skipped or doubled: daily appointments get one 'day before at HH:mm' reminder per local day", () => {
    fc.assert(
      fc.property(zoneArb, instantArb, timeArb, timeArb, (zone, t, apptTime, atTime) => {
        // Fourteen consecutive local days around the zone's next transition (or anywhere), same wall time.
        const around = (transitionAfter(zone, t) ?? zdtOf(t, zone)).toPlainDate().subtract({ days: 7 });
        let previous = Number.NEGATIVE_INFINITY;
        let previousDay: Temporal.PlainDate | undefined;
        for (let i = 0; i < 14; i++) {
          const day = around.add({ days: i });
          const start = oracleResolve(day.toPlainDateTime({ hour: apptTime.h, minute: apptTime.m }), zone);
          const got = reminderInstant(new Date(start), zone, { value: 1, unit: "days", at: fmt(atTime) });
          const local = zdtOf(got.getTime(), zone);
          // The reminder goes the day before the appointment's *local date*. That is `day`, except when the wall
          // time fell in a gap that spans midnight (America/Scoresbysund springs from 23:00 to 00:00): the start
          // is then read just after the gap, on the next day, and shares that day's reminder.
          const startDay = zdtOf(start, zone).toPlainDate();
          const wanted = startDay.subtract({ days: 1 }).toPlainDateTime({ hour: atTime.h, minute: atTime.m });
          fc.pre(oracleTrusted(zone, start, got.getTime(), oracleResolve(wanted, zone)));
          // On the wanted local day at the wanted time, or (that time being in a gap) just after the gap.
          if (Temporal.PlainDateTime.compare(local.toPlainDateTime(), wanted) !== 0) {
            expect(got.getTime()).toBe(
              wanted.toZonedDateTime(zone, { disambiguation: "compatible" }).epochMilliseconds,
            );
            expect(Temporal.PlainDateTime.compare(local.toPlainDateTime(), wanted)).toBe(1);
          }
          // One reminder per local day: later days get strictly later reminders, the same day the same one.
          if (previousDay !== undefined && Temporal.PlainDate.compare(startDay, previousDay) === 0) {
            expect(got.getTime()).toBe(previous);
          } else {
            expect(got.getTime()).toBeGreaterThan(previous);
          }
          previous = got.getTime();
          previousDay = startDay;
        }
      }),
      { numRuns: Math.round(RUNS / 6) },
    );
  });
});

describe("quiet hours, survey and wall-clock helpers agree with the oracle", { timeout: TIMEOUT }, () => {
  const quietArb = fc.oneof(
    fc.constant({ start: "21:00", end: "08:00" }),
    fc.record({ start: timeArb.map(fmt), end: timeArb.map(fmt) }),
  );

  it("applyQuietHours follows R-18 with open ends, in every zone", () => {
    fc.assert(
      fc.property(
        zoneArb,
        instantArb,
        fc.integer({ min: 0, max: 3 * DAY }),
        quietArb,
        fc.boolean(),
        (zone, t, lead, quiet, nearTransition) => {
          const sendAt = nearTransition
            ? (transitionAfter(zone, t)?.epochMilliseconds ?? t) + (lead % (6 * HOUR)) - 3 * HOUR
            : t;
          const start = sendAt + lead;
          const got = applyQuietHours(new Date(sendAt), new Date(start), zone, quiet).getTime();
          fc.pre(oracleTrusted(zone, sendAt, got));
          const zdt = zdtOf(sendAt, zone);
          const time = zdt.toPlainTime();
          const qs = Temporal.PlainTime.from(quiet.start);
          const qe = Temporal.PlainTime.from(quiet.end);
          const cmp = Temporal.PlainTime.compare;
          const wraps = cmp(qs, qe) > 0;
          const inside =
            cmp(qs, qe) !== 0 &&
            (wraps ? cmp(time, qs) > 0 || cmp(time, qe) < 0 : cmp(time, qs) > 0 && cmp(time, qe) < 0);
          if (!inside) {
            expect(got).toBe(sendAt);
            return;
          }
          const closeDate = wraps && cmp(time, qs) > 0 ? zdt.toPlainDate().add({ days: 1 }) : zdt.toPlainDate();
          const openDate = wraps ? closeDate.subtract({ days: 1 }) : closeDate;
          let end = oracleResolve(closeDate.toPlainDateTime(qe), zone);
          if (end <= sendAt)
            end = closeDate.toPlainDateTime(qe).toZonedDateTime(zone, { disambiguation: "later" }).epochMilliseconds;
          const expected = start - end >= HOUR ? end : oracleResolve(openDate.toPlainDateTime(qs), zone);
          fc.pre(oracleTrusted(zone, sendAt, got, expected, end));
          expect(got).toBe(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("surveyInstant is 21:00 on the local day, or the next day from 21:00 on", () => {
    fc.assert(
      fc.property(zoneArb, instantArb, (zone, t) => {
        const zdt = zdtOf(t, zone);
        const late = Temporal.PlainTime.compare(zdt.toPlainTime(), new Temporal.PlainTime(21)) >= 0;
        const date = late ? zdt.toPlainDate().add({ days: 1 }) : zdt.toPlainDate();
        const got = surveyInstant(new Date(t), zone).getTime();
        const expected = oracleResolve(date.toPlainDateTime({ hour: 21 }), zone);
        fc.pre(oracleTrusted(zone, t, got, expected));
        expect(got).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("zonedDateParts, localDayKey and zonedInstant read and write the wall clock like the oracle", () => {
    fc.assert(
      fc.property(zoneArb, instantArb, (zone, t) => {
        const zdt = zdtOf(t, zone);
        fc.pre(oracleTrusted(zone, t, t - DAY, t + DAY));
        expect(zonedDateParts(new Date(t), zone)).toEqual({
          year: zdt.year,
          month: zdt.month,
          day: zdt.day,
          hour: zdt.hour,
          minute: zdt.minute,
          second: zdt.second,
          millisecond: zdt.millisecond,
          weekday: zdt.dayOfWeek,
          offsetMinutes: zdt.offsetNanoseconds / 60e9,
        });
        expect(localDayKey(new Date(t), zone)).toBe(zdt.toPlainDate().toString());
        const pdt = zdt.toPlainDateTime();
        const local = { year: pdt.year, month: pdt.month, day: pdt.day, hour: pdt.hour, minute: pdt.minute };
        expect(zonedInstant(local, zone).getTime()).toBe(oracleResolve(pdt.with({ second: 0, millisecond: 0 }), zone));
      }),
      { numRuns: RUNS },
    );
  });

  it("notifiesPractitioner is 'strictly less than 24 h before, and before the start'", () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: -3 * DAY, max: 3 * DAY }), (start, before) => {
        expect(notifiesPractitioner("cancel", new Date(start - before), new Date(start))).toBe(
          before > 0 && before < DAY,
        );
      }),
      { numRuns: RUNS },
    );
  });
});
