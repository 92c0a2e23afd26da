// The key scheme (docs/planning.md, "Keys"). Keys are opaque to the engine but readable in logs:
//   <structure>:apt:<appointment>@<start ISO>:<kind>[:<detail>…]:<channel>
// Every id segment is escaped so that ids containing ":" or "@" cannot make two different sends share a key.
import { civilFromDays as importedCivilFromDays } from "../timing/civil.js";

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

/**
 * `Date#toISOString` for instants of years 1000–9999, by integer arithmetic: the planner formats several instants
 * per event and the built-in is several times slower. Other years fall back to the built-in.
 */
export function isoString(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const { year, month, day } = civilFromDays(days);
  if (year < 1000 || year > 9999) return new Date(ms).toISOString();
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  return `${year}-${p2(month)}-${p2(day)}T${p2(h)}:${p2(m)}:${p2(sec)}.${p3(rest - sec * 1000)}Z`;
}

/** `<structure>:apt:<appointment>@<start ISO>`: the prefix of every send about one appointment at one start. */
export function appointmentPrefix(structureId: string, appointmentId: string, startIso: string): string {
  return `${seg(structureId)}:apt:${seg(appointmentId)}@${startIso}`;
}

/** The key of an appointment reminder for one slot and channel. */
export function reminderKey(prefix: string, slot: "first" | "second", channel: "email" | "sms"): string {
  return `${prefix}:reminder:${slot}:${channel}`;
}
