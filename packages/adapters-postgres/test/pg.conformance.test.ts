import { runStorageConformance } from "@rappel/adapter-tests";
import type pgTypes from "pg";
import { afterAll, beforeAll } from "vitest";
import { createPostgresStorage, type PostgresStorage } from "../src/index.js";
import { sqlInspector } from "./inspector.js";
import { pg } from "./pg.js";
import { acquireServer, releaseServer, uniqueSchema } from "./pg-server.js";

let pool: pgTypes.Pool;

beforeAll(async () => {
  const server = await acquireServer();
  pool = new pg.Pool({ connectionString: server.url, max: 20 });
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await releaseServer();
});

runStorageConformance<PostgresStorage>({
  name: "postgres storage conformance (node-postgres, real server)",
  createStorage: async () => {
    const storage = createPostgresStorage({ pool, schema: uniqueSchema() });
    await storage.migrate();
    return storage;
  },
  inspect: (storage) => sqlInspector(pool, storage.schema),
  dispose: async (storage) => {
    await storage.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${storage.schema}" CASCADE`);
  },
});
