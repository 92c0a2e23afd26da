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
  /**
   * Options handed to `PGlite.create` (see PGlite's documentation), merged over the defaults.
   * @default { postgresqlconf: "shared_buffers = 16MB" } (PostgreSQL's 128 MB buffer cache is more than an
   * embedded database needs, and PGlite's memory never shrinks)
   */
  pgliteOptions?: Record<string, unknown>;
}

/**
 * Creates a PGlite database (PostgreSQL compiled to WebAssembly, in this process) and a {@link PostgresStorage} on
 * it, with its migrations applied: the embedded default for development, the demo and small single-process
 * installations. Needs the optional peer dependency `@electric-sql/pglite`. `close()` closes the database.
 *
 * Memory: creating a new database runs PostgreSQL's `initdb` in this process, and PGlite keeps the memory it used
 * (about 700-780 MiB RSS afterwards with PGlite 0.5); opening an existing data directory costs about 110-190 MiB.
 * For a small footprint, create the data directory once (a setup step, or a short child process) and open it
 * afterwards; and consider running Node with `--liftoff-only` (V8's baseline WebAssembly compiler only: peak RSS
 * 283 MiB instead of 362 MiB on 10,000 appointments planned and dispatched, see docs/postgres.md).
 *
 * @example
 * ```ts
 * const storage = await createPgliteStorage({ dataDir: ".rappel/pgdata" });
 * storage.capabilities //=> { persistent: true, multiProcess: false }
 * await storage.close();
 * ```
 */
export async function createPgliteStorage(options: PgliteStorageOptions = {}): Promise<PostgresStorage> {
  const { dataDir, pgliteOptions, ...rest } = options;
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = (await PGlite.create({
    postgresqlconf: "shared_buffers = 16MB\n",
    ...(dataDir === undefined ? {} : { dataDir }),
    ...pgliteOptions,
  })) as unknown as PGliteLike;
  const storage = createPostgresStorage({ closeConnection: true, ...rest, pglite });
  try {
    if (rest.migrate !== false) await storage.migrate();
  } catch (e) {
    await pglite.close();
    throw e;
  }
  return storage;
}
