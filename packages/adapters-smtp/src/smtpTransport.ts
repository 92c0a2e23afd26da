import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { ConnectionOptions } from "node:tls";
import { domainToASCII } from "node:url";
import {
  type EmailAddress,
  type EmailMessage,
  ErrorCode,
  type Logger,
  noopLogger,
  type SendResult,
  type Transport,
  TransportError,
  ValidationError,
  type ValidationIssue,
} from "@rappel/core";
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import { classifySmtpError, type SmtpPhase } from "./classify.js";
import { headerText, isValidAddress } from "./headers.js";

/**
 * Options of {@link createSmtpTransport}. Every field is validated when the transport is created; an invalid
 * set throws a `ValidationError` (`code: "invalid-options"`) listing every failing path.
 *
 * @example
 * ```ts
 * const options: SmtpTransportOptions = {
 *   host: "smtp.example.org",
 *   port: 587,
 *   auth: { user: "cabinet", pass: process.env.SMTP_PASSWORD! },
 *   from: { address: "rappels@cabinet-dupont.fr", name: "Cabinet Dupont" },
 *   maxConnections: 3,
 *   rateLimit: 10,
 * };
 * ```
 */
export interface SmtpTransportOptions {
  /** SMTP server host name or IP address. */
  host: string;
  /** Server port. @default 465 when `secure`, else 587 */
  port?: number;
  /** Implicit TLS from the first byte (port 465). When `false`, STARTTLS is used if the server offers it. @default false */
  secure?: boolean;
  /**
   * Refuse to send unless the connection is encrypted (implicit TLS or STARTTLS). Appointment emails are health
   * data: turn this off only for a relay on the same host or network. @default true
   */
  requireTLS?: boolean;
  /** Credentials: a password login, or an OAuth2 access token (XOAUTH2). @default no authentication */
  auth?: { user: string; pass: string } | { type: "oauth2"; user: string; accessToken: string };
  /** Sender used when a message has no `from`. @default none: every message must then carry its own `from` */
  from?: EmailAddress;
  /** Host name announced in EHLO. @default the machine's host name */
  name?: string;
  /** Simultaneous connections kept in the pool. @default 5 */
  maxConnections?: number;
  /** Messages sent on one connection before it is replaced. @default 100 */
  maxMessages?: number;
  /** Length of the rate-limit window, in milliseconds. @default 1000 */
  rateDelta?: number;
  /** Messages allowed per `rateDelta` window, over all connections. @default no limit */
  rateLimit?: number;
  /** Milliseconds to wait for the TCP (and TLS) connection. @default 30000 */
  connectionTimeout?: number;
  /** Milliseconds to wait for the server greeting once connected. @default 30000 */
  greetingTimeout?: number;
  /**
   * Milliseconds of socket inactivity allowed. A timeout after the message data was sent is an `unknown` outcome
   * . @default 60000
   */
  socketTimeout?: number;
  /** TLS options passed through to Node's `tls.connect` (e.g. `{ servername, minVersion: "TLSv1.2", ca }`). */
  tls?: ConnectionOptions;
  /** DKIM signing, passed through to nodemailer. @default no signature */
  dkim?: {
    /** Signing domain (`d=`). */
    domainName: string;
    /** Key selector (`s=`). */
    keySelector: string;
    /** Private key, PEM. */
    privateKey: string | { key: string; passphrase: string };
    /** Header fields to sign, colon-separated. @default nodemailer's list */
    headerFieldNames?: string;
    /** Header fields not to sign, colon-separated. */
    skipFields?: string;
  };
  /** Where the transport reports what it does (pseudonymous ids only). @default a logger that discards */
  logger?: Logger;
}

/**
 * The transport returned by {@link createSmtpTransport}: a `Transport<EmailMessage>` whose `verify` and `close`
 * are always present.
 *
 * @example
 * ```ts
 * const smtp: SmtpTransport = createSmtpTransport({ host: "smtp.example.org", from });
 * await smtp.verify();
 * ```
 */
export interface SmtpTransport extends Transport<EmailMessage> {
  /** Always `"smtp"`. */
  readonly name: "smtp";
  /** Always `"email"`. */
  readonly channel: "email";
  /** Opens a connection, authenticates, and closes it; rejects with a `TransportError` when unusable. */
  verify(): Promise<void>;
  /** Stops accepting sends, waits for the in-flight ones, and closes every pooled connection. */
  close(): Promise<void>;
}

/** The key under which a send's phase tracker rides along nodemailer's mail data to the `stream` plugin. */
const TRACKER_KEY = "rappelSendTracker";

interface Tracker {
  /** The plugin could hook the outgoing stream, so `dataSent` is meaningful. */
  hooked: boolean;
  /** The last byte of the message was consumed by the SMTP data stream: the final dot follows at once. */
  dataSent: boolean;
}

