import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { resolveOptions } from "./resolveOptions.js";

function issuesOf(input: unknown) {
  try {
    resolveOptions(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe("invalid-options");
    return (e as ValidationError).issues;
  }
  throw new Error("expected resolveOptions to throw");
}

describe("resolveOptions defaults", () => {
  it("resolves {} (and undefined) to the documented defaults", () => {
    const o = resolveOptions({});
    expect(resolveOptions(undefined)).toEqual(o);
    expect(o.general).toEqual({ landingPage: "agenda" });
    expect(o.agenda).toEqual({
      daysShown: 7,
      browsing: "week",
      waitingList: { enabled: false, from: "08:00", to: "12:00" },
    });
    expect(o.notifications.created).toEqual({ message: false, email: false, sms: false });
    expect(o.notifications.recipients).toEqual([]);
    expect(o.immediateReminder).toEqual({ email: false, sms: false, onCreate: true, onModify: true });
    expect(o.requiredContactFields).toEqual([]);
    expect(o.reminders.first).toEqual({
      mode: "enabled",
      channel: "email+sms",
      offset: { value: 24, unit: "hours" },
      smsSupplement: "",
      emailSupplement: "",
    });
    expect(o.reminders.second.mode).toBe("disabled");
    expect(o.reminders.second.offset).toEqual({ value: 7, unit: "days" });
    expect(o.messages.defaultFilter).toBe("all");
    expect(o.messages.emailSubject).toContain("[sujet]");
    expect(o.communication.consent).toBe("opt-out");
    expect(o.communication.sms).toEqual({
      maxSegments: 1,
      overflow: "reject",
      encoding: "auto",
      allowOverage: true,
      onePerDay: true,
      quietHours: { enabled: true, start: "21:00", end: "08:00" },
    });
    expect(o.communication.locale).toBe("fr-FR");
    expect(o.survey).toEqual({ agendaIds: [] });
  });

  it("merges partial input at any depth and does not mutate it", () => {
    const input = { reminders: { first: { offset: { value: 1, unit: "days" as const, at: "18:00" } } } };
    const frozen = structuredClone(input);
    const o = resolveOptions(input);
    expect(input).toEqual(frozen);
    expect(o.reminders.first.offset).toEqual({ value: 1, unit: "days", at: "18:00" });
    expect(o.reminders.first.mode).toBe("enabled");
    expect(o.reminders.second.mode).toBe("disabled");
  });

  it("accepts every valid value of each enum", () => {
    for (const landingPage of [
      "agenda",
      "multi-agenda",
      "messages",
      "contact",
      "instructions",
      "org-chart",
      "custom-org-chart",
      "link",
    ]) {
      expect(resolveOptions({ general: { landingPage } }).general.landingPage).toBe(landingPage);
    }
    expect(resolveOptions({ general: { landingPage: "scenario", scenarioId: "sc1" } }).general.scenarioId).toBe("sc1");
    for (const mode of ["disabled", "enabled", "new-contacts-only"]) {
      for (const channel of ["email", "sms", "email+sms"]) {
        expect(resolveOptions({ reminders: { second: { mode, channel } } }).reminders.second).toMatchObject({
          mode,
          channel,
        });
      }
    }
    for (const defaultFilter of ["all", "read", "unread", "todo", "done"]) {
      expect(resolveOptions({ messages: { defaultFilter } }).messages.defaultFilter).toBe(defaultFilter);
    }
    for (const overflow of ["reject", "truncate", "allow"]) {
      expect(resolveOptions({ communication: { sms: { overflow } } }).communication.sms.overflow).toBe(overflow);
    }
    expect(
      resolveOptions({ communication: { consent: "opt-in", sms: { encoding: "gsm-transliterate" } } }).communication,
    ).toMatchObject({ consent: "opt-in", sms: { encoding: "gsm-transliterate" } });
    expect(
      resolveOptions({
        notifications: {
          recipients: [
            { type: "account", accountId: "a2" },
            { type: "user", userId: "u1" },
          ],
        },
      }).notifications.recipients,
    ).toHaveLength(2);
    expect(resolveOptions({ agenda: { daysShown: 3, browsing: "day" } }).agenda.daysShown).toBe(3);
  });
});

describe("resolveOptions invalid fields", () => {
  const cases: [string, unknown, string][] = [
    ["landing page", { general: { landingPage: "home" } }, "general.landingPage"],
    ["days shown 0", { agenda: { daysShown: 0, browsing: "day" } }, "agenda.daysShown"],
    ["days shown 8", { agenda: { daysShown: 8 } }, "agenda.daysShown"],
    ["days shown 5.5", { agenda: { daysShown: 5.5 } }, "agenda.daysShown"],
    ["browsing", { agenda: { browsing: "month" } }, "agenda.browsing"],
    ["waiting list time", { agenda: { waitingList: { from: "8h" } } }, "agenda.waitingList.from"],
    ["waiting list 24:00", { agenda: { waitingList: { to: "24:00" } } }, "agenda.waitingList.to"],
    ["notification channel", { notifications: { moved: { fax: true } } }, "notifications.moved.fax"],
    [
      "recipient type",
      { notifications: { recipients: [{ type: "patient", id: "x" }] } },
      "notifications.recipients.0.type",
    ],
    [
      "recipient id",
      { notifications: { recipients: [{ type: "user", userId: "" }] } },
      "notifications.recipients.0.userId",
    ],
    ["immediate flag", { immediateReminder: { sms: "yes" } }, "immediateReminder.sms"],
    ["required field", { requiredContactFields: ["phone"] }, "requiredContactFields.0"],
    ["duplicate required field", { requiredContactFields: ["email", "email"] }, "requiredContactFields"],
    ["reminder mode", { reminders: { first: { mode: "on" } } }, "reminders.first.mode"],
    ["reminder channel", { reminders: { second: { channel: "fax" } } }, "reminders.second.channel"],
    [
      "negative offset",
      { reminders: { first: { offset: { value: -1, unit: "hours" } } } },
      "reminders.first.offset.value",
    ],
    [
      "fractional offset",
      { reminders: { first: { offset: { value: 1.5, unit: "hours" } } } },
      "reminders.first.offset.value",
    ],
    ["offset unit", { reminders: { first: { offset: { value: 1, unit: "weeks" } } } }, "reminders.first.offset.unit"],
    [
      "at with hours",
      { reminders: { first: { offset: { value: 1, unit: "hours", at: "18:00" } } } },
      "reminders.first.offset.at",
    ],
    [
      "bad at",
      { reminders: { first: { offset: { value: 1, unit: "days", at: "18h" } } } },
      "reminders.first.offset.at",
    ],
    [
      "too many days",
      { reminders: { first: { offset: { value: 91, unit: "days" } } } },
      "reminders.first.offset.value",
    ],
    ["sender email", { reminders: { first: { senderEmail: "nope" } } }, "reminders.first.senderEmail"],
    ["filter", { messages: { defaultFilter: "starred" } }, "messages.defaultFilter"],
    ["info line too long", { messages: { infoLine: "x".repeat(81) } }, "messages.infoLine"],
    ["empty subject", { messages: { emailSubject: "" } }, "messages.emailSubject"],
    ["consent", { communication: { consent: "maybe" } }, "communication.consent"],
    ["max segments 0", { communication: { sms: { maxSegments: 0 } } }, "communication.sms.maxSegments"],
    ["max segments 11", { communication: { sms: { maxSegments: 11 } } }, "communication.sms.maxSegments"],
    ["overflow", { communication: { sms: { overflow: "split" } } }, "communication.sms.overflow"],
    ["encoding", { communication: { sms: { encoding: "ucs2" } } }, "communication.sms.encoding"],
    ["quiet start", { communication: { sms: { quietHours: { start: "9pm" } } } }, "communication.sms.quietHours.start"],
    ["locale", { communication: { locale: "not a locale!" } }, "communication.locale"],
    ["survey agenda id", { survey: { agendaIds: [""] } }, "survey.agendaIds.0"],
    ["unknown key", { agenda: { daysShow: 5 } }, "agenda.daysShow"],
    ["unknown top key", { colour: "red" }, "colour"],
    ["wrong type", { agenda: "week" }, "agenda"],
  ];
  it.each(cases)("%s", (_name, input, path) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toContain(path);
    for (const i of issues) expect(i.message.length).toBeGreaterThan(3);
  });

  it("rejects non-objects", () => {
    expect(issuesOf("x")).toEqual([{ path: "", message: expect.any(String) }]);
    expect(issuesOf(42)[0]?.path).toBe("");
  });
});

