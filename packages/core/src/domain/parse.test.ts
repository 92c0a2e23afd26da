import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/errors.js";
import { resolveOptions } from "../options/resolveOptions.js";
import {
  checkAccountOptions,
  parseAgenda,
  parseAppointment,
  parseClientAccount,
  parseCollaboratorUser,
  parseContact,
  parseMessage,
  parseResource,
  parseService,
  parseStructure,
  validateAccounts,
} from "./parse.js";

function pathsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe("invalid-input");
    return (e as ValidationError).issues.map((i) => i.path);
  }
  throw new Error("expected a ValidationError");
}

const account = {
  id: "a1",
  structureId: "s1",
  name: "Dr Martin",
  email: "martin@cabinet.example",
  signupDate: "2026-01-15",
};
const contact = { id: "c1", structureId: "s1", accountIds: ["a1"], firstName: "Jeanne", lastName: "Martin" };
const appointment = {
  id: "r1",
  structureId: "s1",
  accountId: "a1",
  agendaId: "g1",
  contactId: "c1",
  start: "2026-06-09T10:00:00Z",
  end: "2026-06-09T10:30:00Z",
  timeZone: "Europe/Paris",
};

describe("structure and users", () => {
  it("applies defaults", () => {
    expect(parseStructure({ id: "s1", name: "Permanence Azur" })).toEqual({
      id: "s1",
      name: "Permanence Azur",
      defaultRegion: "FR",
      locale: "fr-FR",
      timeZone: "Europe/Paris",
    });
  });
  it.each([
    ["id", { id: "", name: "x" }],
    ["name", { id: "s1", name: "" }],
    ["defaultRegion", { id: "s1", name: "x", defaultRegion: "France" }],
    ["locale", { id: "s1", name: "x", locale: "??" }],
    ["timeZone", { id: "s1", name: "x", timeZone: "Europe/Lyon" }],
  ])("rejects a bad %s", (path, input) => {
    expect(pathsOf(() => parseStructure(input))).toEqual([path]);
  });
  it("users: roles, emails and mobiles", () => {
    const u = {
      id: "u1",
      structureId: "s1",
      role: "manager",
      firstName: "Léa",
      lastName: "Roux",
      email: "lea@p.example",
    };
    expect(parseCollaboratorUser({ ...u, mobile: "06 12 34 56 78" }).mobile).toBe("+33612345678");
    expect(pathsOf(() => parseCollaboratorUser({ ...u, role: "owner", email: "x", mobile: "01 42 68 53 00" }))).toEqual(
      ["role", "email", "mobile"],
    );
    expect(parseCollaboratorUser({ ...u, mobile: "079 123 45 67" }, { defaultRegion: "CH" }).mobile).toBe(
      "+41791234567",
    );
  });
});

describe("client account (R-02)", () => {
  it("applies defaults and normalises phones", () => {
    const a = parseClientAccount({ ...account, mobile: "06 12 34 56 78", fax: "01 42 68 53 00" });
    expect(a).toMatchObject({ status: "active", onlineBooking: false, timeZone: "Europe/Paris", locale: "fr-FR" });
    expect(a.mobile).toBe("+33612345678");
    expect(a.fax).toBe("+33142685300");
  });
  it("names every invalid field", () => {
    expect(
      pathsOf(() =>
        parseClientAccount({
          ...account,
          email: "nope",
          mobile: "01 42 68 53 00",
          fax: "1",
          status: "closed",
          signupDate: "2026-02-30",
          civility: "sir",
          extra: 1,
        }),
      ).sort(),
    ).toEqual(["civility", "email", "extra", "fax", "mobile", "signupDate", "status"].sort());
  });
  it("email is unique among accounts, case-insensitively; ids are unique", () => {
    expect(() => validateAccounts([account, { id: "a2", email: "other@x.example" }])).not.toThrow();
    expect(
      pathsOf(() =>
        validateAccounts([account, { id: "a2", email: " MARTIN@cabinet.example" }, { id: "a1", email: "z@z.example" }]),
      ),
    ).toEqual(["1.email", "2.id"]);
  });
  it("checks message-notification channels against the account's addresses (R-17)", () => {
    const options = resolveOptions({ messages: { notify: { email: true, fax: true, sms: true } } });
    expect(checkAccountOptions({ email: "a@b.example" }, options).map((i) => i.path)).toEqual([
      "messages.notify.fax",
      "messages.notify.sms",
    ]);
    expect(checkAccountOptions({ email: "a@b.example", fax: "+33142685300", mobile: "+33612345678" }, options)).toEqual(
      [],
    );
  });
});

