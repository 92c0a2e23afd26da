import { z } from "zod";
import { MoneySchema } from "./money.js";
import { isPhoneRegion, normalizePhone } from "./phone.js";
import { CalendarDateSchema, InstantSchema, TimeZoneSchema } from "./time.js";

const Id = z.string().min(1, "Expected a non-empty id").max(200);
const Text = (max: number) => z.string().max(max);
const Email = z.email({ message: "Expected an email address" });
const Locale = z.string().refine(
  (l) => {
    try {
      return Intl.getCanonicalLocales(l).length === 1;
    } catch {
      return false;
    }
  },
  { message: "Expected a BCP 47 locale such as fr-FR" },
);
const Region = z.string().refine(isPhoneRegion, { message: "Expected an ISO 3166-1 alpha-2 region such as FR" });

/** A phone schema reading national numbers in `region`; `mobileOnly` adds "must be a mobile". */
function phone(region: string, mobileOnly: boolean) {
  return z.string().transform((value, ctx) => {
    try {
      const p = normalizePhone(value, { defaultRegion: region });
      if (mobileOnly && !p.mobile) {
        ctx.addIssue({ code: "custom", message: "Expected a mobile phone number (SMS goes only to mobiles)" });
        return z.NEVER;
      }
      return p.e164;
    } catch {
      ctx.addIssue({ code: "custom", message: "Expected a valid phone number" });
      return z.NEVER;
    }
  });
}

/**
 * zod schema of a postal address.
 *
 * @example
 * ```ts
 * AddressSchema.parse({ line1: "12 rue de la Paix", postalCode: "75002", city: "Paris", country: "FR" });
 * ```
 */
export const AddressSchema = z.strictObject({
  line1: Text(200),
  line2: Text(200).optional(),
  postalCode: Text(20).optional(),
  city: Text(100).optional(),
  region: Text(100).optional(),
  regionCode: Text(10).optional(),
  country: Text(2).optional(),
});

/**
 * An address (input and output shapes are the same).
 *
 * @example
 * ```ts
 * const a: Address = { line1: "12 rue de la Paix", city: "Paris" };
 * ```
 */
export type Address = z.output<typeof AddressSchema>;

/**
 * zod schema of a structure, the tenant: an answering service or a practice group.
 *
 * @example
 * ```ts
 * StructureSchema.parse({ id: "s1", name: "Permanence Azur" })
 * //=> { id: "s1", name: "Permanence Azur", defaultRegion: "FR", locale: "fr-FR", timeZone: "Europe/Paris" }
 * ```
 */
export const StructureSchema = z.strictObject({
  id: Id,
  name: Text(200).min(1),
  /** Region used to read national phone numbers. */
  defaultRegion: Region.default("FR"),
  locale: Locale.default("fr-FR"),
  timeZone: TimeZoneSchema.default("Europe/Paris"),
});

/**
 * A structure (tenant).
 *
 * @example
 * ```ts
 * const s: Structure = { id: "s1", name: "Permanence Azur", defaultRegion: "FR", locale: "fr-FR", timeZone: "Europe/Paris" };
 * ```
 */
export type Structure = z.output<typeof StructureSchema>;

/**
 * Roles of collaborator users: manager ("gérant"), supervisor, operator, admin.
 *
 * @example
 * ```ts
 * CollaboratorRoleSchema.parse("manager") //=> "manager"
 * ```
 */
export const CollaboratorRoleSchema = z.enum(["manager", "supervisor", "operator", "admin"]);

/**
 * A collaborator role.
 *
 * @example
 * ```ts
 * const role: CollaboratorRole = "supervisor";
 * ```
 */
export type CollaboratorRole = z.output<typeof CollaboratorRoleSchema>;

/**
 * Builds the collaborator-user schema for a phone region.
 * @internal
 */
function userSchema(region: string) {
  return z.strictObject({
    id: Id,
    structureId: Id,
    role: CollaboratorRoleSchema,
    firstName: Text(100),
    lastName: Text(100),
    email: Email,
    mobile: phone(region, true).optional(),
  });
}