describe("resolveOptions cross-field rules", () => {
  it("week browsing needs at least 5 days shown", () => {
    expect(issuesOf({ agenda: { daysShown: 4 } })).toEqual([
      { path: "agenda.browsing", message: "Week browsing needs at least 5 days shown" },
    ]);
    expect(resolveOptions({ agenda: { daysShown: 5 } }).agenda.browsing).toBe("week");
    expect(resolveOptions({ agenda: { daysShown: 4, browsing: "day" } }).agenda.daysShown).toBe(4);
  });

  it("the scenario landing page needs a scenario id, and only it takes one", () => {
    expect(issuesOf({ general: { landingPage: "scenario" } })).toEqual([
      { path: "general.scenarioId", message: "The scenario landing page needs a scenario id" },
    ]);
    expect(issuesOf({ general: { scenarioId: "s1" } })[0]?.path).toBe("general.scenarioId");
  });

  it("hide-done and hide-read disable the message filter", () => {
    expect(issuesOf({ messages: { hideDone: true, defaultFilter: "unread" } })[0]?.path).toBe("messages.defaultFilter");
    expect(issuesOf({ messages: { hideRead: true, defaultFilter: "todo" } })[0]?.path).toBe("messages.defaultFilter");
    expect(resolveOptions({ messages: { hideRead: true, hideDone: true } }).messages.defaultFilter).toBe("all");
  });

  it("the waiting-list window ends after it starts", () => {
    expect(issuesOf({ agenda: { waitingList: { from: "12:00", to: "12:00" } } })[0]?.path).toBe(
      "agenda.waitingList.to",
    );
    expect(issuesOf({ agenda: { waitingList: { from: "14:00", to: "09:00" } } })[0]?.path).toBe(
      "agenda.waitingList.to",
    );
  });

  it("quiet hours need two different ends unless disabled", () => {
    expect(issuesOf({ communication: { sms: { quietHours: { start: "22:00", end: "22:00" } } } })[0]?.path).toBe(
      "communication.sms.quietHours.end",
    );
    expect(
      resolveOptions({ communication: { sms: { quietHours: { enabled: false, start: "22:00", end: "22:00" } } } })
        .communication.sms.quietHours.enabled,
    ).toBe(false);
  });

  it("an immediate reminder needs a trigger; sharing needs an account", () => {
    expect(issuesOf({ immediateReminder: { sms: true, onCreate: false, onModify: false } })[0]?.path).toBe(
      "immediateReminder.onCreate",
    );
    expect(issuesOf({ messages: { sharing: { enabled: true } } })[0]?.path).toBe("messages.sharing.accountIds");
    expect(issuesOf({ contacts: { sharing: { enabled: true } } })[0]?.path).toBe("contacts.sharing.accountIds");
  });

  it("lists every failing path at once, field errors and cross-field rules together", () => {
    const issues = issuesOf({
      agenda: { daysShown: 3 },
      general: { landingPage: "scenario" },
      communication: { sms: { maxSegments: 0 } },
      messages: { hideDone: true, defaultFilter: "read" },
      colour: 1,
    });
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        "agenda.browsing",
        "colour",
        "communication.sms.maxSegments",
        "general.scenarioId",
        "messages.defaultFilter",
      ].sort(),
    );
  });

  it("keeps checking other rules when one branch has the wrong type", () => {
    const issues = issuesOf({ agenda: "x", messages: { hideDone: true, defaultFilter: "read" } });
    expect(issues.map((i) => i.path)).toEqual(["agenda", "messages.defaultFilter"]);
  });
});

