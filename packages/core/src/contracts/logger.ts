/**
 * Fields attached to a log event. Only pseudonymous ids, counts, codes and durations: never names, phone
 * numbers, email addresses or message bodies.
 *
 * @example
 * ```ts
 * const fields: LogFields = { sendKey: "k1", channel: "sms", attempt: 2 };
 * ```
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * The logger a host passes in. Rappel never writes to the console; it calls these with an event name
 * (`"send.failed"`) and pseudonymous fields.
 *
 * @example
 * ```ts
 * const logger: Logger = {
 *   debug: (event, fields) => pino.debug(fields, event),
 *   info: (event, fields) => pino.info(fields, event),
 *   warn: (event, fields) => pino.warn(fields, event),
 *   error: (event, fields) => pino.error(fields, event),
 * };
 * ```
 */
export interface Logger {
  /** Fine-grained events (claims, renders). */
  debug(event: string, fields?: LogFields): void;
  /** Normal operation (a send delivered). */
  info(event: string, fields?: LogFields): void;
  /** Something recoverable went wrong (a transient failure, a retry). */
  warn(event: string, fields?: LogFields): void;
  /** Something needs attention (a permanent failure, an adapter error). */
  error(event: string, fields?: LogFields): void;
}

/**
 * A logger that discards everything: the default when the host passes none.
 *
 * @example
 * ```ts
 * noopLogger.info("send.sent", { sendKey: "k1" }); // nothing happens
 * ```
 */
export const noopLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
