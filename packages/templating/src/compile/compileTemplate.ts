import { ErrorCode, type MessageKind, RappelError } from "@rappel/core";
import type { MacroContext } from "../context.js";
import { TemplateError } from "../errors.js";
import { ALIASES_LONGEST_FIRST, MACRO_NAMES, type MacroName, resolveMacro } from "../macros/catalogue.js";
import { closest } from "../macros/suggest.js";
import { RESOLVERS, type RenderState, renderState } from "./resolve.js";

/**
 * Where a template's output goes, which decides escaping (SPEC R-24): `email-html` escapes every value and forbids
 * unescaped output; `sms` and `email-text` insert values as they are; `subject` never contains CR or LF.
 *
 * @example
 * ```ts
 * const channel: TemplateChannel = "email-html";
 * ```
 */
export type TemplateChannel = "sms" | "email-html" | "email-text" | "subject";

/**
 * Options of {@link compileTemplate}.
 *
 * @example
 * ```ts
 * const o: CompileOptions = { channel: "sms", purpose: "reminder" };
 * ```
 */
export interface CompileOptions {
  /** The output channel. */
  channel: TemplateChannel;
  /**
   * What the template is for. A `reminder` or `immediate-reminder` template must contain the appointment's start
   * date and time (R-23), else `template-missing-macro`.
   */
  purpose?: MessageKind;
}

/**
 * Locale and time zone of one render.
 *
 * @example
 * ```ts
 * const o: RenderOptions = { locale: "en-US", timeZone: "America/New_York" };
 * ```
 */
export interface RenderOptions {
  /** BCP 47 locale. @default "fr-FR" */
  locale?: string;
  /** IANA time zone. @default the context's `appointment.timeZone`, then `"UTC"` */
  timeZone?: string;
}

/**
 * A parsed template: render it as many times as needed.
 *
 * @example
 * ```ts
 * const t: CompiledTemplate = compileTemplate("Bonjour {{client.firstName}}", { channel: "sms" });
 * t.render({ client: { firstName: "Camille" } }) //=> "Bonjour Camille"
 * ```
 */
export interface CompiledTemplate {
  /** Canonical names of the macros used, in order of first use (section names included). A fresh array each read. */
  readonly macros: string[];
  /**
   * Renders the template. Values are escaped for `email-html`; subjects lose CR/LF. Throws a `RappelError` with
   * code `invalid-input` (context not an object, bad locale or money), `invalid-time-zone` or `invalid-date`.
   */
  render(context: MacroContext, options?: RenderOptions): string;
}

const CHANNELS: readonly TemplateChannel[] = ["sms", "email-html", "email-text", "subject"];
const DATE_PURPOSES = new Set<string>(["reminder", "immediate-reminder"]);

const OP_TEXT = 0;
const OP_VALUE = 1;
const OP_SECTION = 2;

type Op =
  | { k: typeof OP_TEXT; s: string }
  | { k: typeof OP_VALUE; m: MacroName; r: (s: RenderState) => string }
  | { k: typeof OP_SECTION; m: MacroName; r: (s: RenderState) => string; inverted: boolean; end: number };

/** Names that reach into the prototype chain of a JavaScript object: forbidden outright. */
function isPrototypeName(name: string): boolean {
  return name.split(".").some((seg) => seg === "__proto__" || seg === "prototype" || seg in Object.prototype);
}

