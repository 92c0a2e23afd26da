// The Rappel demo: "Permanence Azur", an answering service keeping the agendas of three client accounts.
// It resolves each account's options from what the service stored (partial, as a settings screen saves them),
// shows the signature each kind of email would carry, and what Rappel says about bad input.
// Run it with `pnpm demo`.
import {
  type AccountOptionsInput,
  appointmentsInMonth,
  isRappelError,
  parseAgenda,
  parseAppointment,
  parseClientAccount,
  parseContact,
  parseService,
  parseStructure,
  resolveOptions,
  resolveSignature,
  shiftWaitingListWindow,
  ValidationError,
} from "@rappel/core";

const line = (text = "") => console.log(text);
const title = (text: string) => line(`\n${text}\n${"─".repeat(text.length)}`);

const structure = parseStructure({ id: "azur", name: "Permanence Azur" });

const accounts = [
  parseClientAccount({
    id: "martin",
    structureId: structure.id,
    name: "Dr Claire Martin — médecine générale",
    email: "cabinet.martin@example.org",
    mobile: "06 12 34 56 78",
    signupDate: "2025-09-01",
    onlineBooking: true,
    signatureId: "sig-martin",
  }),
  parseClientAccount({
    id: "kine-lyon",
    structureId: structure.id,
    name: "Cabinet de kinésithérapie Bellecour",
    email: "accueil@kine-bellecour.example",
    fax: "04 78 00 00 00",
    signupDate: "2026-02-10",
  }),
  parseClientAccount(
    {
      id: "favre",
      structureId: structure.id,
      name: "Dr Luc Favre — pédiatrie",
      email: "favre@pediatre.example",
      mobile: "079 123 45 67",
      signupDate: "2026-05-20",
      timeZone: "Europe/Zurich",
    },
    { defaultRegion: "CH" },
  ),
];

const stored: Record<string, AccountOptionsInput> = {
  martin: {
    reminders: {
      first: {
        channel: "sms",
        offset: { value: 1, unit: "days", at: "18:00" },
        smsSupplement: " Merci de prévenir en cas d'empêchement.",
      },
      second: { mode: "new-contacts-only", channel: "email", offset: { value: 3, unit: "days" } },
    },
    notifications: { cancelled: { email: true, sms: true } },
    survey: { agendaIds: ["martin-agenda"] },
  },
  "kine-lyon": {
    agenda: { daysShown: 5, waitingList: { enabled: true, from: "08:00", to: "10:00" } },
    communication: { consent: "opt-in", sms: { maxSegments: 2, overflow: "truncate", encoding: "gsm-transliterate" } },
    messages: { notify: { email: true, fax: true }, emailSubject: "[sujet] — [contact]" },
  },
  favre: {
    general: { landingPage: "scenario", scenarioId: "script-pediatrie" },
    reminders: { first: { offset: { value: 48, unit: "hours" } } },
    communication: { sms: { quietHours: { start: "20:00", end: "08:30" } }, locale: "fr-CH" },
  },
};

title(`${structure.name} — ${accounts.length} client accounts (${structure.timeZone}, ${structure.locale})`);
for (const account of accounts) {
  const o = resolveOptions(stored[account.id]);
  const slot = (s: typeof o.reminders.first) =>
    s.mode === "disabled"
      ? "disabled"
      : `${s.mode}, ${s.channel}, ${s.offset.value} ${s.offset.value === 1 ? s.offset.unit.slice(0, -1) : s.offset.unit} before${s.offset.at ? ` at ${s.offset.at}` : ""}`;
  const quiet = o.communication.sms.quietHours;
  line(`\n${account.name}  [${account.id}]`);
  line(
    `  contact            ${account.email}${account.mobile ? `, mobile ${account.mobile}` : ""}${account.fax ? `, fax ${account.fax}` : ""}`,
  );
  line(`  online booking     ${account.onlineBooking ? "yes (200 free reminder SMS a month)" : "no"}`);
  line(`  landing page       ${o.general.landingPage}${o.general.scenarioId ? ` (${o.general.scenarioId})` : ""}`);
  line(
    `  agenda             ${o.agenda.daysShown} days, ${o.agenda.browsing} view${o.agenda.waitingList.enabled ? `, waiting list ${o.agenda.waitingList.from}–${o.agenda.waitingList.to}` : ""}`,
  );
  line(`  reminder 1         ${slot(o.reminders.first)}`);
  line(`  reminder 2         ${slot(o.reminders.second)}`);
  line(
    `  consent            ${o.communication.consent}; SMS ≤ ${o.communication.sms.maxSegments} segment(s), overflow ${o.communication.sms.overflow}, encoding ${o.communication.sms.encoding}`,
  );
  line(
    `  SMS quiet hours    ${quiet.enabled ? `${quiet.start}–${quiet.end} local` : "off"}; one SMS per contact per day: ${o.communication.sms.onePerDay ? "yes" : "no"}`,
  );
  const notified = (["created", "moved", "cancelled"] as const)
    .map(
      (op) =>
        [
          op,
          Object.entries(o.notifications[op])
            .filter(([, on]) => on)
            .map(([c]) => c),
        ] as const,
    )
    .filter(([, channels]) => channels.length > 0)
    .map(([op, channels]) => `${op} → ${channels.join("+")}`);
  line(`  account notices    ${notified.length ? notified.join("; ") : "none"}`);
  line(
    `  new-message notice ${
      Object.entries(o.messages.notify)
        .filter(([, on]) => on)
        .map(([c]) => c)
        .join(", ") || "none"
    }; subject "${o.messages.emailSubject}"`,
  );
}

