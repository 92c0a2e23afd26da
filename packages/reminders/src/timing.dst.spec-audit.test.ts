// Black-box audit of the SPEC §9 timing promises of @rappel/reminders: everything is
// imported from the package root, as an integrator would, on Europe/Paris around the 2026 changes (29 March
// 02:00 CET → 03:00 CEST, 25 October 03:00 CEST → 02:00 CET). The file name holds "dst", so `pnpm test:tz` also runs
// it under several host time zones. Rules already pinned by the unit tests beside the code are not repeated here.
import { fileURLToPath } from "node:url";
import { RappelError, ValidationError } from "@rappel/core";
import * as root from "@rappel/reminders";
import { applyQuietHours, notifiesPractitioner, reminderInstant, surveyInstant } from "@rappel/reminders";
import { describe, expect, expectTypeOf, it } from "vitest";
import { distBuilt, expectDistNames, probeDist, thrown } from "../../../scripts/dist-probe.js";

const PARIS = "Europe/Paris";
const QUIET = { start: "21:00", end: "08:00" }; // R-18's default
const d = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe("SPEC §9 names at the package root", () => {
  it("exports the four timing functions", () => {
    const exported = new Map(Object.entries(root));
    for (const name of ["reminderInstant", "applyQuietHours", "notifiesPractitioner", "surveyInstant"]) {
      expect(typeof exported.get(name), name).toBe("function");
    }
  });

  it("signatures are exactly SPEC §9's (checked by pnpm typecheck)", () => {
    expectTypeOf(reminderInstant).toEqualTypeOf<
      (start: Date, timeZone: string, offset: { value: number; unit: "hours" | "days"; at?: string }) => Date
    >();
    expectTypeOf(applyQuietHours).toEqualTypeOf<
      (sendAt: Date, start: Date, timeZone: string, quiet: { start: string; end: string }) => Date
    >();
    expectTypeOf(notifiesPractitioner).toEqualTypeOf<(change: "cancel" | "move", at: Date, start: Date) => boolean>();
    expectTypeOf(surveyInstant).toEqualTypeOf<(start: Date, timeZone: string) => Date>();
  });

  // The built dist, as an integrator's project loads it (ESM and CJS): the same answers as the sources.
  const pkgDir = fileURLToPath(new URL("..", import.meta.url));
  it.skipIf(!distBuilt(pkgDir))(
    "the built dist (pnpm build): ESM and CJS expose the sources' names and give the same answers",
    () => {
      const out = probeDist(
        pkgDir,
        "@rappel/reminders",
        `(() => {
          const d = (s) => new Date(s);
          let code;
          try { m.surveyInstant(d("x"), "Europe/Paris"); } catch (e) { code = e.code; }
          return {
            reminder: m.reminderInstant(d("2026-03-30T02:30:00+02:00"), "Europe/Paris", { value: 1, unit: "days" }).toISOString(),
            quiet: m.applyQuietHours(d("2026-06-08T22:00:00+02:00"), d("2026-06-09T08:59:00+02:00"), "Europe/Paris", { start: "21:00", end: "08:00" }).toISOString(),
            notifies: m.notifiesPractitioner("cancel", d("2026-06-08T14:00:00+02:00"), d("2026-06-09T12:00:00+02:00")),
            survey: m.surveyInstant(d("2026-06-09T21:00:00+02:00"), "Europe/Paris").toISOString(),
            code,
          };
        })()`,
      );
      expectDistNames(out, ["reminderInstant", "applyQuietHours", "notifiesPractitioner", "surveyInstant"]);
      for (const kind of ["esm", "cjs"] as const) {
        expect(out[kind]).toEqual({
          file: out[kind].file,
          names: out[kind].names,
          reminder: "2026-03-29T01:30:00.000Z",
          quiet: "2026-06-08T19:00:00.000Z",
          notifies: true,
          survey: "2026-06-10T19:00:00.000Z",
          code: "invalid-date",
        });
      }
    },
  );
});

