import { ErrorCode, type MessageKind, RappelError } from "@rappel/core";
import { compileTemplate, escapeHtml, type RenderOptions } from "../compile/compileTemplate.js";
import { own, text } from "../compile/resolve.js";
import type { MacroContext } from "../context.js";
import { getLocaleProfile } from "../format/locale.js";
import { checkEmailLength } from "../sms/limits.js";
import { htmlToText } from "./htmlToText.js";

/**
 * The parts of an email (SPEC R-27). Every part is a template: `subject` for the subject channel, the others HTML
 * (`email-html`: values are escaped) except `text`, an authored plain-text part (`email-text`).
 *
 * @example
 * ```ts
 * const parts: EmailParts = {
 *   subject: "Rappel : rendez-vous le {{appointment.startDate}}",
 *   body: "<p>Bonjour {{client.firstName}},</p>",
 *   footer: "<p>Cabinet du Parc</p>",
 * };
 * ```
 */
export interface EmailParts {
  /** Subject template (CR/LF never survive). */
  subject: string;
  /** Account header, before the body (seed 000 "Entête email"). */
  header?: string;
  /** Main HTML body. */
  body: string;
  /** Signature chosen by the cascade, after the body. */
  signature?: string;
  /** Account footer, last (seed 000 "Pied de page email"). */
  footer?: string;
  /** Authored text part; when absent the text part is derived from the HTML. */
  text?: string;
  /** Append the service's patient instructions (`service.instructions`) after the body. @default false */
  instructions?: boolean;
}

/**
 * Options of {@link composeEmail}: render options plus the purpose checks of R-23.
 *
 * @example
 * ```ts
 * const o: ComposeEmailOptions = { locale: "fr-FR", purpose: "reminder" };
 * ```
 */
export interface ComposeEmailOptions extends RenderOptions {
  /** What the email is for (a reminder's body must contain the start date and time). */
  purpose?: MessageKind;
}

/**
 * A composed email, ready for a transport.
 *
 * @example
 * ```ts
 * const e: ComposedEmail = { subject: "Rappel", html: "<!DOCTYPE html>…", text: "Bonjour" };
 * ```
 */
export interface ComposedEmail {
  /** One-line subject. */
  subject: string;
  /** Complete HTML document. */
  html: string;
  /** Plain-text part. */
  text: string;
}

const INSTRUCTIONS_LABEL: Record<string, string> = { fr: "Informations pratiques", en: "Practical information" };

/**
 * Composes an email from its parts (SPEC R-27): subject; header, body, service instructions, signature and footer
 * in that order, as one HTML document (every value escaped); and a text part, authored (`parts.text`) or derived
 * from the HTML. Each part is ≤ 65,535 characters or a `RappelError` with code `email-too-long` is thrown;
 * template errors throw {@link TemplateError}. The sender address is not part of the result: it comes from the
 * account options and is set by the engine.
 *
 * @param parts - Templates of the parts.
 * @param context - The data.
 * @param options - Locale, time zone and purpose.
 * @returns `{ subject, html, text }`.
 * @example
 * ```ts
 * const mail = composeEmail(
 *   { subject: "Rappel : {{appointment.startDate}}", body: "<p>Bonjour {{client.firstName}},</p>", footer: "<p>Cabinet du Parc</p>" },
 *   { client: { firstName: "Camille" }, appointment: { start: new Date("2026-06-09T10:00:00Z"), timeZone: "Europe/Paris" } },
 * );
 * mail.subject //=> "Rappel : 09/06/2026"
 * mail.text //=> "Bonjour Camille,\n\nCabinet du Parc"
 * ```
 */
export function composeEmail(
  parts: EmailParts,
  context: MacroContext,
  options: ComposeEmailOptions = {},
): ComposedEmail {
  options ??= {};
  if (
    parts === null ||
    typeof parts !== "object" ||
    typeof parts.subject !== "string" ||
    typeof parts.body !== "string"
  ) {
    throw new RappelError(ErrorCode.INVALID_INPUT, "An email needs a subject and a body template");
  }
  const render = {
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  };
  const purpose = options.purpose ? { purpose: options.purpose } : {};
  const subject = compileTemplate(parts.subject, { channel: "subject" }).render(context, render).trim();
  const html = (source: string | undefined, withPurpose = false): string =>
    source
      ? compileTemplate(source, { channel: "email-html", ...(withPurpose ? purpose : {}) }).render(context, render)
      : "";
  const profile = getLocaleProfile(options.locale ?? "fr-FR");
  const lang = profile.tag.split("-")[0]!;
  const sections: [string, string][] = [
    ["header", html(parts.header)],
    ["body", html(parts.body, true)],
  ];
  if (parts.instructions) {
    const instructions = text(own(own(context, "service"), "instructions")).trim();
    if (instructions !== "") {
      const label = INSTRUCTIONS_LABEL[lang] ?? INSTRUCTIONS_LABEL.en!;
      sections.push([
        "instructions",
        `<p><strong>${label}</strong><br>${escapeHtml(instructions).replace(/\r\n|\r|\n/g, "<br>")}</p>`,
      ]);
    }
  }
  sections.push(["signature", html(parts.signature)], ["footer", html(parts.footer)]);
  const inner = sections
    .filter(([, h]) => h.trim() !== "")
    .map(([name, h]) => `<div class="rappel-${name}">${h}</div>`)
    .join("\n");
  const document = `<!DOCTYPE html>\n<html lang="${escapeHtml(lang)}">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(subject)}</title>\n</head>\n<body>\n${inner}\n</body>\n</html>\n`;
  let plain: string;
  if (typeof parts.text === "string") {
    if (purpose.purpose) compileTemplate(parts.text, { channel: "email-text", ...purpose });
    plain = compileTemplate(parts.text, { channel: "email-text" }).render(context, render);
  } else plain = htmlToText(inner);
  return { subject, html: checkEmailLength(document, "html"), text: checkEmailLength(plain, "text") };
}
