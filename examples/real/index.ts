// The Rappel demo against real protocols (`pnpm demo --real`). In one process, on 127.0.0.1:
//   - an SMTP server (the `smtp-server` package; every message parsed back with `mailparser`),
//   - a server speaking Twilio's Messages API, which also posts signed status callbacks and a patient's STOP,
//   - the webhook server: `createTwilioWebhookHandler` + `toNodeHandler`, wired to the engine by `createWebhookSink`.
// The engine runs on the memory storage and a manual clock, and sends through the real adapters:
// `createSmtpTransport`, `createTwilioTransport` and the in-app `createInAppTransport`. The demo checks its own
// invariants and throws when one fails, so running it is the test. Every name, number and address is fictional.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createSmtpTransport } from "@rappel/adapters-smtp";
import { createTwilioTransport, createTwilioWebhookHandler, toNodeHandler } from "@rappel/adapters-twilio";
import {
  type AccountOptionsInput,
  createInAppTransport,
  createManualClock,
  createMemoryStorage,
  type JournalEntry,
  type SendRecord,
} from "@rappel/core";
import { createMemoryDataSource, createRappel, createWebhookSink, type WebhookSink } from "@rappel/reminders";
import { formatDate, formatTime } from "@rappel/templating";
import {
  type CallbackPosted,
  closeHttp,
  type ReceivedEmail,
  type ReceivedSms,
  startSmtpServer,
  startTwilioServer,
} from "./servers.js";

const S = "cabinet-chevalier";
const ACCOUNT = "chevalier";
const PARIS = "Europe/Paris";
/** The cabinet's (fictional) Twilio number: patients' replies arrive on it. */
const OUR_NUMBER = "+33600000099";
/** Fictional credentials: the local server only accepts these. */
const TWILIO = { accountSid: `AC${"0".repeat(28)}0de0`, authToken: "demo-token-0123" };
/** Everything must be over well within this (servers included). */
const TIME_LIMIT_MS = 15_000;

class DemoCheckFailed extends Error {
  override name = "DemoCheckFailed";
}
function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new DemoCheckFailed(`real demo: ${what}`);
}

/**
 * Runs the demo against real protocols: starts the servers, books three appointments, delivers the reminders
 * through SMTP and the Twilio API, folds the signed status callbacks (one duplicated, one out of order, one forged),
 * applies a patient's STOP, prints the timeline and closes everything. Rejects when an invariant does not hold.
 *
 * @example
 * ```ts
 * await runRealDemo();
 * ```
 */
export async function runRealDemo(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DemoCheckFailed(`real demo: not done within ${TIME_LIMIT_MS} ms`)),
      TIME_LIMIT_MS,
    );
  });
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await Promise.race([demo(cleanups), limit]);
  } finally {
    clearTimeout(timer);
    // Close in reverse order of opening: transports first, then the servers they talk to.
    for (const close of cleanups.reverse()) await close().catch(() => undefined);
  }
}

