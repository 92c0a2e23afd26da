import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import {
  type Clock,
  ErrorCode,
  type Logger,
  noopLogger,
  systemClock,
  ValidationError,
  type ValidationIssue,
} from "@rappel/core";
import { type InboundKeyword, keywordOf } from "./keywords.js";
import { validateTwilioSignature } from "./signature.js";
import { isTwilioMessageStatus, type TwilioMessageStatus } from "./status.js";

/**
 * A delivery status callback, as handed to {@link TwilioWebhookSink.onStatus}.
 *
 * @example
 * ```ts
 * const event: TwilioStatusEvent = {
 *   providerMessageId: "SM0123456789abcdef0123456789abcdef", status: "delivered", at: new Date(),
 * };
 * ```
 */
export interface TwilioStatusEvent {
  /** Twilio's message sid (`MessageSid`): the `providerMessageId` the transport returned. */
  providerMessageId: string;
  /** The new status (`MessageStatus`). Fold it with {@link furthestStatus}: callbacks come duplicated and out of order. */
  status: TwilioMessageStatus;
  /** Twilio's error code for `failed`/`undelivered` (`ErrorCode`, e.g. `"30003"`). */
  errorCode?: string;
  /** When the callback was received (the handler's clock). */
  at: Date;
  /** Twilio's `I-Twilio-Idempotency-Token` header, when present: the same for retries of one callback. */
  idempotencyToken?: string;
}

/**
 * An inbound SMS, as handed to {@link TwilioWebhookSink.onInbound}.
 *
 * @example
 * ```ts
 * const event: TwilioInboundEvent = {
 *   providerMessageId: "SM…", from: "+33612345678", to: "+33757000000", body: "STOP", optOut: "stop", at: new Date(),
 * };
 * ```
 */
export interface TwilioInboundEvent {
  /** Twilio's sid of the inbound message. */
  providerMessageId: string;
  /** The patient's number (`From`), E.164. */
  from: string;
  /** Our number or sender that received it (`To`). */
  to: string;
  /** The text (`Body`). Personal data: do not log it. */
  body: string;
  /**
   * The keyword the message is, if any: `stop` → opt the number out of SMS and cancel its pending SMS;
   * `start` → opt it back in; `help` → nothing to change. Twilio's `OptOutType` decides when present, otherwise
   * the body is matched against the keyword list (see the adapter guide).
   */
  optOut?: InboundKeyword;
  /** When the message was received (the handler's clock). */
  at: Date;
  /** Twilio's `I-Twilio-Idempotency-Token` header, when present. */
  idempotencyToken?: string;
}

/**
 * What the webhook handler calls once a request is authenticated. The engine implements it: `onStatus` folds the
 * status into the journal, `onInbound` applies STOP/START. Both must be idempotent: Twilio
 * retries and duplicates callbacks. A rejection makes the handler answer 500.
 *
 * @example
 * ```ts
 * const sink: TwilioWebhookSink = {
 *   async onStatus(e) { await journal.foldStatus(e.providerMessageId, e.status, e.errorCode); },
 *   async onInbound(e) { if (e.optOut === "stop") await contacts.optOutSms(e.from); },
 * };
 * ```
 */
export interface TwilioWebhookSink {
  /** A status callback for a message we sent. */
  onStatus(event: TwilioStatusEvent): Promise<void>;
  /** An SMS a patient sent to one of our numbers. */
  onInbound(event: TwilioInboundEvent): Promise<void>;
}

/**
 * Options of {@link createTwilioWebhookHandler}.
 *
 * @example
 * ```ts
 * const options: TwilioWebhookOptions = {
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   url: "https://rappel.example.org/webhooks/twilio",
 *   sink,
 * };
 * ```
 */
export interface TwilioWebhookOptions {
  /** The account's auth token: Twilio signs every webhook with it (API keys play no part here). */
  authToken: string;
  /**
   * The exact public URL Twilio calls (as configured in the console or sent as `StatusCallback`, query string
   * included), or a function computing it from the request. Needed behind a proxy or a TLS terminator, where the
   * URL the server sees is not the one Twilio signed. @default the request's own URL
   */
  url?: string | ((request: Request) => string);
  /** Receives the authenticated events. */
  sink: TwilioWebhookSink;
  /** Largest body accepted, in bytes; a larger one gets 413. @default 65536 */
  maxBodyBytes?: number;
  /** Gives each event's `at`. @default the system clock */
  clock?: Clock;
  /** Where the handler reports what it does (message sids and outcomes only). @default a logger that discards */
  logger?: Logger;
}

/**
 * A framework-agnostic webhook handler: a Web `Request` in, a Web `Response` out. It never throws.
 *
 * @example
 * ```ts
 * const handler: TwilioWebhookHandler = createTwilioWebhookHandler({ authToken, sink });
 * const response = await handler(request);
 * ```
 */
