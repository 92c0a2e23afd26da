import {
  createManualClock,
  createMemoryStorage,
  createMemoryTransport,
  type EmailMessage,
  type FaxMessage,
  type InAppMessage,
  type ManualClock,
  type MemoryStorage,
  type MemoryTransport,
  type SmsMessage,
} from "@rappel/core";
import { createRappel } from "./createRappel.js";
import { createMemoryDataSource, type MemoryDataSource } from "./memoryData.js";
import type { Rappel, RappelOptions, RunDueResult } from "./types.js";

/**
 * Everything an integrator's test needs: a manual clock, the memory storage, record-only transports for every
 * channel, the in-memory data source, and an engine wired to them.
 *
 * @example
 * ```ts
 * const kit = createTestKit();
 * kit.transports.sms.sent.length //=> 0
 * ```
 */
export interface TestKit {
  /** The clock: only moves when told. */
  clock: ManualClock;
  /** The storage. */
  storage: MemoryStorage;
  /** Domain data. */
  data: MemoryDataSource;
  /** Record-only transports. */
  transports: {
    email: MemoryTransport<EmailMessage>;
    sms: MemoryTransport<SmsMessage>;
    fax: MemoryTransport<FaxMessage>;
    message: MemoryTransport<InAppMessage>;
  };
  /** The engine. */
  engine: Rappel;
  /**
   * Moves the clock forward in steps (default one minute) and delivers what falls due at each step, like a worker
   * that never sleeps. Returns the totals.
   */
  advance(by: { ms?: number; minutes?: number; hours?: number; days?: number }, stepMs?: number): Promise<RunDueResult>;
}

/**
 * Creates a {@link TestKit}. `options` override any engine option (e.g. a failing transport, pricing, lateness).
 *
 * @param options - `start` instant (default 2026-06-01T08:00:00Z) and engine option overrides.
 * @example
 * ```ts
 * const kit = createTestKit({ start: new Date("2026-06-08T08:00:00Z") });
 * kit.data.putAccount({ id: "a1", structureId: "s1", name: "Dr Martin", email: "m@cabinet.example", signupDate: "2026-01-01" });
 * // … put an agenda, a contact and an appointment, then:
 * await kit.engine.forStructure("s1").appointmentCreated({ appointmentId: "r1" });
 * await kit.advance({ days: 2 });
 * kit.transports.sms.sent.length //=> 1
 * ```
 */
export function createTestKit(options: Partial<RappelOptions> & { start?: Date } = {}): TestKit {
  const { start, ...overrides } = options;
  const clock = createManualClock(start ?? new Date("2026-06-01T08:00:00Z"));
  const storage = createMemoryStorage();
  const data = createMemoryDataSource();
  const transports = {
    email: createMemoryTransport({ channel: "email", name: "memory-email" }),
    sms: createMemoryTransport({ channel: "sms", name: "memory-sms" }),
    fax: createMemoryTransport({ channel: "fax", name: "memory-fax" }),
    message: createMemoryTransport({ channel: "message", name: "memory-message" }),
  };
  const engine = createRappel({ storage, transports, data, clock, ...overrides });
  return {
    clock,
    storage,
    data,
    transports,
    engine,
    async advance(by, stepMs = 60_000) {
      const total =
        (by.ms ?? 0) + (by.minutes ?? 0) * 60_000 + (by.hours ?? 0) * 3_600_000 + (by.days ?? 0) * 86_400_000;
      const end = clock.now().getTime() + total;
      const sum = await engine.drain();
      while (clock.now().getTime() < end) {
        clock.set(new Date(Math.min(end, clock.now().getTime() + stepMs)));
        const r = await engine.drain();
        for (const k of Object.keys(sum) as (keyof RunDueResult)[]) sum[k] += r[k];
      }
      return sum;
    },
  };
}
