// The zone engine behind every timing function: per zone, a lazily built table of UTC-offset transitions read from
// Intl.DateTimeFormat (the only time-zone database a JavaScript runtime ships), then local↔UTC conversions that
// are plain arithmetic on that table. Nothing here reads the host's time zone or the current time.
import * as civil from "./civil.js";

// Bound once: when the sources are loaded as CommonJS (tsx from a CommonJS script), every use of an imported
// binding is a getter call (measured there: a fifth of reminderInstant's time). No import cycle here, so the
// bindings are initialised when read.
//
// The methods of ZoneTable spell their numeric constants as literals (CHUNK_MS = 31_104_000_000, DAY_MS =
// 86_400_000, MIN_INSTANT_MS / MAX_INSTANT_MS, the dense range -80 / 400): the bundler that builds the dist turns
// every module-level `const` into a `var`, which optimized code then loads from the module context and checks for
// a number on each use (tens of instructions per call on these paths).
const { civilFromDays, DAY_MS, daysFromCivil, MAX_INSTANT_MS, MIN_INSTANT_MS } = civil;

/** The table is built in chunks of 360 days, each on first use; a chunk is sampled every 3 days. */
const CHUNK_MS = 360 * DAY_MS;
const CHUNK_S = CHUNK_MS / 1000;
/**
 * Sampling period. Two transitions closer than this and returning to the same offset would be missed: since 1970
 * the closest pair in the IANA database is 7 days apart (Brazil, October 2000), so 3 days leaves a margin.
 */
const STEP_S = 3 * 86_400;
/** Sampling never leaves years 1..9999, the range Intl can name without an era. */
const SAMPLE_MIN_S = (MIN_INSTANT_MS - 2 * DAY_MS) / 1000;
const SAMPLE_MAX_S = (MAX_INSTANT_MS + 2 * DAY_MS) / 1000;
/**
 * Chunks for roughly 1891–2285 (indexes -80 to 319) live in a dense array (fast lookups); others in a Map. The
 * methods spell the first index as the literal -80 (see above).
 */
const DENSE_LEN = 400;
/** Bound on the number of distinct spellings cached (`Europe/Paris`, `europe/paris`…): keeps memory bounded. */
const MAX_ALIASES = 4096;

/**
 * The transitions of one 360-day chunk. Besides the arrays, the first three transitions sit in small-integer fields
 * (seconds after the chunk's start), which the hot paths read without walking an array: nearly every chunk has at
 * most two (a DST year), so its three stretches of constant offset are all described by these fields.
 */
interface Chunk {
  /** Offset (ms) in force at the chunk's start. */
  readonly off0: number;
  /** Transition instants (ms) inside the chunk, ascending. */
  readonly times: readonly number[];
  /** Offset (ms) in force from the transition at the same index. */
  readonly offs: readonly number[];
  /** Seconds from the chunk's start to its first transition, or the chunk's length ({@link CHUNK_S}) if none. */
  readonly s1: number;
  /** Offset (ms) in force from the first transition (`off0` if none). */
  readonly o1: number;
  /** Seconds from the chunk's start to its second transition, or the chunk's length if fewer. */
  readonly s2: number;
  /** Offset (ms) in force from the second transition (`off0` if fewer). */
  readonly o2: number;
  /** Seconds from the chunk's start to its third transition, or the chunk's length if fewer. */
  readonly s3: number;
}

/**
 * A chunk from its transitions. One object literal, so that every chunk has one shape; `| 0` stores each number
 * field as a small integer (each is an integer of under 31 bits; an arithmetic result would be a boxed double, and
 * the compiled code would check and unbox it on every read). Not a class: a class's field declarations compile to
 * fields first set to `undefined`, which makes them generic for the compiler.
 */
