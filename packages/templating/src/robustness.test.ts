// Whatever the arguments, the public API either returns or throws a RappelError with a stable code: never an
// untyped error (TypeError, RangeError…).
import { isRappelError } from "@rappel/core";
import fc from "fast-check";
import { describe, it } from "vitest";
import * as api from "./index.js";

const functions: [string, (...args: unknown[]) => unknown][] = [
  ["smsInfo", api.smsInfo as never],
  ["transliterateToGsm", api.transliterateToGsm as never],
  ["compileTemplate", api.compileTemplate as never],
  [
    "render",
    (ctx: unknown, opts: unknown) =>
      api
        .compileTemplate(
          "{{client.name}} {{appointment.startDate}} {{appointment.startTime}} {{appointment.duration}} {{appointment.billedAmount}} {{appointment.action}} _DURÉE_",
          { channel: "email-html" },
        )
        .render(ctx as never, opts as never),
  ],
  ["formatDate", api.formatDate as never],
  ["formatTime", api.formatTime as never],
  ["formatDuration", api.formatDuration as never],
  ["formatMoney", api.formatMoney as never],
  ["applySmsLimit", api.applySmsLimit as never],
  ["checkEmailLength", api.checkEmailLength as never],
  ["composeEmail", api.composeEmail as never],
  ["defaultTemplate", api.defaultTemplate as never],
  ["htmlToText", api.htmlToText as never],
  ["lintTemplate", api.lintTemplate as never],
  ["resolveMacro", api.resolveMacro as never],
];

const value = fc.oneof(
  fc.anything({ withDate: true, withMap: true, withNullPrototype: true, withBigInt: true }),
  fc.date({ noInvalidDate: false }),
  fc.record({
    client: fc.anything(),
    appointment: fc.record(
      {
        start: fc.date({ noInvalidDate: false }),
        end: fc.anything(),
        timeZone: fc.string(),
        billedAmount: fc.anything(),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record(
    {
      channel: fc.constantFrom("sms", "email-html", "email-text", "subject", "fax"),
      locale: fc.string(),
      timeZone: fc.string(),
    },
    { requiredKeys: [] },
  ),
);

describe("no untyped throw across the public API", () => {
  it.each(functions)(
    "%s",
    (_name, fn) => {
      fc.assert(
        fc.property(fc.array(value, { maxLength: 3 }), (args) => {
          try {
            fn(...args);
          } catch (e) {
            if (!isRappelError(e)) throw e;
          }
        }),
        { numRuns: 400 },
      );
    },
    60_000,
  );
});