title("Waiting list: moving the start moves the end (R-12)");
const window = resolveOptions(stored["kine-lyon"]).agenda.waitingList;
line(
  `  ${window.from}–${window.to} moved to start at 09:15 → ${Object.values(shiftWaitingListWindow(window, "09:15")).join("–")}`,
);

title("Which signature each email carries (R-20, R-21)");
const agenda = parseAgenda({
  id: "martin-agenda",
  accountId: "martin",
  name: "Dr Martin",
  ownerUserId: "u-martin",
  signatureId: "sig-agenda-A",
});
const service = parseService({
  id: "premiere",
  accountId: "martin",
  label: "Première consultation",
  durationMinutes: 45,
  signatureId: "sig-service-B",
});
const rows: [string, Parameters<typeof resolveSignature>[0]][] = [
  ["account only", { account: {}, defaultSignatureId: "default" }],
  ["agenda A", { account: {}, agenda: { signatureId: "A" }, defaultSignatureId: "default" }],
  [
    "agenda A + service B",
    { account: {}, agenda: { signatureId: "A" }, service: { signatureId: "B" }, defaultSignatureId: "default" },
  ],
  [
    "A + B + resource C",
    {
      account: {},
      agenda: { signatureId: "A" },
      service: { signatureId: "B" },
      resource: { signatureId: "C" },
      defaultSignatureId: "default",
    },
  ],
  ["Dr Martin, first consultation", { account: accounts[0]!, agenda, service, defaultSignatureId: "default" }],
  [
    "… cancellation (purpose)",
    {
      account: accounts[0]!,
      agenda,
      service,
      purpose: "cancelled",
      purposeSignatures: { cancelled: "sig-cancelled" },
      defaultSignatureId: "default",
    },
  ],
  [
    "… invoice (no purpose signature)",
    {
      account: accounts[0]!,
      agenda,
      service,
      purpose: "invoice",
      purposeSignatures: { cancelled: "sig-cancelled" },
      defaultSignatureId: "default",
    },
  ],
];
for (const [label, input] of rows) line(`  ${label.padEnd(34)} → ${resolveSignature(input)}`);

title("Contacts and appointments");
const contact = parseContact({
  id: "c-jeanne",
  structureId: structure.id,
  accountIds: ["martin"],
  firstName: "Jeanne",
  lastName: "Durand",
  phones: [
    { number: "01 42 68 53 00", label: "domicile" },
    { number: "07 81 23 45 67", label: "portable" },
  ],
});
line(
  `  phones normalised to E.164, mobiles detected: ${contact.phones.map((p) => `${p.label} ${p.mobile ? "mobile" : "landline"}`).join(", ")}`,
);
const june = [
  parseAppointment({
    id: "r1",
    structureId: "azur",
    accountId: "martin",
    agendaId: "martin-agenda",
    contactId: "c-jeanne",
    start: "2026-05-31T22:15:00Z",
    end: "2026-05-31T22:30:00Z",
    timeZone: "Europe/Paris",
  }),
  parseAppointment({
    id: "r2",
    structureId: "azur",
    accountId: "martin",
    agendaId: "martin-agenda",
    contactId: "c-jeanne",
    start: "2026-06-09T10:00:00Z",
    end: "2026-06-09T10:30:00Z",
    timeZone: "Europe/Paris",
    status: "cancelled",
  }),
  parseAppointment({
    id: "r3",
    structureId: "azur",
    accountId: "martin",
    agendaId: "martin-agenda",
    contactId: "c-jeanne",
    start: "2026-06-30T22:30:00Z",
    end: "2026-06-30T23:00:00Z",
    timeZone: "Europe/Paris",
  }),
];
line(
  `  Dr Martin's appointments in June 2026 (Paris time, cancelled left out): ${appointmentsInMonth(june, {
    year: 2026,
    month: 6,
    timeZone: "Europe/Paris",
  })
    .map((a) => a.id)
    .join(", ")}`,
);

title("Bad input is a typed error listing every failing path");
try {
  resolveOptions({
    agenda: { daysShown: 3 },
    general: { landingPage: "scenario" },
    communication: { sms: { maxSegments: 0 } },
    remindres: {},
  });
} catch (error) {
  if (error instanceof ValidationError) {
    line(`  ${error.code}:`);
    for (const issue of error.issues) line(`    ${issue.path.padEnd(32)} ${issue.message}`);
  } else throw error;
}
try {
  parseContact({
    id: "c2",
    structureId: "azur",
    accountIds: ["martin"],
    lastName: "X",
    phones: [{ number: "01 42 68 53 00", mobile: true }],
  });
} catch (error) {
  if (isRappelError(error) && error instanceof ValidationError)
    line(`  ${error.code}: ${error.issues.map((i) => `${i.path} — ${i.message}`).join("; ")}`);
  else throw error;
}
line();
