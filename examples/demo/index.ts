// The Rappel demo: "Permanence Azur", an answering service keeping the agendas of three client accounts, runs a
// simulated week (Saturday 24 October → Sunday 1 November 2026) on the PostgreSQL storage (PGlite, in this process,
// by default; a real server with `--database-url <url>`), record-only transports and a manual clock. Paris leaves summer time on 25 October, New York on 1 November: reminders are planned across
// both changes. Along the week the host moves and cancels appointments, a patient replies STOP, a survey goes out,
// an account crosses its free SMS quota, and a worker outage makes one reminder late. Every name, number and address
// below is fictional. Run it with `pnpm demo`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import { createPostgresStorage, type PostgresStorage } from "@rappel/adapters-postgres";
import {
  type AccountOptionsInput,
  createManualClock,
  createMemoryTransport,
  type EmailMessage,
  isRappelError,
  type OutboundMessage,
  resolveOptions,
  resolveSignature,
  type SmsMessage,
  type Transport,
} from "@rappel/core";
import { createMemoryDataSource, createRappel, createWebhookSink } from "@rappel/reminders";
import { formatDate, formatTime, smsInfo } from "@rappel/templating";

// `pnpm demo --real` runs the same kind of story through the real SMTP and Twilio adapters against local servers.
if (process.argv.includes("--real")) {
  await (await import("../real/index.js")).runRealDemo();
  process.exit(0);
}

// ─── Storage: PGlite by default, a real PostgreSQL server with --database-url ─────────────────────────────────
const argValue = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SCHEMA = "rappel_demo";

/**
 * The demo's storage, emptied: on a server, the schema `rappel_demo` is dropped and migrated again; with PGlite, the
 * data directory (`.rappel/pgdata` by default, git-ignored; `--data-dir <dir>` elsewhere) is created once by a short
 * child process (PGlite keeps the memory its initdb used, so the demo process only ever opens an existing directory)
 * and its schema is reset the same way.
 */
async function openStorage(): Promise<{ storage: PostgresStorage; label: string }> {
  const url = argValue("--database-url");
  if (url !== undefined) {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    const storage = createPostgresStorage({ pool, schema: SCHEMA, closeConnection: true });
    await storage.migrate();
    return { storage, label: "PostgreSQL server (--database-url)" };
  }
  const dataDir = argValue("--data-dir") ?? fileURLToPath(new URL("../../.rappel/pgdata", import.meta.url));
  const pgliteUrl = pathToFileURL(createRequire(import.meta.url).resolve("@electric-sql/pglite")).href;
  const options = { dataDir, postgresqlconf: "shared_buffers = 16MB\n" };
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true });
    const created = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const { PGlite } = await import(process.argv[1]); await (await PGlite.create(JSON.parse(process.argv[2]))).close();",
        pgliteUrl,
        JSON.stringify(options),
      ],
      { stdio: "inherit" },
    );
    if (created.status !== 0) throw new Error(`could not create the PGlite data directory ${dataDir}`);
  }
  // PGlite is PostgreSQL compiled to WebAssembly. V8 compiles it with its baseline compiler (Liftoff) and then again,
  // function by function, with its optimizing one: measured on the 10,000-appointment benchmark, Liftoff alone keeps
  // peak RSS at 283-286 MiB instead of 336-362 MiB, and was not slower. A host choice (it applies to every WebAssembly
  // module of the process), so the demo makes it here rather than the library.
  v8.setFlagsFromString("--liftoff-only");
  const { PGlite } = (await import(pgliteUrl)) as typeof import("@electric-sql/pglite");
  const db = await PGlite.create(options);
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  const storage = createPostgresStorage({ pglite: db, schema: SCHEMA, closeConnection: true });
  await storage.migrate();
  return { storage, label: "PGlite (PostgreSQL in this process)" };
}
const { storage, label: storageLabel } = await openStorage();

const line = (text = "") => console.log(text);
const title = (text: string) => line(`\n${text}\n${"─".repeat(text.length)}`);
const S = "azur";
const PARIS = "Europe/Paris";
const NEW_YORK = "America/New_York";

