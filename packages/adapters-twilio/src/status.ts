/**
 * The delivery states of an outbound Twilio message, as reported in `MessageStatus` (status callbacks) and in
 * the Messages API's `status` field.
 *
 * @example
 * ```ts
 * const s: TwilioMessageStatus = "delivered";
 * ```
 */
export type TwilioMessageStatus =
  | "accepted"
  | "scheduled"
  | "queued"
  | "sending"
  | "sent"
  | "delivered"
  | "undelivered"
  | "failed"
  | "canceled";

/** Progress rank: a higher rank is further along. Terminal states share the top rank. */
const RANK: Readonly<Record<TwilioMessageStatus, number>> = {
  accepted: 0,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  canceled: 5,
};

/**
 * Every {@link TwilioMessageStatus}, in progress order.
 *
 * @example
 * ```ts
 * TWILIO_MESSAGE_STATUSES.includes("sent") //=> true
 * ```
 */
export const TWILIO_MESSAGE_STATUSES: readonly TwilioMessageStatus[] = Object.freeze(
  Object.keys(RANK) as TwilioMessageStatus[],
);

/**
 * Whether `value` is a {@link TwilioMessageStatus} (callbacks may carry statuses this version does not know).
 *
 * @example
 * ```ts
 * isTwilioMessageStatus("delivered") //=> true
 * isTwilioMessageStatus("read") //=> false
 * ```
 */
export function isTwilioMessageStatus(value: unknown): value is TwilioMessageStatus {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

/**
 * Whether a status is terminal: `delivered`, `undelivered`, `failed` or `canceled`. A terminal state is never
 * overwritten.
 *
 * @example
 * ```ts
 * isTerminalStatus("undelivered") //=> true
 * isTerminalStatus("sent") //=> false
 * ```
 */
export function isTerminalStatus(status: TwilioMessageStatus): boolean {
  return RANK[status] === RANK.delivered;
}

/**
 * Folds one more status callback into the recorded state: callbacks arrive duplicated and out of order, so
 * the recorded state is the furthest one reached, and once a terminal state (`delivered`, `undelivered`,
 * `failed`, `canceled`) is recorded it is never overwritten — not even by another terminal state: the first
 * terminal state recorded wins. Progress order: `accepted` < `scheduled` < `queued` < `sending` < `sent` <
 * terminal. `current` is `undefined` when nothing is recorded yet.
 *
 * Folding a set of callbacks that holds at most one terminal state gives the same answer in any order, with any
 * duplicates.
 *
 * @example
 * ```ts
 * furthestStatus("sent", "queued") //=> "sent"
 * furthestStatus("queued", "delivered") //=> "delivered"
 * furthestStatus("delivered", "failed") //=> "delivered"
 * furthestStatus(undefined, "sending") //=> "sending"
 * ```
 */
export function furthestStatus(
  current: TwilioMessageStatus | undefined,
  incoming: TwilioMessageStatus,
): TwilioMessageStatus {
  if (current === undefined) return incoming;
  if (isTerminalStatus(current)) return current;
  return RANK[incoming] > RANK[current] ? incoming : current;
}