describe("agenda (R-03), service (R-04), resource (R-05)", () => {
  it("agenda: practitioner contact and access levels", () => {
    const g = parseAgenda({
      id: "g1",
      accountId: "a1",
      name: "Dr Martin",
      ownerUserId: "u1",
      practitioner: { email: "dr@x.example", mobile: "06 12 34 56 78" },
      access: [{ userId: "u2", level: "read" }],
    });
    expect(g.practitioner).toEqual({ email: "dr@x.example", mobile: "+33612345678" });
    expect(parseAgenda({ id: "g1", accountId: "a1", name: "x", ownerUserId: "u1" }).practitioner).toEqual({});
    expect(
      pathsOf(() =>
        parseAgenda({
          id: "g1",
          accountId: "a1",
          name: "x",
          ownerUserId: "u1",
          practitioner: { mobile: "01 42 68 53 00" },
          access: [{ userId: "u2", level: "owner" }],
        }),
      ),
    ).toEqual(["practitioner.mobile", "access.0.level"]);
    expect(
      pathsOf(() =>
        parseAgenda({
          id: "g1",
          accountId: "a1",
          name: "x",
          ownerUserId: "u1",
          access: [
            { userId: "u2", level: "read" },
            { userId: "u2", level: "write" },
          ],
        }),
      ),
    ).toEqual(["access"]);
  });
  it("service: defaults and invalid fields", () => {
    expect(parseService({ id: "m1", accountId: "a1", label: "Consultation", durationMinutes: 30 })).toEqual({
      id: "m1",
      accountId: "a1",
      label: "Consultation",
      durationMinutes: 30,
      color: "#4f7cac",
      onlineBookable: false,
      blockNewContacts: false,
      allowedTypes: [],
    });
    expect(
      pathsOf(() =>
        parseService({
          id: "m1",
          accountId: "a1",
          label: "",
          durationMinutes: 0,
          color: "red",
          onlineBookable: "yes",
          allowedTypes: "all",
        }),
      ),
    ).toEqual(["label", "durationMinutes", "color", "onlineBookable", "allowedTypes"]);
    const full = parseService({
      id: "m2",
      accountId: "a1",
      label: "Première consultation",
      durationMinutes: 45,
      color: "#AABBCC",
      onlineBookable: true,
      blockNewContacts: true,
      allowedTypes: ["cabinet"],
      address: { line1: "3 rue Victor Hugo", postalCode: "69002", city: "Lyon" },
      patientInstructions: "Venir à jeun",
      description: "Bilan",
      signatureId: "sig-b",
    });
    expect(full.address?.city).toBe("Lyon");
    expect(full.signatureId).toBe("sig-b");
  });
  it("resource", () => {
    expect(parseResource({ id: "r1", accountId: "a1", name: "Salle 2" }).kind).toBe("room");
    expect(pathsOf(() => parseResource({ id: "r1", accountId: "a1", name: "x", kind: "car" }))).toEqual(["kind"]);
  });
});

