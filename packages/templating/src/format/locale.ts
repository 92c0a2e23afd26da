import { ErrorCode, RappelError } from "@rappel/core";
import type { Locale } from "date-fns";
import { de, deAT, enAU, enCA, enGB, enUS, es, fr, frCA, frCH, it, itCH, nl, nlBE, pt, ptBR } from "date-fns/locale";
import type { LocalFields } from "./zone.js";

type FieldFormatter = (f: LocalFields) => string;

/** How one locale writes short dates, times, durations and money. */
export interface LocaleProfile {
  tag: string;
  date: FieldFormatter;
  time: FieldFormatter;
  english: boolean;
}

const BUILT_IN: readonly Locale[] = [
  fr,
  frCH,
  frCA,
  enUS,
  enGB,
  enCA,
  enAU,
  de,
  deAT,
  it,
  itCH,
  es,
  nl,
  nlBE,
  pt,
  ptBR,
];
const byCode = new Map(BUILT_IN.map((l) => [l.code!.toLowerCase(), l]));
/** Language-only tags resolve to these regional variants. */
const byLanguage: Record<string, Locale> = { fr, en: enUS, de, it, es, nl, pt };

// ICU writes NBSP / narrow NBSP (U+00A0, U+202F, U+2009…) in times and amounts: not GSM-7, so one would switch a
// whole SMS to UCS-2. Rappel always writes a plain space.
const SPACES = /[\u00a0\u2007\u2009\u202f]/g;
/** Replaces the no-break and thin spaces ICU emits by a plain ASCII space. */
export const asciiSpaces = (s: string): string => s.replace(SPACES, " ");

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad4 = (n: number): string => (n >= 1000 ? `${n}` : n >= 0 ? `000${n}`.slice(-4) : `${n}`);

/** Compiles a date-fns pattern (numeric subset: y M d H h m a, quoted literals) into a formatter of local fields. */
function compilePattern(pattern: string, locale: Locale): FieldFormatter {
  const parts: FieldFormatter[] = [];
  // Which fields the pattern reads: the memo below compares only those.
  let readsDay = false;
  let readsMinute = false;
  const am = asciiSpaces(String(locale.localize.dayPeriod("am", { width: "abbreviated" })));
  const pm = asciiSpaces(String(locale.localize.dayPeriod("pm", { width: "abbreviated" })));
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      const lit = pattern.slice(i + 1, end < 0 ? pattern.length : end) || "'";
      parts.push(() => lit);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    let j = i;
    while (j < pattern.length && pattern[j] === ch) j++;
    const n = j - i;
    i = j;
    switch (ch) {
      case "y":
        readsDay = true;
        parts.push(n === 2 ? (f) => pad2(f.year % 100) : n >= 4 ? (f) => pad4(f.year) : (f) => `${f.year}`);
        break;
      case "M":
        readsDay = true;
        parts.push(n >= 2 ? (f) => pad2(f.month) : (f) => `${f.month}`);
        break;
      case "d":
        readsDay = true;
        parts.push(n >= 2 ? (f) => pad2(f.day) : (f) => `${f.day}`);
        break;
      case "H":
        readsMinute = true;
        parts.push(n >= 2 ? (f) => pad2(f.hour) : (f) => `${f.hour}`);
        break;
      case "h":
        readsMinute = true;
        parts.push(n >= 2 ? (f) => pad2(f.hour % 12 || 12) : (f) => `${f.hour % 12 || 12}`);
        break;
      case "m":
        readsMinute = true;
        parts.push((f) => pad2(f.minute));
        break;
      case "a":
        readsMinute = true;
        parts.push((f) => (f.hour < 12 ? am : pm));
        break;
      default: {
        const lit = asciiSpaces(ch.repeat(n));
        parts.push(() => lit);
      }
    }
  }
  let format: FieldFormatter;
  if (parts.length === 3) {
    const [a, b, c] = parts as [FieldFormatter, FieldFormatter, FieldFormatter];
    format = (f) => a(f) + b(f) + c(f);
  } else {
    format = (f) => {
      let s = "";
      for (const p of parts) s += p(f);
      return s;
    };
  }
  return lastValueMemo(format, readsDay, readsMinute);
}

/**
 * A formatter that returns its last text again when the fields it reads are the same: sends are rendered in due
 * order, so consecutive renders mostly show the same date and often the same time. The day and the minute are
 * compared as two small integers (one number would exceed the small-integer range and be boxed on each change).
 */
function lastValueMemo(format: FieldFormatter, readsDay: boolean, readsMinute: boolean): FieldFormatter {
  let lastDay = -1;
  let lastMinute = -1;
  let last = "";
  return (f) => {
    const day = readsDay ? f.year * 416 + f.month * 32 + f.day : 0;
    const minute = readsMinute ? f.hour * 60 + f.minute : 0;
    if (day === lastDay && minute === lastMinute) return last;
    last = format(f);
    lastDay = day;
    lastMinute = minute;
    return last;
  };
}

function fromDateFns(tag: string, locale: Locale): LocaleProfile {
  const datePattern = String(locale.formatLong.date({ width: "short" }));
  let timePattern = String(locale.formatLong.time({ width: "short" }));
  // French practice in France: 12h00 (SPEC R-24). Swiss and Canadian French keep their own conventions.
  if (locale.code === "fr") timePattern = "HH'h'mm";
  return {
    tag,
    date: compilePattern(datePattern, locale),
    time: compilePattern(timePattern, locale),
    english: locale.code!.startsWith("en"),
  };
}

/** Any other valid BCP 47 locale: Intl's numeric short formats, spaces made ASCII. Needs a zone-free formatter. */
function fromIntl(tag: string): LocaleProfile {
  const date = new Intl.DateTimeFormat(tag, { timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit" });
  const time = new Intl.DateTimeFormat(tag, { timeZone: "UTC", hour: "numeric", minute: "2-digit" });
  const at = (f: LocalFields) => Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute);
  return {
    tag,
    date: (f) => asciiSpaces(date.format(at(f))),
    time: (f) => asciiSpaces(time.format(at(f))),
    english: tag.toLowerCase().startsWith("en"),
  };
}

const profiles = new Map<string, LocaleProfile>();

/**
 * The formatting profile of a BCP 47 tag: a built-in date-fns locale (exact tag, then language), else Intl.
 * Throws `invalid-input` for a tag that is not well-formed.
 */
export function getLocaleProfile(tag: string): LocaleProfile {
  let p = profiles.get(tag);
  if (p) return p;
  if (typeof tag !== "string") throw new RappelError(ErrorCode.INVALID_INPUT, "locale must be a string");
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(tag)[0]!;
  } catch (cause) {
    throw new RappelError(ErrorCode.INVALID_INPUT, `Invalid locale: ${tag}`, { cause, details: { locale: tag } });
  }
  const lower = canonical.toLowerCase();
  const language = lower.split("-")[0]!;
  const dateFns = byCode.get(lower) ?? (lower === "fr-fr" ? fr : undefined) ?? byLanguage[language];
  p = dateFns ? fromDateFns(canonical, dateFns) : fromIntl(canonical);
  if (profiles.size >= 256) profiles.clear();
  profiles.set(tag, p);
  return p;
}