function makeChunk(startS: number, off0: number, times: readonly number[], offs: readonly number[]): Chunk {
  const n = times.length;
  return {
    off0: off0 | 0,
    times,
    offs,
    s1: (n > 0 ? times[0]! / 1000 - startS : CHUNK_S) | 0,
    o1: (n > 0 ? offs[0]! : off0) | 0,
    s2: (n > 1 ? times[1]! / 1000 - startS : CHUNK_S) | 0,
    o2: (n > 1 ? offs[1]! : off0) | 0,
    s3: (n > 2 ? times[2]! / 1000 - startS : CHUNK_S) | 0,
  };
}

/** A placeholder for {@link ZoneTable}'s last-chunk field before any chunk is used (never read as a chunk). */
const NO_CHUNK = makeChunk(0, 0, [], []);

type Sampler = (epochSeconds: number) => number;

let digitOrderOk: boolean | undefined;

/** Whether `format()` lays out `M/D/Y, h:m:s` as expected, so that a cheap digit scan can replace formatToParts. */
function formatLayoutIsKnown(): boolean {
  if (digitOrderOk === undefined) {
    const probe = makeFormatter("UTC").format(Date.UTC(2001, 1, 3, 4, 5, 6));
    digitOrderOk = scanDigits(probe).join(",") === "2,3,2001,4,5,6";
  }
  return digitOrderOk;
}

function makeFormatter(timeZone: string, era?: "short"): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    era,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
}

function scanDigits(text: string): number[] {
  const out: number[] = [];
  let current = -1;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) current = current < 0 ? d : current * 10 + d;
    else if (current >= 0) {
      out.push(current);
      current = -1;
    }
  }
  if (current >= 0) out.push(current);
  return out;
}

function offsetFromFields(sec: number, y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  // Some engines print midnight as 24 even with h23.
  const hour = h === 24 ? 0 : h;
  return (daysFromCivil(y, mo, d) * 86_400 + hour * 3600 + mi * 60 + s - sec) * 1000;
}

function makeSampler(formatter: Intl.DateTimeFormat): Sampler {
  if (formatLayoutIsKnown()) {
    return (sec) => {
      const n = scanDigits(formatter.format(sec * 1000));
      return offsetFromFields(sec, n[2]!, n[0]!, n[1]!, n[3]!, n[4]!, n[5]!);
    };
  }
  return (sec) => {
    const f: Record<string, number> = {};
    for (const part of formatter.formatToParts(sec * 1000)) f[part.type] = Number(part.value);
    return offsetFromFields(sec, f.year!, f.month!, f.day!, f.hour!, f.minute!, f.second!);
  };
}

/**
 * Wall-clock fields of an instant in a zone (minute precision), as {@link ZoneTable.localFields} returns them.
 *
 * @example
 * ```ts
 * zoneTable("Europe/Paris")!.localFields(Date.UTC(2026, 5, 9, 10)); //=> { year: 2026, month: 6, day: 9, hour: 12, minute: 0 }
 * ```
 */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/**
 * The transition table of one IANA zone, built lazily from Intl. `offsetAt` gives the UTC offset in force at an
 * instant; `localFields` the wall-clock fields of an instant; `resolve` turns a local wall-clock reading into an
 * instant with R-30's disambiguation. Obtain one with {@link zoneTable}.
 *
 * @example
 * ```ts
 * const paris = zoneTable("Europe/Paris")!;
 * paris.offsetAt(Date.UTC(2026, 5, 9)); //=> 7200000
 * paris.resolve(Date.UTC(2026, 2, 29, 2, 30)); //=> Date.UTC(2026, 2, 29, 1, 30) (a gap: moved forward)
 * ```
 */
export class ZoneTable {
  /** The canonical id Intl resolved the name to (e.g. `US/Eastern` → `America/New_York`). */
  readonly id: string;
  private readonly sample: Sampler;
  private readonly fixedChunk: Chunk | undefined;
  private readonly dense: (Chunk | undefined)[] = new Array<Chunk | undefined>(DENSE_LEN).fill(undefined);
  private readonly sparse = new Map<number, Chunk>();
  /** The chunk index and chunk last used by {@link chunk} (no index is -1,000,000: none at first). */
  private lastIdx = -1_000_000;
  private lastChunk: Chunk = NO_CHUNK;
  private eraFormatter: Intl.DateTimeFormat | undefined;
  /** The stretch [fieldsLo, fieldsHi) of constant offset `fieldsOff` last read by {@link localFields} (empty at first). */
  private fieldsLo = 0;
  private fieldsHi = 0;
  private fieldsOff = 0;
  /** Number of chunks built so far (for benchmarks and tests). */
  chunksBuilt = 0;