describe("contact (R-06, R-31)", () => {
  it("normalises phones, detects mobiles and defaults preferences", () => {
    const c = parseContact({
      ...contact,
      phones: [{ number: "01 42 68 53 00" }, { number: "06 12 34 56 78", label: "perso" }],
    });
    expect(c.phones).toEqual([
      { number: "+33142685300", mobile: false },
      { number: "+33612345678", mobile: true, label: "perso" },
    ]);
    expect(c.preferences).toEqual({ email: {}, sms: { optedOut: false } });
  });
  it("names each bad phone and a bad SMS phone choice", () => {
    expect(
      pathsOf(() =>
        parseContact({
          ...contact,
          phones: [{ number: "01 42 68 53 00", mobile: true }, { number: "12" }],
          preferences: { sms: { phoneIndex: 5 } },
        }),
      ),
    ).toEqual(["phones.0.mobile", "phones.1.number", "preferences.sms.phoneIndex"]);
    expect(
      pathsOf(() =>
        parseContact({ ...contact, phones: [{ number: "01 42 68 53 00" }], preferences: { sms: { phoneIndex: 0 } } }),
      ),
    ).toEqual(["preferences.sms.phoneIndex"]);
  });
  it("validates preferences and other fields", () => {
    const c = parseContact({
      ...contact,
      email: "jeanne@example.org",
      birthDate: "1984-02-29",
      preferences: {
        email: { enabled: true, leadTime: { value: 2, unit: "days", at: "09:00" } },
        sms: { enabled: false },
      },
    });
    expect(c.preferences.email.leadTime).toEqual({ value: 2, unit: "days", at: "09:00" });
    expect(
      pathsOf(() =>
        parseContact({
          ...contact,
          accountIds: [],
          lastName: "",
          email: "jeanne",
          birthDate: "1985-02-29",
          preferences: { email: { leadTime: { value: 2, unit: "hours", at: "09:00" } }, sms: { enabled: "on" } },
        }),
      ).sort(),
    ).toEqual(
      [
        "accountIds",
        "birthDate",
        "email",
        "lastName",
        "preferences.email.leadTime.at",
        "preferences.sms.enabled",
      ].sort(),
    );
  });
  it("reads national numbers in another region", () => {
    expect(
      parseContact({ ...contact, phones: [{ number: "079 123 45 67" }] }, { defaultRegion: "CH" }).phones[0],
    ).toEqual({
      number: "+41791234567",
      mobile: true,
    });
  });
});

describe("appointment (R-07) and message (R-08)", () => {
  it("parses instants, defaults status and source, and never shares Date objects with the input", () => {
    const start = new Date("2026-06-09T10:00:00Z");
    const a = parseAppointment({ ...appointment, start, billedAmount: { amount: 5000, currency: "EUR" } });
    expect(a.start.getTime()).toBe(start.getTime());
    expect(a.start).not.toBe(start);
    expect(a.end.toISOString()).toBe("2026-06-09T10:30:00.000Z");
    expect(a).toMatchObject({ status: "confirmed", source: "staff", billedAmount: { amount: 5000, currency: "EUR" } });
    expect(parseAppointment({ ...appointment, start: "2026-06-09T12:00:00+02:00" }).start.toISOString()).toBe(
      "2026-06-09T10:00:00.000Z",
    );
  });
  it("names every invalid field, and the end must be after the start", () => {
    expect(
      pathsOf(() =>
        parseAppointment({
          ...appointment,
          start: "2026-06-09 10:00",
          timeZone: "Paris",
          status: "done",
          source: "web",
          billedAmount: { amount: 1.5, currency: "eur" },
        }),
      ).sort(),
    ).toEqual(["billedAmount.amount", "billedAmount.currency", "source", "start", "status", "timeZone"].sort());
    expect(pathsOf(() => parseAppointment({ ...appointment, end: appointment.start }))).toEqual(["end"]);
    expect(pathsOf(() => parseAppointment({ ...appointment, start: new Date(Number.NaN) }))).toContain("start");
  });
  it("messages", () => {
    const m = parseMessage({
      id: "m1",
      structureId: "s1",
      accountId: "a1",
      subject: "Rappeler",
      body: "…",
      createdAt: "2026-06-08T09:00:00Z",
    });
    expect(m).toMatchObject({ read: false, task: "none", sharedWithAccountIds: [] });
    expect(
      pathsOf(() =>
        parseMessage({
          id: "m1",
          structureId: "s1",
          accountId: "a1",
          subject: "",
          body: "x".repeat(65_536),
          task: "later",
          createdAt: "yesterday",
        }),
      ),
    ).toEqual(["subject", "body", "task", "createdAt"]);
  });
});