/**
 * zod schema of a collaborator user of a structure; phone numbers read as French national numbers.
 *
 * @example
 * ```ts
 * CollaboratorUserSchema.parse({ id: "u1", structureId: "s1", role: "operator", firstName: "Léa",
 *   lastName: "Roux", email: "lea@permanence.example", mobile: "06 12 34 56 78" }).mobile //=> "+33612345678"
 * ```
 */
export const CollaboratorUserSchema = userSchema("FR");

/**
 * A collaborator user.
 *
 * @example
 * ```ts
 * const u: CollaboratorUser = { id: "u1", structureId: "s1", role: "admin", firstName: "A", lastName: "B", email: "a@b.example" };
 * ```
 */
export type CollaboratorUser = z.output<typeof CollaboratorUserSchema>;

/** @internal */
function clientAccountSchema(region: string) {
  return z.strictObject({
    id: Id,
    structureId: Id,
    name: Text(200).min(1),
    /** External reference used to sync with other agendas. */
    ref: Text(100).optional(),
    /** Unique among the structure's accounts (see `validateAccounts`). */
    email: Email,
    /** Private mobile phone, never shown publicly. */
    mobile: phone(region, true).optional(),
    fax: phone(region, false).optional(),
    civility: z.enum(["dr", "pr", "mr", "mrs", "ms"]).optional(),
    firstName: Text(100).optional(),
    lastName: Text(100).optional(),
    specialty: Text(200).optional(),
    address: AddressSchema.optional(),
    signupDate: CalendarDateSchema,
    status: z.enum(["active", "disabled"]).default("active"),
    /** Online booking is enabled: gives the monthly free reminder SMS. */
    onlineBooking: z.boolean().default(false),
    timeZone: TimeZoneSchema.default("Europe/Paris"),
    locale: Locale.default("fr-FR"),
    /** The account's default email signature. */
    signatureId: Id.optional(),
  });
}

/**
 * zod schema of a client account: a practitioner or practice served by the structure.
 *
 * @example
 * ```ts
 * ClientAccountSchema.parse({ id: "a1", structureId: "s1", name: "Dr Martin", email: "martin@cabinet.example",
 *   signupDate: "2026-01-15" }).status //=> "active"
 * ```
 */
export const ClientAccountSchema = clientAccountSchema("FR");

/**
 * A client account.
 *
 * @example
 * ```ts
 * const a: Pick<ClientAccount, "id" | "name"> = { id: "a1", name: "Dr Martin" };
 * ```
 */
export type ClientAccount = z.output<typeof ClientAccountSchema>;

/**
 * Access levels of a user on an agenda.
 *
 * @example
 * ```ts
 * AccessLevelSchema.parse("write") //=> "write"
 * ```
 */
export const AccessLevelSchema = z.enum(["none", "read", "write", "admin"]);

/**
 * An access level.
 *
 * @example
 * ```ts
 * const level: AccessLevel = "read";
 * ```
 */
export type AccessLevel = z.output<typeof AccessLevelSchema>;

/** @internal */
function agendaSchema(region: string) {
  return z.strictObject({
    id: Id,
    accountId: Id,
    name: Text(200).min(1),
    ownerUserId: Id,
    /** Where the practitioner is notified; either may be absent. */
    practitioner: z
      .strictObject({
        name: Text(200).optional(),
        email: Email.optional(),
        mobile: phone(region, true).optional(),
      })
      .prefault({}),
    access: z
      .array(z.strictObject({ userId: Id, level: AccessLevelSchema }))
      .default([])
      .refine((list) => new Set(list.map((a) => a.userId)).size === list.length, {
        message: "Each user appears at most once in access",
      }),
    signatureId: Id.optional(),
  });
}

