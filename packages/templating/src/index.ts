/**
 * `@rappel/templating`: the macro catalogue and its aliases, template compilation and validation, safe rendering per
 * channel, French/English date, time, duration and money formatting, exact SMS encoding and segment counting,
 * GSM-7 transliteration, SMS and email limits, lint, email composition and default templates.
 *
 * @packageDocumentation
 */

export type { CompiledTemplate, CompileOptions, RenderOptions, TemplateChannel } from "./compile/compileTemplate.js";
export { compileTemplate } from "./compile/compileTemplate.js";
export type { MacroContext } from "./context.js";
export type { ComposedEmail, ComposeEmailOptions, EmailParts } from "./email/composeEmail.js";
export { composeEmail } from "./email/composeEmail.js";
export type { DefaultTemplate } from "./email/defaults.js";
export { DEFAULT_TEMPLATES, defaultTemplate } from "./email/defaults.js";
export { htmlToText } from "./email/htmlToText.js";
export type { TemplateErrorOptions } from "./errors.js";
export { TemplateError } from "./errors.js";
export type { FormatOptions } from "./format/format.js";
export { formatDate, formatDuration, formatMoney, formatTime } from "./format/format.js";
export type { LintIssue, LintLength, LintOptions, LintReport } from "./lint/lintTemplate.js";
export { lintTemplate } from "./lint/lintTemplate.js";
export type { MacroDefinition, MacroName } from "./macros/catalogue.js";
export { MACRO_NAMES, MACROS, resolveMacro } from "./macros/catalogue.js";
export type { SmsLimitOptions, SmsLimitResult, SmsOverflowPolicy } from "./sms/limits.js";
export { applySmsLimit, checkEmailLength, EMAIL_MAX_LENGTH } from "./sms/limits.js";
export type { SmsInfo } from "./sms/smsInfo.js";
export { smsInfo } from "./sms/smsInfo.js";
export { transliterateToGsm } from "./sms/transliterateToGsm.js";