/**
 * Creates the SMTP email transport over a pooled nodemailer connection.
 *
 * - Outcome classes: a 4xx reply or a connection failure before the message data is `transient`; a
 *   5xx reply (or an address that cannot be valid, rejected before contacting the server) is `permanent`; a
 *   connection lost or timed out after the message data is `unknown` and must not be resent blindly. Errors are
 *   core `TransportError`s with `responseCode`, `command` and the server's text (addresses redacted).
 * - Never re-sends on its own: nodemailer's pool re-queue is disabled (`maxRequeues: 0`).
 * - Header safety: subject and display names are reduced to one line (no CR/LF or other control character can
 *   reach a header); addresses are validated; no header is built from message data by hand. The `Message-ID`
 *   is derived from a hash of the `idempotencyKey`, so retries of one send share it.
 *
 * @example
 * ```ts
 * import { createSmtpTransport } from "@rappel/adapters-smtp";
 *
 * const smtp = createSmtpTransport({
 *   host: "smtp.example.org",
 *   auth: { user: "cabinet", pass: process.env.SMTP_PASSWORD! },
 *   from: { address: "rappels@cabinet-dupont.fr", name: "Cabinet Dupont" },
 * });
 * const result = await smtp.send({
 *   channel: "email", idempotencyKey: "send-42", structureId: "s1", accountId: "a1",
 *   to: { address: "patient@example.org", name: "Jeanne Martin" },
 *   subject: "Rappel : rendez-vous le 09/06/2026 à 12h00", text: "…", html: "<p>…</p>",
 * });
 * result.providerMessageId //=> "<3f1c…@cabinet-dupont.fr>"
 * await smtp.close();
 * ```
 */
export function createSmtpTransport(options: SmtpTransportOptions): SmtpTransport {
  validateOptions(options);
  const logger = options.logger ?? noopLogger;
  const secure = options.secure ?? false;
  // `maxRequeues` is a nodemailer pool option its type definitions do not list.
  const poolOptions: SMTPPool.Options & { maxRequeues: number } = {
    pool: true,
    host: options.host,
    port: options.port ?? (secure ? 465 : 587),
    secure,
    requireTLS: options.requireTLS ?? true,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.auth !== undefined
      ? {
          auth:
            "type" in options.auth
              ? { type: "OAuth2", user: options.auth.user, accessToken: options.auth.accessToken }
              : { user: options.auth.user, pass: options.auth.pass },
        }
      : {}),
    maxConnections: options.maxConnections ?? 5,
    maxMessages: options.maxMessages ?? 100,
    rateDelta: options.rateDelta ?? 1000,
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    // A message whose connection closed mid-send is failed, never silently re-sent.
    maxRequeues: 0,
    connectionTimeout: options.connectionTimeout ?? 30_000,
    greetingTimeout: options.greetingTimeout ?? 30_000,
    socketTimeout: options.socketTimeout ?? 60_000,
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.dkim !== undefined ? { dkim: options.dkim } : {}),
    // nodemailer's own logs carry addresses: keep them off, we log pseudonymous fields ourselves.
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transporter = nodemailer.createTransport(poolOptions);
  transporter.use("stream", trackDataPhase);

  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function send(message: EmailMessage): Promise<SendResult> {
    const fields = { sendKey: message.idempotencyKey, structureId: message.structureId, accountId: message.accountId };
    if (closed) {
      throw new TransportError("SMTP transport is closed: the message was not sent", {
        failure: "transient",
        details: { provider: "smtp" },
      });
    }
    const mail = buildMail(message, options.from);
    const tracker: Tracker = { hooked: false, dataSent: false };
    const started = performance.now();
    const attempt = new Promise<SMTPPool.SentMessageInfo>((resolve, reject) => {
      transporter.sendMail({ ...mail, [TRACKER_KEY]: tracker } as Mail.Options, (error, info) => {
        if (error) {
          // The phase is read now, in nodemailer's callback, before any later stream event can change it.
          const phase: SmtpPhase = !tracker.hooked || tracker.dataSent ? "data-sent" : "before-data";
          reject(classifySmtpError(error, phase));
        } else resolve(info);
      });
    });
    inFlight.add(attempt);
    try {
      const info = await attempt;
      logger.info("smtp.send.accepted", { ...fields, durationMs: Math.round(performance.now() - started) });
      return { providerMessageId: info.messageId ?? mail.messageId, provider: "smtp", status: "sent" };
    } catch (error) {
      const e = error as TransportError;
      const log = e.failure === "transient" ? logger.warn : logger.error;
      log.call(logger, "smtp.send.failed", {
        ...fields,
        failure: e.failure,
        responseCode: e.responseCode,
        command: e.command,
        durationMs: Math.round(performance.now() - started),
      });
      throw e;
    } finally {
      inFlight.delete(attempt);
    }
  }

  return {
    name: "smtp",
    channel: "email",
    capabilities: { idempotencyKey: false },
    send,
    async verify() {
      try {
        await transporter.verify();
        logger.debug("smtp.verify.ok", { host: options.host });
      } catch (error) {
        const e = classifySmtpError(error, "before-data");
        logger.error("smtp.verify.failed", { responseCode: e.responseCode, command: e.command });
        throw e;
      }
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      transporter.close();
    },
  };
}

