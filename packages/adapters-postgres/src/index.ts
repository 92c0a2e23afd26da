/**
 * `@rappel/adapters-postgres`: the PostgreSQL storage of Rappel, on a real server (node-postgres) or in-process
 * (PGlite). Many workers, many machines, no message sent twice.
 *
 * @packageDocumentation
 */

export type { PGliteLike, PgPoolLike, SqlQueryable } from "./db.js";
export type { PostgresMigration } from "./migrations.js";
export { postgresMigrations } from "./migrations.js";
export type { PgliteStorageOptions } from "./pglite.js";
export { createPgliteStorage } from "./pglite.js";
export type { PostgresStorage, PostgresStorageOptions } from "./postgresStorage.js";
export { createPostgresStorage } from "./postgresStorage.js";