  constructor(id: string, formatter: Intl.DateTimeFormat) {
    this.id = id;
    this.sample = makeSampler(formatter);
    // Etc/* zones (and UTC) are fixed offsets by definition: no sampling needed.
    this.fixedChunk = id === "UTC" || id.startsWith("Etc/") ? makeChunk(0, this.sample(0), [], []) : undefined;
  }

  private chunk(idx: number): Chunk {
    // The chunk last used, in the table object itself: one read instead of the dense array's two.
    if (idx === this.lastIdx) return this.lastChunk;
    const k = idx + 80;
    let c = k >= 0 && k < 400 ? this.dense[k] : this.sparse.get(idx);
    if (c === undefined) c = this.build(idx);
    this.lastIdx = idx;
    this.lastChunk = c;
    return c;
  }

  private build(idx: number): Chunk {
    let chunk = this.fixedChunk;
    if (chunk === undefined) {
      const startS = Math.min(Math.max(idx * CHUNK_S, SAMPLE_MIN_S), SAMPLE_MAX_S);
      const lastS = Math.min(Math.max(idx * CHUNK_S + CHUNK_S - 1, SAMPLE_MIN_S), SAMPLE_MAX_S);
      const off0 = this.sample(startS);
      const times: number[] = [];
      const offs: number[] = [];
      let a = startS;
      let oa = off0;
      while (a < lastS) {
        const b = Math.min(a + STEP_S, lastS);
        const ob = this.sample(b);
        // Bisect to the first second of each change in (a, b]; repeat if the offset changed more than once.
        while (ob !== oa) {
          let lo = a;
          let hi = b;
          let ohi = ob;
          while (hi - lo > 1) {
            const mid = Math.floor((lo + hi) / 2);
            const om = this.sample(mid);
            if (om === oa) lo = mid;
            else {
              hi = mid;
              ohi = om;
            }
          }
          times.push(hi * 1000);
          offs.push(ohi);
          a = hi;
          oa = ohi;
        }
        a = b;
      }
      chunk = makeChunk(idx * CHUNK_S, off0, times, offs);
    }
    const k = idx + 80;
    if (k >= 0 && k < 400) this.dense[k] = chunk;
    else this.sparse.set(idx, chunk);
    this.chunksBuilt++;
    return chunk;
  }

  /** Builds every chunk covering `[fromMs, toMs]` now rather than on first use. */
  prepare(fromMs: number, toMs: number): void {
    for (let idx = Math.floor(fromMs / 31_104_000_000); idx <= Math.floor(toMs / 31_104_000_000); idx++)
      this.chunk(idx);
  }

  /**
   * `value` calendar days before instant `t` on the local calendar, at `t`'s own wall time or at `atMs` (local
   * milliseconds after midnight, when `atMs >= 0`), resolved as {@link resolve} does; `NaN` below the supported
   * range. One table walk for the common case: the stretch of constant offset holding `t` (within its chunk) also
   * holds the whole day either side of the wanted reading, so `resolve`'s own fast path would read the same offset.
   */
  daysBefore(t: number, value: number, atMs: number): number {
    const idx = Math.floor(t / 31_104_000_000);
    const c = this.chunk(idx);
    // Relative to the chunk's start, in ms: the stretch [lo, hi) of constant offset `o` holding `t`, from the
    // chunk's first three transitions (a fourth stretch, rare, takes the general walk).
    const start = idx * 31_104_000_000;
    const rel = t - start;
    const e1 = c.s1 * 1000;
    let o: number;
    let lo: number;
    let hi: number;
    if (rel < e1) {
      o = c.off0;
      lo = 0;
      hi = e1;
    } else {
      lo = c.s2 * 1000;
      if (rel < lo) {
        o = c.o1;
        hi = lo;
        lo = e1;
      } else {
        hi = c.s3 * 1000;
        if (rel >= hi) return this.daysBeforeWalk(t, value, atMs);
        o = c.o2;
      }
    }
    const local = t + o;
    // Without `at`, (day - value) × DAY_MS + (local - day × DAY_MS) is exactly local - value × DAY_MS (integers far
    // below 2^53): no division needed.
    const target =
      atMs >= 0 ? (Math.floor(local / 86_400_000) - value) * 86_400_000 + atMs : local - value * 86_400_000;
    // No transition in [lo, hi) but possibly at lo: a reading a day or more inside has exactly one instant.
    const r = target - start;
    if (r - 86_400_000 >= lo && r + 86_400_000 < hi) return target - o;
    return target < -62_135_337_600_000 - 86_400_000 ? Number.NaN : this.resolve(target);
  }

