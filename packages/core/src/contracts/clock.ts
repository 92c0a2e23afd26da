/**
 * Where the engine reads the current instant. The library never calls `Date.now()` itself.
 *
 * @example
 * ```ts
 * const fixed: Clock = { now: () => new Date("2026-06-08T08:00:00Z") };
 * ```
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/**
 * The host's system clock: the default of every `clock` option (the engine, the transports, the webhook handler).
 * The only place the library reads the system time.
 *
 * @example
 * ```ts
 * const engine = createRappel({ storage, transports, clock: systemClock }); // the same as omitting `clock`
 * ```
 */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/**
 * A clock under the test's control: it only moves when told to.
 *
 * @example
 * ```ts
 * const clock = createManualClock(new Date("2026-06-08T08:00:00Z"));
 * clock.advance({ hours: 2 });
 * clock.now().toISOString() //=> "2026-06-08T10:00:00.000Z"
 * ```
 */
export interface ManualClock extends Clock {
  /** Sets the current instant. */
  set(instant: Date): void;
  /** Moves the clock forward (or back, with negative values). */
  advance(by: { ms?: number; seconds?: number; minutes?: number; hours?: number; days?: number }): Date;
}

/**
 * Creates a {@link ManualClock} starting at `start`.
 *
 * @example
 * ```ts
 * const clock = createManualClock(new Date("2026-03-28T12:00:00Z"));
 * clock.advance({ days: 1 }).toISOString() //=> "2026-03-29T12:00:00.000Z"
 * ```
 */
export function createManualClock(start: Date): ManualClock {
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) throw new RangeError("Invalid start instant");
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set(instant) {
      if (Number.isNaN(instant.getTime())) throw new RangeError("Invalid instant");
      current = instant.getTime();
    },
    advance(by) {
      current +=
        (by.ms ?? 0) +
        (by.seconds ?? 0) * 1_000 +
        (by.minutes ?? 0) * 60_000 +
        (by.hours ?? 0) * 3_600_000 +
        (by.days ?? 0) * 86_400_000;
      return new Date(current);
    },
  };
}