describe("reminderInstant (R-30), Paris 2026", () => {
  it.each([
    // start, offset, expected
    ["2026-03-29T12:00:00+02:00", { value: 24, unit: "hours" }, "2026-03-28T10:00:00.000Z"], // 11:00 CET: 24 real hours
    ["2026-03-29T12:00:00+02:00", { value: 1, unit: "days" }, "2026-03-28T11:00:00.000Z"], // 12:00 CET: same wall time
    ["2026-03-30T02:30:00+02:00", { value: 1, unit: "days" }, "2026-03-29T01:30:00.000Z"], // gap: 02:30 → 03:30 CEST
    ["2026-03-30T10:00:00+02:00", { value: 1, unit: "days", at: "02:30" }, "2026-03-29T01:30:00.000Z"],
    ["2026-03-30T10:00:00+02:00", { value: 1, unit: "days", at: "02:00" }, "2026-03-29T01:00:00.000Z"], // gap start
    ["2026-03-30T10:00:00+02:00", { value: 1, unit: "days", at: "03:00" }, "2026-03-29T01:00:00.000Z"], // gap end
    ["2026-10-26T02:30:00+01:00", { value: 1, unit: "days" }, "2026-10-25T00:30:00.000Z"], // overlap: earlier (CEST)
    ["2026-10-26T10:00:00+01:00", { value: 1, unit: "days", at: "02:00" }, "2026-10-25T00:00:00.000Z"],
    ["2026-10-26T10:00:00+01:00", { value: 1, unit: "days", at: "02:59" }, "2026-10-25T00:59:00.000Z"],
    ["2026-10-26T10:00:00+01:00", { value: 1, unit: "days", at: "03:00" }, "2026-10-25T02:00:00.000Z"], // after it
    ["2026-10-26T01:00:00+01:00", { value: 24, unit: "hours" }, "2026-10-25T00:00:00.000Z"], // 02:00 CEST
    ["2026-10-26T01:00:00+01:00", { value: 1, unit: "days" }, "2026-10-24T23:00:00.000Z"], // 01:00 CEST
    ["2026-06-09T12:00:00+02:00", { value: 1, unit: "days", at: "18:00" }, "2026-06-08T16:00:00.000Z"], // the day before at 18:00
  ] as const)("%s minus %j → %s", (start, offset, expected) => {
    expect(iso(reminderInstant(d(start), PARIS, offset))).toBe(expected);
  });

  it("bad input: a ValidationError naming every failing argument", () => {
    const e = thrown(() =>
      reminderInstant(d("nope"), "Europe/Lyon", { value: 1.5, unit: "weeks" as "days", at: "18:00" }),
    ) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toBeInstanceOf(RappelError);
    expect(e.code).toBe("invalid-date");
    expect(e.issues.map((i) => i.path)).toEqual(["start", "timeZone", "offset.value", "offset.unit"]);
    expect(
      thrown(() => reminderInstant(d("2026-06-09T10:00:00Z"), PARIS, { value: 2, unit: "hours", at: "18:00" })),
    ).toMatchObject({
      code: "invalid-offset",
      issues: [{ path: "offset.at" }],
    });
  });
});

describe("applyQuietHours (R-18, R-30), default window 21:00–08:00, Paris 2026", () => {
  it.each([
    // sendAt, appointment start, expected
    // Spring night: 08:00 CEST is exactly 1 h before a 09:00 appointment → allowed; 1 ms less → 21:00 CET the evening before.
    ["2026-03-28T22:00:00+01:00", "2026-03-29T09:00:00+02:00", "2026-03-29T06:00:00.000Z"],
    ["2026-03-28T22:00:00+01:00", "2026-03-29T08:59:59.999+02:00", "2026-03-28T20:00:00.000Z"],
    ["2026-03-29T03:00:00+02:00", "2026-03-29T12:00:00+02:00", "2026-03-29T06:00:00.000Z"], // just after the gap
    // Autumn night (25 hours long): 08:00 CET.
    ["2026-10-24T23:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-10-25T07:00:00.000Z"],
    ["2026-10-25T02:30:00+02:00", "2026-10-25T12:00:00+01:00", "2026-10-25T07:00:00.000Z"], // first 02:30
    ["2026-10-25T02:30:00+01:00", "2026-10-25T12:00:00+01:00", "2026-10-25T07:00:00.000Z"], // second 02:30
    ["2026-10-25T02:30:00+01:00", "2026-10-25T08:30:00+01:00", "2026-10-24T19:00:00.000Z"], // 21:00 CEST the day before
    // The ends are not quiet, on change days too.
    ["2026-03-29T08:00:00+02:00", "2026-03-29T08:30:00+02:00", "2026-03-29T06:00:00.000Z"],
    ["2026-03-28T21:00:00+01:00", "2026-03-29T08:30:00+02:00", "2026-03-28T20:00:00.000Z"],
    ["2026-10-25T08:00:00+01:00", "2026-10-25T08:30:00+01:00", "2026-10-25T07:00:00.000Z"],
    ["2026-10-25T21:00:00+01:00", "2026-10-26T08:30:00+01:00", "2026-10-25T20:00:00.000Z"],
    // Just inside either end on a change day.
    ["2026-03-29T07:59:59.999+02:00", "2026-03-29T12:00:00+02:00", "2026-03-29T06:00:00.000Z"],
    ["2026-10-25T21:00:00.001+01:00", "2026-10-26T12:00:00+01:00", "2026-10-26T07:00:00.000Z"],
  ])("send %s for %s → %s", (sendAt, start, expected) => {
    expect(iso(applyQuietHours(d(sendAt), d(start), PARIS, QUIET))).toBe(expected);
  });

  it("bad input: a ValidationError naming every failing argument", () => {
    const e = thrown(() => applyQuietHours(d("x"), d("y"), "Paris", { start: "9pm", end: "8:00" })) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.code).toBe("invalid-date");
    expect(e.issues.map((i) => i.path)).toEqual(["sendAt", "start", "timeZone", "quiet.start", "quiet.end"]);
  });
});