async function demo(cleanups: (() => Promise<unknown>)[]): Promise<void> {
  const started = performance.now();
  const line = (text = "") => console.log(text);
  const title = (text: string) => line(`\n${text}\n${"─".repeat(text.length)}`);
  const clock = createManualClock(new Date("2026-06-08T07:00:00Z")); // Monday 8 June 2026, 09:00 in Paris
  const stamp = (at: Date) => {
    const day = at.toLocaleDateString("fr-FR", { timeZone: PARIS, weekday: "short" });
    return `${day} ${formatDate(at, { timeZone: PARIS }).slice(0, 5)} ${formatTime(at, { timeZone: PARIS })}`;
  };
  const log = (text: string) => line(`${stamp(clock.now()).padEnd(17)} ${text}`);
  const firstLines = (text: string, n: number) =>
    text
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, n);

  // ─── The servers ──────────────────────────────────────────────────────────────────────────────────────────────
  const smtpServer = await startSmtpServer((m: ReceivedEmail) => {
    log(`SMTP server ← email  “${m.subject}”`);
    line(`${"".padEnd(17)}   From: ${m.from}   To: ${m.to}   (${m.hasHtml ? "text + HTML" : "text"})`);
    for (const l of firstLines(m.text, 3)) line(`${"".padEnd(17)}   │ ${l}`);
  });
  cleanups.push(() => smtpServer.close());
  const twilioServer = await startTwilioServer(TWILIO, (m: ReceivedSms) => {
    log(
      `Twilio API  ← SMS ${m.sid.slice(0, 10)}…  To ${m.to}  From ${m.from}  ${m.segments} segment(s), ${m.encoding}`,
    );
    line(`${"".padEnd(17)}   │ ${m.body}`);
  });
  cleanups.push(() => twilioServer.close());

  // ─── The engine, with the real transports ─────────────────────────────────────────────────────────────────────
  const storage = createMemoryStorage();
  const data = createMemoryDataSource();
  const options: AccountOptionsInput = {
    // Email and SMS 24 hours before; a line with the fee appended to the SMS (the € takes two GSM-7 units).
    reminders: {
      first: {
        channel: "email+sms",
        offset: { value: 24, unit: "hours" },
        smsSupplement: "(consultation : 30 €)",
        emailSupplement: "Pensez à apporter votre carte Vitale. Consultation : 30 € (secteur 1).",
      },
    },
    // A confirmation email to the patient when booked, and an in-app notice to the account.
    immediateReminder: { email: true, sms: false },
    notifications: { created: { message: true } },
    communication: { sms: { maxSegments: 2 } },
  };
  data.putAccount(
    {
      id: ACCOUNT,
      structureId: S,
      name: "Dr Élodie Chevalier",
      email: "secretariat@cabinet-chevalier.example",
      signupDate: "2026-01-15",
      signatureId: "sig-chevalier",
      address: { line1: "12 rue des Érables", city: "Annecy", postalCode: "74000" },
    },
    options,
  );
  data.putSignature(S, { id: "sig-chevalier", html: "<p>Cabinet du Dr Élodie Chevalier — 04 00 00 00 12</p>" });
  data.putAgenda(
    {
      id: "g1",
      accountId: ACCOUNT,
      name: "Dr Chevalier",
      ownerUserId: "u1",
      practitioner: { name: "Dr Élodie Chevalier" },
    },
    S,
  );
  const patients = [
    {
      id: "c-petit",
      firstName: "Jeanne",
      lastName: "Petit",
      email: "jeanne.petit@example.org",
      number: "+33600000010",
    },
    {
      id: "c-roux",
      firstName: "François",
      lastName: "Roux",
      email: "francois.roux@example.org",
      number: "+33600000011",
    },
    { id: "c-blanc", firstName: "Léa", lastName: "Blanc", email: "lea.blanc@example.org", number: "+33600000012" },
  ] as const;
  for (const p of patients) {
    data.putContact({
      id: p.id,
      structureId: S,
      accountIds: [ACCOUNT],
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.email,
      phones: [{ number: p.number, mobile: true }],
    });
  }
  const nameOf = (contactId: string) => {
    const p = patients.find((x) => x.id === contactId);
    return p ? `${p.firstName} ${p.lastName}` : contactId;
  };

  const smtp = createSmtpTransport({
    host: "127.0.0.1",
    port: smtpServer.port,
    secure: false,
    requireTLS: false, // a local relay: the demo server offers no TLS
    name: "rappel.local.test",
    from: { address: "rappels@cabinet-chevalier.example", name: "Cabinet Dr Chevalier" },
    maxConnections: 2,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 5_000,
  });
  cleanups.push(() => smtp.close());

  // The webhook server first: its URL is the transport's StatusCallback.
  let webhookUrl = "";
  const webhookServer = createServer((req, res) => nodeHandler(req, res));
  webhookServer.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => webhookServer.once("listening", () => resolve()));
  webhookUrl = `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}/webhooks/twilio`;
  cleanups.push(() => closeHttp(webhookServer));

  const twilio = createTwilioTransport({
    accountSid: TWILIO.accountSid,
    authToken: TWILIO.authToken,
    from: OUR_NUMBER,
    statusCallback: webhookUrl,
    baseUrl: twilioServer.baseUrl,
    timeoutMs: 5_000,
    clock,
  });
  cleanups.push(() => twilio.close());

  const engine = createRappel({
    storage,
    data,
    clock,
    transports: { email: smtp, sms: twilio, message: createInAppTransport({ storage, clock }) },
  });
  cleanups.push(() => engine.stop());
  const scope = engine.forStructure(S);

  // The engine's sink, wrapped only to print what each callback did to the send it is about.
  const sink = createWebhookSink(engine, { structuresFor: (e) => (e.to === OUR_NUMBER ? [S] : []) });
  const smsSendOf = async (sid: string): Promise<SendRecord | undefined> =>
    (await scope.listSends({ channel: "sms", limit: 10_000 })).find((s) => s.providerMessageId === sid);
  const printingSink: WebhookSink = {
    async onStatus(e) {
      const before = (await smsSendOf(e.providerMessageId))?.providerStatus;
      await sink.onStatus(e);
      const after = (await smsSendOf(e.providerMessageId))?.providerStatus;
      const effect = before === after ? `stays ${after} (ignored)` : `${before} → ${after}`;
      log(`webhook     ← status ${e.status.padEnd(9)} ${e.providerMessageId.slice(0, 10)}…  ${effect}`);
    },
    async onInbound(e) {
      log(`webhook     ← inbound SMS from ${e.from}: keyword ${e.optOut ?? "none"}`);
      await sink.onInbound(e);
    },
  };
  const handler = createTwilioWebhookHandler({
    authToken: TWILIO.authToken,
    url: () => webhookUrl,
    sink: printingSink,
    clock,
  });
  const nodeHandler = toNodeHandler(handler);

  await smtp.verify();
  await twilio.verify();

  title("Rappel against real protocols — Cabinet du Dr Élodie Chevalier (Europe/Paris)");
  line(`SMTP server     smtp://127.0.0.1:${smtpServer.port} (no TLS: requireTLS false, local only)`);
  line(`Twilio API      ${twilioServer.baseUrl}/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`);
  line(`Twilio webhook  ${webhookUrl} (status callbacks and inbound SMS, X-Twilio-Signature checked)`);

  // ─── Delivery loop: move the clock, deliver what is due, let "Twilio" report on each new SMS ───────────────────
  const callbacks: CallbackPosted[] = [];
  let scripted = 0;
  // SMS 1: queued, sent, delivered, delivered again (a duplicate). SMS 2: queued, delivered, then sent (out of
  // order), then a forged "failed" (wrong signature: 403). Later ones: queued, sent, delivered.
  const scripts: { status: string; forged?: boolean }[][] = [
    [{ status: "queued" }, { status: "sent" }, { status: "delivered" }, { status: "delivered" }],
    [{ status: "queued" }, { status: "delivered" }, { status: "sent" }, { status: "failed", forged: true }],
  ];
  const deliver = async () => {
    await engine.drain();
    while (scripted < twilioServer.received.length) {
      const sms = twilioServer.received[scripted]!;
      const script = scripts[scripted] ?? [{ status: "queued" }, { status: "sent" }, { status: "delivered" }];
      scripted++;
      for (const c of await twilioServer.postStatuses(sms.sid, script)) {
        callbacks.push(c);
        if (c.forged)
          log(`webhook     ← status ${c.status} with a forged signature → HTTP ${c.httpStatus}, nothing folded`);
      }
    }
  };
  const advanceTo = async (iso: string) => {
    const end = new Date(iso).getTime();
    while (clock.now().getTime() < end) {
      clock.set(new Date(Math.min(end, clock.now().getTime() + 5 * 60_000)));
      await deliver();
    }
  };

  title("Timeline (Paris time)");
  const appointments = [
    { id: "r1", contactId: "c-petit", start: "2026-06-09T08:00:00Z" }, // Tuesday 10:00
    { id: "r2", contactId: "c-roux", start: "2026-06-09T13:30:00Z" }, // Tuesday 15:30
    { id: "r3", contactId: "c-blanc", start: "2026-06-10T09:00:00Z" }, // Wednesday 11:00
  ];
  for (const a of appointments) {
    const start = new Date(a.start);
    data.putAppointment({
      id: a.id,
      structureId: S,
      accountId: ACCOUNT,
      agendaId: "g1",
      contactId: a.contactId,
      start,
      end: new Date(start.getTime() + 30 * 60_000),
      timeZone: PARIS,
      reason: "Consultation de suivi",
    });
    const r = await scope.appointmentCreated({ appointmentId: a.id });
    log(`host: ${nameOf(a.contactId)} booked for ${stamp(start)} → ${r.planned.length} planned`);
  }
  await deliver();

  await advanceTo("2026-06-08T17:00:00Z"); // Monday 19:00: both Tuesday reminders are out
  clock.set(new Date("2026-06-08T17:30:00Z"));
  const lea = patients[2];
  const pendingBefore = await scope.listSends({ contactId: lea.id, channel: "sms", status: "planned" });
  const stop = await twilioServer.postInbound(webhookUrl, {
    from: lea.number,
    to: OUR_NUMBER,
    body: "STOP",
    optOutType: "STOP",
  });
  callbacks.push(stop);
  const leaSms = await scope.listSends({ contactId: lea.id, channel: "sms" });
  log(
    `engine: Léa Blanc opted out of SMS → ${leaSms.filter((s) => s.status === "cancelled").length} pending SMS cancelled`,
  );
  await advanceTo("2026-06-09T12:00:00Z"); // Tuesday 14:00: Léa's Wednesday reminder is due at 11:00
  line(`${"".padEnd(17)} (no SMS to Léa Blanc: her reminder went by email only)`);

  // ─── What the engine recorded ─────────────────────────────────────────────────────────────────────────────────
  const describe = (e: JournalEntry) => {
    const status = (e.data as { providerStatus?: string } | undefined)?.providerStatus;
    return `${stamp(e.at).padEnd(17)} ${e.event.padEnd(15)} ${(e.kind ?? "").padEnd(20)} ${(e.channel ?? "").padEnd(8)}${e.providerMessageId ? ` ${e.providerMessageId.slice(0, 10)}…` : ""}${status ? ` (${status})` : ""}${e.reason ? ` (${e.reason})` : ""}`;
  };
  const journals = new Map<string, JournalEntry[]>();
  for (const p of patients) {
    const journal = await scope.journal(p.id);
    journals.set(p.id, journal);
    title(`Journal of ${p.firstName} ${p.lastName}`);
    for (const e of journal) line(describe(e));
  }
  const inbox = (await storage.readInbox?.(S, ACCOUNT)) ?? [];
  title("In-app inbox of Dr Chevalier");
  for (const m of inbox) line(`${stamp(m.at).padEnd(17)} “${m.subject}”  │ ${firstLines(m.text, 1)[0] ?? ""}`);
  const sends = await scope.listSends({ limit: 10_000 });
  title("Sends by status");
  const byStatus = new Map<string, number>();
  for (const s of sends) byStatus.set(`${s.channel} ${s.status}`, (byStatus.get(`${s.channel} ${s.status}`) ?? 0) + 1);
  line([...byStatus].map(([k, v]) => `${k} ${v}`).join(" · "));

  // ─── Invariants: running the demo is the test ─────────────────────────────────────────────────────────────────
  const emailSends = sends.filter((s) => s.channel === "email");
  check(emailSends.length === 6, `expected a confirmation and a reminder email per patient, got ${emailSends.length}`);
  for (const s of emailSends) {
    check(s.status === "sent", `email ${s.key} is ${s.status}${s.failureCode ? ` (${s.failureCode})` : ""}`);
    const received = smtpServer.received.filter((m) => m.messageId === s.providerMessageId);
    check(received.length === 1, `email ${s.key} reached the SMTP server ${received.length} times`);
    check(received[0]!.envelopeTo.includes(s.recipient.address ?? ""), `email ${s.key} went to the wrong envelope`);
  }
  check(smtpServer.received.length === emailSends.length, "the SMTP server got emails the engine did not record");
  check(
    smtpServer.received.every((m) => m.subject.length > 0 && m.text.length > 0 && m.hasHtml),
    "an email lacks a subject, a text part or an HTML part",
  );

  const smsSends = sends.filter((s) => s.channel === "sms");
  // A send the provider confirmed is `delivered`; `sent` while no callback has arrived.
  const sent = smsSends.filter((s) => s.status === "sent" || s.status === "delivered");
  check(sent.length === 2, `expected the SMS reminders of Jeanne Petit and François Roux, got ${sent.length}`);
  check(twilioServer.received.length === 2, `the Twilio server got ${twilioServer.received.length} SMS, expected 2`);
  check(twilioServer.refused === 0, "the Twilio server refused a request");
  for (const s of sent) {
    const received = twilioServer.received.filter((m) => m.sid === s.providerMessageId);
    check(received.length === 1, `SMS ${s.key} reached the Twilio server ${received.length} times`);
    check(received[0]!.to === s.recipient.address, `SMS ${s.key} went to the wrong number`);
    check(
      s.status === "delivered" && s.providerStatus === "delivered",
      `SMS ${s.key} ended ${s.status}/${s.providerStatus}, not delivered`,
    );
    const journal = journals.get(s.contactId ?? "") ?? [];
    const delivered = journal.filter((e) => e.event === "delivered" && e.providerMessageId === s.providerMessageId);
    check(delivered.length === 1, `SMS ${s.key} has ${delivered.length} delivered journal entries, expected 1`);
    // The first SMS saw "sent" before "delivered" (one entry); the second saw "sent" only after it (none).
    const first = s.providerMessageId === twilioServer.received[0]?.sid;
    const progress = journal.filter(
      (e) => e.event === "provider-status" && e.providerMessageId === s.providerMessageId,
    );
    check(progress.length === (first ? 1 : 0), `SMS ${s.key} has ${progress.length} provider-status entries`);
    check(
      journal.every((e) => e.providerMessageId !== s.providerMessageId || e.event !== "failed"),
      `the forged callback changed SMS ${s.key}`,
    );
  }
  const statusPosts = callbacks.filter((c) => c.kind === "status");
  check(
    statusPosts.every((c) => c.httpStatus === (c.forged ? 403 : 200)),
    "a status callback was not answered 200 (signed) or 403 (forged)",
  );
  check(stop.httpStatus === 200, `the inbound STOP got HTTP ${stop.httpStatus}`);
  check(
    pendingBefore.length === 1,
    `Léa Blanc should have had one pending SMS before STOP, had ${pendingBefore.length}`,
  );
  check(
    leaSms.length === 1 && leaSms[0]!.status === "cancelled",
    "Léa Blanc's pending SMS was not cancelled by her STOP",
  );
  check(!twilioServer.received.some((m) => m.to === lea.number), "an SMS reached Léa Blanc after STOP");
  check(
    (journals.get(lea.id) ?? []).some((e) => e.event === "opted-out"),
    "Léa Blanc's journal does not record the opt-out",
  );
  check(
    emailSends.some((s) => s.contactId === lea.id && s.kind === "reminder"),
    "Léa Blanc's reminder email did not go",
  );
  check(inbox.length === 3, `expected 3 in-app notices, got ${inbox.length}`);

  line(
    `\nAll checks passed: ${smtpServer.received.length} emails over SMTP, ${twilioServer.received.length} SMS over the Twilio API, ${statusPosts.length} status callbacks (1 duplicate, 1 out of order, 1 forged), 1 STOP, ${inbox.length} in-app notices — ${Math.round(performance.now() - started)} ms.`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRealDemo();
}
