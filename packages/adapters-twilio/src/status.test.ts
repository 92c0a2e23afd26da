import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { furthestStatus, isTerminalStatus, TWILIO_MESSAGE_STATUSES, type TwilioMessageStatus } from "./status.js";

// Thousands of runs per property: allow for a loaded CI machine.
vi.setConfig({ testTimeout: 30_000 });

const PROGRESS: TwilioMessageStatus[] = ["accepted", "scheduled", "queued", "sending", "sent"];
const TERMINAL: TwilioMessageStatus[] = ["delivered", "undelivered", "failed", "canceled"];

describe("furthestStatus (R-49)", () => {
  it("keeps the furthest state and never overwrites a terminal one", () => {
    expect(furthestStatus(undefined, "queued")).toBe("queued");
    expect(furthestStatus("queued", "sent")).toBe("sent");
    expect(furthestStatus("sent", "queued")).toBe("sent");
    expect(furthestStatus("sent", "delivered")).toBe("delivered");
    expect(furthestStatus("delivered", "sent")).toBe("delivered");
    expect(furthestStatus("delivered", "failed")).toBe("delivered");
    expect(furthestStatus("undelivered", "delivered")).toBe("undelivered");
    expect(TERMINAL.every(isTerminalStatus)).toBe(true);
    expect(PROGRESS.some(isTerminalStatus)).toBe(false);
    expect(TWILIO_MESSAGE_STATUSES).toEqual([...PROGRESS, ...TERMINAL]);
  });

  it("folds duplicated and shuffled callbacks to the furthest state reached (at most one terminal kind)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PROGRESS), { minLength: 1, maxLength: 12 }),
        fc.option(fc.constantFrom(...TERMINAL), { nil: undefined }),
        fc.nat({ max: 3 }),
        fc.infiniteStream(fc.nat()),
        (progress, terminal, terminalCopies, randoms) => {
          const callbacks = [
            ...progress,
            ...Array.from({ length: terminal ? terminalCopies + 1 : 0 }, () => terminal!),
          ];
          const expected = terminal ?? progress.reduce((a, b) => (PROGRESS.indexOf(b) > PROGRESS.indexOf(a) ? b : a));
          // Fisher–Yates with the generated randoms, plus duplicates of random elements.
          const it = randoms[Symbol.iterator]();
          const shuffled = [...callbacks, ...callbacks.filter(() => it.next().value % 2 === 0)];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = it.next().value % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          expect(shuffled.reduce<TwilioMessageStatus | undefined>(furthestStatus, undefined)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("with several terminal kinds, the first terminal state received wins", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PROGRESS, ...TERMINAL), { minLength: 1, maxLength: 15 }), (seq) => {
        const folded = seq.reduce<TwilioMessageStatus | undefined>(furthestStatus, undefined);
        const firstTerminal = seq.find(isTerminalStatus);
        if (firstTerminal) expect(folded).toBe(firstTerminal);
        else expect(TERMINAL).not.toContain(folded);
      }),
      { numRuns: 1000 },
    );
  });
});
