import {
  ErrorCode,
  MEMORY_STORAGE_DIRECT,
  type MemoryStorageDirectCalls,
  RappelError,
  type Storage,
  type Transport,
} from "@rappel/core";
import type { EngineTransports, RappelDataSource } from "./types.js";

const STORAGE_METHODS = [
  "upsertPlanned",
  "cancel",
  "claimDue",
  "renewLease",
  "beginSend",
  "complete",
  "reschedule",
  "getSend",
  "listSends",
  "appendJournal",
  "readJournal",
  "recordProviderStatus",
  "addUsage",
  "getUsage",
  "setSmsOptOut",
  "isSmsOptedOut",
] as const;

/** Optional batched calls: wrapped when the storage has them, left out (the engine falls back) when not. */
const OPTIONAL_STORAGE_METHODS = ["beginSendMany", "completeMany", "smsOptedOutAmong"] as const;

const DATA_METHODS = ["getAccount", "getAppointment", "getContact", "getAgenda"] as const;

function wrapError(adapter: string, method: string, e: unknown): RappelError {
  // Lease loss is part of the storage contract: the engine branches on it, so it passes through unchanged.
  if (e instanceof RappelError && e.code === ErrorCode.LEASE_LOST) return e;
  return new RappelError(ErrorCode.ADAPTER_ERROR, `${adapter}.${method} failed`, {
    cause: e,
    details: { adapter, method },
  });
}

/** Calls `fn` and turns sync results, sync throws and rejections into one promise with wrapped errors. */
export function guard<T>(adapter: string, method: string, fn: () => T | Promise<T>): Promise<T> {
  let r: T | Promise<T>;
  try {
    r = fn();
  } catch (e) {
    return Promise.reject(wrapError(adapter, method, e));
  }
  if (r !== null && typeof r === "object" && typeof (r as Promise<T>).then === "function") {
    return (r as Promise<T>).then(undefined, (e: unknown) => {
      throw wrapError(adapter, method, e);
    });
  }
  return Promise.resolve(r as T);
}

/** A storage whose every method goes through {@link guard}. */
export function wrapStorage(storage: Storage): Storage {
  const out = { capabilities: storage.capabilities } as Record<string, unknown>;
  for (const m of [...STORAGE_METHODS, ...OPTIONAL_STORAGE_METHODS]) {
    const f = (storage as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>)[m];
    if (typeof f !== "function") continue;
    const fail = (e: unknown) => {
      throw wrapError("storage", m, e);
    };
    // The hot path: no closure per call, one `then` only when the adapter answers with a promise.
    out[m] = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => {
      let r: unknown;
      try {
        r = f.call(storage, a, b, c, d, e);
      } catch (err) {
        return Promise.reject(wrapError("storage", m, err));
      }
      return r instanceof Promise ? r.then(undefined, fail) : Promise.resolve(r);
    };
  }
  if (typeof storage.close === "function") out.close = () => guard("storage", "close", () => storage.close!());
  return out as unknown as Storage;
}

/** A data source whose every method goes through {@link guard}. */
export type GuardedData = {
  [K in keyof RappelDataSource]-?: (
    ...args: Parameters<NonNullable<RappelDataSource[K]>>
  ) =>
    | Awaited<ReturnType<NonNullable<RappelDataSource[K]>>>
    | null
    | Promise<Awaited<ReturnType<NonNullable<RappelDataSource[K]>>> | null>;
};

const OPTIONAL_DATA = [
  "getStructure",
  "getService",
  "getResource",
  "getSignature",
  "listContactAppointments",
  "listAccountAppointments",
  "listUsers",
  "listAgendas",
] as const;

/** Wraps the data source; optional methods the host left out answer `null`. */
export function wrapData(data: RappelDataSource): GuardedData & { has(method: keyof RappelDataSource): boolean } {
  const out: Record<string, unknown> = {};
  for (const m of [...DATA_METHODS, ...OPTIONAL_DATA]) {
    const f = (data as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>)[m];
    // Synchronous answers are returned as they are (the engine awaits only real promises: the in-memory source
    // costs no microtask); sync throws and rejections are wrapped alike.
    const fail = (e: unknown) => {
      throw wrapError("data", m, e);
    };
    out[m] =
      typeof f === "function"
        ? (a: unknown, b: unknown, c: unknown) => {
            let r: unknown;
            try {
              r = f.call(data, a, b, c);
            } catch (e) {
              throw wrapError("data", m, e);
            }
            return r instanceof Promise ? r.then(undefined, fail) : r;
          }
        : () => null;
  }
  out.has = (m: string) => typeof (data as unknown as Record<string, unknown>)[m] === "function";
  return out as unknown as GuardedData & { has(method: keyof RappelDataSource): boolean };
}