/**
 * zod schema of an agenda: owner, practitioner notification email/mobile, user access levels.
 *
 * @example
 * ```ts
 * AgendaSchema.parse({ id: "g1", accountId: "a1", name: "Dr Martin", ownerUserId: "u1",
 *   practitioner: { mobile: "06 12 34 56 78" } }).practitioner.mobile //=> "+33612345678"
 * ```
 */
export const AgendaSchema = agendaSchema("FR");

/**
 * An agenda.
 *
 * @example
 * ```ts
 * const g: Pick<Agenda, "id" | "ownerUserId"> = { id: "g1", ownerUserId: "u1" };
 * ```
 */
export type Agenda = z.output<typeof AgendaSchema>;

/**
 * zod schema of a service ("motif", "prestation").
 *
 * @example
 * ```ts
 * ServiceSchema.parse({ id: "m1", accountId: "a1", label: "Consultation", durationMinutes: 30 }).color //=> "#4f7cac"
 * ```
 */
export const ServiceSchema = z.strictObject({
  id: Id,
  accountId: Id,
  label: Text(200).min(1),
  durationMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, "Expected a color #rrggbb")
    .default("#4f7cac"),
  onlineBookable: z.boolean().default(false),
  /** Only known contacts may book it online. */
  blockNewContacts: z.boolean().default(false),
  /** Appointment types it can be booked on; empty means all. */
  allowedTypes: z.array(Text(100)).default([]),
  /** Overrides the account's address for appointments of this service. */
  address: AddressSchema.optional(),
  /** Shown in confirmations. */
  patientInstructions: Text(5_000).optional(),
  description: Text(5_000).optional(),
  signatureId: Id.optional(),
});

/**
 * A service.
 *
 * @example
 * ```ts
 * const m: Pick<Service, "label" | "durationMinutes"> = { label: "Consultation", durationMinutes: 30 };
 * ```
 */
export type Service = z.output<typeof ServiceSchema>;

/**
 * zod schema of a bookable resource (room, equipment, person).
 *
 * @example
 * ```ts
 * ResourceSchema.parse({ id: "r1", accountId: "a1", name: "Salle 2", kind: "room" }).kind //=> "room"
 * ```
 */
export const ResourceSchema = z.strictObject({
  id: Id,
  accountId: Id,
  name: Text(200).min(1),
  kind: z.enum(["room", "equipment", "person"]).default("room"),
  signatureId: Id.optional(),
});

/**
 * A resource.
 *
 * @example
 * ```ts
 * const r: Resource = { id: "r1", accountId: "a1", name: "Salle 2", kind: "room" };
 * ```
 */
export type Resource = z.output<typeof ResourceSchema>;

/**
 * zod schema of a reminder lead time: `{ value, unit }`, with an optional local time of day for day offsets.
 *
 * @example
 * ```ts
 * LeadTimeSchema.parse({ value: 1, unit: "days", at: "18:00" }) //=> { value: 1, unit: "days", at: "18:00" }
 * ```
 */
export const LeadTimeSchema = z
  .strictObject({
    value: z.number().int("Expected a whole number").min(0),
    unit: z.enum(["hours", "days"]),
    at: z
      .string()
      .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "Expected a time of day HH:mm")
      .optional(),
  })
  .superRefine((o, ctx) => {
    if (o.at !== undefined && o.unit !== "days") {
      ctx.addIssue({ code: "custom", path: ["at"], message: "A time of day only goes with a day offset" });
    }
    if (o.unit === "hours" && o.value > 24 * 90) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "At most 2160 hours (90 days)" });
    }
    if (o.unit === "days" && o.value > 90) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "At most 90 days" });
    }
  });

/**
 * A reminder lead time.
 *
 * @example
 * ```ts
 * const dayBeforeAt18: LeadTime = { value: 1, unit: "days", at: "18:00" };
 * ```
 */
export type LeadTime = z.output<typeof LeadTimeSchema>;

