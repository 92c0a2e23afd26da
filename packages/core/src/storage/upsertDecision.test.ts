import { describe, expect, it } from "vitest";
import { SEND_STATUSES, type SendStatus } from "./contract.js";
import { countUpsertAction, emptyUpsertResult, type UpsertAction, upsertAction } from "./upsertDecision.js";

// The contract's table (Storage.upsertPlanned's TSDoc), written out case by case rather than derived.
function expected(status: SendStatus, same: boolean, handedOff: boolean, cancel: boolean): UpsertAction {
  if (status === "planned") return same ? "unchanged" : "update";
  if (status === "cancelled") return "revive";
  if (status === "sending" && !handedOff && !same) return "supersede";
  if (status === "sending" && !handedOff && same && cancel) return "withdraw-cancel";
  if (status === "sending" && !handedOff && same && !cancel) return "unchanged";
  if (status === "sending" && handedOff && same && !cancel) return "unchanged";
  if (status === "sending") return "locked";
  return same ? "unchanged" : "locked";
}

describe("upsertAction", () => {
  it("follows the contract for every status and flag", () => {
    for (const status of SEND_STATUSES)
      for (const same of [true, false])
        for (const handedOff of [true, false])
          for (const cancel of [true, false])
            expect(upsertAction(status, same, handedOff, cancel), `${status} ${same} ${handedOff} ${cancel}`).toBe(
              expected(status, same, handedOff, cancel),
            );
  });

  it("never resets a send that may have reached a transport or is final", () => {
    for (const status of SEND_STATUSES) {
      if (status === "planned" || status === "cancelled" || status === "sending") continue;
      expect(upsertAction(status, false, true, false)).toBe("locked");
      expect(upsertAction(status, true, true, false)).toBe("unchanged");
    }
    expect(upsertAction("sending", false, true, false)).toBe("locked");
    expect(upsertAction("sending", true, true, true)).toBe("locked");
  });

  it("counts each action in its field, locked keys listed in order", () => {
    const r = emptyUpsertResult();
    const actions: UpsertAction[] = [
      "unchanged",
      "withdraw-cancel",
      "update",
      "revive",
      "supersede",
      "locked",
      "locked",
    ];
    for (const [i, a] of actions.entries()) countUpsertAction(r, a, `k${i}`);
    expect(r).toEqual({
      inserted: 0,
      updated: 1,
      revived: 1,
      unchanged: 2,
      superseded: 1,
      locked: 2,
      lockedKeys: ["k5", "k6"],
    });
    expect(emptyUpsertResult()).not.toBe(emptyUpsertResult());
  });
});