/**
 * nodemailer `stream` plugin: wraps the outgoing message stream of the send it belongs to, so the transport knows
 * whether the SMTP data stream consumed the whole message (after which the server may have accepted it).
 * The wrapper is the last stream before the socket (it wraps `createReadStream`, DKIM included).
 */
function trackDataPhase(mail: Parameters<Mail.PluginFunction>[0], done: (err?: Error | null) => void): void {
  const tracker = (mail.data as Record<string, unknown>)[TRACKER_KEY] as Tracker | undefined;
  const node = mail.message as unknown as { createReadStream?: (...args: unknown[]) => Readable };
  if (tracker && typeof node?.createReadStream === "function") {
    const original = node.createReadStream.bind(node);
    node.createReadStream = (...args: unknown[]) => {
      const stream = original(...args);
      stream.once("end", () => {
        tracker.dataSent = true;
      });
      return stream;
    };
    tracker.hooked = true;
  }
  done();
}

interface BuiltMail {
  from: { name: string; address: string } | string;
  to: { name: string; address: string } | string;
  replyTo?: { name: string; address: string } | string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  envelope: { from: string; to: string[] };
  xMailer: false;
}

/** Builds nodemailer's mail data from the message only; rejects (permanent) what cannot be sent safely. */
function buildMail(message: EmailMessage, defaultFrom: EmailAddress | undefined): BuiltMail {
  const from = message.from ?? defaultFrom;
  const bad: string[] = [];
  if (!message.to || !isValidAddress(message.to.address)) bad.push("to");
  if (!from || !isValidAddress(from.address)) bad.push("from");
  if (message.replyTo && !isValidAddress(message.replyTo.address)) bad.push("replyTo");
  if (typeof message.subject !== "string" || typeof message.text !== "string") bad.push("content");
  if (bad.length > 0 || !from) {
    throw new TransportError(`SMTP send refused before contacting the server: invalid ${bad.join(", ")}`, {
      failure: "permanent",
      command: "API",
      details: { provider: "smtp", invalid: bad.join(",") },
    });
  }
  const domain = from.address.slice(from.address.lastIndexOf("@") + 1);
  const idHash = createHash("sha256").update(message.idempotencyKey).digest("hex").slice(0, 32);
  return {
    from: mailbox(from),
    to: mailbox(message.to),
    ...(message.replyTo ? { replyTo: mailbox(message.replyTo) } : {}),
    subject: headerText(message.subject),
    text: message.text,
    ...(message.html !== undefined ? { html: message.html } : {}),
    messageId: `<${idHash}.rappel@${domainToASCII(domain) || "rappel.invalid"}>`,
    envelope: { from: from.address, to: [message.to.address] },
    xMailer: false,
  };
}

function mailbox(a: EmailAddress): { name: string; address: string } | string {
  const name = a.name === undefined ? "" : headerText(a.name);
  return name === "" ? a.address : { name, address: a.address };
}

function validateOptions(options: SmtpTransportOptions): void {
  const issues: ValidationIssue[] = [];
  const o = (options ?? {}) as Partial<SmtpTransportOptions>;
  if (typeof o.host !== "string" || o.host.trim() === "" || /[\s/]/.test(o.host)) {
    issues.push({ path: "host", message: "Expected a host name or IP address" });
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) {
    issues.push({ path: "port", message: "Expected an integer from 1 to 65535" });
  }
  const positive = [
    "maxConnections",
    "maxMessages",
    "rateDelta",
    "rateLimit",
    "connectionTimeout",
    "greetingTimeout",
    "socketTimeout",
  ] as const;
  for (const key of positive) {
    const v = o[key];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v > 0)) {
      issues.push({ path: key, message: "Expected a positive number" });
    }
  }
  if (o.from !== undefined && (typeof o.from !== "object" || !isValidAddress(o.from.address))) {
    issues.push({ path: "from.address", message: "Expected a valid email address (local@domain)" });
  }
  if (o.auth !== undefined) {
    if (typeof o.auth !== "object" || typeof o.auth.user !== "string" || o.auth.user === "") {
      issues.push({ path: "auth.user", message: "Expected a non-empty user name" });
    }
    if (o.auth && "type" in o.auth) {
      if (typeof o.auth.accessToken !== "string" || o.auth.accessToken === "") {
        issues.push({ path: "auth.accessToken", message: "Expected a non-empty OAuth2 access token" });
      }
    } else if (o.auth && typeof (o.auth as { pass?: unknown }).pass !== "string") {
      issues.push({ path: "auth.pass", message: "Expected a password string" });
    }
  }
  if (o.dkim !== undefined) {
    for (const key of ["domainName", "keySelector"] as const) {
      if (typeof o.dkim?.[key] !== "string" || o.dkim[key] === "") {
        issues.push({ path: `dkim.${key}`, message: "Expected a non-empty string" });
      }
    }
    if (o.dkim?.privateKey === undefined) issues.push({ path: "dkim.privateKey", message: "Expected a PEM key" });
  }
  if (issues.length > 0) {
    throw new ValidationError(ErrorCode.INVALID_OPTIONS, "Invalid SMTP transport options", issues);
  }
}