describe("resolveOptions is idempotent", () => {
  const time = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
  const partial = fc.record(
    {
      general: fc.record({ landingPage: fc.constantFrom("agenda", "messages", "link") }, { requiredKeys: [] }),
      agenda: fc.record(
        {
          daysShown: fc.integer({ min: 5, max: 7 }),
          browsing: fc.constantFrom("week", "day"),
          waitingList: fc.record({ enabled: fc.boolean() }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      notifications: fc.record(
        {
          created: fc.record({ email: fc.boolean(), sms: fc.boolean(), message: fc.boolean() }, { requiredKeys: [] }),
          recipients: fc.array(
            fc.record({ type: fc.constant("user"), userId: fc.string({ minLength: 1, maxLength: 8 }) }),
            { maxLength: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      reminders: fc.record(
        {
          first: fc.record(
            {
              mode: fc.constantFrom("disabled", "enabled", "new-contacts-only"),
              channel: fc.constantFrom("email", "sms", "email+sms"),
              offset: fc.oneof(
                fc.record({ value: fc.integer({ min: 0, max: 2160 }), unit: fc.constant("hours") }),
                fc.record(
                  { value: fc.integer({ min: 0, max: 90 }), unit: fc.constant("days"), at: time },
                  { requiredKeys: ["value", "unit"] },
                ),
              ),
              smsSupplement: fc.string({ maxLength: 40 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      communication: fc.record(
        {
          consent: fc.constantFrom("opt-in", "opt-out"),
          sms: fc.record(
            {
              maxSegments: fc.integer({ min: 1, max: 10 }),
              overflow: fc.constantFrom("reject", "truncate", "allow"),
              onePerDay: fc.boolean(),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      survey: fc.record(
        { agendaIds: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 4 }) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );

  it("resolveOptions(resolveOptions(x)) equals resolveOptions(x) for every valid partial x", () => {
    fc.assert(
      fc.property(partial, (x) => {
        const once = resolveOptions(x);
        const twice = resolveOptions(once);
        expect(twice).toEqual(once);
        expect(twice).not.toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it("a JSON round trip of resolved options resolves to the same options (storable as JSON)", () => {
    fc.assert(
      fc.property(partial, (x) => {
        const once = resolveOptions(x);
        expect(resolveOptions(JSON.parse(JSON.stringify(once)))).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });
});