  /** {@link daysBefore} when `t` lies after its chunk's third transition: the same rule, walking the array. */
  private daysBeforeWalk(t: number, value: number, atMs: number): number {
    const idx = Math.floor(t / 31_104_000_000);
    const c = this.chunk(idx);
    const times = c.times;
    const n = times.length;
    let i = 0;
    while (i < n && times[i]! <= t) i++;
    const o = i === 0 ? c.off0 : c.offs[i - 1]!;
    const local = t + o;
    const target =
      atMs >= 0 ? (Math.floor(local / 86_400_000) - value) * 86_400_000 + atMs : local - value * 86_400_000;
    const lo = i === 0 ? idx * 31_104_000_000 : times[i - 1]!;
    const hi = i === n ? (idx + 1) * 31_104_000_000 : times[i]!;
    if (target - 86_400_000 >= lo && target + 86_400_000 < hi) return target - o;
    return target < -62_135_337_600_000 - 86_400_000 ? Number.NaN : this.resolve(target);
  }

  /**
   * Wall-clock fields of instant `t` (ms since the epoch) in this zone, for any instant a `Date` can hold. Between
   * {@link MIN_INSTANT_MS} and {@link MAX_INSTANT_MS} the offset comes from the table; outside (years before 1 or
   * after 9999) it is read from Intl directly, era included.
   */
  localFields(t: number): LocalFields {
    let off = this.fieldsOff;
    if (t < this.fieldsLo || t >= this.fieldsHi) off = this.stretchAt(t);
    const local = t + off;
    const days = Math.floor(local / 86_400_000);
    const minutes = Math.floor((local - days * 86_400_000) / 60_000);
    const { year, month, day } = civilFromDays(days);
    return { year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 };
  }

  /**
   * Offset at `t`, remembering the stretch of constant offset that holds it (within its chunk) for
   * {@link localFields}: consecutive formatted instants of one zone usually fall in the same stretch.
   */
  private stretchAt(t: number): number {
    if (!(t >= -62_135_337_600_000 && t <= 253_401_955_200_000)) return this.exactOffset(t);
    const idx = Math.floor(t / 31_104_000_000);
    const c = this.chunk(idx);
    const times = c.times;
    const n = times.length;
    let i = 0;
    while (i < n && times[i]! <= t) i++;
    const o = i === 0 ? c.off0 : c.offs[i - 1]!;
    // Clamped to the table's range, so that instants beyond it always take the exact path.
    this.fieldsLo = Math.max(i === 0 ? idx * 31_104_000_000 : times[i - 1]!, -62_135_337_600_000);
    this.fieldsHi = Math.min(i === n ? (idx + 1) * 31_104_000_000 : times[i]!, 253_401_955_200_000 + 1);
    this.fieldsOff = o;
    return o;
  }

  /** Offset (ms, whole seconds) at any instant, read from Intl with the era: the slow path out of the table's range. */
  private exactOffset(t: number): number {
    if (this.eraFormatter === undefined) {
      this.eraFormatter = makeFormatter(this.id, "short");
    }
    const f: Record<string, number> = {};
    let bc = false;
    for (const part of this.eraFormatter.formatToParts(t)) {
      if (part.type === "era") bc = part.value === "BC" || part.value === "B";
      else f[part.type] = Number(part.value);
    }
    const sec = Math.floor(t / 1000);
    return offsetFromFields(sec, bc ? 1 - f.year! : f.year!, f.month!, f.day!, f.hour!, f.minute!, f.second!);
  }