// ─── Accounts, options, signatures ────────────────────────────────────────────────────────────────────────────
const options: Record<string, AccountOptionsInput> = {
  // SMS the day before at 18:00 (a calendar-day offset keeps the local time across DST), no overage: past the free
  // quota, reminders fall back to email.
  martin: {
    reminders: { first: { channel: "sms", offset: { value: 1, unit: "days", at: "18:00" } } },
    communication: { sms: { allowOverage: false } },
    messages: { notify: { email: true } },
  },
  // Email 24 hours before, and the satisfaction survey for its agenda.
  bellecour: {
    reminders: { first: { channel: "email", offset: { value: 24, unit: "hours" } } },
    survey: { agendaIds: ["g-bellecour"] },
  },
  // English, SMS exactly 24 hours before (an hour offset is a duration: the local time moves across DST).
  hudson: {
    reminders: { first: { channel: "sms", offset: { value: 24, unit: "hours" } } },
    communication: { locale: "en-US", sms: { quietHours: { start: "22:00", end: "08:00" } } },
  },
};

const data = createMemoryDataSource();
data.putAccount(
  {
    id: "martin",
    structureId: S,
    name: "Dr Claire Martin",
    email: "cabinet.martin@example.org",
    signupDate: "2025-09-01",
    onlineBooking: true,
    signatureId: "sig-martin",
  },
  options.martin,
);
data.putAccount(
  {
    id: "bellecour",
    structureId: S,
    name: "Kiné Bellecour",
    email: "accueil@kine-bellecour.example",
    signupDate: "2026-02-10",
    address: { line1: "1 place Bellecour", city: "Lyon", postalCode: "69002" },
  },
  options.bellecour,
  { "evaluation-request": "sig-survey" },
);
data.putAccount(
  {
    id: "hudson",
    structureId: S,
    name: "Dr Emily Hudson",
    email: "office@hudson-clinic.example",
    signupDate: "2026-05-20",
    timeZone: NEW_YORK,
    locale: "en-US",
  },
  options.hudson,
);
data.putSignature(S, { id: "sig-martin", html: "<p>Dr Claire Martin — 01 99 00 00 10</p>" });
data.putSignature(S, { id: "sig-survey", html: "<p>Merci de votre confiance — Kiné Bellecour</p>" });
for (const [id, accountId, name] of [
  ["g-martin", "martin", "Dr Martin"],
  ["g-bellecour", "bellecour", "Kiné Bellecour"],
  ["g-hudson", "hudson", "Dr Hudson"],
] as const) {
  data.putAgenda({ id, accountId, name, ownerUserId: "u-admin", practitioner: { name } }, S);
}
data.putService({ id: "sv-consult", accountId: "martin", label: "Consultation", durationMinutes: 20 }, S);

// Fictional contacts: French numbers in 06 00 00 00 xx, US ones in 555-01xx.
const contacts: [string, string, string, string, string | undefined][] = [
  ["c-petit", "martin", "Jeanne", "Petit", "jeanne.petit@example.org"],
  ["c-roux", "martin", "Paul", "Roux", "paul.roux@example.org"],
  ["c-blanc", "martin", "Léa", "Blanc", undefined],
  ["c-morel", "martin", "Hugo", "Morel", "hugo.morel@example.org"],
  ["c-faure", "martin", "Inès", "Faure", "ines.faure@example.org"],
  ["c-garnier", "martin", "Marc", "Garnier", undefined],
  ["c-lambert", "bellecour", "Chloé", "Lambert", "chloe.lambert@example.org"],
  ["c-rey", "bellecour", "Louis", "Rey", "louis.rey@example.org"],
  ["c-smith", "hudson", "Ava", "Smith", "ava.smith@example.com"],
  ["c-jones", "hudson", "Noah", "Jones", "noah.jones@example.com"],
];
contacts.forEach(([id, accountId, firstName, lastName, email], i) => {
  const us = accountId === "hudson";
  const number = us ? `+1212555${String(101 + i).padStart(4, "0")}` : `+336000000${String(10 + i)}`;
  data.putContact({
    id,
    structureId: S,
    accountIds: [accountId],
    firstName,
    lastName,
    ...(email ? { email } : {}),
    phones: [{ number, mobile: true }],
  });
});
const nameOf = new Map(contacts.map(([id, , f, l]) => [id, `${f} ${l}`]));
const phoneOf = (id: string) => data.getContact(S, id)!.phones[0]!.number;

