// What Storage.upsertPlanned does with a key that already exists: the contract's rule, in one place for every
// storage adapter (the memory storage and the PostgreSQL adapter apply it to their own row representations).
import type { SendStatus, UpsertResult } from "./contract.js";

/**
 * What {@link Storage.upsertPlanned} does to an existing send whose key is planned again:
 * - `"unchanged"`: nothing to write (same content, or the send is claimed with the same content and no cancel
 *   pending);
 * - `"update"`: a pending (`planned`) send takes the new content, due at its new instant;
 * - `"revive"`: a `cancelled` send (never handed to a transport) takes the new content and is `planned` again;
 * - `"withdraw-cancel"`: a claimed send not yet handed off, planned again with its own content: a cancel or newer
 *   content requested in between is withdrawn (the claim goes on as it was);
 * - `"supersede"`: a claimed send not yet handed off whose content changed: the new content is kept aside and the
 *   claim flagged `cancelRequested`; it becomes `planned` when the worker releases it;
 * - `"locked"`: handed to a transport or final, with other content (or a cancel pending): never reset.
 *
 * @example
 * ```ts
 * upsertAction("planned", false, false, false) //=> "update"
 * upsertAction("sending", false, true, false) //=> "locked"
 * ```
 */
export type UpsertAction = "unchanged" | "update" | "revive" | "withdraw-cancel" | "supersede" | "locked";

/**
 * The contract's decision for an existing send planned again (see {@link UpsertAction}), from its status, whether
 * the new content equals the stored one, whether it was handed to a transport, and whether a cancel is pending on
 * its claim. Storage adapters apply the action to their own rows and count it with {@link countUpsertAction}.
 *
 * @param status - the stored send's status.
 * @param same - whether the planned content equals the stored content.
 * @param handedOff - whether the send was handed to a transport (`beginSend` succeeded); only read when `sending`.
 * @param cancelRequested - whether a cancel is pending on its claim; only read when `sending`.
 * @example
 * ```ts
 * upsertAction("cancelled", true, false, false) //=> "revive"
 * upsertAction("sending", true, false, true) //=> "withdraw-cancel"
 * ```
 */
export function upsertAction(
  status: SendStatus,
  same: boolean,
  handedOff: boolean,
  cancelRequested: boolean,
): UpsertAction {
  switch (status) {
    case "planned":
      return same ? "unchanged" : "update";
    case "cancelled":
      return "revive";
    case "sending":
      if (handedOff) return same && !cancelRequested ? "unchanged" : "locked";
      if (!same) return "supersede";
      return cancelRequested ? "withdraw-cancel" : "unchanged";
    default:
      return same ? "unchanged" : "locked";
  }
}

/**
 * An {@link UpsertResult} with every count at zero, for a storage adapter's `upsertPlanned` to count into.
 *
 * @example
 * ```ts
 * const result = emptyUpsertResult();
 * countUpsertAction(result, "update", "s1:apt:r1:reminder:first:sms");
 * result.updated //=> 1
 * ```
 */
export function emptyUpsertResult(): UpsertResult {
  return { inserted: 0, updated: 0, revived: 0, unchanged: 0, superseded: 0, locked: 0, lockedKeys: [] };
}

/**
 * Counts one existing key's {@link UpsertAction} in `result` (a withdrawn cancel counts as `unchanged`; a
 * `locked` key is also listed in `lockedKeys`).
 *
 * @param result - the result being counted into.
 * @param action - what was done to the key.
 * @param key - the send's key.
 * @example
 * ```ts
 * const result = emptyUpsertResult();
 * countUpsertAction(result, "locked", "s1:apt:r1:reminder:first:sms");
 * result.lockedKeys //=> ["s1:apt:r1:reminder:first:sms"]
 * ```
 */
export function countUpsertAction(result: UpsertResult, action: UpsertAction, key: string): void {
  switch (action) {
    case "unchanged":
    case "withdraw-cancel":
      result.unchanged++;
      return;
    case "update":
      result.updated++;
      return;
    case "revive":
      result.revived++;
      return;
    case "supersede":
      result.superseded++;
      return;
    case "locked":
      result.locked++;
      result.lockedKeys.push(key);
  }
}
