/**
 * Every error code Rappel throws, with a one-line description. Keys are UPPER_SNAKE for use in code; the values
 * (kebab-case) are what `error.code` holds and are stable across releases.
 *
 * @example
 * ```ts
 * import { ErrorCode, RappelError } from "@rappel/core";
 * try { resolveOptions({ sms: { maxSegments: 0 } }) } catch (e) {
 *   if (e instanceof RappelError && e.code === ErrorCode.INVALID_OPTIONS) { … }
 * }
 * ```
 */
export const ErrorCode = {
  /** Account options failed validation; `issues` lists every failing path. */
  INVALID_OPTIONS: "invalid-options",
  /** A domain object or call argument failed validation; `issues` lists every failing path. */
  INVALID_INPUT: "invalid-input",
  /** A phone number could not be parsed or normalised to E.164. */
  INVALID_PHONE: "invalid-phone",
  /** A `Date` argument is not a valid instant. */
  INVALID_DATE: "invalid-date",
  /** A time zone is not a known IANA zone name. */
  INVALID_TIME_ZONE: "invalid-time-zone",
  /** A local time of day is not `HH:mm` (00:00–23:59). */
  INVALID_TIME_OF_DAY: "invalid-time-of-day",
  /** A reminder offset is negative, not an integer, or of an unknown unit. */
  INVALID_OFFSET: "invalid-offset",
  /** A template cannot be parsed (unclosed tag, unbalanced section, bad delimiter). */
  TEMPLATE_SYNTAX: "template-syntax",
  /** A template names a macro outside the catalogue. */
  TEMPLATE_UNKNOWN_MACRO: "template-unknown-macro",
  /** A template uses a construct that is not allowed (partials, unescaped HTML output, lambdas). */
  TEMPLATE_FORBIDDEN: "template-forbidden",
  /** A template lacks a macro its purpose requires (a reminder without the appointment's date and time). */
  TEMPLATE_MISSING_MACRO: "template-missing-macro",
  /** An SMS exceeds the account's maximum number of segments and the overflow policy is `reject`. */
  SMS_TOO_LONG: "sms-too-long",
  /** An email body exceeds 65,535 characters. */
  EMAIL_TOO_LONG: "email-too-long",
  /** A storage or transport adapter threw or rejected; the original error is the `cause`. */
  ADAPTER_ERROR: "adapter-error",
  /** An adapter lacks required methods; `details.missing` lists them all. */
  ADAPTER_INCOMPLETE: "adapter-incomplete",
  /** A transport failed in a way worth retrying (network error, SMTP 4xx, HTTP 429/5xx). */
  TRANSPORT_TRANSIENT: "transport-transient",
  /** A transport failed for good (invalid number, unsubscribed, SMTP 5xx rejection). */
  TRANSPORT_PERMANENT: "transport-permanent",
  /** A transport call may have reached the provider but gave no answer; it must not be resent blindly. */
  TRANSPORT_UNKNOWN: "transport-unknown",
  /** No transport is configured for a channel. */
  NO_TRANSPORT: "no-transport",
  /** The account's SMS quota is used up and overage is not allowed. */
  QUOTA_EXHAUSTED: "quota-exhausted",
  /** A worker's lease on a send lapsed: its fencing token no longer owns the send. */
  LEASE_LOST: "lease-lost",
  /** A referenced record does not exist in the calling structure. */
  NOT_FOUND: "not-found",
  /** A webhook request lacks its signature header. */
  WEBHOOK_SIGNATURE_MISSING: "webhook-signature-missing",
  /** A webhook request's signature does not match. */
  WEBHOOK_SIGNATURE_INVALID: "webhook-signature-invalid",
  /** The call is not valid in the current state (e.g. an engine that was stopped). */
  INVALID_STATE: "invalid-state",
} as const;

