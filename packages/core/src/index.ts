/**
 * `@rappel/core`: the domain model and its zod schemas, account options with defaults and cross-field rules, the
 * signature cascade, typed errors, and the adapter contracts (transports, clock, logger).
 *
 * @packageDocumentation
 */

export type { Clock, ManualClock } from "./contracts/clock.js";
export { createManualClock, systemClock } from "./contracts/clock.js";
export type { InAppTransportOptions } from "./contracts/inAppTransport.js";
export { createInAppTransport } from "./contracts/inAppTransport.js";
export type { AppointmentAction, CustomSmsKind, MessageKind, SecurityEvent } from "./contracts/kinds.js";
export { MESSAGE_KINDS, SECURITY_EVENTS } from "./contracts/kinds.js";
export type { LogFields, Logger } from "./contracts/logger.js";
// Contracts
export { noopLogger } from "./contracts/logger.js";
export type { MemoryTransport, MemoryTransportOptions, RecordedMessage } from "./contracts/memoryTransport.js";
export { createMemoryTransport } from "./contracts/memoryTransport.js";
export type {
  CancelSpec,
  JsonValue,
  PlannedSend,
  PlanResult,
  SendRecipient,
  SkippedSend,
  SkipReason,
} from "./contracts/sends.js";
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
// Domain (R-01…R-10)
export { addMoney, currencyMinorDigits, MoneySchema, multiplyMoney } from "./domain/money.js";
export type { ParseOptions } from "./domain/parse.js";
export {
  checkAccountOptions,
  parseAgenda,
  parseAppointment,
  parseClientAccount,
  parseCollaboratorUser,
  parseContact,
  parseMessage,
  parseResource,
  parseService,
  parseStructure,
  validateAccounts,
} from "./domain/parse.js";
export type { NormalizedPhone, NormalizePhoneOptions } from "./domain/phone.js";
export { isPhoneRegion, normalizePhone, PhoneNumberSchema, phoneNumberSchema } from "./domain/phone.js";
export type {
  AccessLevel,
  Address,
  Agenda,
  Appointment,
  ClientAccount,
  CollaboratorRole,
  CollaboratorUser,
  Contact,
  ContactPreferences,
  LeadTime,
  Message,
  Resource,
  Service,
  Structure,
} from "./domain/schemas.js";
export {
  AccessLevelSchema,
  AddressSchema,
  AgendaSchema,
  AppointmentSchema,
  AppointmentStatusSchema,
  ClientAccountSchema,
  CollaboratorRoleSchema,
  CollaboratorUserSchema,
  ContactPreferencesSchema,
  ContactSchema,
  contactSchemaFor,
  LeadTimeSchema,
  MessageSchema,
  ResourceSchema,
  ServiceSchema,
  StructureSchema,
} from "./domain/schemas.js";
export { CalendarDateSchema, InstantSchema, isValidTimeZone, TimeOfDaySchema, TimeZoneSchema } from "./domain/time.js";
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
export { appointmentsInMonth } from "./helpers/monthly.js";
export type { RequiredContactField } from "./helpers/requiredFields.js";
export { missingBookingFields } from "./helpers/requiredFields.js";
export type { WaitingListWindow } from "./helpers/waitingList.js";
// Helpers
export { shiftWaitingListWindow } from "./helpers/waitingList.js";
export { resolveOptions } from "./options/resolveOptions.js";
export type {
  AccountOptions,
  AccountOptionsInput,
  NotificationRecipient,
  ReminderSlotOptions,
} from "./options/schema.js";
// Options (R-11…R-19)
export { AccountOptionsSchema } from "./options/schema.js";
export type { ResolveSignatureInput, SignaturePurpose } from "./signatures/resolveSignature.js";
// Signatures
export { resolveSignature, SIGNATURE_PURPOSES } from "./signatures/resolveSignature.js";
export * from "./storage/index.js";
// Time zones and the proleptic Gregorian calendar: one engine for timing and formatting
export * from "./time/index.js";
