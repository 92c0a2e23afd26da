import { z } from "zod";
import { LeadTimeSchema } from "../domain/schemas.js";
import { minutesOfDay, TimeOfDaySchema } from "../domain/time.js";

const Id = z.string().min(1).max(200);
const Channels = z.enum(["email", "sms", "email+sms"]);

/** Which channels an account notification uses for one operation. */
const OperationChannels = z.strictObject({
  message: z.boolean().default(false),
  email: z.boolean().default(false),
  sms: z.boolean().default(false),
});

/** One of the two appointment reminder slots. */
const ReminderSlot = (defaults: {
  mode: "disabled" | "enabled" | "new-contacts-only";
  channel: "email" | "sms" | "email+sms";
  offset: { value: number; unit: "hours" | "days"; at?: string };
}) =>
  z.strictObject({
    mode: z.enum(["disabled", "enabled", "new-contacts-only"]).default(defaults.mode),
    channel: Channels.default(defaults.channel),
    offset: LeadTimeSchema.default(defaults.offset),
    /** Appended after the default SMS text. */
    smsSupplement: z.string().max(1_000).default(""),
    /** Appended after the default email text. */
    emailSupplement: z.string().max(10_000).default(""),
    /** Sender address of reminder emails; the transport's default when left out. */
    senderEmail: z.email().optional(),
  });

const Recipient = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("account"), accountId: Id }),
  z.strictObject({ type: z.literal("user"), userId: Id }),
]);

const BaseSchema = z.strictObject({
  /** */
  general: z
    .strictObject({
      landingPage: z
        .enum([
          "agenda",
          "multi-agenda",
          "messages",
          "contact",
          "instructions",
          "org-chart",
          "custom-org-chart",
          "scenario",
          "link",
        ])
        .default("agenda"),
      /** Required when `landingPage` is `scenario`. */
      scenarioId: Id.optional(),
    })
    .prefault({}),
  /** */
  agenda: z
    .strictObject({
      daysShown: z.number().int().min(1).max(7).default(7),
      browsing: z.enum(["week", "day"]).default("week"),
      waitingList: z
        .strictObject({
          enabled: z.boolean().default(false),
          from: TimeOfDaySchema.default("08:00"),
          to: TimeOfDaySchema.default("12:00"),
        })
        .prefault({}),
    })
    .prefault({}),
  /** */
  notifications: z
    .strictObject({
      created: OperationChannels.prefault({}),
      moved: OperationChannels.prefault({}),
      cancelled: OperationChannels.prefault({}),
      /** Empty means the account's own email. */
      recipients: z.array(Recipient).max(50).default([]),
    })
    .prefault({}),
  /** */
  immediateReminder: z
    .strictObject({
      email: z.boolean().default(false),
      sms: z.boolean().default(false),
      onCreate: z.boolean().default(true),
      onModify: z.boolean().default(true),
    })
    .prefault({}),
  /** */
  requiredContactFields: z
    .array(z.enum(["email", "birthDate", "address", "postalCode", "city", "remark", "reason"]))
    .default([])
    .refine((list) => new Set(list).size === list.length, { message: "Each field appears once" }),
  /** */
  reminders: z
    .strictObject({
      first: ReminderSlot({ mode: "enabled", channel: "email+sms", offset: { value: 24, unit: "hours" } }).prefault({}),
      second: ReminderSlot({ mode: "disabled", channel: "email", offset: { value: 7, unit: "days" } }).prefault({}),
    })
    .prefault({}),
  /** */
  messages: z
    .strictObject({
      defaultFilter: z.enum(["all", "read", "unread", "todo", "done"]).default("all"),
      hideDone: z.boolean().default(false),
      hideRead: z.boolean().default(false),
      notify: z
        .strictObject({
          email: z.boolean().default(false),
          fax: z.boolean().default(false),
          sms: z.boolean().default(false),
        })
        .prefault({}),
      infoLine: z.string().max(80).default(""),
      /** May use `[contact]` and `[sujet]`. */
      emailSubject: z.string().min(1).max(200).default("Nouveau message : [sujet] ([contact])"),
      emailHeader: z.string().max(10_000).default(""),
      emailFooter: z.string().max(10_000).default(""),
      sharing: z
        .strictObject({ enabled: z.boolean().default(false), accountIds: z.array(Id).default([]) })
        .prefault({}),
    })
    .prefault({}),
  /** */
  contacts: z
    .strictObject({
      sharing: z
        .strictObject({ enabled: z.boolean().default(false), accountIds: z.array(Id).default([]) })
        .prefault({}),
    })
    .prefault({}),
  /** */
  communication: z
    .strictObject({
      consent: z.enum(["opt-out", "opt-in"]).default("opt-out"),
      sms: z
        .strictObject({
          maxSegments: z.number().int().min(1).max(10).default(1),
          overflow: z.enum(["reject", "truncate", "allow"]).default("reject"),
          encoding: z.enum(["auto", "gsm-transliterate"]).default("auto"),
          /** Send beyond the free monthly quota at the configured price. */
          allowOverage: z.boolean().default(true),
          /** one reminder SMS per contact and local day, listing the appointments. */
          onePerDay: z.boolean().default(true),
          quietHours: z
            .strictObject({
              enabled: z.boolean().default(true),
              start: TimeOfDaySchema.default("21:00"),
              end: TimeOfDaySchema.default("08:00"),
            })
            .prefault({}),
        })
        .prefault({}),
      /** Details shown in emails [001]. */
      emailDetails: z
        .strictObject({
          serviceName: z.boolean().default(true),
          practitionerName: z.boolean().default(true),
          address: z.boolean().default(true),
          instructions: z.boolean().default(true),
          duration: z.boolean().default(false),
          price: z.boolean().default(false),
        })
        .prefault({}),
      locale: z
        .string()
        .refine(
          (l) => {
            try {
              return Intl.getCanonicalLocales(l).length === 1;
            } catch {
              return false;
            }
          },
          { message: "Expected a BCP 47 locale such as fr-FR" },
        )
        .default("fr-FR"),
    })
    .prefault({}),
  /** */
  survey: z
    .strictObject({
      agendaIds: z
        .array(Id)
        .default([])
        .refine((l) => new Set(l).size === l.length, { message: "Each agenda appears once" }),
    })
    .prefault({}),
});

