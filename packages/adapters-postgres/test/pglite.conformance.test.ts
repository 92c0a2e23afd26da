import { PGlite } from "@electric-sql/pglite";
import { runStorageConformance } from "@rappel/adapter-tests";
import { afterAll, beforeAll } from "vitest";
import { createPostgresStorage, type PostgresStorage } from "../src/index.js";
import { sqlInspector } from "./inspector.js";
import { uniqueSchema } from "./pg-server.js";

// One PGlite per file (starting one takes about a second); each test gets its own schema.
let db: PGlite;

beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);

afterAll(async () => {
  await db?.close();
});

runStorageConformance<PostgresStorage>({
  name: "postgres storage conformance (PGlite)",
  createStorage: async () => {
    const storage = createPostgresStorage({ pglite: db, schema: uniqueSchema() });
    await storage.migrate();
    return storage;
  },
  // PGlite runs every statement on one connection in this process: fewer sends keep the concurrency tests short;
  // the real-server run uses the default 2000.
  sends: 600,
  timeoutMs: 90_000,
  inspect: (storage) => sqlInspector(db, storage.schema),
  dispose: async (storage) => {
    await storage.close();
    await db.query(`DROP SCHEMA IF EXISTS "${storage.schema}" CASCADE`);
  },
});