  /** UTC offset (ms, local minus UTC) in force at instant `t` (ms since the epoch). */
  offsetAt(t: number): number {
    const idx = Math.floor(t / 31_104_000_000);
    const c = this.chunk(idx);
    // The chunk's first three stretches from its small-integer fields; past the third transition, the arrays.
    const rel = t - idx * 31_104_000_000;
    if (rel < c.s1 * 1000) return c.off0;
    if (rel < c.s2 * 1000) return c.o1;
    if (rel < c.s3 * 1000) return c.o2;
    const times = c.times;
    let o = c.o2;
    for (let i = 2; i < times.length; i++) {
      if (t < times[i]!) break;
      o = c.offs[i]!;
    }
    return o;
  }

  /**
   * The instant at which the wall clock reads `local` (local milliseconds: the reading encoded as if UTC).
   * An ambiguous reading (overlap) gives the earlier instant, or the later one when `latest` is set; a nonexistent
   * reading (gap) is read with the offset in force before the gap, i.e. moved forward by the gap's length
   * (Temporal's "compatible", RFC 5545).
   *
   * Exact for any table: walks every offset in force within a day of the reading (no offset reaches a day) and
   * keeps the instants whose offset really is that one.
   */
  resolve(local: number, latest = false): number {
    // UTC offsets are under a day (ECMA-262 and Temporal bound them), so every instant whose wall clock can read
    // `local`, and every transition whose gap can contain it, lies within a day of `local`.
    const from = local - 86_400_000;
    const idx = Math.floor(from / 31_104_000_000);
    const c = this.chunk(idx);
    // Relative to the chunk's start, in ms; the common cases need the chunk's first three transitions at most.
    const start = idx * 31_104_000_000;
    const rf = from - start;
    const rt = rf + 2 * 86_400_000;
    if (rt < 31_104_000_000) {
      // The stretch holding `from`: [lo, hi) with offset `o`, then the next transition at `hi` to offset `o2`, and
      // the one after at `next` (the chunk's length when there is none).
      const e1 = c.s1 * 1000;
      let o: number;
      let hi: number;
      let o2: number;
      let next: number;
      if (rf < e1) {
        o = c.off0;
        hi = e1;
        o2 = c.o1;
        next = c.s2 * 1000;
      } else {
        const e2 = c.s2 * 1000;
        if (rf < e2) {
          o = c.o1;
          hi = e2;
          o2 = c.o2;
          next = c.s3 * 1000;
        } else {
          const e3 = c.s3 * 1000;
          // After the third transition, or a third one within the day: the walk below.
          if (rf >= e3 || rt >= e3) return this.resolveWalk(local, latest);
          return local - c.o2;
        }
      }
      // Common case: one offset in force for a day either side, so the reading exists exactly once.
      if (rt < hi) return local - o;
      // Next most common: exactly one transition T nearby, from offset `o` to `o2`.
      if (rt < next) {
        const t = start + hi;
        const before = local - o; // valid if before T
        const after = local - o2; // valid if at or after T
        if (before < t) return after >= t && latest ? after : before;
        return after >= t ? after : before; // neither: a gap, read with the offset before it
      }
    }
    // Kept out of line so that the common cases above stay small enough to inline.
    return this.resolveWalk(local, latest);
  }

