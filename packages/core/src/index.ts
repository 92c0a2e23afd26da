/**
 * `@rappel/core`: the domain model and its zod schemas, account options with defaults and cross-field rules, the
 * signature cascade, typed errors, and the adapter contracts (transports, clock, logger).
 *
 * @packageDocumentation
 */

export type { Clock, ManualClock } from "./contracts/clock.js";
export { createManualClock } from "./contracts/clock.js";
export type { LogFields, Logger } from "./contracts/logger.js";
export { noopLogger } from "./contracts/logger.js";
export type { MemoryTransport, MemoryTransportOptions, RecordedMessage } from "./contracts/memoryTransport.js";
export { createMemoryTransport } from "./contracts/memoryTransport.js";
export type {
  Channel,
  EmailAddress,
  EmailMessage,
  FaxMessage,
  InAppMessage,
  OutboundMessage,
  SendResult,
  SmsMessage,
  Transport,
} from "./contracts/transport.js";
export { CHANNELS } from "./contracts/transport.js";
export type { Money } from "./domain/money.js";
export { addMoney, currencyMinorDigits, MoneySchema, multiplyMoney } from "./domain/money.js";
export type {
  ErrorCodeValue,
  RappelErrorOptions,
  TransportErrorOptions,
  TransportFailure,
  ValidationIssue,
} from "./errors/errors.js";
export {
  ErrorCode,
  ErrorCodeDescriptions,
  isRappelError,
  RappelError,
  TransportError,
  ValidationError,
} from "./errors/errors.js";
export { MESSAGE_KINDS, SECURITY_EVENTS } from "./contracts/kinds.js";
export type { MessageKind, AppointmentAction, SecurityEvent, CustomSmsKind } from "./contracts/kinds.js";
