import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { type EmailMessage, type LogFields, TransportError, ValidationError } from "@rappel/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startSmtpServer, type TestSmtpServer } from "./__fixtures__/smtpServer.js";
import { createSmtpTransport, type SmtpTransport, type SmtpTransportOptions } from "./smtpTransport.js";

// Real sockets on a shared machine: each test stops by itself well before this.
vi.setConfig({ testTimeout: 15_000 });

let server: TestSmtpServer;
const open: SmtpTransport[] = [];

beforeAll(async () => {
  server = await startSmtpServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function transport(extra: Partial<SmtpTransportOptions> = {}): SmtpTransport {
  const t = createSmtpTransport({
    host: "127.0.0.1",
    port: server.port,
    requireTLS: false,
    from: { address: "rappels@cabinet-dupont.fr", name: "Cabinet Dupont" },
    // Generous: a loaded CI machine must not turn a slow loopback answer into a timeout; the timeout tests set
    // their own short ones.
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 5000,
    ...extra,
  });
  open.push(t);
  return t;
}

function message(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    channel: "email",
    idempotencyKey: "send-1",
    structureId: "s1",
    accountId: "a1",
    to: { address: "jeanne.martin@example.org", name: "Jeanne Martin" },
    subject: "Rappel : rendez-vous le 09/06/2026 à 12h00",
    text: "Bonjour,\nVotre rendez-vous est confirmé.",
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error("expected the send to fail");
}

describe("createSmtpTransport: a successful send", () => {
  it("delivers HTML and text parts with French text encoded in UTF-8 and exactly the expected headers", async () => {
    const smtp = transport();
    const subject = "Rappel : rendez-vous chez l’ostéopathe à 12h00 — 25 € réglés";
    const text = "Bonjour Éloïse,\nVotre rendez-vous du mercredi 09/06/2026 à 12h00 est confirmé (25 €).\n.\nÀ bientôt";
    const html = "<p>Bonjour Éloïse,</p><p>Rendez-vous l’après-midi : <strong>25 €</strong></p>";
    const result = await smtp.send(
      message({
        subject,
        text,
        html,
        to: { address: "eloise@example.org", name: "Éloïse Lefèvre-Dupré" },
        replyTo: { address: "secretariat@cabinet-dupont.fr", name: "Secrétariat, Cabinet « Dupont »" },
      }),
    );
    expect(result.provider).toBe("smtp");
    expect(result.status).toBe("sent");
    expect(result.providerMessageId).toMatch(/^<[0-9a-f]{32}\.rappel@cabinet-dupont\.fr>$/);

    expect(server.received).toHaveLength(1);
    const [got] = server.received;
    expect(got!.mailFrom).toBe("rappels@cabinet-dupont.fr");
    expect(got!.rcptTo).toEqual(["eloise@example.org"]);
    const p = got!.parsed;
    expect(p.subject).toBe(subject);
    expect(p.text?.replace(/\n$/, "")).toBe(text);
    expect(p.html).toBe(html);
    expect(p.from?.value).toEqual([{ address: "rappels@cabinet-dupont.fr", name: "Cabinet Dupont" }]);
    expect(p.to && !Array.isArray(p.to) ? p.to.value : null).toEqual([
      { address: "eloise@example.org", name: "Éloïse Lefèvre-Dupré" },
    ]);
    expect(p.replyTo?.value).toEqual([
      { address: "secretariat@cabinet-dupont.fr", name: "Secrétariat, Cabinet « Dupont »" },
    ]);
    expect(p.messageId).toBe(result.providerMessageId);
    expect([...new Set(p.headerLines.map((h) => h.key))].sort()).toEqual(
      ["content-type", "date", "from", "message-id", "mime-version", "reply-to", "subject", "to"].sort(),
    );
    // 8-bit text never goes out raw: the raw message is 7-bit clean, the parts declare UTF-8.
    expect(got!.raw.every((byte) => byte < 0x80)).toBe(true);
    expect(got!.raw.toString()).toMatch(/charset=utf-8/i);
  });

  it("keeps every line of the raw message within SMTP's 998-character limit, long HTML lines included", async () => {
    const html = `<p>${"Rendez-vous confirmé à 12h00 — 25 € ".repeat(300)}</p>`;
    await transport().send(message({ html, text: "x".repeat(5000) }));
    const [got] = server.received;
    expect(
      Math.max(
        ...got!.raw
          .toString("latin1")
          .split("\r\n")
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(998);
    expect(got!.parsed.html).toBe(html);
    expect(got!.parsed.text?.trim()).toBe("x".repeat(5000));
  });

  it("uses the message's own from, and the same Message-ID for the same idempotency key", async () => {
    const smtp = transport();
    const a = await smtp.send(message({ from: { address: "docteur@cabinet-martin.fr" } }));
    const b = await smtp.send(message({ from: { address: "docteur@cabinet-martin.fr" } }));
    const c = await smtp.send(message({ idempotencyKey: "send-2" }));
    expect(a.providerMessageId).toBe(b.providerMessageId);
    expect(a.providerMessageId).not.toBe(c.providerMessageId);
    expect(server.received[0]!.parsed.from?.value).toEqual([{ address: "docteur@cabinet-martin.fr", name: "" }]);
  });

  it("signs with DKIM when given a key", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const smtp = transport({
      dkim: {
        domainName: "cabinet-dupont.fr",
        keySelector: "rappel",
        privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      },
    });
    await smtp.send(message());
    const signature = server.received[0]!.parsed.headerLines.find((h) => h.key === "dkim-signature");
    expect(signature?.line).toMatch(/d=cabinet-dupont\.fr;/);
    expect(signature?.line).toMatch(/s=rappel;/);
  });

  it("waits for a slow server within the socket timeout", async () => {
    server.script = { data: { delayMs: 150 } };
    const smtp = transport({ socketTimeout: 1000 });
    await expect(smtp.send(message())).resolves.toMatchObject({ provider: "smtp" });
  });
});

describe("createSmtpTransport: failure classes (R-41, R-48)", () => {
  const stages = [
    ["mail", "MAIL FROM"],
    ["rcpt", "RCPT TO"],
    ["data", "DATA"],
  ] as const;
  const codes = [421, 450, 451, 452, 550, 553, 554] as const;

  for (const [stage, command] of stages) {
    for (const code of codes) {
      const expected = code < 500 ? "transient" : "permanent";
      it(`${code} at ${command} → ${expected}`, async () => {
        server.script = { [stage]: { reply: code, text: `Refused for <jeanne.martin@example.org> (${code})` } };
        const smtp = transport();
        const e = await failure(smtp.send(message()));
        expect(e.failure).toBe(expected);
        expect(e.code).toBe(expected === "transient" ? "transport-transient" : "transport-permanent");
        expect(e.responseCode).toBe(code);
        expect(e.command).toBe(command);
        expect(e.providerText).toContain(String(code));
        // The server's text echoed the address: it is redacted from the error.
        expect(e.providerText).not.toContain("jeanne.martin@example.org");
        expect(e.message).not.toContain("jeanne.martin@example.org");
      });
    }
  }

  it("connection dropped at MAIL FROM (before the data) → transient, nothing received", async () => {
    server.script = { mail: { drop: true } };
    const e = await failure(transport().send(message()));
    expect(e.failure).toBe("transient");
    expect(server.received).toHaveLength(0);
  });

  it("connection dropped at RCPT TO (before the data) → transient, nothing received", async () => {
    server.script = { rcpt: { drop: true } };
    const e = await failure(transport().send(message()));
    expect(e.failure).toBe("transient");
    expect(e.code).toBe("transport-transient");
    expect(server.received).toHaveLength(0);
  });

  it("connection dropped after the final dot → unknown, and the server did get the whole message", async () => {
    server.script = { data: { drop: true } };
    const e = await failure(transport().send(message()));
    expect(e.failure).toBe("unknown");
    expect(e.code).toBe("transport-unknown");
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.parsed.subject).toBe(message().subject);
  });

  it("no reply to the final dot within the socket timeout → unknown", async () => {
    server.script = { data: { delayMs: 3000 } };
    const smtp = transport({ socketTimeout: 300 });
    const started = Date.now();
    const e = await failure(smtp.send(message()));
    expect(e.failure).toBe("unknown");
    expect(Date.now() - started).toBeLessThan(2500); // the client gave up, well before the server's answer
  });

  it("a server slow before the data (at RCPT) past the socket timeout → transient", async () => {
    server.script = { rcpt: { delayMs: 3000 } };
    const e = await failure(transport({ socketTimeout: 300 }).send(message()));
    expect(e.failure).toBe("transient");
  });

  it("is never re-sent by the pool after a lost connection (maxRequeues: 0)", async () => {
    server.script = { data: { drop: true } };
    const smtp = transport();
    await failure(smtp.send(message()));
    server.script = {};
    await smtp.send(message({ idempotencyKey: "other" }));
    // One copy of the dropped message, one of the next one: nothing was re-queued behind our back.
    expect(server.received.map((m) => m.parsed.messageId)).toHaveLength(2);
    expect(new Set(server.received.map((m) => m.parsed.messageId)).size).toBe(2);
  });

  it("connection refused → transient", async () => {
    const port = await freePort();
    const e = await failure(transport({ port }).send(message()));
    expect(e.failure).toBe("transient");
    expect(e.details.errorCode).toMatch(/^E(SOCKET|CONNECTION)$/);
  });

  it("a server that never greets → transient (greeting timeout)", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (silent.address() as { port: number }).port;
      const e = await failure(transport({ port, greetingTimeout: 200 }).send(message()));
      expect(e.failure).toBe("transient");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("an invalid recipient address → permanent, without contacting the server", async () => {
    const smtp = transport();
    for (const address of ["not-an-address", "a@b", "x@example.org\r\nRCPT TO:<evil@example.com>", "a b@example.org"]) {
      const e = await failure(smtp.send(message({ to: { address } })));
      expect(e.failure).toBe("permanent");
      expect(e.command).toBe("API");
    }
    expect(server.connections).toBe(0);
  });

  it("a send after close() is refused as transient (it can go through another transport)", async () => {
    const smtp = transport();
    await smtp.close();
    const e = await failure(smtp.send(message()));
    expect(e.failure).toBe("transient");
  });
});

describe("createSmtpTransport: TLS", () => {
  let tlsServer: TestSmtpServer;
  beforeAll(async () => {
    tlsServer = await startSmtpServer({ starttls: true });
  });
  afterAll(async () => {
    await tlsServer.close();
  });

  it("upgrades with STARTTLS using the TLS options passed through, and requires it by default", async () => {
    const ok = transport({ port: tlsServer.port, requireTLS: undefined, tls: { rejectUnauthorized: false } });
    await ok.send(message());
    expect(tlsServer.received).toHaveLength(1);
    // Without the pass-through option, the server's self-signed certificate is refused: nothing is sent.
    const strict = transport({ port: tlsServer.port, requireTLS: undefined });
    const e = await failure(strict.send(message()));
    expect(e.failure).toBe("transient");
    expect(tlsServer.received).toHaveLength(1);
  });

  it("requireTLS (the default) refuses a server that does not offer STARTTLS", async () => {
    const e = await failure(transport({ requireTLS: undefined }).send(message()));
    expect(e.failure).toBe("transient");
    expect(e.details.errorCode).toBe("ETLS");
    expect(server.received).toHaveLength(0);
  });
});

describe("createSmtpTransport: pool", () => {
  it("never opens more than maxConnections connections for concurrent sends", async () => {
    const smtp = transport({ maxConnections: 2 });
    server.script = { data: { delayMs: 30 } };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => smtp.send(message({ idempotencyKey: `k${i}` }))),
    );
    expect(results).toHaveLength(8);
    expect(server.received).toHaveLength(8);
    expect(server.maxConcurrent).toBeLessThanOrEqual(2);
    expect(server.maxConcurrent).toBeGreaterThanOrEqual(1);
  });

  it("replaces a connection after maxMessages messages", async () => {
    const smtp = transport({ maxConnections: 1, maxMessages: 2 });
    for (let i = 0; i < 4; i++) await smtp.send(message({ idempotencyKey: `k${i}` }));
    expect(server.received).toHaveLength(4);
    expect(server.connections).toBe(2);
  });

  it("close() lets an in-flight send finish first", async () => {
    server.script = { data: { delayMs: 100 } };
    const smtp = transport();
    const sending = smtp.send(message());
    await new Promise((r) => setTimeout(r, 20));
    await smtp.close();
    await expect(sending).resolves.toMatchObject({ provider: "smtp" });
  });
});

describe("createSmtpTransport: verify, options, logging", () => {
  it("verify() resolves against a live server and rejects (transient) when it is unreachable", async () => {
    await expect(transport().verify()).resolves.toBeUndefined();
    const e = await failure(transport({ port: await freePort() }).verify());
    expect(e.failure).toBe("transient");
  });

  it("lists every invalid option at once", () => {
    try {
      createSmtpTransport({
        host: "",
        port: 70000,
        maxConnections: 0,
        from: { address: "nope" },
        auth: { user: "", pass: "x" },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe("invalid-options");
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
        "host",
        "port",
        "maxConnections",
        "from.address",
        "auth.user",
      ]);
    }
  });

  it("logs pseudonymous fields only: no address, name or subject", async () => {
    const events: [string, LogFields | undefined][] = [];
    const record = (event: string, fields?: LogFields) => events.push([event, fields]);
    const smtp = transport({ logger: { debug: record, info: record, warn: record, error: record } });
    await smtp.send(message());
    server.script = { rcpt: { reply: 550, text: "No such user jeanne.martin@example.org" } };
    await failure(smtp.send(message()));
    expect(events.map(([e]) => e)).toEqual(["smtp.send.accepted", "smtp.send.failed"]);
    const dump = JSON.stringify(events);
    expect(dump).not.toMatch(/@|Jeanne|Martin|Rappel/);
    expect(events[1]![1]).toMatchObject({ sendKey: "send-1", failure: "permanent", responseCode: 550 });
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
