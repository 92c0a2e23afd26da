// Header-injection fuzzing through a real SMTP server: thousands of hostile subjects and display names (CR, LF,
// "\r\nBcc:", encoded words, separators, Unicode line separators…) are sent, every received message is parsed,
// and its header set, addresses and envelope must be exactly those of a benign message.
import type { EmailMessage } from "@rappel/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpServer, type TestSmtpServer } from "./__fixtures__/smtpServer.js";
import { headerText } from "./headers.js";
import { createSmtpTransport, type SmtpTransport } from "./smtpTransport.js";

const PIECES = [
  "\r",
  "\n",
  "\r\n",
  "\n\n",
  "\r\nBcc: evil@attacker.example",
  "\nCc: evil@attacker.example",
  "\r\nTo: evil@attacker.example",
  "\r\n\r\n<p>injected body</p>",
  "\r\nContent-Type: text/html",
  "Bcc:",
  "%0d%0aBcc:",
  ":",
  ";",
  ",",
  "<",
  ">",
  '"',
  "\\",
  "'",
  "=?utf-8?q?=0D=0ABcc:_evil@attacker.example?=",
  "=?UTF-8?B?DQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==?=",
  "\u2028",
  "\u2029",
  "\u0085",
  "\u0000",
  "\t",
  "\v",
  " ",
  "é",
  "€",
  "’",
  "ÀÉÎÕÜ",
  "😀",
  "evil@attacker.example",
  "<evil@attacker.example>",
  ".",
];

const hostile = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 4 }) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(""));

const BATCH = 40;
const RUNS = Number(process.env.FUZZ_RUNS ?? 50); // 2,000 messages through the server by default

let server: TestSmtpServer;
let smtp: SmtpTransport;
beforeAll(async () => {
  server = await startSmtpServer();
  smtp = createSmtpTransport({
    host: "127.0.0.1",
    port: server.port,
    requireTLS: false,
    maxConnections: 20,
    maxMessages: 1000,
    socketTimeout: 5000,
  });
});
afterAll(async () => {
  await smtp.close();
  await server.close();
});

const EXPECTED_KEYS = ["content-type", "date", "from", "message-id", "mime-version", "reply-to", "subject", "to"];

describe("header injection", () => {
  it(`never changes the parsed header set (${BATCH * RUNS} hostile messages)`, async () => {
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ subject: hostile, toName: hostile, fromName: hostile, replyToName: hostile }), {
          minLength: BATCH,
          maxLength: BATCH,
        }),
        async (cases) => {
          server.reset();
          const sent = await Promise.all(
            cases.map((c) => {
              const m: EmailMessage = {
                channel: "email",
                idempotencyKey: `fuzz-${counter++}`,
                structureId: "s1",
                accountId: "a1",
                to: { address: "patient@example.org", name: c.toName },
                from: { address: "cabinet@example.org", name: c.fromName },
                replyTo: { address: "secretariat@example.org", name: c.replyToName },
                subject: c.subject,
                text: "Texte du message",
                html: "<p>Texte du message</p>",
              };
              return smtp.send(m).then((r) => ({ c, id: r.providerMessageId }));
            }),
          );
          expect(server.received).toHaveLength(BATCH);
          const byId = new Map(server.received.map((r) => [r.parsed.messageId, r]));
          for (const { c, id } of sent) {
            const got = byId.get(id);
            expect(got, "every message arrives under its own Message-ID").toBeDefined();
            const p = got!.parsed;
            expect(got!.rcptTo).toEqual(["patient@example.org"]);
            expect(got!.mailFrom).toBe("cabinet@example.org");
            const keys = p.headerLines.map((h) => h.key);
            // The only data-dependent difference allowed: nodemailer leaves out a Subject that is empty.
            const expectedKeys =
              headerText(c.subject) === "" ? EXPECTED_KEYS.filter((k) => k !== "subject") : EXPECTED_KEYS;
            expect([...keys].sort()).toEqual(expectedKeys);
            expect(p.cc).toBeUndefined();
            expect(p.bcc).toBeUndefined();
            expect(p.subject ?? "").toBe(headerText(c.subject));
            expect(p.from?.value).toEqual([{ address: "cabinet@example.org", name: headerText(c.fromName) }]);
            expect(p.to && !Array.isArray(p.to) ? p.to.value : null).toEqual([
              { address: "patient@example.org", name: headerText(c.toName) },
            ]);
            expect(p.replyTo?.value).toEqual([{ address: "secretariat@example.org", name: headerText(c.replyToName) }]);
            expect(p.text?.trim()).toBe("Texte du message");
            expect(p.html).toBe("<p>Texte du message</p>");
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 60_000);
});