describe("notifiesPractitioner (R-34): strictly less than 24 real hours before the start", () => {
  it.each([
    // Spring weekend: 24 real hours before Sunday 12:00 CEST is Saturday 11:00 CET.
    ["2026-03-28T11:00:00+01:00", "2026-03-29T12:00:00+02:00", false],
    ["2026-03-28T11:00:00.001+01:00", "2026-03-29T12:00:00+02:00", true],
    ["2026-03-28T10:30:00+01:00", "2026-03-29T12:00:00+02:00", false], // the day before, but 24.5 h
    // Autumn weekend: 24 real hours before Sunday 12:00 CET is Saturday 13:00 CEST.
    ["2026-10-24T13:00:00+02:00", "2026-10-25T12:00:00+01:00", false],
    ["2026-10-24T13:00:00.001+02:00", "2026-10-25T12:00:00+01:00", true],
    ["2026-10-24T12:30:00+02:00", "2026-10-25T12:00:00+01:00", false], // wall clock 23.5 h, real 24.5 h
  ] as const)("change at %s, appointment %s → %s", (at, start, expected) => {
    expect(notifiesPractitioner("cancel", d(at), d(start))).toBe(expected);
    expect(notifiesPractitioner("move", d(at), d(start))).toBe(expected);
  });

  it("bad input: a ValidationError naming every failing argument", () => {
    const e = thrown(() => notifiesPractitioner("delete" as "cancel", d("x"), d("y"))) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.code).toBe("invalid-input");
    expect(e.issues.map((i) => i.path)).toEqual(["change", "at", "start"]);
  });
});

describe("surveyInstant (R-35): 21:00 local on the appointment's day, the next day from 21:00 on", () => {
  it.each([
    ["2026-03-29T01:30:00+01:00", "2026-03-29T19:00:00.000Z"], // before the gap → 21:00 CEST
    ["2026-03-29T10:00:00+02:00", "2026-03-29T19:00:00.000Z"],
    ["2026-03-28T20:59:59.999+01:00", "2026-03-28T20:00:00.000Z"], // 21:00 CET the same day
    ["2026-03-28T21:00:00+01:00", "2026-03-29T19:00:00.000Z"], // only 23 hours later
    ["2026-10-25T02:30:00+02:00", "2026-10-25T20:00:00.000Z"], // first 02:30 → 21:00 CET
    ["2026-10-25T02:30:00+01:00", "2026-10-25T20:00:00.000Z"], // second 02:30
    ["2026-10-24T21:00:00+02:00", "2026-10-25T20:00:00.000Z"], // 25 hours later
    ["2026-10-25T21:00:00+01:00", "2026-10-26T20:00:00.000Z"],
    ["2026-06-09T23:59:59.999+02:00", "2026-06-10T19:00:00.000Z"],
    ["2026-06-09T00:00:00+02:00", "2026-06-09T19:00:00.000Z"], // local midnight belongs to its own day
  ])("appointment %s → %s", (start, expected) => {
    expect(iso(surveyInstant(d(start), PARIS))).toBe(expected);
  });

  it("bad input: a ValidationError naming every failing argument", () => {
    const e = thrown(() => surveyInstant(d("x"), "CET+1")) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.code).toBe("invalid-date");
    expect(e.issues.map((i) => i.path)).toEqual(["start", "timeZone"]);
  });
});
