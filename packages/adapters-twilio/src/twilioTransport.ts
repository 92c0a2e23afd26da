import {
  type Clock,
  ErrorCode,
  type Logger,
  noopLogger,
  type SendResult,
  type SmsMessage,
  systemClock,
  type Transport,
  TransportError,
  type TransportFailure,
  ValidationError,
  type ValidationIssue,
} from "@rappel/core";

/**
 * Options of {@link createTwilioTransport}. Validated when the transport is created: an invalid set throws a
 * `ValidationError` (`code: "invalid-options"`) listing every failing path.
 *
 * @example
 * ```ts
 * const options: TwilioTransportOptions = {
 *   accountSid: "AC00000000000000000000000000000000",
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   messagingServiceSid: "MG00000000000000000000000000000000",
 *   statusCallback: "https://rappel.example.org/webhooks/twilio",
 * };
 * ```
 */
export interface TwilioTransportOptions {
  /** The account SID (`AC` + 32 hex digits); it is part of every API path. */
  accountSid: string;
  /** The account's auth token (HTTP Basic password). Either this or `apiKey` is required. */
  authToken?: string;
  /** An API key (`SK…` SID and its secret), used for HTTP Basic instead of the auth token. */
  apiKey?: { sid: string; secret: string };
  /** Sender: a Twilio number in E.164 or an alphanumeric sender id (≤ 11 characters). Used when a message has no `from` and no `messagingServiceSid` is set. */
  from?: string;
  /** Messaging Service SID (`MG…`): Twilio picks the sender. Takes precedence over `from` when both are set. */
  messagingServiceSid?: string;
  /**
   * URL Twilio posts delivery status callbacks to (where the webhook handler is mounted), or a function giving
   * it per message. @default none: no status callbacks
   */
  statusCallback?: string | ((message: SmsMessage) => string | undefined);
  /** API root, without trailing slash; point it at a local server in tests. @default "https://api.twilio.com" */
  baseUrl?: string;
  /** Milliseconds before a request is abandoned. An abandoned request is an `unknown` outcome (R-48). @default 10000 */
  timeoutMs?: number;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Where the transport reports what it does (pseudonymous ids only). @default a logger that discards */
  logger?: Logger;
  /** Clock used to read a `Retry-After` given as an HTTP date. @default the system clock */
  clock?: Clock;
}

/**
 * The transport returned by {@link createTwilioTransport}.
 *
 * @example
 * ```ts
 * const sms: TwilioTransport = createTwilioTransport({ accountSid, authToken, from: "+33757000000" });
 * await sms.verify();
 * ```
 */