/**
 * zod schema of a contact's communication preferences. `enabled` left out means "follow the
 * account's consent model" (on under opt-out, off under opt-in).
 *
 * @example
 * ```ts
 * ContactPreferencesSchema.parse({ sms: { enabled: true, leadTime: { value: 48, unit: "hours" } } }).email
 * //=> {}
 * ```
 */
export const ContactPreferencesSchema = z.strictObject({
  email: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** Overrides the account's reminder lead time for email. */
      leadTime: LeadTimeSchema.optional(),
    })
    .prefault({}),
  sms: z
    .strictObject({
      enabled: z.boolean().optional(),
      leadTime: LeadTimeSchema.optional(),
      /** Index into `phones` of the number that receives SMS; default: the first mobile. */
      phoneIndex: z.number().int().min(0).optional(),
      /** Opted out by an inbound STOP; only START or the contact's explicit consent clears it. */
      optedOut: z.boolean().default(false),
    })
    .prefault({}),
});

/**
 * A contact's communication preferences.
 *
 * @example
 * ```ts
 * const p: ContactPreferences = { email: { enabled: false }, sms: { enabled: true, optedOut: false } };
 * ```
 */
export type ContactPreferences = z.output<typeof ContactPreferencesSchema>;

/** @internal */
function contactSchema(region: string) {
  return z
    .strictObject({
      id: Id,
      structureId: Id,
      /** Accounts that share this contact; at least one. */
      accountIds: z.array(Id).min(1),
      firstName: Text(100).default(""),
      lastName: Text(100).min(1),
      email: Email.optional(),
      phones: z
        .array(
          z.strictObject({
            number: z.string(),
            /** Whether the number is a mobile; detected from the number when left out. */
            mobile: z.boolean().optional(),
            label: Text(50).optional(),
          }),
        )
        .max(10)
        .default([]),
      birthDate: CalendarDateSchema.optional(),
      address: Text(300).optional(),
      postalCode: Text(20).optional(),
      city: Text(100).optional(),
      remark: Text(2_000).optional(),
      preferences: ContactPreferencesSchema.prefault({}),
    })
    .transform((contact, ctx) => {
      const phones = contact.phones.map((entry, index) => {
        try {
          const p = normalizePhone(entry.number, { defaultRegion: region });
          if (entry.mobile === true && !p.mobile) {
            ctx.addIssue({
              code: "custom",
              path: ["phones", index, "mobile"],
              message: "This number is not a mobile number",
            });
          }
          return { ...entry, number: p.e164, mobile: entry.mobile ?? p.mobile };
        } catch {
          ctx.addIssue({ code: "custom", path: ["phones", index, "number"], message: "Expected a valid phone number" });
          return { ...entry, mobile: entry.mobile ?? false };
        }
      });
      const smsIndex = contact.preferences.sms.phoneIndex;
      if (smsIndex !== undefined) {
        const chosen = phones[smsIndex];
        if (!chosen) {
          ctx.addIssue({
            code: "custom",
            path: ["preferences", "sms", "phoneIndex"],
            message: "No phone at this index",
          });
        } else if (!chosen.mobile) {
          ctx.addIssue({
            code: "custom",
            path: ["preferences", "sms", "phoneIndex"],
            message: "SMS can only go to a mobile number",
          });
        }
      }
      return { ...contact, phones };
    });
}

const contactSchemas = new Map<string, ReturnType<typeof contactSchema>>();

/**
 * The contact schema reading national phone numbers in `defaultRegion` (phones normalised to E.164, each
 * flagged mobile or not).
 *
 * @example
 * ```ts
 * contactSchemaFor("CH").parse({ id: "c1", structureId: "s1", accountIds: ["a1"], lastName: "Favre",
 *   phones: [{ number: "079 123 45 67" }] }).phones[0] //=> { number: "+41791234567", mobile: true }
 * ```
 */
export function contactSchemaFor(defaultRegion: string): ReturnType<typeof contactSchema> {
  let schema = contactSchemas.get(defaultRegion);
  if (!schema) {
    schema = contactSchema(defaultRegion);
    contactSchemas.set(defaultRegion, schema);
  }
  return schema;
}

