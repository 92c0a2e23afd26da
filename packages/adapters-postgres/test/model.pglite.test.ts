// Differential property test: random sequences of storage calls give the same answers on the PostgreSQL storage
// (PGlite) as on the in-memory reference storage of @rappel/core (fencing tokens compared by owner, not value).
import { PGlite } from "@electric-sql/pglite";
import { createMemoryStorage, type PlannedSend, type Storage } from "@rappel/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStorage } from "../src/index.js";
import { uniqueSchema } from "./pg-server.js";

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const T0 = Date.parse("2026-06-08T08:00:00.000Z");
const KEYS = ["k1", "k2", "k3", "k4"];

type Op =
  | { op: "upsert"; key: number; at: number; data: number; appointment: number }
  | { op: "cancel"; key: number }
  | { op: "cancelAppointment"; appointment: number }
  | { op: "claim"; leaseMs: number }
  | { op: "begin"; key: number }
  | { op: "complete"; key: number; outcome: number }
  | { op: "reschedule"; key: number; at: number }
  | { op: "renew"; key: number }
  | { op: "tick"; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("upsert" as const),
    key: fc.nat(3),
    at: fc.nat(5),
    data: fc.nat(2),
    appointment: fc.nat(1),
  }),
  fc.record({ op: fc.constant("cancel" as const), key: fc.nat(3) }),
  fc.record({ op: fc.constant("cancelAppointment" as const), appointment: fc.nat(1) }),
  fc.record({ op: fc.constant("claim" as const), leaseMs: fc.constantFrom(500, 3000) }),
  fc.record({ op: fc.constant("begin" as const), key: fc.nat(3) }),
  fc.record({ op: fc.constant("complete" as const), key: fc.nat(3), outcome: fc.nat(3) }),
  fc.record({ op: fc.constant("reschedule" as const), key: fc.nat(3), at: fc.nat(5) }),
  fc.record({ op: fc.constant("renew" as const), key: fc.nat(3) }),
  fc.record({ op: fc.constant("tick" as const), ms: fc.constantFrom(1, 700, 2500) }),
);

function send(key: string, at: number, data: number, appointment: number): PlannedSend {
  return {
    key,
    structureId: "s1",
    accountId: "a1",
    kind: "reminder",
    channel: "sms",
    recipient: { type: "contact", id: "c1", address: "+33612345678" },
    // Distinct instants per key, so "earliest first" has no ties.
    sendAt: new Date(T0 + at * 1000 + KEYS.indexOf(key)),
    appointmentId: `r${appointment}`,
    contactId: "c1",
    data: { v: data },
  };
}

/** Runs the ops on one storage; returns a transcript with tokens replaced by "held"/"stale". */
async function run(storage: Storage, ops: Op[]): Promise<unknown[]> {
  let now = T0;
  const tokens = new Map<string, number>();
  const out: unknown[] = [];
  const scrub = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === "token" ? undefined : x)));
  const attempt = async (f: () => Promise<unknown>) => {
    try {
      out.push(scrub(await f()));
    } catch (e) {
      out.push({ error: (e as { code?: string }).code ?? String(e) });
    }
  };
  const ref = (key: string) => ({ structureId: "s1", key, token: tokens.get(key) ?? -1 });
  for (const o of ops) {
    const at = new Date(now);
    switch (o.op) {
      case "upsert":
        await attempt(() => storage.upsertPlanned("s1", [send(KEYS[o.key]!, o.at, o.data, o.appointment)], at));
        break;
      case "cancel":
        await attempt(() => storage.cancel("s1", { keys: [KEYS[o.key]!] }, at));
        break;
      case "cancelAppointment":
        await attempt(async () => {
          const r = await storage.cancel("s1", { appointmentId: `r${o.appointment}` }, at);
          const keys = (xs: { key: string }[]) => xs.map((x) => x.key).sort();
          return { cancelled: keys(r.cancelled), stopped: keys(r.stopped), tooLate: keys(r.tooLate) };
        });
        break;
      case "claim":
        await attempt(async () => {
          const claims = await storage.claimDue({ now: at, limit: 10, leaseMs: o.leaseMs, owner: "w" });
          for (const c of claims) tokens.set(c.send.key, c.token);
          return claims
            .map((c) => ({ key: c.send.key, interrupted: c.interrupted, data: c.send.data }))
            .sort((a, b) => (a.key < b.key ? -1 : 1));
        });
        break;
      case "begin":
        await attempt(() => storage.beginSend(ref(KEYS[o.key]!), at));
        break;
      case "complete": {
        const outcomes = [
          { status: "sent", provider: "p", providerMessageId: `m${o.key}` },
          { status: "cancelled" },
          { status: "failed", failureCode: "x" },
          { status: "unknown" },
        ] as const;
        await attempt(() => storage.complete(ref(KEYS[o.key]!), outcomes[o.outcome]!, at));
        break;
      }
      case "reschedule":
        await attempt(() => storage.reschedule(ref(KEYS[o.key]!), { nextAttemptAt: new Date(T0 + o.at * 1000) }, at));
        break;
      case "renew":
        await attempt(() => storage.renewLease(ref(KEYS[o.key]!), 1000, at));
        break;
      case "tick":
        now += o.ms;
        out.push(null);
        break;
    }
  }
  for (const k of KEYS) out.push(scrub(await storage.getSend("s1", k)));
  return out;
}

describe("PostgreSQL storage vs the memory storage (model)", () => {
  it("random call sequences give the same answers and the same final records", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30 }), async (ops) => {
        const pgStorage = createPostgresStorage({ pglite: db, schema: uniqueSchema("m") });
        await pgStorage.migrate();
        try {
          const expected = await run(createMemoryStorage(), ops);
          const actual = await run(pgStorage, ops);
          expect(actual).toEqual(expected);
        } finally {
          await db.query(`DROP SCHEMA "${pgStorage.schema}" CASCADE`);
        }
      }),
      { numRuns: 25, seed: 20260608 },
    );
  }, 180_000);
});