/** Every transport of every channel as an ordered list. */
export function transportLists(transports: EngineTransports): Map<string, Transport[]> {
  const out = new Map<string, Transport[]>();
  for (const channel of ["email", "sms", "fax", "message"] as const) {
    const t = transports[channel];
    if (t === undefined) continue;
    const list = (Array.isArray(t) ? t : [t]) as Transport[];
    if (list.length > 0) out.set(channel, list);
  }
  return out;
}

/**
 * Checks every adapter at start-up and throws one `adapter-incomplete` error listing every missing required method
 * (`details.missing`, e.g. `["storage.claimDue", "data.getContact", "transports.sms[1].send"]`).
 */
export function checkAdapters(storage: unknown, data: unknown, transports: unknown): void {
  const missing: string[] = [];
  const has = (o: unknown, m: string) =>
    o !== null && typeof o === "object" && typeof (o as Record<string, unknown>)[m] === "function";
  if (storage === null || typeof storage !== "object") missing.push("storage");
  else for (const m of STORAGE_METHODS) if (!has(storage, m)) missing.push(`storage.${m}`);
  if (data === null || typeof data !== "object") missing.push("data");
  else for (const m of DATA_METHODS) if (!has(data, m)) missing.push(`data.${m}`);
  if (transports === null || typeof transports !== "object") missing.push("transports");
  else {
    for (const [channel, t] of Object.entries(transports as Record<string, unknown>)) {
      if (t === undefined) continue;
      const list = Array.isArray(t) ? t : [t];
      list.forEach((x, i) => {
        const where = Array.isArray(t) ? `transports.${channel}[${i}]` : `transports.${channel}`;
        if (!has(x, "send")) missing.push(`${where}.send`);
        else if ((x as Transport).channel !== channel)
          missing.push(`${where}.channel (serves ${(x as Transport).channel})`);
      });
    }
  }
  if (missing.length > 0) {
    throw new RappelError(ErrorCode.ADAPTER_INCOMPLETE, `Adapters lack required methods: ${missing.join(", ")}`, {
      details: { missing },
    });
  }
}

/** The memory storage's synchronous calls the engine may use for this storage (see {@link directCalls}). */
export type DirectStorage = Partial<Omit<MemoryStorageDirectCalls, "methods">>;

/** Each direct call the engine uses, and the public method it stands for. */
const DIRECT_METHODS = [
  ["upsertPlanned", "upsertPlanned"],
  ["claimViews", "claimDue"],
  ["beginClaims", "beginSendMany"],
  ["completeClaims", "completeMany"],
  ["listSends", "listSends"],
  ["appendEngineJournal", "appendJournal"],
  ["smsOptedOutAmong", "smsOptedOutAmong"],
] as const;

/**
 * The synchronous twins of the storage's methods when it is a memory storage (no promise, no microtask per call),
 * each kept only while the storage given still has the very public method it stands for: a proxy or a copy that
 * hides or replaces a method (a fallback test, a fault injection) makes the engine use that method instead. Errors
 * are wrapped as those of the public methods are.
 */
export function directCalls(storage: Storage): DirectStorage {
  const d = (storage as unknown as Record<symbol, MemoryStorageDirectCalls | undefined>)[MEMORY_STORAGE_DIRECT];
  const out: Record<string, unknown> = {};
  if (d === null || typeof d !== "object" || d.methods === null || typeof d.methods !== "object") return out;
  for (const [m, pub] of DIRECT_METHODS) {
    const f = d[m] as (a: unknown, b: unknown, c: unknown) => unknown;
    if (typeof f !== "function" || (storage as unknown as Record<string, unknown>)[pub] !== d.methods[pub]) continue;
    out[m] = (a: unknown, b: unknown, c: unknown) => {
      try {
        return f(a, b, c);
      } catch (e) {
        throw wrapError("storage", pub, e);
      }
    };
  }
  return out as DirectStorage;
}