/**
 * zod schema of a contact, French national numbers by default. See {@link contactSchemaFor}.
 *
 * @example
 * ```ts
 * ContactSchema.parse({ id: "c1", structureId: "s1", accountIds: ["a1"], firstName: "Jeanne",
 *   lastName: "Martin", phones: [{ number: "06 12 34 56 78" }] }).phones[0]
 * //=> { number: "+33612345678", mobile: true }
 * ```
 */
export const ContactSchema = contactSchemaFor("FR");

/**
 * A contact (patient or end client of an account).
 *
 * @example
 * ```ts
 * const c: Pick<Contact, "id" | "lastName"> = { id: "c1", lastName: "Martin" };
 * ```
 */
export type Contact = z.output<typeof ContactSchema>;

/**
 * Appointment statuses.
 *
 * @example
 * ```ts
 * AppointmentStatusSchema.parse("pending-confirmation") //=> "pending-confirmation"
 * ```
 */
export const AppointmentStatusSchema = z.enum(["pending-confirmation", "confirmed", "cancelled"]);

/**
 * zod schema of an appointment: instants plus the IANA zone they are shown in. `end` is after `start`.
 *
 * @example
 * ```ts
 * AppointmentSchema.parse({ id: "r1", structureId: "s1", accountId: "a1", agendaId: "g1", contactId: "c1",
 *   start: "2026-06-09T10:00:00Z", end: "2026-06-09T10:30:00Z", timeZone: "Europe/Paris" }).status
 * //=> "confirmed"
 * ```
 */
export const AppointmentSchema = z
  .strictObject({
    id: Id,
    structureId: Id,
    accountId: Id,
    agendaId: Id,
    serviceId: Id.optional(),
    resourceId: Id.optional(),
    contactId: Id,
    start: InstantSchema,
    end: InstantSchema,
    timeZone: TimeZoneSchema,
    status: AppointmentStatusSchema.default("confirmed"),
    source: z.enum(["online", "staff", "phone"]).default("staff"),
    locationName: Text(200).optional(),
    roomName: Text(200).optional(),
    billedAmount: MoneySchema.optional(),
    /** The reason given at booking (a required field when configured). */
    reason: Text(500).optional(),
  })
  .refine((a) => a.end.getTime() > a.start.getTime(), { path: ["end"], message: "The end must be after the start" });

/**
 * An appointment.
 *
 * @example
 * ```ts
 * const a: Pick<Appointment, "start" | "timeZone"> = { start: new Date("2026-06-09T10:00:00Z"), timeZone: "Europe/Paris" };
 * ```
 */
export type Appointment = z.output<typeof AppointmentSchema>;

/**
 * zod schema of a message taken by the answering service for a client account.
 *
 * @example
 * ```ts
 * MessageSchema.parse({ id: "m1", structureId: "s1", accountId: "a1", subject: "Rappeler",
 *   body: "Mme Martin souhaite être rappelée", createdAt: "2026-06-08T09:00:00Z" }).task //=> "none"
 * ```
 */
export const MessageSchema = z.strictObject({
  id: Id,
  structureId: Id,
  accountId: Id,
  subject: Text(300).min(1),
  contactId: Id.optional(),
  body: Text(65_535),
  read: z.boolean().default(false),
  task: z.enum(["none", "todo", "done"]).default("none"),
  /** Accounts this message is shared with; they share its read status. */
  sharedWithAccountIds: z.array(Id).default([]),
  createdAt: InstantSchema,
});

/**
 * A message.
 *
 * @example
 * ```ts
 * const m: Pick<Message, "subject" | "read"> = { subject: "Rappeler", read: false };
 * ```
 */
export type Message = z.output<typeof MessageSchema>;

export { agendaSchema as _agendaSchema, clientAccountSchema as _clientAccountSchema, userSchema as _userSchema };
