import { ErrorCode, MESSAGE_KINDS, type MessageKind, RappelError } from "@rappel/core";
import { getLocaleProfile } from "../format/locale.js";

/**
 * The default templates of one message kind in one language: SMS text, email subject and HTML body (the text part
 * is derived by {@link composeEmail}), and whether the service's instructions are appended.
 *
 * @example
 * ```ts
 * const t: DefaultTemplate = defaultTemplate("reminder");
 * t.sms //=> "{{account.name}}, vous rappelle votre rendez-vous le {{appointment.startDate}} à {{appointment.startTime}}"
 * ```
 */
export interface DefaultTemplate {
  /** SMS template (GSM-7 text; fits one part with every macro at its plausible maximum). */
  readonly sms: string;
  /** Email subject template. */
  readonly subject: string;
  /** Email HTML body template. */
  readonly html: string;
  /** Whether {@link composeEmail} appends the service's patient instructions. */
  readonly instructions: boolean;
}

const D = "{{appointment.startDate}}";
const T = "{{appointment.startTime}}";
const hello = "<p>Bonjour{{#client.firstName}} {{client.firstName}}{{/client.firstName}},</p>\n";
const helloEn = "<p>Hello{{#client.firstName}} {{client.firstName}}{{/client.firstName}},</p>\n";
const where =
  "{{#location.address}}, adresse : {{location.address}}{{#location.city}}, {{location.city}}{{/location.city}}{{/location.address}}";
const whereEn =
  "{{#location.address}}, address: {{location.address}}{{#location.city}}, {{location.city}}{{/location.city}}{{/location.address}}";
const service = "{{#service.name}} ({{service.name}}){{/service.name}}";

const t = (sms: string, subject: string, html: string, instructions = false): DefaultTemplate =>
  Object.freeze({ sms, subject, html, instructions });

const FR: Record<MessageKind, DefaultTemplate> = {
  reminder: t(
    // Seed 000: "NOM CLIENT, vous rappelle votre rendez-vous le 00/00/2018 à 00h00"; the supplement follows.
    `{{account.name}}, vous rappelle votre rendez-vous le ${D} à ${T}`,
    `Rappel : rendez-vous le ${D} à ${T}`,
    `${hello}<p>{{account.name}}, vous rappelle votre rendez-vous le ${D} à ${T}${where}.</p>`,
    true,
  ),
  "immediate-reminder": t(
    `{{account.name}} : votre rendez-vous est fixé au ${D} à ${T}`,
    `Votre rendez-vous du ${D} à ${T}`,
    `${hello}<p>Votre rendez-vous avec {{account.name}} est fixé au ${D} à ${T}${where}.</p>`,
    true,
  ),
  confirmation: t(
    `{{account.name}} confirme votre rendez-vous du ${D} à ${T}`,
    `Confirmation de votre rendez-vous du ${D}`,
    `${hello}<p>{{account.name}} confirme votre rendez-vous du ${D} à ${T}${service}${where}.</p>`,
    true,
  ),
  "pending-confirmation": t(
    `{{account.name}} : votre demande de rendez-vous du ${D} à ${T} attend sa confirmation`,
    `Demande de rendez-vous du ${D} en attente`,
    `${hello}<p>Votre demande de rendez-vous du ${D} à ${T}${service} auprès de {{account.name}} est en attente de confirmation. Vous recevrez un message dès qu'elle sera confirmée.</p>`,
  ),
  cancellation: t(
    `{{account.name}} : votre rendez-vous du ${D} à ${T} est annulé`,
    `Annulation de votre rendez-vous du ${D}`,
    `${hello}<p>Votre rendez-vous du ${D} à ${T}${service} avec {{account.name}} est annulé.</p>`,
  ),
  "account-notification": t(
    `RDV {{appointment.action}} : {{client.name}} le ${D} à ${T}`,
    `Rendez-vous {{appointment.action}} : {{client.name}}, ${D} à ${T}`,
    `<p>Rendez-vous {{appointment.action}} : {{client.name}} le ${D} à ${T}${service}.</p>`,
  ),
  "practitioner-notification": t(
    `RDV {{appointment.action}} : {{client.name}} le ${D} à ${T}`,
    `Rendez-vous {{appointment.action}} : {{client.name}}, ${D} à ${T}`,
    `<p>Bonjour{{#practitioner.name}} {{practitioner.name}}{{/practitioner.name}},</p>\n<p>Rendez-vous {{appointment.action}} : {{client.name}} le ${D} à ${T}${service}.</p>`,
  ),
  survey: t(
    `{{account.name}} vous remercie de votre visite du ${D}. Votre avis nous intéresse.`,
    `Votre avis sur votre rendez-vous du ${D}`,
    `${hello}<p>{{account.name}} vous remercie de votre visite du ${D}. Votre avis nous aide à améliorer l'accueil des patients : répondre prend une minute.</p>`,
  ),
  security: t(
    "{{account.name}} : une opération de sécurité a eu lieu sur votre compte.",
    "Sécurité de votre compte {{account.name}}",
    `<p>Bonjour{{#recipient.name}} {{recipient.name}}{{/recipient.name}},</p>\n<p>Une opération de sécurité vient d'avoir lieu sur votre compte {{account.name}}. Si vous n'en êtes pas à l'origine, contactez votre administrateur.</p>`,
  ),
  "new-message": t(
    "Message de [contact] : [sujet]",
    "Nouveau message de [contact] : [sujet]",
    "<p>Vous avez reçu un nouveau message de [contact].</p>\n<p>Sujet : [sujet]</p>",
  ),
  "custom-sms": t(
    "{{account.name}} : ",
    "Message de {{account.name}}",
    `${hello}<p>{{account.name}} vous a envoyé ce message.</p>`,
  ),
};