/**
 * A stable error code: one of the values of {@link ErrorCode}.
 *
 * @example
 * ```ts
 * const code: ErrorCodeValue = "invalid-options";
 * ```
 */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Human descriptions of each code, for error pages and logs.
 *
 * @example
 * ```ts
 * ErrorCodeDescriptions["sms-too-long"]
 * //=> "An SMS exceeds the account's maximum number of segments and the overflow policy is `reject`."
 * ```
 */
export const ErrorCodeDescriptions: Readonly<Record<ErrorCodeValue, string>> = {
  "invalid-options": "Account options failed validation; `issues` lists every failing path.",
  "invalid-input": "A domain object or call argument failed validation; `issues` lists every failing path.",
  "invalid-phone": "A phone number could not be parsed or normalised to E.164.",
  "invalid-date": "A `Date` argument is not a valid instant.",
  "invalid-time-zone": "A time zone is not a known IANA zone name.",
  "invalid-time-of-day": "A local time of day is not `HH:mm` (00:00–23:59).",
  "invalid-offset": "A reminder offset is negative, not an integer, or of an unknown unit.",
  "template-syntax": "A template cannot be parsed (unclosed tag, unbalanced section, bad delimiter).",
  "template-unknown-macro": "A template names a macro outside the catalogue.",
  "template-forbidden": "A template uses a construct that is not allowed (partials, unescaped HTML output, lambdas).",
  "template-missing-macro":
    "A template lacks a macro its purpose requires (a reminder without the appointment's date and time).",
  "sms-too-long": "An SMS exceeds the account's maximum number of segments and the overflow policy is `reject`.",
  "email-too-long": "An email body exceeds 65,535 characters.",
  "adapter-error": "A storage or transport adapter threw or rejected; the original error is the `cause`.",
  "adapter-incomplete": "An adapter lacks required methods; `details.missing` lists them all.",
  "transport-transient": "A transport failed in a way worth retrying (network error, SMTP 4xx, HTTP 429/5xx).",
  "transport-permanent": "A transport failed for good (invalid number, unsubscribed, SMTP 5xx rejection).",
  "transport-unknown":
    "A transport call may have reached the provider but gave no answer; it must not be resent blindly.",
  "no-transport": "No transport is configured for a channel.",
  "quota-exhausted": "The account's SMS quota is used up and overage is not allowed.",
  "lease-lost": "A worker's lease on a send lapsed: its fencing token no longer owns the send.",
  "not-found": "A referenced record does not exist in the calling structure.",
  "webhook-signature-missing": "A webhook request lacks its signature header.",
  "webhook-signature-invalid": "A webhook request's signature does not match.",
  "invalid-state": "The call is not valid in the current state (e.g. an engine that was stopped).",
};

/**
 * Options accepted by the {@link RappelError} constructor.
 *
 * @example
 * ```ts
 * new RappelError("not-found", "No such appointment", { details: { appointmentId: "a1" } });
 * ```
 */
export interface RappelErrorOptions {
  /** The underlying error, if any (ES2022 `cause`). */
  cause?: unknown;
  /** Structured, non-personal details (ids, counts, paths): never patient data. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The base class of every error Rappel throws. Branch on `code`, never on `message`.
 *
 * @example
 * ```ts
 * try { await engine.runDue() } catch (e) {
 *   if (e instanceof RappelError) console.error(e.code, e.details);
 * }
 * ```
 */
export class RappelError extends Error {
  /** Stable machine-readable code from {@link ErrorCode}. */
  readonly code: ErrorCodeValue;
  /** Structured, non-personal details. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCodeValue, message: string, options: RappelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RappelError";
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * One failing path of a validation: `path` is the dotted path into the input (`""` for the root).
 *
 * @example
 * ```ts
 * const issue: ValidationIssue = { path: "agenda.daysShown", message: "Expected a number from 1 to 7" };
 * ```
 */
export interface ValidationIssue {
  /** Dotted path into the input, e.g. `reminders.0.offset.value`. */
  path: string;
  /** What is wrong there, in English. */
  message: string;
}

/**
 * Thrown when input fails validation. Lists every failing path, not only the first.
 *
 * @example
 * ```ts
 * try { resolveOptions({ agenda: { daysShown: 9 } }) } catch (e) {
 *   if (e instanceof ValidationError) e.issues;
 *   //=> [{ path: "agenda.daysShown", message: "Too big: expected number to be <=7" }]
 * }
 * ```
 */
export class ValidationError extends RappelError {
  /** Every failing path, in input order. */
  readonly issues: readonly ValidationIssue[];

