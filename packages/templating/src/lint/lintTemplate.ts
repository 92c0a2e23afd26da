import { ErrorCode, type ErrorCodeValue, isRappelError, type MessageKind, RappelError } from "@rappel/core";
import { compileTemplate, type TemplateChannel, templatePieces } from "../compile/compileTemplate.js";
import { TemplateError } from "../errors.js";
import { type MacroName, macroDefinition } from "../macros/catalogue.js";
import { EMAIL_MAX_LENGTH } from "../sms/limits.js";
import { type SmsInfo, smsInfo } from "../sms/smsInfo.js";
import { transliterateToGsm } from "../sms/transliterateToGsm.js";

/**
 * One finding of {@link lintTemplate}.
 *
 * @example
 * ```ts
 * const issue: LintIssue = {
 *   severity: "warning", code: "sms-too-long", macro: "account.name",
 *   message: "With the longest plausible account.name (60 characters) the SMS needs 2 segments; the maximum is 1",
 * };
 * ```
 */
export interface LintIssue {
  /** `error`: the template cannot be used; `warning`: it can, but some data may break a limit. */
  severity: "error" | "warning";
  /** A Rappel error code (`template-unknown-macro`, `sms-too-long`, `email-too-long`…) or `sms-ucs2-text`. */
  code: ErrorCodeValue | "sms-ucs2-text";
  /** What is wrong, in English. */
  message: string;
  /** Position in the source, for template errors. */
  index?: number;
  /** The macro concerned: the unknown name, or the macro that can push the text over the limit. */
  macro?: string;
  /** Closest known name, for unknown macros. */
  suggestion?: string;
}

/**
 * Length of a template's output in a scenario, as {@link smsInfo} reports it (`units` is plain characters for
 * email channels).
 *
 * @example
 * ```ts
 * const l: LintLength = { encoding: "GSM-7", units: 117, segments: 1, perSegment: 160, remaining: 43 };
 * ```
 */
export type LintLength = SmsInfo;

/**
 * Result of {@link lintTemplate}.
 *
 * @example
 * ```ts
 * const r: LintReport = lintTemplate("Bonjour {{client.firstName}}", { channel: "sms" });
 * r.ok //=> true
 * ```
 */
export interface LintReport {
  /** No errors and no warnings. */
  ok: boolean;
  /** Canonical macros used (empty when the template does not compile). */
  macros: readonly string[];
  /** Every finding; errors first. */
  issues: readonly LintIssue[];
  /** Output with each macro at its catalogue example (all sections shown). */
  typical?: LintLength;
  /** Output with each macro at its maximum plausible length (all sections shown). */
  worstCase?: LintLength;
  /** Macros that, alone at their maximum length (the others at their example), push the output over the limit. */
  pushOver: readonly MacroName[];
}

/**
 * Options of {@link lintTemplate}.
 *
 * @example
 * ```ts
 * const o: LintOptions = { channel: "sms", purpose: "reminder", maxSegments: 1, encoding: "gsm-transliterate" };
 * ```
 */
export interface LintOptions {
  /** The channel the template is for. */
  channel: TemplateChannel;
  /** The purpose, for the R-23 checks (a reminder needs the start date and time). */
  purpose?: MessageKind;
  /** SMS maximum segments. @default 1 */
  maxSegments?: number;
  /** SMS encoding option of the account: with `gsm-transliterate`, look-alikes in the text do not count as UCS-2. @default "auto" */
  encoding?: "auto" | "gsm-transliterate";
}

// Values are assumed GSM-7 (or transliterated): a stand-in character of one septet.
const fill = (n: number): string => "x".repeat(n);

/**
 * Checks a template at configuration time (SPEC) and reports every problem instead of throwing: syntax
 * errors, unknown macros (with position and suggestion), forbidden constructs, missing date/time in reminders, and
 * lengths. For SMS it computes the output length with every macro at its catalogue example (`typical`) and at its
 * maximum plausible length (`worstCase`, every section shown), and names each macro that can push the SMS over
 * `maxSegments` on its own (`pushOver`). Values are assumed to be GSM-7; template text that is not GSM-7 is
 * reported (`sms-ucs2-text`) since it makes every SMS UCS-2. For email channels the worst case is checked against
 * 65,535 characters.
 *
 * @param source - The template.
 * @param options - Channel, purpose, maximum segments and encoding option.
 * @returns A report; `ok` when there is nothing to say.
 * @example
 * ```ts
 * const r = lintTemplate(
 *   "{{account.name}}, vous rappelle votre rendez-vous le {{appointment.startDate}} à {{appointment.startTime}}. Pensez à apporter votre carte Vitale et votre ordonnance.",
 *   { channel: "sms", purpose: "reminder" },
 * );
 * [r.ok, r.typical?.segments, r.worstCase?.segments, r.pushOver] //=> [false, 1, 2, ["account.name"]]
 * ```
 */