const ALL_NAMES: readonly string[] = [...MACRO_NAMES, ...ALIASES_LONGEST_FIRST];
/** An Owl-style token that is not in the catalogue: `_` + upper-case letters, digits, spaces, `'`, `-` + `_`. */
const OWL_LIKE = /_[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ0-9 '’-]{2,40}_/y;
const WORD_CHAR = /[\p{L}\p{N}]/u;

function unknownMacro(name: string, index: number): TemplateError {
  const suggestion = closest(name, ALL_NAMES);
  return new TemplateError(
    ErrorCode.TEMPLATE_UNKNOWN_MACRO,
    `Unknown macro "${name}" at index ${index}${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
    { index, macro: name, ...(suggestion ? { suggestion } : {}) },
  );
}

function lookup(raw: string, index: number): MacroName {
  const name = raw.trim();
  if (name === "") throw new TemplateError(ErrorCode.TEMPLATE_SYNTAX, `Empty tag at index ${index}`, { index });
  if (isPrototypeName(name)) {
    throw new TemplateError(ErrorCode.TEMPLATE_FORBIDDEN, `"${name}" is not a macro and may not be used`, {
      index,
      macro: name,
    });
  }
  const canonical = resolveMacro(name);
  if (!canonical) throw unknownMacro(name, index);
  return canonical;
}

/** True when `source[from, to)` holds only spaces and tabs. */
function blank(source: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = source.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

function parse(source: string, channel: TemplateChannel): { ops: Op[]; macros: MacroName[] } {
  const ops: Op[] = [];
  const macros: MacroName[] = [];
  const open: { name: MacroName; index: number; op: number }[] = [];
  const use = (name: MacroName) => {
    if (!macros.includes(name)) macros.push(name);
  };
  let buf = "";
  let textStart = 0; // start of the literal text not yet copied into buf
  const take = (upTo: number) => {
    if (upTo > textStart) buf += source.slice(textStart, upTo);
  };
  const flush = () => {
    if (buf !== "") ops.push({ k: OP_TEXT, s: channel === "subject" ? oneLine(buf) : buf });
    buf = "";
  };
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 0x7b /* { */ && source.charCodeAt(i + 1) === 0x7b) {
      take(i);
      const start = i;
      const triple = source.charCodeAt(i + 2) === 0x7b;
      const close = source.indexOf(triple ? "}}}" : "}}", i + (triple ? 3 : 2));
      if (close < 0) {
        throw new TemplateError(ErrorCode.TEMPLATE_SYNTAX, `Unclosed tag "${triple ? "{{{" : "{{"}" at index ${i}`, {
          index: i,
        });
      }
      const body = source.slice(i + (triple ? 3 : 2), close);
      const after = close + (triple ? 3 : 2);
      const trimmed = body.trim();
      const sigil = triple ? "&" : trimmed.charAt(0);
      if (sigil === ">" || sigil === "=") {
        const what = sigil === ">" ? "Partials" : "Delimiter changes";
        throw new TemplateError(ErrorCode.TEMPLATE_FORBIDDEN, `${what} are not allowed (index ${start})`, {
          index: start,
          macro: trimmed.slice(1).trim(),
        });
      }
      if (sigil === "&" || sigil === "{") {
        const name = triple ? trimmed : trimmed.slice(1).trim();
        if (channel === "email-html") {
          throw new TemplateError(
            ErrorCode.TEMPLATE_FORBIDDEN,
            `Unescaped output is not allowed in HTML email templates (index ${start})`,
            { index: start, macro: name },
          );
        }
        const m = lookup(name, start);
        use(m);
        flush();
        ops.push({ k: OP_VALUE, m, r: RESOLVERS[m] });
        i = textStart = after;
        continue;
      }
      if (sigil === "!" || sigil === "#" || sigil === "^" || sigil === "/") {
        // Standalone tag (alone on its line): the whole line disappears, as in Mustache.
        const lineStart = source.lastIndexOf("\n", start - 1) + 1;
        let lineEnd = source.indexOf("\n", after);
        if (lineEnd < 0) lineEnd = n;
        const eol = lineEnd > after && source.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd;
        const standalone =
          blank(source, lineStart, start) && blank(source, after, eol) && buf.length >= start - lineStart;
        if (standalone) buf = buf.slice(0, buf.length - (start - lineStart));
        const next = standalone ? Math.min(lineEnd + 1, n) : after;
        if (sigil === "!") {
          i = textStart = next;
          continue;
        }
        const name = lookup(trimmed.slice(1), start);
        flush();
        if (sigil === "/") {
          const top = open.pop();
          if (!top || top.name !== name) {
            throw new TemplateError(
              ErrorCode.TEMPLATE_SYNTAX,
              top
                ? `Closing tag "${name}" at index ${start} does not match the open section "${top.name}"`
                : `Closing tag "${name}" at index ${start} has no open section`,
              { index: start, macro: name, ...(top ? { suggestion: top.name } : {}) },
            );
          }
          const op = ops[top.op] as Extract<Op, { k: typeof OP_SECTION }>;
          op.end = ops.length;
        } else {
          use(name);
          open.push({ name, index: start, op: ops.length });
          ops.push({ k: OP_SECTION, m: name, r: RESOLVERS[name], inverted: sigil === "^", end: -1 });
        }
        i = textStart = next;
        continue;
      }
      const m = lookup(trimmed, start);
      use(m);
      flush();
      ops.push({ k: OP_VALUE, m, r: RESOLVERS[m] });
      i = textStart = after;
      continue;
    }
    if (c === 0x5f /* _ */ && (i === 0 || !WORD_CHAR.test(source.charAt(i - 1)))) {
      // Owl-style aliases start a word: `MY_ACTION_ITEM` is text, `_ACTION_` is a macro.
      let matched = false;
      for (const alias of ALIASES_LONGEST_FIRST) {
        if (alias.charCodeAt(0) === 0x5f && source.startsWith(alias, i)) {
          const m = resolveMacro(alias)!;
          use(m);
          take(i);
          flush();
          ops.push({ k: OP_VALUE, m, r: RESOLVERS[m] });
          i = textStart = i + alias.length;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      OWL_LIKE.lastIndex = i;
      const owl = OWL_LIKE.exec(source);
      if (owl) throw unknownMacro(owl[0], i);
    } else if (c === 0x5b /* [ */) {
      if (source.startsWith("[contact]", i) || source.startsWith("[sujet]", i)) {
        const alias = source.startsWith("[contact]", i) ? "[contact]" : "[sujet]";
        const m = resolveMacro(alias)!;
        use(m);
        take(i);
        flush();
        ops.push({ k: OP_VALUE, m, r: RESOLVERS[m] });
        i = textStart = i + alias.length;
        continue;
      }
    }
    i++;
  }
  take(n);
  flush();
  const unclosed = open.pop();
  if (unclosed) {
    throw new TemplateError(
      ErrorCode.TEMPLATE_SYNTAX,
      `Section "${unclosed.name}" opened at index ${unclosed.index} is never closed`,
      { index: unclosed.index, macro: unclosed.name },
    );
  }
  return { ops, macros };
}

/** Escapes `& < > " '` for HTML text and attribute values (one pass, no regular expression). */
export function escapeHtml(s: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    let rep: string;
    switch (s.charCodeAt(i)) {
      case 0x26:
        rep = "&amp;";
        break;
      case 0x3c:
        rep = "&lt;";
        break;
      case 0x3e:
        rep = "&gt;";
        break;
      case 0x22:
        rep = "&quot;";
        break;
      case 0x27:
        rep = "&#39;";
        break;
      default:
        continue;
    }
    if (i > last) out += s.slice(last, i);
    out += rep;
    last = i + 1;
  }
  return last === 0 ? s : last < s.length ? out + s.slice(last) : out;
}

// CR, LF, and the other characters mail software may treat as a line break.
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;
const HAS_LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;
/** Replaces every line break (CRLF, CR, LF, NEL, LS, PS) by one space. */
export function oneLine(s: string): string {
  return HAS_LINE_BREAK.test(s) ? s.replace(LINE_BREAKS, " ") : s;
}

function makeRender(ops: Op[], channel: TemplateChannel): CompiledTemplate["render"] {
  const post = channel === "email-html" ? escapeHtml : channel === "subject" ? oneLine : undefined;
  const count = ops.length;
  return (context, options) => {
    const state = renderState(context, options);
    let out = "";
    for (let i = 0; i < count; i++) {
      const op = ops[i]!;
      if (op.k === OP_TEXT) out += op.s;
      else if (op.k === OP_VALUE) {
        const v = op.r(state);
        out += post === undefined ? v : post(v);
      } else if ((op.r(state) === "") !== op.inverted) i = op.end - 1;
    }
    return out;
  };
}

const CACHE_SIZE = 1000;
const structure = new WeakMap<CompiledTemplate, readonly Op[]>();

/** One piece of a compiled template, for configuration-time analysis (lint). */
export type TemplatePiece = { text: string } | { macro: MacroName; section?: "normal" | "inverted" };

/** The flat structure of a compiled template: literal texts, values, and section openings. */
export function templatePieces(t: CompiledTemplate): TemplatePiece[] {
  const ops = structure.get(t) ?? [];
  return ops.map((op) =>
    op.k === OP_TEXT
      ? { text: op.s }
      : op.k === OP_VALUE
        ? { macro: op.m }
        : { macro: op.m, section: op.inverted ? "inverted" : "normal" },
  );
}
const cache = new Map<string, CompiledTemplate>();

/**
 * Parses a template once for one channel; the result renders many times (SPEC §9). The native syntax is Mustache:
 * `{{client.firstName}}`, sections `{{#service.instructions}}…{{/service.instructions}}` (shown when the value is
 * not empty), inverted sections `{{^…}}`, comments `{{! … }}`. Aliases work anywhere in the text: Owl-style
 * `_CLIENT-FIRST-NAME_`, the French forms of seed 002 (`_NOM DU SERVICE_`, `_DATE DE DÉBUT D'APT_`…) and the
 * bracket variables `[contact]` and `[sujet]`.
 *
 * Throws a {@link TemplateError} with `code`, `index`, `macro` and `suggestion` (closest known name):
 * `template-unknown-macro` for a name outside the catalogue (also an unknown `_UPPER-CASE_` token);
 * `template-syntax` for an unclosed tag or unbalanced section; `template-forbidden` for partials `{{> x}}`,
 * delimiter changes, prototype names (`constructor`, `__proto__`, `toString`…) and, in `email-html`, unescaped
 * output (`{{{x}}}`, `{{& x}}`); `template-missing-macro` when a reminder lacks the start date or time.
 *
 * Compiled templates are cached (bounded, least recently used, 1,000 entries) and immutable.
 *
 * @param source - The template text.
 * @param options - `channel`, and optionally `purpose` for the purpose checks of R-23.
 * @returns `{ macros, render }`, exactly the shape SPEC §9 promises (no other field).
 * @example
 * ```ts
 * const t = compileTemplate("_NOM DU SERVICE_ le {{appointment.startDate}} à {{appointment.startTime}}", { channel: "sms" });
 * t.macros //=> ["service.name", "appointment.startDate", "appointment.startTime"]
 * t.render({ service: { name: "Ostéopathie" }, appointment: { start: new Date("2026-06-09T10:00:00Z"), timeZone: "Europe/Paris" } })
 * //=> "Ostéopathie le 09/06/2026 à 12h00"
 * ```
 */
export function compileTemplate(source: string, options: CompileOptions): CompiledTemplate {
  const channel = options?.channel;
  if (!CHANNELS.includes(channel)) {
    throw new RappelError(ErrorCode.INVALID_INPUT, `channel must be one of ${CHANNELS.join(", ")}`, {
      details: { channel: typeof channel === "string" ? channel : typeof channel },
    });
  }
  if (typeof source !== "string") throw new RappelError(ErrorCode.INVALID_INPUT, "A template source must be a string");
  const purpose = options.purpose;
  const key = `${channel}\u0000${purpose ?? ""}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const { ops, macros } = parse(source, channel);
  if (purpose !== undefined && DATE_PURPOSES.has(purpose)) {
    for (const required of ["appointment.startDate", "appointment.startTime"] as const) {
      if (!macros.includes(required)) {
        throw new TemplateError(
          ErrorCode.TEMPLATE_MISSING_MACRO,
          `A ${purpose} template must contain the appointment's ${required === "appointment.startDate" ? "date" : "time"} ({{${required}}})`,
          { macro: required, suggestion: required },
        );
      }
    }
  }
  const used = Object.freeze([...macros]);
  const compiled: CompiledTemplate = Object.freeze({
    // A copy per read: compiled templates are cached and shared, so callers must not be able to alter them.
    get macros(): string[] {
      return [...used];
    },
    render: makeRender(ops, channel),
  });
  structure.set(compiled, ops);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** Number of compiled templates currently cached (for tests and benchmarks). */
export function templateCacheSize(): number {
  return cache.size;
}