  /** {@link resolve} from the transition arrays: any number of transitions, or a chunk boundary, nearby. */
  private resolveWalk(local: number, latest: boolean): number {
    const from = local - 86_400_000;
    const to = local + 86_400_000;
    const idx = Math.floor(from / 31_104_000_000);
    const c = this.chunk(idx);
    const times = c.times;
    const n = times.length;
    let i = 0;
    while (i < n && times[i]! <= from) i++;
    const o = i === 0 ? c.off0 : c.offs[i - 1]!;
    if (to < (idx + 1) * 31_104_000_000) {
      if (i === n || times[i]! > to) return local - o;
      if (i + 1 === n || times[i + 1]! > to) {
        const t = times[i]!;
        const before = local - o;
        const after = local - c.offs[i]!;
        if (before < t) return after >= t && latest ? after : before;
        return after >= t ? after : before;
      }
    }
    return this.resolveNear(local, latest, from, to, idx, c, i, o);
  }

  /**
   * {@link resolve} with several transitions, or a chunk boundary, within a day of the reading: walks the offsets
   * in force from `from` on (`c`, `i`, `o`: the chunk, the index of the next transition in it, the offset at `from`).
   */
  private resolveNear(
    local: number,
    latest: boolean,
    from: number,
    to: number,
    idx: number,
    c: Chunk,
    i: number,
    o: number,
  ): number {
    let segStart = from;
    let found = Number.NaN;
    for (;;) {
      // The next transition after segStart, crossing into following chunks as needed.
      let next = Number.POSITIVE_INFINITY;
      let nextOff = o;
      for (;;) {
        if (i < c.times.length) {
          next = c.times[i]!;
          nextOff = c.offs[i]!;
          i++;
          break;
        }
        const chunkEnd = (idx + 1) * 31_104_000_000;
        if (chunkEnd > to) break;
        idx++;
        c = this.chunk(idx);
        i = 0;
        if (c.off0 !== o) {
          next = chunkEnd;
          nextOff = c.off0;
          break;
        }
      }
      const candidate = local - o;
      if (candidate >= segStart && candidate < next) {
        found = candidate;
        if (!latest) return found;
      }
      if (next > to) break;
      if (nextOff > o && local >= next + o && local < next + nextOff && Number.isNaN(found)) return local - o;
      segStart = next;
      o = nextOff;
    }
    return Number.isNaN(found) ? local - this.offsetAt(from) : found;
  }
}

const byName = new Map<string, ZoneTable>();
const byId = new Map<string, ZoneTable>();

/**
 * The table of an IANA zone name, or `undefined` when the name is not a zone this runtime knows. Accepts what
 * Intl accepts (case-insensitive, links such as `US/Eastern`, `UTC`, `Etc/GMT+5`) except UTC-offset strings
 * (`+01:00`), which are not IANA zones and which older runtimes reject. Tables are cached per canonical zone and
 * never read the host's time zone or the current time.
 *
 * @example
 * ```ts
 * zoneTable("US/Eastern")?.id; //=> "America/New_York"
 * zoneTable("Europe/Lyon"); //=> undefined
 * ```
 */
export function zoneTable(timeZone: unknown): ZoneTable | undefined {
  // Kept tiny so that it inlines into the hot paths. Consecutive calls usually name the same zone (a reminder's two
  // offsets, an agenda's appointments): one identity comparison then replaces the Map lookup. The first sight of a
  // name goes through createTable.
  if (timeZone === lastName) return lastTable;
  return lookupTable(timeZone);
}

/** The last name found and its table (only ever a known zone: an unknown name is never remembered here). */
let lastName: unknown;
let lastTable: ZoneTable | undefined;

function lookupTable(timeZone: unknown): ZoneTable | undefined {
  const cached = byName.get(timeZone as string);
  if (cached === undefined) return createTable(timeZone);
  lastName = timeZone;
  lastTable = cached;
  return cached;
}

function createTable(timeZone: unknown): ZoneTable | undefined {
  if (typeof timeZone !== "string") return undefined;
  if (timeZone.length === 0 || /^[+\-\u2212]/.test(timeZone)) return undefined;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = makeFormatter(timeZone);
  } catch {
    return undefined;
  }
  const id = formatter.resolvedOptions().timeZone;
  let table = byId.get(id);
  if (table === undefined) {
    table = new ZoneTable(id, formatter);
    byId.set(id, table);
  }
  if (byName.size < MAX_ALIASES) byName.set(timeZone, table);
  return table;
}
