import type { PGliteLike } from "./db.js";
import { createPostgresStorage, type PostgresStorage, type PostgresStorageOptions } from "./postgresStorage.js";

/**
 * Options of {@link createPgliteStorage}.
 *
 * @example
 * ```ts
 * const o: PgliteStorageOptions = { dataDir: ".rappel/pgdata" };
 * ```
 */
export interface PgliteStorageOptions extends Omit<PostgresStorageOptions, "pool" | "client" | "pglite"> {
  /**
   * Where PGlite keeps its files; omitted, the database lives in memory and is lost when the process ends.
   * @default undefined (in memory)
   */
  dataDir?: string;
}

/**
 * Creates a PGlite database (PostgreSQL compiled to WebAssembly, in this process) and a {@link PostgresStorage} on
 * it, with its migrations applied: the embedded default for development, the demo and small single-process
 * installations. Needs the optional peer dependency `@electric-sql/pglite`. `close()` closes the database.
 *
 * @example
 * ```ts
 * const storage = await createPgliteStorage({ dataDir: ".rappel/pgdata" });
 * storage.capabilities //=> { persistent: true, multiProcess: false }
 * await storage.close();
 * ```
 */
export async function createPgliteStorage(options: PgliteStorageOptions = {}): Promise<PostgresStorage> {
  const { dataDir, ...rest } = options;
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = (await PGlite.create(dataDir)) as unknown as PGliteLike;
  const storage = createPostgresStorage({ closeConnection: true, ...rest, pglite });
  try {
    if (rest.migrate !== false) await storage.migrate();
  } catch (e) {
    await pglite.close();
    throw e;
  }
  return storage;
}
