// A real SMTP server on 127.0.0.1 (the `smtp-server` package) that tests can script: reply codes at MAIL, RCPT
// and DATA, dropping the connection before or after the data, being slow. Received messages are parsed with
// mailparser.
import type { Socket } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";

/** What the server does at one stage: reply with a code, drop the connection, or wait first. */
export type StageAction =
  | { reply: number; text?: string }
  | { drop: true }
  | { delayMs: number; then?: { reply: number; text?: string } };

/** The per-test script. Stages not listed accept. */
export interface SmtpScript {
  mail?: StageAction;
  rcpt?: StageAction;
  /** At the end of the data (the reply to the final dot); `drop` drops after the whole message was read. */
  data?: StageAction;
}

/** One message the server accepted, or read fully before dropping the connection. */
export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
  accepted: boolean;
}

/** A running scriptable server. */
export interface TestSmtpServer {
  port: number;
  script: SmtpScript;
  received: ReceivedMessage[];
  /** Connections opened since the last reset. */
  connections: number;
  /** Highest number of simultaneous connections since the last reset. */
  maxConcurrent: number;
  reset(): void;
  /** Resolves once `n` messages were received (data read in full). */
  waitForMessages(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function smtpError(reply: number, text?: string): Error {
  const error = new Error(text ?? `Scripted ${reply} reply`) as Error & { responseCode: number };
  error.responseCode = reply;
  return error;
}

/** Starts the server on 127.0.0.1, port 0. Pass `starttls: true` to offer STARTTLS (with smtp-server's own cert). */
export async function startSmtpServer(opts: { starttls?: boolean } = {}): Promise<TestSmtpServer> {
  const sockets = new Set<Socket>();
  let current = 0;
  const state: TestSmtpServer = {
    port: 0,
    script: {},
    received: [],
    connections: 0,
    maxConcurrent: 0,
    reset() {
      state.script = {};
      state.received = [];
      state.connections = 0;
      state.maxConcurrent = 0;
    },
    async waitForMessages(n, timeoutMs = 2000) {
      const until = Date.now() + timeoutMs;
      while (state.received.length < n) {
        if (Date.now() > until) throw new Error(`Expected ${n} messages, got ${state.received.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const dropSession = (remotePort: number) => {
    for (const s of sockets) if (s.remotePort === remotePort) s.destroy();
  };

  function act(action: StageAction | undefined, remotePort: number, callback: (err?: Error | null) => void): void {
    if (!action) callback();
    else if ("drop" in action) dropSession(remotePort);
    else if ("reply" in action) callback(action.reply >= 400 ? smtpError(action.reply, action.text) : null);
    else setTimeout(() => act(action.then, remotePort, callback), action.delayMs);
  }

  const options: SMTPServerOptions = {
    logger: false,
    authOptional: true,
    disabledCommands: opts.starttls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    maxAllowedUnauthenticatedCommands: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      state.connections++;
      current++;
      state.maxConcurrent = Math.max(state.maxConcurrent, current);
      callback();
    },
    onClose() {
      current--;
    },
    onMailFrom(_address, session, callback) {
      act(state.script.mail, session.remotePort, callback);
    },
    onRcptTo(_address, session, callback) {
      act(state.script.rcpt, session.remotePort, callback);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks);
        const action = state.script.data;
        const accepted = !action || ("reply" in action && action.reply < 400) || ("delayMs" in action && !action.then);
        const record: ReceivedMessage = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed: await simpleParser(raw),
          accepted,
        };
        state.received.push(record);
        act(action, session.remotePort, callback);
      });
    },
  };
  const server = new SMTPServer(options);
  const net = (server as unknown as { server: import("node:net").Server }).server;
  net.on("connection", (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = net.address();
  state.port = typeof address === "object" && address ? address.port : 0;
  return state;
}