// ─── The engine: memory storage, record-only transports that print the timeline, a manual clock ──────────────
const clock = createManualClock(new Date("2026-10-24T07:00:00Z"));
const zoneOfAccount: Record<string, string> = { martin: PARIS, bellecour: PARIS, hudson: NEW_YORK };
const stamp = (at: Date, zone = PARIS) => {
  const day = at.toLocaleDateString("en-GB", { timeZone: zone, weekday: "short" });
  const offset = at.toLocaleTimeString("en-GB", { timeZone: zone, timeZoneName: "shortOffset" }).split(" ")[1];
  return `${day} ${formatDate(at, { timeZone: zone }).slice(0, 5)} ${formatTime(at, { timeZone: zone })} ${offset}`;
};
const events: string[] = [];
const log = (text: string, zone = PARIS) => {
  const entry = `${stamp(clock.now(), zone).padEnd(22)} ${text}`;
  events.push(entry);
  line(entry);
};
function printing<M extends OutboundMessage>(inner: Transport<M>): Transport<M> {
  return {
    name: inner.name,
    channel: inner.channel,
    async send(m) {
      const r = await inner.send(m);
      const zone = zoneOfAccount[m.accountId] ?? PARIS;
      if (m.channel === "sms") {
        const sms = m as unknown as SmsMessage;
        log(`  SMS   → ${sms.to}  «${sms.body}» (${smsInfo(sms.body).segments} segment)`, zone);
      } else if (m.channel === "email") {
        const mail = m as unknown as EmailMessage;
        log(`  email → ${mail.to.address}  “${mail.subject}”`, zone);
      }
      return r;
    },
  };
}
const smsTransport = createMemoryTransport({ channel: "sms", name: "twilio" });
const emailTransport = createMemoryTransport({ channel: "email", name: "smtp" });
const engine = createRappel({
  storage,
  data,
  clock,
  transports: { sms: printing(smsTransport), email: printing(emailTransport) },
  // The demo's quota is small so the crossing shows within a week (configuration, R-43: 200 by default).
  pricing: { freeReminderSms: 4, reminderSms: 10, customSms: 15, currency: "CHF" },
});
const azur = engine.forStructure(S);
const webhook = createWebhookSink(engine, { structuresFor: () => [S] });

// ─── Intro: options and signatures (R-16, R-20, R-21) ─────────────────────────────────────────────────────────
title("Permanence Azur — accounts");
line(`Storage: ${storageLabel}`);
for (const id of ["martin", "bellecour", "hudson"]) {
  const o = resolveOptions(options[id]);
  const r = o.reminders.first;
  const unit = r.offset.value === 1 ? r.offset.unit.slice(0, -1) : r.offset.unit;
  const offset = `${r.offset.value} ${unit} before${r.offset.at ? ` at ${r.offset.at}` : ""}`;
  line(
    `${data.getAccount(S, id)!.account.name.padEnd(18)} reminder: ${r.channel} ${offset} · locale ${o.communication.locale} · zone ${zoneOfAccount[id]} · overage ${o.communication.sms.allowOverage ? "allowed" : "no (email fallback)"}`,
  );
}
const sig = (purpose?: "evaluation-request") =>
  resolveSignature({
    account: { signatureId: "sig-bellecour" },
    ...(purpose ? { purpose, purposeSignatures: { "evaluation-request": "sig-survey" } } : {}),
    defaultSignatureId: "sig-default",
  });
line(`Signatures (R-21): Kiné Bellecour reminders use ${sig()}, its survey emails ${sig("evaluation-request")}`);

