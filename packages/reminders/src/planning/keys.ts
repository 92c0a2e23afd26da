// The key scheme (docs/planning.md, "Keys"). Keys are opaque to the engine but readable in logs:
//   <structure>:apt:<appointment>@<start ISO>:<kind>[:<detail>…]:<channel>
// Every id segment is escaped so that ids containing ":" or "@" cannot make two different sends share a key.

/** Escapes the separators used by the key scheme; ids without them (the common case) are returned as they are. */
export function seg(id: string): string {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    // ":" "@" "%"
    if (c === 58 || c === 64 || c === 37) return encodeURIComponent(id).replace(/@/g, "%40");
  }
  return id;
}

/** `<structure>:apt:<appointment>@<start ISO>`: the prefix of every send about one appointment at one start. */
export function appointmentPrefix(structureId: string, appointmentId: string, start: Date): string {
  return `${seg(structureId)}:apt:${seg(appointmentId)}@${start.toISOString()}`;
}

/** The key of an appointment reminder for one slot and channel. */
export function reminderKey(prefix: string, slot: "first" | "second", channel: "email" | "sms"): string {
  return `${prefix}:reminder:${slot}:${channel}`;
}