export function lintTemplate(source: string, options: LintOptions): LintReport {
  if (options === null || typeof options !== "object") {
    throw new RappelError(ErrorCode.INVALID_INPUT, "lintTemplate needs options with a channel");
  }
  const maxSegments = options.maxSegments ?? 1;
  if (!Number.isInteger(maxSegments) || maxSegments < 1) {
    throw new RappelError(ErrorCode.INVALID_INPUT, "maxSegments must be a positive integer");
  }
  let compiled: ReturnType<typeof compileTemplate>;
  try {
    compiled = compileTemplate(source, {
      channel: options.channel,
      ...(options.purpose ? { purpose: options.purpose } : {}),
    });
  } catch (e) {
    if (e instanceof TemplateError) {
      return {
        ok: false,
        macros: [],
        pushOver: [],
        issues: [
          {
            severity: "error",
            code: e.code,
            message: e.message,
            index: e.index,
            ...(e.macro ? { macro: e.macro } : {}),
            ...(e.suggestion ? { suggestion: e.suggestion } : {}),
          },
        ],
      };
    }
    if (isRappelError(e)) {
      return { ok: false, macros: [], pushOver: [], issues: [{ severity: "error", code: e.code, message: e.message }] };
    }
    throw e;
  }
  const pieces = templatePieces(compiled);
  const sms = options.channel === "sms";
  const literal = pieces.map((p) => ("text" in p ? p.text : "")).join("");
  const measure = (length: (name: MacroName) => number): SmsInfo => {
    let out = "";
    for (const p of pieces) {
      if ("text" in p) out += sms && options.encoding === "gsm-transliterate" ? transliterateToGsm(p.text) : p.text;
      else if (!p.section) out += fill(length(p.macro));
    }
    if (sms) return smsInfo(out);
    return { encoding: "UCS-2", units: out.length, segments: 1, perSegment: EMAIL_MAX_LENGTH, remaining: 0 };
  };
  const example = (n: MacroName) => macroDefinition(n).example.length;
  const max = (n: MacroName) => macroDefinition(n).maxLength;
  const typical = measure(example);
  const worstCase = measure(max);
  const over = (l: SmsInfo) => (sms ? l.segments > maxSegments : l.units > EMAIL_MAX_LENGTH);
  const issues: LintIssue[] = [];
  const pushOver: MacroName[] = [];
  const valueMacros = [...new Set(pieces.flatMap((p) => ("macro" in p && !p.section ? [p.macro] : [])))];
  for (const name of valueMacros) {
    if (over(measure((n) => (n === name ? max(n) : example(n))))) pushOver.push(name);
  }
  const limit = sms ? `the maximum is ${maxSegments} segment${maxSegments > 1 ? "s" : ""}` : "the maximum is 65,535";
  const size = (l: SmsInfo) =>
    sms ? `${l.segments} segments (${l.units} ${l.encoding} units)` : `${l.units} characters`;
  const code = sms ? ("sms-too-long" as const) : ("email-too-long" as const);
  if (over(typical)) {
    issues.push({
      severity: "error",
      code,
      message: `With typical values the output needs ${size(typical)}; ${limit}`,
    });
  } else if (over(worstCase)) {
    for (const name of pushOver) {
      issues.push({
        severity: "warning",
        code,
        macro: name,
        message: `With the longest plausible ${name} (${max(name)} characters) the output needs ${size(
          measure((n) => (n === name ? max(n) : example(n))),
        )}; ${limit}`,
      });
    }
    if (pushOver.length === 0) {
      issues.push({
        severity: "warning",
        code,
        message: `With every macro at its longest plausible value the output needs ${size(worstCase)}; ${limit}`,
      });
    }
  }
  if (sms) {
    const text = options.encoding === "gsm-transliterate" ? transliterateToGsm(literal) : literal;
    if (smsInfo(text).encoding === "UCS-2") {
      issues.push({
        severity: "warning",
        code: "sms-ucs2-text",
        message:
          "The template text has characters outside GSM-7: every SMS will be sent as UCS-2 (70 characters per part). Use transliterateToGsm or the gsm-transliterate encoding.",
      });
    }
  }
  return { ok: issues.length === 0, macros: compiled.macros, issues, typical, worstCase, pushOver };
}
