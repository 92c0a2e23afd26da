// The two servers the `--real` demo talks to, in-process on 127.0.0.1: an SMTP server (the `smtp-server` package,
// messages parsed back with `mailparser`) and a small HTTP server speaking Twilio's Messages API, which also posts
// signed status callbacks and inbound messages to a webhook URL the way Twilio does. Written for the demo only.
import { createHash, createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { smsInfo } from "@rappel/templating";
import { type AddressObject, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** An email as the SMTP server received and parsed it. */
export interface ReceivedEmail {
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  hasHtml: boolean;
}

/** A local SMTP server: plain text, no authentication, every message parsed and kept. */
export interface LocalSmtpServer {
  port: number;
  received: ReceivedEmail[];
  close(): Promise<void>;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string =>
  (Array.isArray(a) ? a : a ? [a] : []).map((x) => x.text).join(", ");

/**
 * Starts an SMTP server on 127.0.0.1 (a free port). STARTTLS is not offered: the transport must be created with
 * `requireTLS: false`, as for any local relay.
 */
export async function startSmtpServer(onEmail: (email: ReceivedEmail) => void): Promise<LocalSmtpServer> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    name: "smtp.local.test",
    banner: "Rappel demo SMTP server",
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const email: ReceivedEmail = {
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            messageId: mail.messageId ?? "",
            from: addresses(mail.from),
            to: addresses(mail.to),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            hasHtml: typeof mail.html === "string" && mail.html.length > 0,
          };
          received.push(email);
          onEmail(email);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An SMS as the Twilio-speaking server received it. */
export interface ReceivedSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  segments: number;
  encoding: string;
  statusCallback: string | undefined;
}

/** What a callback post got back from the webhook. */
export interface CallbackPosted {
  kind: "status" | "inbound";
  sid: string;
  status?: string;
  forged: boolean;
  httpStatus: number;
}

/** A local server speaking Twilio's Messages API. */
export interface LocalTwilioServer {
  baseUrl: string;
  received: ReceivedSms[];
  /** Requests refused (bad path or credentials). */
  refused: number;
  /**
   * Posts signed status callbacks (form-encoded, `X-Twilio-Signature`) for a message to its `StatusCallback`, in
   * the order given; `forged` ones carry a signature made with the wrong token.
   */
  postStatuses(sid: string, statuses: readonly { status: string; forged?: boolean }[]): Promise<CallbackPosted[]>;
  /** Posts a signed inbound message (a patient's reply) to `url`, as Twilio does for the number's webhook. */
  postInbound(
    url: string,
    message: { from: string; to: string; body: string; optOutType?: string },
  ): Promise<CallbackPosted>;
  close(): Promise<void>;
}

/**
 * Twilio's request signature: base64 HMAC-SHA1, keyed with the auth token, of the URL followed by every form
 * parameter's name and value, sorted by name.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** Starts the Twilio-speaking server on 127.0.0.1 (a free port) for one account sid and auth token. */
export async function startTwilioServer(
  account: { accountSid: string; authToken: string },
  onSms: (sms: ReceivedSms) => void,
): Promise<LocalTwilioServer> {
  const received: ReceivedSms[] = [];
  const state = { refused: 0 };
  let counter = 0;
  // Deterministic sids, shaped like Twilio's: a prefix and 32 hex digits.
  const sid = (prefix: string) =>
    prefix + createHash("sha256").update(`${prefix}${++counter}`).digest("hex").slice(0, 32);
  const accountPath = `/2010-04-01/Accounts/${account.accountSid}`;
  const expectedAuth = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString("base64")}`;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.headers.authorization !== expectedAuth) {
        state.refused++;
        return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
      }
      if (req.method === "GET" && req.url === `${accountPath}.json`) {
        return json(res, 200, { sid: account.accountSid, friendly_name: "Rappel demo", status: "active" });
      }
      if (req.method !== "POST" || req.url !== `${accountPath}/Messages.json`) {
        state.refused++;
        return json(res, 404, { code: 20404, message: "The requested resource was not found", status: 404 });
      }
      const form = new URLSearchParams(body);
      const to = form.get("To") ?? "";
      const text = form.get("Body") ?? "";
      const from = form.get("From") ?? form.get("MessagingServiceSid") ?? "";
      if (!/^\+[1-9]\d{6,14}$/.test(to)) {
        state.refused++;
        return json(res, 400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 });
      }
      const info = smsInfo(text);
      const sms: ReceivedSms = {
        sid: sid("SM"),
        to,
        from,
        body: text,
        segments: info.segments,
        encoding: info.encoding,
        statusCallback: form.get("StatusCallback") ?? undefined,
      };
      received.push(sms);
      onSms(sms);
      const now = new Date().toUTCString();
      json(res, 201, {
        sid: sms.sid,
        account_sid: account.accountSid,
        to,
        from,
        body: text,
        status: "queued",
        num_segments: String(sms.segments),
        num_media: "0",
        direction: "outbound-api",
        api_version: "2010-04-01",
        price: null,
        error_code: null,
        error_message: null,
        date_created: now,
        date_updated: now,
        date_sent: null,
        uri: `${accountPath}/Messages/${sms.sid}.json`,
      });
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  async function post(url: string, params: Record<string, string>, forged: boolean): Promise<number> {
    const signature = twilioSignature(forged ? `${account.authToken}-wrong` : account.authToken, url, params);
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "x-twilio-signature": signature,
        "i-twilio-idempotency-token": sid("IT"),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(5_000),
    });
    await response.arrayBuffer();
    return response.status;
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    get refused() {
      return state.refused;
    },
    async postStatuses(messageSid, statuses) {
      const sms = received.find((m) => m.sid === messageSid);
      if (!sms?.statusCallback) throw new Error(`No StatusCallback for ${messageSid}`);
      const posted: CallbackPosted[] = [];
      // One at a time, in the given order: the order is the point.
      for (const { status, forged = false } of statuses) {
        const params = {
          AccountSid: account.accountSid,
          ApiVersion: "2010-04-01",
          From: sms.from,
          MessageSid: sms.sid,
          MessageStatus: status,
          SmsSid: sms.sid,
          SmsStatus: status,
          To: sms.to,
        };
        const httpStatus = await post(sms.statusCallback, params, forged);
        posted.push({ kind: "status", sid: sms.sid, status, forged, httpStatus });
      }
      return posted;
    },
    async postInbound(url, message) {
      const messageSid = sid("SM");
      const params: Record<string, string> = {
        AccountSid: account.accountSid,
        ApiVersion: "2010-04-01",
        Body: message.body,
        From: message.from,
        MessageSid: messageSid,
        NumMedia: "0",
        NumSegments: "1",
        SmsMessageSid: messageSid,
        SmsSid: messageSid,
        SmsStatus: "received",
        To: message.to,
        ...(message.optOutType ? { OptOutType: message.optOutType } : {}),
      };
      const httpStatus = await post(url, params, false);
      return { kind: "inbound", sid: messageSid, forged: false, httpStatus };
    },
    close: () => closeHttp(server),
  };
}

/** Closes an HTTP server, dropping its idle keep-alive connections so that it closes at once. */
export function closeHttp(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
