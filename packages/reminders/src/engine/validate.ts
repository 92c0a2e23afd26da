import { ErrorCode, SECURITY_EVENTS, ValidationError } from "@rappel/core";
import { z } from "zod";

const Id = z.string().min(1, "Expected a non-empty id").max(500);
const Instant = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v, ctx) => {
  const d = v instanceof Date ? new Date(v.getTime()) : new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: "Expected a valid instant" });
    return z.NEVER;
  }
  return d;
});
const Overrides = z
  .strictObject({
    account: z.strictObject({ message: z.boolean(), email: z.boolean(), sms: z.boolean() }).partial().optional(),
    contact: z.strictObject({ email: z.boolean(), sms: z.boolean() }).partial().optional(),
  })
  .optional();

/** Validates with zod and throws Rappel's `ValidationError` (`invalid-input`) listing every failing path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  const first = issues[0];
  throw new ValidationError(
    ErrorCode.INVALID_INPUT,
    `Invalid ${what}: ${first ? `${first.path || "(root)"}: ${first.message}` : "invalid"}`,
    issues,
  );
}

export const StructureIdSchema = Id;

export const AppointmentEventSchema = z.strictObject({ appointmentId: Id, overrides: Overrides });

export const AppointmentMovedSchema = z.strictObject({
  appointmentId: Id,
  previousStart: Instant,
  previousEnd: Instant.optional(),
  overrides: Overrides,
});

export const MessageTakenSchema = z.strictObject({
  message: z.strictObject({
    id: Id,
    accountId: Id,
    subject: z.string().min(1).max(300),
    contactId: Id.optional(),
  }),
  overrides: z.strictObject({ email: z.boolean(), fax: z.boolean(), sms: z.boolean() }).partial().optional(),
});

export const SecurityEventSchema = z.strictObject({
  event: z.enum(SECURITY_EVENTS),
  eventId: Id,
  user: z.strictObject({ id: Id, email: z.email() }),
  previousEmail: z.email().optional(),
  agendaId: Id.optional(),
  agendaIds: z.array(Id).max(10_000).optional(),
  accountId: Id.optional(),
});

export const CustomSmsSchema = z.strictObject({
  kind: z.enum(["individual", "scheduled", "group", "birthday"]),
  id: Id,
  accountId: Id,
  contactIds: z.array(Id).min(1).max(100_000),
  text: z.string().max(1_600),
  sendAt: Instant.optional(),
  at: z
    .string()
    .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'Expected a local time "HH:mm"')
    .optional(),
  timeZone: z.string().min(1).optional(),
});

export const ContactChangedSchema = z.strictObject({ contactId: Id });

export const SmsKeywordSchema = z.strictObject({
  phone: z.string().regex(/^\+[1-9]\d{5,14}$/, "Expected an E.164 number such as +33612345678"),
  keyword: z.enum(["stop", "start"]),
  at: Instant.optional(),
});

export const AccountChangedSchema = z.strictObject({ accountId: Id });

export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Expected a month "YYYY-MM"');

export const ProviderStatusSchema = z.strictObject({
  provider: z.string().min(1),
  providerMessageId: z.string().min(1),
  status: z.enum(["accepted", "queued", "sent", "delivered", "undelivered", "failed"]),
  at: Instant,
  errorCode: z.string().optional(),
});

export const RunDueSchema = z.strictObject({ limit: z.number().int().min(1).max(10_000).optional() }).optional();

export const EngineOptionsSchema = z.object({
  lateness: z.number().int().min(0).optional(),
  leaseMs: z.number().int().min(1).optional(),
  workerId: z.string().min(1).max(200).optional(),
  batchSize: z.number().int().min(1).max(10_000).optional(),
  pollIntervalMs: z.number().int().min(1).optional(),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(100).optional(),
      baseDelayMs: z.number().int().min(0).optional(),
      maxDelayMs: z.number().int().min(0).optional(),
    })
    .optional(),
  pricing: z
    .strictObject({
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .optional(),
      freeReminderSms: z.number().int().min(0).optional(),
      reminderSms: z.number().int().min(0).optional(),
      customSms: z.number().int().min(0).optional(),
    })
    .optional(),
});