/**
 * The zod schema of account options (R-11…R-19). Every field has a default, so `{}` is valid; cross-field
 * rules are checked after the defaults are applied. Use {@link resolveOptions} rather than this schema: it
 * throws Rappel's `ValidationError`.
 *
 * @example
 * ```ts
 * AccountOptionsSchema.parse({}).agenda.daysShown //=> 7
 * ```
 */
export const AccountOptionsSchema = BaseSchema.check(
  z.superRefine<Options>(
    (o, ctx) => {
      // zod runs this even when some fields failed, so a branch of `o` may hold the raw (wrong) input: each rule
      // is isolated, and a rule whose branch did not parse says nothing (that branch's own issues are reported).
      for (const rule of RULES) {
        try {
          rule(o, ctx);
        } catch {
          // The rule read a malformed branch.
        }
      }
    },
    // Run the rules even when a branch failed with a type error, so that one call lists every failing path.
    { when: () => true },
  ),
);

type Options = z.output<typeof BaseSchema>;
type Rule = (o: Options, ctx: z.RefinementCtx) => void;

const issue = (ctx: z.RefinementCtx, path: (string | number)[], message: string) =>
  ctx.addIssue({ code: "custom", path, message });

const RULES: Rule[] = [
  (o, ctx) => {
    if (o.agenda.browsing === "week" && o.agenda.daysShown < 5) {
      issue(ctx, ["agenda", "browsing"], "Week browsing needs at least 5 days shown");
    }
  },
  (o, ctx) => {
    if (o.general.landingPage === "scenario" && o.general.scenarioId === undefined) {
      issue(ctx, ["general", "scenarioId"], "The scenario landing page needs a scenario id");
    }
    if (o.general.landingPage !== "scenario" && o.general.scenarioId !== undefined) {
      issue(ctx, ["general", "scenarioId"], "A scenario id only goes with the scenario landing page");
    }
  },
  (o, ctx) => {
    const wl = o.agenda.waitingList;
    if (minutesOfDay(wl.to) <= minutesOfDay(wl.from)) {
      issue(ctx, ["agenda", "waitingList", "to"], "The waiting-list window must end after it starts");
    }
  },
  (o, ctx) => {
    if ((o.messages.hideDone || o.messages.hideRead) && o.messages.defaultFilter !== "all") {
      issue(
        ctx,
        ["messages", "defaultFilter"],
        "Hiding done or read messages disables the message filter: leave it at 'all'",
      );
    }
  },
  (o, ctx) => {
    const qh = o.communication.sms.quietHours;
    if (qh.enabled && qh.start === qh.end) {
      issue(
        ctx,
        ["communication", "sms", "quietHours", "end"],
        "Quiet hours must not start and end at the same time (disable them instead)",
      );
    }
  },
  (o, ctx) => {
    const ir = o.immediateReminder;
    if ((ir.email || ir.sms) && !ir.onCreate && !ir.onModify) {
      issue(ctx, ["immediateReminder", "onCreate"], "An immediate reminder needs onCreate or onModify");
    }
  },
  (o, ctx) => {
    if (o.messages.sharing.enabled && o.messages.sharing.accountIds.length === 0) {
      issue(ctx, ["messages", "sharing", "accountIds"], "Sharing needs at least one account");
    }
  },
  (o, ctx) => {
    if (o.contacts.sharing.enabled && o.contacts.sharing.accountIds.length === 0) {
      issue(ctx, ["contacts", "sharing", "accountIds"], "Sharing needs at least one account");
    }
  },
];

/**
 * Fully resolved account options: every field present. The output of {@link resolveOptions}.
 *
 * @example
 * ```ts
 * const options: AccountOptions = resolveOptions({ communication: { consent: "opt-in" } });
 * options.reminders.first.offset //=> { value: 24, unit: "hours" }
 * ```
 */
export type AccountOptions = z.output<typeof AccountOptionsSchema>;

/**
 * Partial account options as a host stores them: any subset of {@link AccountOptions}.
 *
 * @example
 * ```ts
 * const input: AccountOptionsInput = { agenda: { daysShown: 5 } };
 * ```
 */
export type AccountOptionsInput = z.input<typeof AccountOptionsSchema>;

/**
 * One of the two reminder slots of {@link AccountOptions}.
 *
 * @example
 * ```ts
 * const slot: ReminderSlotOptions = resolveOptions({}).reminders.first;
 * ```
 */
export type ReminderSlotOptions = AccountOptions["reminders"]["first"];

/**
 * A notification recipient: another client account of the structure, or a collaborator user
 * (manager or supervisor).
 *
 * @example
 * ```ts
 * const r: NotificationRecipient = { type: "user", userId: "u-manager" };
 * ```
 */
export type NotificationRecipient = AccountOptions["notifications"]["recipients"][number];
