import { ErrorCode, RappelError } from "@rappel/core";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MAX_TIME = 8.64e15;

interface Zone {
  name: string;
  dtf: Intl.DateTimeFormat;
  /** Offset (ms) for UTC hour buckets in which it does not change; NaN when the bucket holds a transition. */
  buckets: Map<number, number>;
}

const zones = new Map<string, Zone>();

/**
 * Looks a time zone up once and caches its formatter. Throws `invalid-time-zone` for names Intl does not know.
 */
export function getZone(name: string): Zone {
  let z = zones.get(name);
  if (z) return z;
  if (typeof name !== "string" || name === "") {
    throw new RappelError(ErrorCode.INVALID_TIME_ZONE, "Time zone must be a non-empty IANA name");
  }
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
  } catch (cause) {
    throw new RappelError(ErrorCode.INVALID_TIME_ZONE, `Unknown time zone: ${name}`, {
      cause,
      details: { timeZone: name },
    });
  }
  z = { name, dtf, buckets: new Map() };
  if (zones.size >= 512) zones.clear();
  zones.set(name, z);
  return z;
}

/** Exact offset (ms, whole seconds) of `zone` at instant `t`, read from Intl: the slow, always-right path. */
function exactOffset(zone: Zone, t: number): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const p of zone.dtf.formatToParts(t)) {
    switch (p.type) {
      case "year":
        y = Number(p.value);
        break;
      case "month":
        mo = Number(p.value);
        break;
      case "day":
        d = Number(p.value);
        break;
      case "hour":
        h = Number(p.value);
        break;
      case "minute":
        mi = Number(p.value);
        break;
      case "second":
        s = Number(p.value);
        break;
      case "era":
        bc = p.value === "BC" || p.value === "B";
        break;
    }
  }
  if (bc) y = 1 - y;
  const wall = daysFromCivil(y, mo, d) * DAY + h * HOUR + mi * 60_000 + s * 1000;
  const secondFloor = Math.floor(t / 1000) * 1000;
  return wall - secondFloor;
}

/**
 * Offset (ms) of `zone` at instant `t`. Cached per UTC hour: when the offsets at both ends of the hour agree, the
 * whole hour uses it (no zone changes its offset twice within an hour); otherwise the exact offset is read.
 */
export function zoneOffset(zone: Zone, t: number): number {
  const bucket = Math.floor(t / HOUR);
  let off = zone.buckets.get(bucket);
  if (off === undefined) {
    // Clamped to the range of Date (±8.64e15 ms), where the first and last hours are partial.
    const a = exactOffset(zone, Math.max(bucket * HOUR, -MAX_TIME));
    const b = exactOffset(zone, Math.min(bucket * HOUR + HOUR - 1, MAX_TIME));
    off = a === b ? a : Number.NaN;
    if (zone.buckets.size >= 4096) zone.buckets.clear();
    zone.buckets.set(bucket, off);
  }
  return Number.isNaN(off) ? exactOffset(zone, t) : off;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Wall-clock fields of an instant in a zone. */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** Calendar fields of instant `t` in `zone`, computed arithmetically from the cached offset. */
export function localFields(zone: Zone, t: number): LocalFields {
  const local = t + zoneOffset(zone, t);
  const days = Math.floor(local / DAY);
  const msOfDay = local - days * DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const minutes = Math.floor(msOfDay / 60_000);
  return { year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 };
}
