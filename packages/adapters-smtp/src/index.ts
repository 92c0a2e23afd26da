/**
 * `@rappel/adapters-smtp`: the SMTP email transport of Rappel, over a pooled nodemailer connection.
 *
 * @example
 * ```ts
 * import { createSmtpTransport } from "@rappel/adapters-smtp";
 * const email = createSmtpTransport({ host: "smtp.example.org", from: { address: "rappels@cabinet.fr" } });
 * ```
 *
 * @packageDocumentation
 */

export type { SmtpTransport, SmtpTransportOptions } from "./smtpTransport.js";
export { createSmtpTransport } from "./smtpTransport.js";