export type TwilioWebhookHandler = (request: Request) => Promise<Response>;

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * Creates the handler for Twilio's status callbacks and inbound messages. For each POST it:
 *
 * 1. refuses a body over `maxBodyBytes` (413) and a request without `X-Twilio-Signature` (400);
 * 2. validates the signature exactly as Twilio specifies — HMAC-SHA1 of the URL (tried with and without the
 *    port) followed by the sorted form parameters, or of the URL alone for JSON bodies whose SHA-256 must match
 *    the `bodySHA256` query parameter — with a constant-time comparison; a mismatch gets 403;
 * 3. hands a status callback (`MessageSid`, `MessageStatus`, `ErrorCode`) to `sink.onStatus`, an inbound message
 *    (`From`, `To`, `Body`, `OptOutType`) to `sink.onInbound` with its STOP/START/HELP keyword, and answers 200
 *    with empty TwiML (Twilio sends its own opt-out confirmations). An unknown status is acknowledged and
 *    ignored; a sink failure gets 500 so that Twilio may retry.
 *
 * @example
 * ```ts
 * // Next.js route handler: app/webhooks/twilio/route.ts
 * import { createTwilioWebhookHandler } from "@rappel/adapters-twilio";
 * const handler = createTwilioWebhookHandler({
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   url: "https://rappel.example.org/webhooks/twilio",
 *   sink: createWebhookSink(engine, { structuresFor: (e) => (e.to === "+33757000000" ? ["s1"] : []) }),
 * });
 * export const POST = handler;
 * ```
 */
export function createTwilioWebhookHandler(options: TwilioWebhookOptions): TwilioWebhookHandler {
  const issues: ValidationIssue[] = [];
  const o = (options ?? {}) as Partial<TwilioWebhookOptions>;
  if (typeof o.authToken !== "string" || o.authToken === "") {
    issues.push({ path: "authToken", message: "Expected the account's auth token" });
  }
  if (!o.sink || typeof o.sink.onStatus !== "function")
    issues.push({ path: "sink.onStatus", message: "Expected a function" });
  if (!o.sink || typeof o.sink.onInbound !== "function") {
    issues.push({ path: "sink.onInbound", message: "Expected a function" });
  }
  if (o.url !== undefined && typeof o.url !== "function" && !isAbsoluteUrl(o.url)) {
    issues.push({ path: "url", message: "Expected an absolute URL or a function" });
  }
  if (o.maxBodyBytes !== undefined && !(Number.isInteger(o.maxBodyBytes) && o.maxBodyBytes > 0)) {
    issues.push({ path: "maxBodyBytes", message: "Expected a positive integer" });
  }
  if (issues.length > 0) throw new ValidationError(ErrorCode.INVALID_OPTIONS, "Invalid Twilio webhook options", issues);
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const logger = options.logger ?? noopLogger;
  const clock: Clock = options.clock ?? systemClock;

  return async function handleTwilioWebhook(request: Request): Promise<Response> {
    try {
      if (request.method !== "POST") return text(405, "Method Not Allowed", { Allow: "POST" });
      const declared = Number(request.headers.get("content-length") ?? "0");
      if (declared > maxBodyBytes) return text(413, "Payload Too Large");
      const raw = await request.text();
      if (Buffer.byteLength(raw, "utf8") > maxBodyBytes) return text(413, "Payload Too Large");

      const signature = request.headers.get("x-twilio-signature");
      if (!signature) {
        logger.warn("twilio.webhook.rejected", { reason: "signature-missing" });
        return text(400, "Missing X-Twilio-Signature");
      }
      const url = typeof options.url === "function" ? options.url(request) : (options.url ?? request.url);
      const isJson = /\bjson\b/i.test(request.headers.get("content-type") ?? "");
      let params: Record<string, string | string[]>;
      if (isJson) {
        params = jsonParams(raw);
      } else {
        params = formParams(raw);
      }
      const valid = validateTwilioSignature(
        isJson
          ? { authToken: options.authToken, signature, url, body: raw }
          : { authToken: options.authToken, signature, url, params },
      );
      if (!valid) {
        logger.warn("twilio.webhook.rejected", { reason: "signature-invalid" });
        return text(403, "Invalid X-Twilio-Signature");
      }

      const one = (key: string): string | undefined => {
        const v = params[key];
        return typeof v === "string" ? v : Array.isArray(v) ? v[0] : undefined;
      };
      const idempotencyToken = request.headers.get("i-twilio-idempotency-token") ?? undefined;
      const sid = one("MessageSid") ?? one("SmsSid") ?? "";
      const messageStatus = (one("MessageStatus") ?? one("SmsStatus"))?.toLowerCase();
      const body = one("Body");
      const at = clock.now();

      if (body !== undefined && (messageStatus === undefined || messageStatus === "received")) {
        const optOutType = one("OptOutType")?.toLowerCase();
        const optOut =
          optOutType === "stop" || optOutType === "start" || optOutType === "help" ? optOutType : keywordOf(body);
        await options.sink.onInbound({
          providerMessageId: sid,
          from: one("From") ?? "",
          to: one("To") ?? "",
          body,
          ...(optOut ? { optOut } : {}),
          at,
          ...(idempotencyToken ? { idempotencyToken } : {}),
        });
        logger.info("twilio.webhook.inbound", { providerMessageId: sid, optOut: optOut ?? null });
        return twiml();
      }
      if (messageStatus !== undefined && sid !== "") {
        if (!isTwilioMessageStatus(messageStatus)) {
          logger.debug("twilio.webhook.status-ignored", { providerMessageId: sid, status: messageStatus });
          return twiml();
        }
        const errorCode = one("ErrorCode");
        await options.sink.onStatus({
          providerMessageId: sid,
          status: messageStatus,
          ...(errorCode ? { errorCode } : {}),
          at,
          ...(idempotencyToken ? { idempotencyToken } : {}),
        });
        logger.info("twilio.webhook.status", { providerMessageId: sid, status: messageStatus, errorCode });
        return twiml();
      }
      logger.warn("twilio.webhook.unrecognised", {});
      return text(400, "Not a Twilio status callback or inbound message");
    } catch (error) {
      logger.error("twilio.webhook.failed", { error: error instanceof Error ? error.name : typeof error });
      return text(500, "Internal Server Error");
    }
  };
}

function isAbsoluteUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function formParams(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function jsonParams(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return out;
  }
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string") out[key] = value;
      else if (typeof value === "number" || typeof value === "boolean") out[key] = String(value);
    }
  }
  return out;
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

function twiml(): Response {
  return new Response(EMPTY_TWIML, { status: 200, headers: { "Content-Type": "text/xml; charset=utf-8" } });
}

/**
 * Options of {@link toNodeHandler}.
 *
 * @example
 * ```ts
 * const options: NodeHandlerOptions = { maxBodyBytes: 65536 };
 * ```
 */
export interface NodeHandlerOptions {
  /** Largest body read from the request stream, in bytes; a larger one gets 413 without being read in full. @default 65536 */
  maxBodyBytes?: number;
}

/**
 * Adapts a Web handler to Node's `http` (`(req, res)`), for `http.createServer`, Express, Fastify's raw routes…
 * The request URL is rebuilt from the `Host` header and the socket (`https` when it is a TLS socket); pass the
 * webhook's public `url` option when a proxy sits in front. The raw body is read from the stream; if a body
 * parser ran first, a string/Buffer `req.body` is used as is and a parsed form object is re-encoded (JSON bodies
 * need the raw text: mount the route before `express.json()`).
 *
 * @example
 * ```ts
 * import express from "express";
 * import { createTwilioWebhookHandler, toNodeHandler } from "@rappel/adapters-twilio";
 *
 * const app = express();
 * app.post("/webhooks/twilio", toNodeHandler(createTwilioWebhookHandler({ authToken, url, sink })));
 * ```
 */
export function toNodeHandler(
  handler: TwilioWebhookHandler,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  return async (req, res) => {
    let response: Response;
    try {
      const body = await readBody(req, maxBodyBytes);
      if (body === null) {
        response = new Response("Payload Too Large", { status: 413 });
      } else {
        const secure = Boolean((req.socket as TLSSocket).encrypted);
        const url = `${secure ? "https" : "http"}://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
        const headers = new Headers();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value === undefined) continue;
          if (Array.isArray(value)) for (const v of value) headers.append(key, v);
          else headers.set(key, value);
        }
        headers.delete("content-length");
        const method = req.method ?? "GET";
        response = await handler(
          new Request(url, { method, headers, ...(method === "GET" || method === "HEAD" ? {} : { body }) }),
        );
      }
    } catch {
      response = new Response("Bad Request", { status: 400 });
    }
    res.statusCode = response.status;
    response.headers.forEach((value, key) => {
      res.setHeader(key, value);
    });
    res.end(Buffer.from(await response.arrayBuffer()));
  };
}

/** The raw body, or `null` when it is over the limit. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (typeof parsed === "string") return parsed;
  if (Buffer.isBuffer(parsed)) return parsed.toString("utf8");
  if (parsed && typeof parsed === "object") {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (Array.isArray(value)) for (const v of value) form.append(key, String(v));
      else if (value !== undefined && value !== null) form.append(key, String(value));
    }
    return form.toString();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