const EN: Record<MessageKind, DefaultTemplate> = {
  reminder: t(
    `{{account.name}} reminds you of your appointment on ${D} at ${T}`,
    `Reminder: appointment on ${D} at ${T}`,
    `${helloEn}<p>{{account.name}} reminds you of your appointment on ${D} at ${T}${whereEn}.</p>`,
    true,
  ),
  "immediate-reminder": t(
    `{{account.name}}: your appointment is set for ${D} at ${T}`,
    `Your appointment on ${D} at ${T}`,
    `${helloEn}<p>Your appointment with {{account.name}} is set for ${D} at ${T}${whereEn}.</p>`,
    true,
  ),
  confirmation: t(
    `{{account.name}} confirms your appointment on ${D} at ${T}`,
    `Your appointment on ${D} is confirmed`,
    `${helloEn}<p>{{account.name}} confirms your appointment on ${D} at ${T}${service}${whereEn}.</p>`,
    true,
  ),
  "pending-confirmation": t(
    `{{account.name}}: your appointment request for ${D} at ${T} awaits confirmation`,
    `Appointment request for ${D} pending`,
    `${helloEn}<p>Your appointment request for ${D} at ${T}${service} with {{account.name}} is awaiting confirmation. You will hear from us as soon as it is confirmed.</p>`,
  ),
  cancellation: t(
    `{{account.name}}: your appointment on ${D} at ${T} is cancelled`,
    `Your appointment on ${D} is cancelled`,
    `${helloEn}<p>Your appointment on ${D} at ${T}${service} with {{account.name}} is cancelled.</p>`,
  ),
  "account-notification": t(
    `Appointment {{appointment.action}}: {{client.name}} on ${D} at ${T}`,
    `Appointment {{appointment.action}}: {{client.name}}, ${D} at ${T}`,
    `<p>Appointment {{appointment.action}}: {{client.name}} on ${D} at ${T}${service}.</p>`,
  ),
  "practitioner-notification": t(
    `Appointment {{appointment.action}}: {{client.name}} on ${D} at ${T}`,
    `Appointment {{appointment.action}}: {{client.name}}, ${D} at ${T}`,
    `<p>Hello{{#practitioner.name}} {{practitioner.name}}{{/practitioner.name}},</p>\n<p>Appointment {{appointment.action}}: {{client.name}} on ${D} at ${T}${service}.</p>`,
  ),
  survey: t(
    `{{account.name}} thanks you for your visit on ${D}. We would value your feedback.`,
    `Your feedback on your appointment on ${D}`,
    `${helloEn}<p>{{account.name}} thanks you for your visit on ${D}. Your feedback helps us improve: it takes one minute.</p>`,
  ),
  security: t(
    "{{account.name}}: a security operation took place on your account.",
    "Security of your {{account.name}} account",
    `<p>Hello{{#recipient.name}} {{recipient.name}}{{/recipient.name}},</p>\n<p>A security operation just took place on your {{account.name}} account. If it was not you, contact your administrator.</p>`,
  ),
  "new-message": t(
    "Message from [contact]: [sujet]",
    "New message from [contact]: [sujet]",
    "<p>You have a new message from [contact].</p>\n<p>Subject: [sujet]</p>",
  ),
  "custom-sms": t(
    "{{account.name}}: ",
    "Message from {{account.name}}",
    `${helloEn}<p>{{account.name}} sent you this message.</p>`,
  ),
};

/**
 * Default French and English templates for every message kind Rappel sends (`MESSAGE_KINDS` of
 * `@rappel/core`). The French reminder SMS is seed 000's default text; an account's SMS supplement is appended after
 * it by the caller, separated by a space.
 *
 * @example
 * ```ts
 * DEFAULT_TEMPLATES.en.cancellation.subject //=> "Your appointment on {{appointment.startDate}} is cancelled"
 * ```
 */
export const DEFAULT_TEMPLATES: Readonly<Record<"fr" | "en", Readonly<Record<MessageKind, DefaultTemplate>>>> =
  Object.freeze({ fr: Object.freeze(FR), en: Object.freeze(EN) });

/**
 * The default templates of a message kind for a locale: English for `en-*`, French for every other locale.
 * An unknown kind throws `invalid-input`.
 *
 * @param kind - One of `MESSAGE_KINDS`.
 * @param locale - BCP 47 locale. @default "fr-FR"
 * @example
 * ```ts
 * defaultTemplate("new-message").subject //=> "Nouveau message de [contact] : [sujet]"
 * defaultTemplate("reminder", "en-US").sms //=> "{{account.name}} reminds you of your appointment on {{appointment.startDate}} at {{appointment.startTime}}"
 * ```
 */
export function defaultTemplate(kind: MessageKind, locale = "fr-FR"): DefaultTemplate {
  if (!(MESSAGE_KINDS as readonly string[]).includes(kind)) {
    throw new RappelError(
      ErrorCode.INVALID_INPUT,
      `Unknown message kind: ${typeof kind === "string" ? kind : typeof kind}`,
    );
  }
  return DEFAULT_TEMPLATES[getLocaleProfile(locale).english ? "en" : "fr"][kind];
}
