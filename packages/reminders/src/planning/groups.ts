import type { Channel, PlannedSend, SendRecipient } from "@rappel/core";

/**
 * Due sends the engine delivers as one message: the sends of one group key, send instant, channel and recipient
 * address (R-34 grouped practitioner notices), or a single ungrouped send.
 *
 * @example
 * ```ts
 * const g: SendGroup = { key: "s1:practitioner:g1:email:2026-06-08T12:00:00.000Z@2026-06-08T12:10:00.000Z#1f3a9c2e",
 *   channel: "email", recipient, sendAt, sends: [a, b], appointmentIds: ["r1", "r2"] };
 * ```
 */
export interface SendGroup {
  /**
   * The message's idempotency key: the send's own key for an ungrouped send, else
   * `<groupKey>@<sendAt ISO>#<hash of the member keys>`: a retried message keeps its key, and two messages of one
   * window (claimed in two batches) never share one.
   */
  key: string;
  /** The channel of every send in the group. */
  channel: Channel;
  /** The recipient of every send in the group (the first send's record). */
  recipient: SendRecipient;
  /** When the group is due. */
  sendAt: Date;
  /** The sends folded into this message, in key order; mark each of them sent once the message is out. */
  sends: PlannedSend[];
  /** Every appointment the message is about, in first-seen order (from `appointmentId` and `data.appointmentIds`). */
  appointmentIds: string[];
}

/**
 * Folds due sends into the messages to deliver: sends sharing a `groupKey`, a send instant, a channel and a
 * recipient address become one message listing their appointments; every other send stays alone. Pure and
 * order-independent: the same sends in any order give the same groups, sorted by send instant then key. The engine
 * calls it on the sends it claimed (claiming a group's sends together, e.g. by group key).
 *
 * @param sends - Claimed, due sends.
 * @returns One {@link SendGroup} per message to deliver.
 *
 * @example
 * ```ts
 * // Two online bookings for Dr Martin at 12:02 and 12:07: both planned for 12:10 with the same group key.
 * const groups = groupDueSends([bookingR1, bookingR2]);
 * groups.length; //=> 1
 * groups[0].appointmentIds; //=> ["r1", "r2"]
 * ```
 */
export function groupDueSends(sends: readonly PlannedSend[]): SendGroup[] {
  const sorted = [...sends].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const groups = new Map<string, SendGroup>();
  const out: SendGroup[] = [];
  for (const s of sorted) {
    const id =
      s.groupKey === undefined
        ? undefined
        : `${s.groupKey}@${s.sendAt.toISOString()}\u0000${s.channel}\u0000${s.recipient.address}`;
    let g = id === undefined ? undefined : groups.get(id);
    if (g === undefined) {
      g = {
        key: s.groupKey === undefined ? s.key : `${s.groupKey}@${s.sendAt.toISOString()}`,
        channel: s.channel,
        recipient: s.recipient,
        sendAt: s.sendAt,
        sends: [],
        appointmentIds: [],
      };
      if (id !== undefined) groups.set(id, g);
      out.push(g);
    }
    g.sends.push(s);
    const ids = Array.isArray(s.data.appointmentIds) ? s.data.appointmentIds : [];
    for (const x of [s.appointmentId, ...ids]) {
      if (typeof x === "string" && !g.appointmentIds.includes(x)) g.appointmentIds.push(x);
    }
  }
  for (const g of out) {
    if (g.sends[0]!.groupKey !== undefined) g.key = `${g.key}#${fnv1a(g.sends.map((s) => s.key).join("\n"))}`;
  }
  return out.sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** 32-bit FNV-1a of a string, as 8 hex digits: a short, stable fingerprint (not a security hash). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