  constructor(
    code: ErrorCodeValue,
    message: string,
    issues: readonly ValidationIssue[],
    options: RappelErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = "ValidationError";
    this.issues = issues;
  }
}

/**
 * How a transport failure should be handled: retried (`transient`), given up (`permanent`), or recorded and not
 * resent (`unknown`: the provider may have received it).
 *
 * @example
 * ```ts
 * const f: TransportFailure = "transient";
 * ```
 */
export type TransportFailure = "transient" | "permanent" | "unknown";

/**
 * Options of a {@link TransportError}.
 *
 * @example
 * ```ts
 * const o: TransportErrorOptions = { failure: "permanent", providerCode: "21211", responseCode: 400 };
 * ```
 */
export interface TransportErrorOptions extends RappelErrorOptions {
  /** Failure class; decides retry, stop, or record-as-unknown. */
  failure: TransportFailure;
  /** Protocol status: SMTP reply code (e.g. 550) or HTTP status (e.g. 429). */
  responseCode?: number;
  /** Provider-specific error code (e.g. Twilio's `21610`). */
  providerCode?: string;
  /** The protocol command or operation that failed (e.g. `RCPT TO`, `DATA`, `POST /Messages`). */
  command?: string;
  /** The provider's own error text, with no message content in it. */
  providerText?: string;
  /** Provider hint for when to retry, in milliseconds (e.g. from `Retry-After`). */
  retryAfterMs?: number;
  /** The number was opted out at the provider (e.g. Twilio 21610): the engine marks the contact. */
  optedOut?: boolean;
}

/**
 * Thrown (or rejected) by transports. The engine decides what to do from `failure`.
 *
 * @example
 * ```ts
 * throw new TransportError("SMTP 451 try later", { failure: "transient", responseCode: 451, command: "DATA" });
 * ```
 */
export class TransportError extends RappelError {
  /** Failure class. */
  readonly failure: TransportFailure;
  /** Protocol status code, when there is one. */
  readonly responseCode: number | undefined;
  /** Provider-specific code, when there is one. */
  readonly providerCode: string | undefined;
  /** The command or operation that failed. */
  readonly command: string | undefined;
  /** The provider's error text. */
  readonly providerText: string | undefined;
  /** Provider hint for when to retry, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** Whether the recipient is opted out at the provider. */
  readonly optedOut: boolean;

  constructor(message: string, options: TransportErrorOptions) {
    const code =
      options.failure === "transient"
        ? ErrorCode.TRANSPORT_TRANSIENT
        : options.failure === "permanent"
          ? ErrorCode.TRANSPORT_PERMANENT
          : ErrorCode.TRANSPORT_UNKNOWN;
    super(code, message, options);
    this.name = "TransportError";
    this.failure = options.failure;
    this.responseCode = options.responseCode;
    this.providerCode = options.providerCode;
    this.command = options.command;
    this.providerText = options.providerText;
    this.retryAfterMs = options.retryAfterMs;
    this.optedOut = options.optedOut ?? false;
  }
}

/**
 * Whether a value is a {@link RappelError} (also across package copies, by shape).
 *
 * @example
 * ```ts
 * isRappelError(new RappelError("not-found", "x")) //=> true
 * isRappelError(new Error("x")) //=> false
 * ```
 */
export function isRappelError(value: unknown): value is RappelError {
  if (value instanceof RappelError) return true;
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === "string" &&
    (Object.values(ErrorCode) as string[]).includes((value as unknown as { code: string }).code)
  );
}