export interface TwilioTransport extends Transport<SmsMessage> {
  /** Always `"twilio"`. */
  readonly name: "twilio";
  /** Always `"sms"`. */
  readonly channel: "sms";
  /** Fetches the account resource; rejects with a `TransportError` when credentials or connectivity fail. */
  verify(): Promise<void>;
  /** Waits for in-flight sends; the transport holds no connection of its own. */
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/** Twilio error codes that say "not now" rather than "never" (HTTP 4xx notwithstanding). */
const TRANSIENT_CODES = new Set([
  "20003", // authentication failed: a configuration problem, not a property of the message
  "20429", // too many requests
  "14107", // SMS send rate limit exceeded
  "21611", // the From number has too many queued messages
]);

/** Node/undici error codes raised before any byte of the request could reach the server. */
const BEFORE_SEND_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * Creates the Twilio SMS transport (R-44): `POST {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json` with
 * HTTP Basic auth and a form body (`To`, `From` or `MessagingServiceSid`, `Body`, `StatusCallback`), through
 * `fetch`.
 *
 * Outcome classes (R-41, R-48):
 * - `21211` (invalid To) and other 4xx → `permanent`; `21610` (recipient replied STOP) → `permanent` with
 *   `optedOut: true`; a few 4xx codes that mean "not now" (`20003`, `20429`, `14107`, `21611`) → `transient`;
 * - HTTP 429 and 5xx → `transient`, with `retryAfterMs` from `Retry-After`;
 * - connection refused, DNS or TLS failure (nothing reached Twilio) → `transient`;
 * - a timeout or a connection reset once the request may have been sent, or a 2xx whose body cannot be read →
 *   `unknown`: Twilio may have queued the message, it must not be resent blindly.
 *
 * Errors carry `responseCode` (HTTP status), `providerCode` (Twilio code), `command: "POST /Messages"` and
 * Twilio's message with phone numbers redacted. Invalid input (a `to` that is not E.164, an empty body) is
 * refused as `permanent` without calling Twilio.
 *
 * @example
 * ```ts
 * import { createTwilioTransport } from "@rappel/adapters-twilio";
 *
 * const sms = createTwilioTransport({
 *   accountSid: process.env.TWILIO_ACCOUNT_SID!,
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   from: "CabDupont",
 *   statusCallback: "https://rappel.example.org/webhooks/twilio",
 * });
 * const result = await sms.send({
 *   channel: "sms", idempotencyKey: "send-42", structureId: "s1", accountId: "a1",
 *   to: "+33612345678", body: "Cabinet Dupont : rappel de votre rendez-vous le 09/06/2026 à 12h00",
 * });
 * result //=> { providerMessageId: "SM…", provider: "twilio", status: "queued", segments: 1 }
 * ```
 */
export function createTwilioTransport(options: TwilioTransportOptions): TwilioTransport {
  validateOptions(options);
  const logger = options.logger ?? noopLogger;
  const clock: Clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? globalThis.fetch;
  const baseUrl = (options.baseUrl ?? "https://api.twilio.com").replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const user = options.apiKey ? options.apiKey.sid : options.accountSid;
  const pass = options.apiKey ? options.apiKey.secret : options.authToken!;
  const authorization = `Basic ${Buffer.from(`${user}:${pass}`, "utf8").toString("base64")}`;
  const accountPath = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}`;
  const inFlight = new Set<Promise<unknown>>();

  async function request(
    method: "GET" | "POST",
    url: string,
    body: URLSearchParams | undefined,
  ): Promise<{ response: Response; text: string } | { error: unknown; timedOut: boolean; headersReceived: boolean }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let headersReceived = false;
    try {
      const response = await doFetch(url, {
        method,
        headers: {
          Authorization: authorization,
          Accept: "application/json",
          "User-Agent": "rappel-adapters-twilio",
          ...(body ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
        },
        ...(body ? { body: body.toString() } : {}),
        signal: controller.signal,
      });
      headersReceived = true;
      const text = await response.text();
      return { response, text };
    } catch (error) {
      return { error, timedOut, headersReceived };
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(message: SmsMessage): Promise<SendResult> {
    const fields = { sendKey: message.idempotencyKey, structureId: message.structureId, accountId: message.accountId };
    const started = performance.now();
    const attempt = (async (): Promise<SendResult> => {
      const form = buildForm(message, options);
      const outcome = await request("POST", `${accountPath}/Messages.json`, form);
      if ("error" in outcome) throw networkError(outcome.error, outcome.timedOut, outcome.headersReceived);
      const { response, text } = outcome;
      if (response.ok) return parseCreated(response.status, text);
      throw httpError(response, text, clock);
    })();
    inFlight.add(attempt);
    try {
      const result = await attempt;
      logger.info("twilio.send.accepted", {
        ...fields,
        providerMessageId: result.providerMessageId,
        segments: result.segments,
        durationMs: Math.round(performance.now() - started),
      });
      return result;
    } catch (error) {
      const e =
        error instanceof TransportError
          ? error
          : new TransportError("Twilio send failed unexpectedly", { failure: "unknown", cause: error });
      (e.failure === "transient" ? logger.warn : logger.error).call(logger, "twilio.send.failed", {
        ...fields,
        failure: e.failure,
        responseCode: e.responseCode,
        providerCode: e.providerCode,
        optedOut: e.optedOut || undefined,
        durationMs: Math.round(performance.now() - started),
      });
      throw e;
    } finally {
      inFlight.delete(attempt);
    }
  }

  return {
    name: "twilio",
    channel: "sms",
    capabilities: { idempotencyKey: false },
    send,
    async verify() {
      const outcome = await request("GET", `${accountPath}.json`, undefined);
      if ("error" in outcome) {
        const e = networkError(outcome.error, outcome.timedOut, outcome.headersReceived);
        // Nothing is sent by a verification: an unanswered one is simply a failure to retry.
        throw e.failure === "unknown" ? new TransportError(e.message, { failure: "transient", cause: e }) : e;
      }
      if (!outcome.response.ok) throw httpError(outcome.response, outcome.text, clock, "GET /Accounts");
      logger.debug("twilio.verify.ok", {});
    },
    async close() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

function buildForm(message: SmsMessage, options: TwilioTransportOptions): URLSearchParams {
  const issues: string[] = [];
  if (typeof message.to !== "string" || !E164.test(message.to)) issues.push("to (expected E.164)");
  if (typeof message.body !== "string" || message.body.trim() === "") issues.push("body (empty)");
  else if (message.body.length > 1600) issues.push("body (over 1600 characters)");
  if (message.from !== undefined && !isValidSender(message.from)) issues.push("from");
  if (issues.length > 0) {
    throw new TransportError(`Twilio send refused before calling the API: invalid ${issues.join(", ")}`, {
      failure: "permanent",
      command: "POST /Messages",
      details: { provider: "twilio" },
    });
  }
  const form = new URLSearchParams();
  form.set("To", message.to);
  if (message.from !== undefined) form.set("From", message.from);
  else if (options.messagingServiceSid) form.set("MessagingServiceSid", options.messagingServiceSid);
  else form.set("From", options.from!);
  form.set("Body", message.body);
  const callback =
    typeof options.statusCallback === "function" ? options.statusCallback(message) : options.statusCallback;
  if (callback) form.set("StatusCallback", callback);
  return form;
}

function isValidSender(from: string): boolean {
  return E164.test(from) || ALPHANUMERIC_SENDER.test(from);
}

function parseCreated(status: number, text: string): SendResult {
  let body: { sid?: unknown; status?: unknown; num_segments?: unknown; error_code?: unknown } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!body || typeof body.sid !== "string" || body.sid === "") {
    throw new TransportError("Twilio accepted the request but its answer has no message sid", {
      failure: "unknown",
      responseCode: status,
      command: "POST /Messages",
      details: { provider: "twilio" },
    });
  }
  if (body.status === "failed" || body.status === "undelivered" || body.status === "canceled") {
    throw new TransportError(`Twilio created the message as ${body.status}`, {
      failure: "permanent",
      responseCode: status,
      command: "POST /Messages",
      ...(body.error_code != null ? { providerCode: String(body.error_code) } : {}),
      details: { provider: "twilio", providerMessageId: body.sid },
    });
  }
  const segments = Number(body.num_segments);
  return {
    providerMessageId: body.sid,
    provider: "twilio",
    status: initialStatus(body.status),
    ...(Number.isInteger(segments) && segments > 0 ? { segments } : {}),
  };
}

function initialStatus(status: unknown): SendResult["status"] {
  switch (status) {
    case "accepted":
    case "scheduled":
      return "accepted";
    case "sending":
    case "sent":
      return "sent";
    case "delivered":
      return "delivered";
    default:
      return "queued";
  }
}

function httpError(response: Response, text: string, clock: Clock, command = "POST /Messages"): TransportError {
  let body: { code?: unknown; message?: unknown; more_info?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") body = parsed as typeof body;
  } catch {
    // Not JSON (a proxy's HTML page, say): the HTTP status alone decides.
  }
  const status = response.status;
  const providerCode = typeof body.code === "number" || typeof body.code === "string" ? String(body.code) : undefined;
  const providerText = typeof body.message === "string" ? redactPhones(body.message).slice(0, 500) : undefined;
  const optedOut = providerCode === "21610";
  let failure: TransportFailure;
  if (optedOut) failure = "permanent";
  else if (status === 429 || status >= 500) failure = "transient";
  else if (providerCode !== undefined && TRANSIENT_CODES.has(providerCode)) failure = "transient";
  else if (status === 401) failure = "transient";
  else failure = "permanent";
  const retryAfterMs =
    failure === "transient" ? parseRetryAfter(response.headers.get("retry-after"), clock) : undefined;
  return new TransportError(
    `Twilio answered ${status}${providerCode ? ` (code ${providerCode})` : ""}${providerText ? `: ${providerText}` : ""}`,
    {
      failure,
      responseCode: status,
      command,
      ...(providerCode !== undefined ? { providerCode } : {}),
      ...(providerText !== undefined ? { providerText } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(optedOut ? { optedOut: true } : {}),
      details: {
        provider: "twilio",
        ...(typeof body.more_info === "string" ? { moreInfo: body.more_info } : {}),
      },
    },
  );
}

function networkError(error: unknown, timedOut: boolean, headersReceived: boolean): TransportError {
  const code = errorCode(error);
  const beforeSend = !timedOut && !headersReceived && code !== undefined && BEFORE_SEND_CODES.has(code);
  const failure: TransportFailure = beforeSend ? "transient" : "unknown";
  const why = timedOut
    ? "no answer before the timeout"
    : beforeSend
      ? `could not connect (${code})`
      : `connection lost (${code ?? "no code"})`;
  return new TransportError(`Twilio request failed: ${why}`, {
    failure,
    command: "POST /Messages",
    details: { provider: "twilio", ...(code !== undefined ? { errorCode: code } : {}), timedOut },
  });
}

/** The error code of a fetch failure: undici wraps the socket error as `cause` (sometimes twice). */
function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) e = errors[0];
    else e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function parseRetryAfter(value: string | null, clock: Clock): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - clock.now().getTime());
}

/** Twilio's error messages quote the phone number: remove every phone-like sequence. */
function redactPhones(text: string): string {
  return text.replace(/\+?\d[\d ().-]{5,}\d/g, "<redacted>");
}

function validateOptions(options: TwilioTransportOptions): void {
  const issues: ValidationIssue[] = [];
  const o = (options ?? {}) as Partial<TwilioTransportOptions>;
  if (typeof o.accountSid !== "string" || !/^AC[0-9a-fA-F]{32}$/.test(o.accountSid)) {
    issues.push({ path: "accountSid", message: "Expected an account SID: AC followed by 32 hex digits" });
  }
  if (o.apiKey !== undefined) {
    if (typeof o.apiKey?.sid !== "string" || !/^SK[0-9a-fA-F]{32}$/.test(o.apiKey.sid)) {
      issues.push({ path: "apiKey.sid", message: "Expected an API key SID: SK followed by 32 hex digits" });
    }
    if (typeof o.apiKey?.secret !== "string" || o.apiKey.secret === "") {
      issues.push({ path: "apiKey.secret", message: "Expected a non-empty secret" });
    }
  } else if (typeof o.authToken !== "string" || o.authToken === "") {
    issues.push({ path: "authToken", message: "Expected the auth token (or an apiKey)" });
  }
  if (o.messagingServiceSid !== undefined && !/^MG[0-9a-fA-F]{32}$/.test(String(o.messagingServiceSid))) {
    issues.push({ path: "messagingServiceSid", message: "Expected MG followed by 32 hex digits" });
  }
  if (o.from !== undefined && (typeof o.from !== "string" || !isValidSender(o.from))) {
    issues.push({ path: "from", message: "Expected an E.164 number or an alphanumeric sender id (≤ 11 characters)" });
  }
  if (o.from === undefined && o.messagingServiceSid === undefined) {
    issues.push({ path: "from", message: "Expected `from` or `messagingServiceSid`" });
  }
  if (typeof o.statusCallback === "string" && !isHttpUrl(o.statusCallback)) {
    issues.push({ path: "statusCallback", message: "Expected an absolute http(s) URL" });
  }
  if (o.baseUrl !== undefined && !isHttpUrl(o.baseUrl)) {
    issues.push({ path: "baseUrl", message: "Expected an absolute http(s) URL" });
  }
  if (o.timeoutMs !== undefined && !(typeof o.timeoutMs === "number" && o.timeoutMs > 0)) {
    issues.push({ path: "timeoutMs", message: "Expected a positive number of milliseconds" });
  }
  if (o.fetch !== undefined && typeof o.fetch !== "function") {
    issues.push({ path: "fetch", message: "Expected a fetch function" });
  }
  if (issues.length > 0)
    throw new ValidationError(ErrorCode.INVALID_OPTIONS, "Invalid Twilio transport options", issues);
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}
