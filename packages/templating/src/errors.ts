import { type ErrorCodeValue, RappelError, type RappelErrorOptions } from "@rappel/core";

/**
 * Options of a {@link TemplateError}: where in the source the problem is, which macro, and the closest known name.
 *
 * @example
 * ```ts
 * const o: TemplateErrorOptions = { index: 12, macro: "client.fristName", suggestion: "client.firstName" };
 * ```
 */
export interface TemplateErrorOptions extends RappelErrorOptions {
  /** Position (UTF-16 index) in the template source where the problem starts. */
  index?: number;
  /** The macro or tag name involved, as written in the source. */
  macro?: string;
  /** The closest known name (by edit distance), when there is a plausible one. */
  suggestion?: string;
}

/**
 * Thrown by {@link compileTemplate} (and the functions built on it) when a template cannot be used: syntax errors,
 * unknown macros, forbidden constructs, missing required macros. Branch on `code`.
 *
 * @example
 * ```ts
 * try { compileTemplate("Bonjour {{client.fristName}}", { channel: "sms" }) } catch (e) {
 *   if (e instanceof TemplateError) [e.code, e.index, e.suggestion];
 *   //=> ["template-unknown-macro", 8, "client.firstName"]
 * }
 * ```
 */
export class TemplateError extends RappelError {
  /**
   * Stable code: `template-syntax`, `template-unknown-macro`, `template-forbidden` or `template-missing-macro`
   * (see `ErrorCode` in `@rappel/core`).
   */
  declare readonly code: ErrorCodeValue;
  /** Position (UTF-16 index) in the source, or -1 when the error is about the whole template. */
  readonly index: number;
  /** The macro or tag name involved, as written in the source (empty when none). */
  readonly macro: string;
  /** The closest known name by edit distance, or `undefined`. */
  readonly suggestion: string | undefined;

  constructor(code: ErrorCodeValue, message: string, options: TemplateErrorOptions = {}) {
    const { index = -1, macro = "", suggestion } = options;
    super(code, message, {
      cause: options.cause,
      details: { ...options.details, index, macro, ...(suggestion === undefined ? {} : { suggestion }) },
    });
    this.name = "TemplateError";
    this.index = index;
    this.macro = macro;
    this.suggestion = suggestion;
  }
}