// ─── The week ─────────────────────────────────────────────────────────────────────────────────────────────────
const at = (iso: string) => new Date(iso).getTime();
type Step = { at: number; run: () => Promise<void> };
const plan: Step[] = [];
const appointment = (
  id: string,
  accountId: string,
  contactId: string,
  startIso: string,
  zone: string,
  extra: object = {},
) => {
  const start = new Date(startIso);
  data.putAppointment({
    id,
    structureId: S,
    accountId,
    agendaId: `g-${accountId}`,
    contactId,
    start,
    end: new Date(start.getTime() + 30 * 60_000),
    timeZone: zone,
    ...extra,
  });
};
const summary = (r: { planned: string[]; cancelled: string[]; skipped: { reason: string }[] }) =>
  [
    `${r.planned.length} planned`,
    r.cancelled.length ? `${r.cancelled.length} cancelled` : "",
    r.skipped.length ? `skipped: ${r.skipped.map((s) => s.reason).join(", ")}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
const book = (id: string, accountId: string, contactId: string, startIso: string, zone = PARIS, extra = {}) => ({
  at: clock.now().getTime(),
  run: async () => {
    appointment(id, accountId, contactId, startIso, zone, extra);
    const r = await azur.appointmentCreated({ appointmentId: id });
    log(
      `host: ${nameOf.get(contactId)} booked with ${accountId} for ${stamp(new Date(startIso), zone)} → ${summary(r)}`,
    );
  },
});

// Saturday 24 October, 09:00 Paris: the secretaries book the week.
plan.push(
  book("r1", "martin", "c-petit", "2026-10-26T08:00:00Z", PARIS, { serviceId: "sv-consult" }), // Mon 09:00 CET
  book("r2", "martin", "c-roux", "2026-10-26T09:00:00Z"),
  book("r3", "martin", "c-blanc", "2026-10-27T08:30:00Z"),
  book("r4", "martin", "c-morel", "2026-10-27T10:00:00Z"),
  book("r5", "martin", "c-faure", "2026-10-28T13:00:00Z"),
  book("r6", "martin", "c-faure", "2026-10-28T15:30:00Z"), // same day: one SMS lists both (R-39)
  book("r7", "martin", "c-garnier", "2026-10-29T09:00:00Z"),
  book("r8", "martin", "c-petit", "2026-10-30T09:00:00Z"),
  book("r9", "bellecour", "c-lambert", "2026-10-27T16:00:00Z"),
  book("r10", "bellecour", "c-rey", "2026-10-29T07:00:00Z"),
  book("r14", "bellecour", "c-lambert", "2026-10-29T08:00:00Z"), // reminder due Wed 09:00, during the outage
  book("r11", "hudson", "c-smith", "2026-10-30T14:00:00Z", NEW_YORK), // Fri 10:00 EDT
  book("r12", "hudson", "c-jones", "2026-11-01T19:00:00Z", NEW_YORK), // Sun 14:00 EST, after the US change
);
const action = (iso: string, run: () => Promise<void>) => plan.push({ at: at(iso), run });

action("2026-10-25T09:00:00Z", async () => {
  // Sunday: Paul Roux calls to move Monday 10:00 to Tuesday 17:00.
  const previousStart = data.getAppointment(S, "r2")!.start;
  appointment("r2", "martin", "c-roux", "2026-10-27T16:00:00Z", PARIS);
  const r = await azur.appointmentMoved({ appointmentId: "r2", previousStart });
  log(`host: Paul Roux's appointment moved to Tue 17h00 → ${summary(r)}`);
});
action("2026-10-25T10:00:00Z", async () => {
  appointment("r4", "martin", "c-morel", "2026-10-27T10:00:00Z", PARIS, { status: "cancelled" });
  const r = await azur.appointmentCancelled({ appointmentId: "r4" });
  log(`host: Hugo Morel cancels Tuesday → ${summary(r)}`);
  appointment("r13", "martin", "c-morel", "2026-10-30T10:00:00Z", PARIS);
  const again = await azur.appointmentCreated({ appointmentId: "r13" });
  log(`host: … and rebooks Friday 11h00 → ${summary(again)}`);
});
action("2026-10-25T15:00:00Z", async () => {
  const r = await azur.messageTaken({
    message: { id: "m1", accountId: "martin", subject: "Rappeler pour résultats", contactId: "c-petit" },
  });
  log(`host: message taken for Dr Martin → ${summary(r)}`);
});
action("2026-10-26T18:30:00Z", async () => {
  await webhook.onInbound({
    providerMessageId: "SMin1",
    from: phoneOf("c-petit"),
    to: "+33600000099",
    body: "STOP",
    optOut: "stop",
    at: clock.now(),
  });
  log("webhook: Jeanne Petit replied STOP → her pending SMS are cancelled (R-31)");
});
action("2026-10-27T09:00:00Z", async () => {
  const r = await azur.customSms({
    kind: "group",
    id: "closure-11-11",
    accountId: "bellecour",
    contactIds: ["c-lambert", "c-rey"],
    text: "le cabinet sera fermé le 11 novembre.",
  });
  log(`host: Kiné Bellecour sends a group SMS → ${summary(r)}`);
});
let down = false;
action("2026-10-28T05:00:00Z", async () => {
  down = true;
  log("ops: the worker is down (deploy gone wrong)");
});
action("2026-10-28T08:30:00Z", async () => {
  down = false;
  log("ops: the worker is back: what is less than an hour late goes, the rest is recorded missed (R-47)");
});
// Status callbacks for every SMS sent so far, one duplicated and one out of order (R-49).
action("2026-10-31T20:00:00Z", async () => {
  for (const r of smsTransport.sent) {
    await webhook.onStatus({ providerMessageId: r.providerMessageId, status: "delivered", at: clock.now() });
    await webhook.onStatus({ providerMessageId: r.providerMessageId, status: "sent", at: clock.now() });
  }
  log(`webhook: ${smsTransport.sent.length} delivery callbacks folded in (duplicates and stale ones ignored)`);
});

