// The key scheme (docs/planning.md, "Keys"). Keys are opaque to the engine but readable in logs:
//   <structure>:apt:<appointment>@<start ISO>:<kind>[:<detail>…]:<channel>
// Every id segment is escaped so that ids containing ":" or "@" cannot make two different sends share a key.
import { civilFromDays as importedCivilFromDays } from "@rappel/core";

// Bound once: a loader running the sources as CommonJS (tsx) reads imported bindings through a getter per use.
const civilFromDays = importedCivilFromDays;

/** Escapes the separators used by the key scheme; ids without them (the common case) are returned as they are. */
export function seg(id: string): string {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    // ":" "@" "%"
    if (c === 58 || c === 64 || c === 37) return encodeURIComponent(id).replace(/@/g, "%40");
  }
  return id;
}

const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const p3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

// Formatted pieces, cached: `YYYY-MM-DDT` per day number (direct-mapped, 1,024 entries) and `HH:mm` per minute of
// the day. Instants in one planning run cluster on a few days and on round minutes.
const DAY_SLOTS = 1024;
const dayNumbers = new Float64Array(DAY_SLOTS).fill(Number.NaN);
const dayTexts: string[] = new Array<string>(DAY_SLOTS).fill("");
const minuteTexts: string[] = new Array<string>(1440).fill("");
// `HH:mm:00.000Z` per minute of the day: a whole-minute instant (the usual case) is then one concatenation.
const minuteEnds: string[] = new Array<string>(1440).fill("");

/** `YYYY-MM-DDT` of a day number of years 1000–9999 (cached). */
function dayText(days: number): string {
  const slot = days & (DAY_SLOTS - 1);
  if (dayNumbers[slot] === days) return dayTexts[slot]!;
  const { year, month, day } = civilFromDays(days);
  const text = `${year}-${p2(month)}-${p2(day)}T`;
  dayNumbers[slot] = days;
  dayTexts[slot] = text;
  return text;
}

/**
 * `Date#toISOString` for instants of years 1000–9999, by integer arithmetic: the planner formats several instants
 * per event and the built-in is several times slower. Other years fall back to the built-in.
 */
export function isoString(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  // 1000-01-01 and 10000-01-01 as day numbers: other years go to the built-in.
  if (days < -354_285 || days >= 2_932_897) return new Date(ms).toISOString();
  const rest = ms - days * 86_400_000;
  const minute = Math.floor(rest / 60_000);
  const ms2 = rest - minute * 60_000;
  if (ms2 === 0) {
    let end = minuteEnds[minute]!;
    if (end === "") {
      end = `${minuteText(minute)}:00.000Z`;
      minuteEnds[minute] = end;
    }
    return dayText(days) + end;
  }
  const sec = Math.floor(ms2 / 1000);
  if (ms2 === sec * 1000) return dayText(days) + secondEnd(minute * 60 + sec);
  const hm = minuteText(minute);
  // biome-ignore lint/style/useTemplate: `+` on strings skips the ToString call per piece a template compiles to
  return dayText(days) + hm + ":" + p2(sec) + "." + p3(ms2 - sec * 1000) + "Z";
}

// `HH:mm:ss.000Z` per second of the day for whole-second instants, direct-mapped (2,048 entries, tagged with the
// second): starts booked to the second, spread over the day, then also cost one concatenation.
const SECOND_SLOTS = 2048;
const secondTags = new Int32Array(SECOND_SLOTS).fill(-1);
const secondTexts: string[] = new Array<string>(SECOND_SLOTS).fill("");

function secondEnd(second: number): string {
  const slot = second & (SECOND_SLOTS - 1);
  if (secondTags[slot] === second) return secondTexts[slot]!;
  const minute = Math.floor(second / 60);
  const text = `${minuteText(minute)}:${p2(second - minute * 60)}.000Z`;
  secondTags[slot] = second;
  secondTexts[slot] = text;
  return text;
}

/** `HH:mm` of a minute of the day (cached). */
function minuteText(minute: number): string {
  let hm = minuteTexts[minute]!;
  if (hm === "") {
    const h = Math.floor(minute / 60);
    hm = `${p2(h)}:${p2(minute - h * 60)}`;
    minuteTexts[minute] = hm;
  }
  return hm;
}

// The last structure's `<structure>:apt:` (a structure's events come in runs).
let lastStructure: string | undefined;
let lastStructureApt = "";

/** `<structure>:apt:<appointment>@<start ISO>`: the prefix of every send about one appointment at one start. */
export function appointmentPrefix(structureId: string, appointmentId: string, startIso: string): string {
  if (structureId !== lastStructure) {
    lastStructureApt = `${seg(structureId)}:apt:`;
    lastStructure = structureId;
  }
  // `+` rather than a template: a template converts each piece with a call to ToString (its compiled code does not
  // know the pieces are strings), `+` on strings concatenates directly. Same in the planner's hot keys.
  // biome-ignore lint/style/useTemplate: `+` on strings skips the ToString call per piece a template compiles to
  return lastStructureApt + seg(appointmentId) + "@" + startIso;
}

const REMINDER_SUFFIXES = {
  first: { email: ":reminder:first:email", sms: ":reminder:first:sms" },
  second: { email: ":reminder:second:email", sms: ":reminder:second:sms" },
} as const;

/** The key of an appointment reminder for one slot and channel. */
export function reminderKey(prefix: string, slot: "first" | "second", channel: "email" | "sms"): string {
  // Branches, not `REMINDER_SUFFIXES[slot][channel]`: a keyed read seeing both names is a megamorphic lookup.
  const suffixes = slot === "first" ? REMINDER_SUFFIXES.first : REMINDER_SUFFIXES.second;
  return prefix + (channel === "email" ? suffixes.email : suffixes.sms);
}
