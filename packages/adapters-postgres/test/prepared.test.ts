// The hot statements run as named prepared statements on node-postgres unless `preparedStatements: false` (behind a
// pooler that does not keep them): both ways dispatch the same, and the option is checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStorage } from "../src/index.js";
import { pg } from "./pg.js";
import { acquireServer, releaseServer, uniqueSchema } from "./pg-server.js";

const T = new Date("2026-06-08T10:00:00Z");
let url = "";

beforeAll(async () => {
  url = (await acquireServer()).url;
});
afterAll(async () => {
  await releaseServer();
});

/** Plans, claims, hands off and completes 3 sends on one connection; returns the Rappel statements it prepared. */
async function dispatch(preparedStatements: boolean | undefined) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const schema = uniqueSchema("prep");
  try {
    const storage = createPostgresStorage({
      client,
      schema,
      ...(preparedStatements === undefined ? {} : { preparedStatements }),
    });
    await storage.upsertPlanned(
      "s1",
      [0, 1, 2].map((i) => dueSms(`k${i}`, i)),
      T,
    );
    const claims = await storage.claimDue({ now: T, limit: 10, leaseMs: 30_000, owner: "w" });
    const refs = claims.map((c) => ({ structureId: c.send.structureId, key: c.send.key, token: c.token }));
    const begun = await storage.beginSendMany(refs, T);
    const done = await storage.completeMany(
      refs.map((ref, i) => ({ ref, outcome: { status: "sent" as const, provider: "p", providerMessageId: `m${i}` } })),
      T,
    );
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'rappel\\_%'",
    );
    const sends = await storage.listSends("s1");
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    return {
      claimed: claims.length,
      begun: begun.map((b) => b.ok && b.value.ok),
      statuses: done.map((d) => (d.ok ? d.value.status : d.error.code)),
      stored: sends.map((s) => [s.key, s.status, s.attempts, s.providerMessageId]),
      prepared: rows[0].n as number,
    };
  } finally {
    await client.end();
  }
}

describe("prepared statements", () => {
  it("are used by default and not with preparedStatements: false; both dispatch the same", async () => {
    const byDefault = await dispatch(undefined);
    const without = await dispatch(false);
    expect(byDefault.prepared).toBeGreaterThanOrEqual(3);
    expect(without.prepared).toBe(0);
    const { prepared: _a, ...a } = byDefault;
    const { prepared: _b, ...b } = without;
    expect(a).toEqual(b);
    expect(a).toEqual({
      claimed: 3,
      begun: [true, true, true],
      statuses: ["sent", "sent", "sent"],
      stored: [
        ["k0", "sent", 1, "m0"],
        ["k1", "sent", 1, "m1"],
        ["k2", "sent", 1, "m2"],
      ],
    });
  });

  it("rejects a preparedStatements that is not a boolean", () => {
    const pool = new pg.Pool({ connectionString: url });
    expect(() => createPostgresStorage({ pool, preparedStatements: "no" as unknown as boolean })).toThrow(
      expect.objectContaining({ code: "invalid-input" }),
    );
    return pool.end();
  });
});

describe("array parameters", () => {
  it("keep every character, nulls and empty strings of the batched calls' items", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const schema = uniqueSchema("arr");
    try {
      const storage = createPostgresStorage({ pool, schema });
      const odd = ['échec ☎ 😀 "quote" {brace}, comma \\ back', "", "NULL", "a\tb\nc"];
      await storage.upsertPlanned(
        "s1",
        odd.map((_, i) => dueSms(`k${i} ${odd[i]}`, i)),
        T,
      );
      const claims = await storage.claimDue({ now: T, limit: 10, leaseMs: 30_000, owner: "w" });
      const refs = claims.map((c) => ({ structureId: c.send.structureId, key: c.send.key, token: c.token }));
      expect((await storage.beginSendMany(refs, T)).map((b) => b.ok && b.value.ok)).toEqual(odd.map(() => true));
      const done = await storage.completeMany(
        refs.map((ref, i) =>
          i % 2 === 0
            ? { ref, outcome: { status: "failed" as const, failureCode: "x", failureReason: odd[i]! } }
            : { ref, outcome: { status: "sent" as const, provider: "p ☎", providerMessageId: odd[i]! || "m" } },
        ),
        T,
      );
      expect(done.map((d) => d.ok && d.value.status)).toEqual(["failed", "sent", "failed", "sent"]);
      const sends = await storage.listSends("s1");
      expect(sends.map((s) => [s.key, s.failureReason ?? null, s.providerMessageId ?? null])).toEqual(
        refs.map((r, i) => [r.key, i % 2 === 0 ? odd[i] : null, i % 2 === 0 ? null : odd[i] || "m"]),
      );
      await storage.setSmsOptOut("s1", "+33612340001", true, T);
      expect(await storage.smsOptedOutAmong("s1", ["+33612340001", "+33612340002"])).toEqual(["+33612340001"]);
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    } finally {
      await pool.end();
    }
  });
});

/** The `i`-th SMS reminder of structure s1, due a minute before T (in key order). */
function dueSms(key: string, i: number) {
  return {
    key,
    structureId: "s1",
    accountId: "a1",
    kind: "reminder" as const,
    channel: "sms" as const,
    recipient: { type: "contact" as const, id: `c${i}`, address: `+3361234000${i}` },
    sendAt: new Date(T.getTime() - 60_000 + i * 1000),
    data: { i },
  };
}