title("Timeline (local time of the account; Paris leaves summer time Sun 25/10, New York Sun 01/11)");
plan.sort((a, b) => a.at - b.at);
const end = at("2026-11-02T04:00:00Z");
const STEP = 5 * 60_000;
let next = 0;
let drainMs = 0;
let delivered = 0;
try {
  for (let t = clock.now().getTime(); t <= end; t += STEP) {
    clock.set(new Date(t));
    while (next < plan.length && plan[next]!.at <= t) await plan[next++]!.run();
    if (!down) {
      const drainStart = performance.now();
      const r = await engine.drain();
      drainMs += performance.now() - drainStart;
      delivered += r.sent;
      if (r.missed) log(`  engine: ${r.missed} send(s) recorded missed (more than an hour late)`);
      if (r.skipped) log(`  engine: ${r.skipped} send(s) skipped at send time (see the journals)`);
    }
  }
} catch (e) {
  if (isRappelError(e)) line(`Rappel error ${e.code}: ${e.message}`);
  throw e;
}

// ─── Journals and usage ───────────────────────────────────────────────────────────────────────────────────────
title("Journal of Jeanne Petit (R-42)");
for (const e of await azur.journal("c-petit")) {
  line(
    `${stamp(e.at)}  ${e.event.padEnd(10)} ${e.kind ?? ""} ${e.channel ?? ""}${e.reason ? ` (${e.reason})` : ""}${e.providerMessageId ? ` [${e.providerMessageId}]` : ""}`,
  );
}
title("Journals of Hugo Morel and Marc Garnier (Dr Martin's free SMS used up: email fallback, or skipped)");
for (const e of [...(await azur.journal("c-morel")), ...(await azur.journal("c-garnier"))]) {
  line(`${stamp(e.at)}  ${e.event.padEnd(10)} ${e.kind ?? ""} ${e.channel ?? ""}${e.reason ? ` (${e.reason})` : ""}`);
}

title("Monthly usage (R-43)");
const money = (m: { amount: number; currency: string }) => `${m.currency} ${(m.amount / 100).toFixed(2)}`;
for (const month of ["2026-10", "2026-11"]) {
  for (const id of ["martin", "bellecour", "hudson"]) {
    const u = await azur.usage(id, month);
    if (u.creditsUsed === 0 && u.counters.emails === 0) continue;
    line(
      `${month} ${id.padEnd(10)} SMS credits ${String(u.creditsUsed).padStart(2)} (free ${u.freeQuota}, left ${u.freeLeft}, custom ${u.customCredits}) · emails ${u.counters.emails} · due ${money(u.amountDue)}`,
    );
  }
}
const all = await azur.listSends({ limit: 10_000 });
const byStatus = new Map<string, number>();
for (const s of all) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
title("Sends by status");
line([...byStatus].map(([k, v]) => `${k} ${v}`).join(" · "));
line(
  `\n${smsTransport.sent.length} SMS and ${emailTransport.sent.length} emails recorded; ${events.length} timeline lines.`,
);
await storage.close();
// `--stats`: delivery rate and peak memory, on stderr (the timeline on stdout stays the same from run to run).
if (process.argv.includes("--stats")) {
  console.error(
    `stats: ${storageLabel}: ${delivered} sends in ${(drainMs / 1000).toFixed(2)} s of runDue (${Math.round(delivered / (drainMs / 1000))} sends/s), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
  );
}
