/**
 * The tiny query interface the adapter needs, satisfied by node-postgres (`pg.Pool`, `pg.Client`, `pg.PoolClient`)
 * and by PGlite (`PGlite`, and the `Transaction` it hands to `transaction()`): `query(text, params)` resolving to
 * `{ rows }`. One SQL dialect for both.
 *
 * @example
 * ```ts
 * const q: SqlQueryable = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const { rows } = await q.query("select 1 as one");
 * rows[0] //=> { one: 1 }
 * ```
 */
export interface SqlQueryable {
  /** Runs one statement with `$1…$n` parameters and resolves to its rows. */
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * A node-postgres pool, or anything shaped like one: `query` for single statements and `connect` for a dedicated
 * connection (transactions, the migration lock).
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const pool: PgPoolLike = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PgPoolLike extends SqlQueryable {
  /** Checks out a connection; it is given back with `release()`. */
  connect(): Promise<SqlQueryable & { release(err?: Error | boolean): void }>;
}

/**
 * A PGlite instance, or anything shaped like one.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * const db: PGliteLike = await PGlite.create("./.rappel/pgdata");
 * ```
 */
export interface PGliteLike extends SqlQueryable {
  /** Runs `callback` in a transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(callback: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Closes the database. */
  close(): Promise<void>;
}

/** Internal: one statement on the connection at hand (see {@link Db.query}). */
export type Query = <R = Record<string, unknown>>(text: string, params?: unknown[], prepare?: boolean) => Promise<R[]>;

/** Internal: how the storage talks to the database. */
export interface Db {
  /**
   * One statement, autocommit. `prepare`: run it as a named prepared statement where the driver allows (node-postgres:
   * parsed once per connection, and planned once PostgreSQL settles on a generic plan); for the hot statements, whose
   * text is fixed per schema.
   */
  query<R = Record<string, unknown>>(text: string, params?: unknown[], prepare?: boolean): Promise<R[]>;
  /**
   * `fn` in one transaction (retried on deadlock or serialization failure); `prelude` (SQL without parameters) runs
   * first, sent with `BEGIN` in one round trip where the driver allows.
   */
  tx<T>(fn: (q: Query) => Promise<T>, prelude?: string): Promise<T>;
  /** `fn` on one dedicated connection (session advisory locks). */
  session<T>(fn: (q: Query) => Promise<T>): Promise<T>;
}

const RETRYABLE = new Set(["40P01", "40001"]);

function isRetryable(e: unknown): boolean {
  return typeof e === "object" && e !== null && RETRYABLE.has((e as { code?: string }).code ?? "");
}

/** A statement's name: one per text (the schema is part of the text), so pooled connections never see a clash. */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    let h = 0x811c9dc5;
    let g = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h = Math.imul(h ^ c, 0x01000193);
      g = Math.imul(g ^ c, 0x5bd1e995) + i;
    }
    name = `rappel_${(h >>> 0).toString(36)}_${(g >>> 0).toString(36)}_${text.length.toString(36)}`;
    names.set(text, name);
  }
  return name;
}

/** node-postgres takes `{ name, text, values }` for a named prepared statement. */
type NamedQueryable = {
  query(config: { name: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
};

function runner(c: SqlQueryable, named = false) {
  return async <R>(text: string, params?: unknown[], prepare?: boolean): Promise<R[]> =>
    (named && prepare === true
      ? await (c as unknown as NamedQueryable).query({ name: statementName(text), text, values: params })
      : await c.query(text, params)
    ).rows as R[];
}

/** A promise chain that runs one task at a time (single-connection clients: pg.Client, PGlite). */
function mutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
}

async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRetryable(e) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 10 * (attempt + 1)));
    }
  }
}

/** Runs `fn` again when it failed with a deadlock (PostgreSQL rolled the statement back as a whole). */
export async function withDeadlockRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if ((e as { code?: string } | null)?.code !== "40P01" || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 5 * (attempt + 1)));
    }
  }
}

async function inTransaction<T>(
  c: SqlQueryable,
  fn: (q: Query) => Promise<T>,
  prelude: string | undefined,
  named: boolean,
): Promise<T> {
  await c.query(prelude === undefined ? "BEGIN" : `BEGIN; ${prelude}`);
  try {
    const out = await fn(runner(c, named));
    await c.query("COMMIT");
    return out;
  } catch (e) {
    try {
      await c.query("ROLLBACK");
    } catch {
      // The connection is broken; the original error says why.
    }
    throw e;
  }
}

/** `named`: run the statements marked `prepare` as named prepared statements. */
export function poolDb(pool: PgPoolLike, named = true): Db {
  const session: Db["session"] = async (fn) => {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(runner(c, named));
    } catch (e) {
      if (!(typeof e === "object" && e !== null && "code" in e)) broken = e as Error;
      throw e;
    } finally {
      c.release(broken);
    }
  };
  return {
    query: runner(pool, named),
    tx: (fn, prelude) => withRetry(() => inTransactionOn(fn, prelude)),
    session,
  };
  async function inTransactionOn<T>(fn: Parameters<Db["tx"]>[0], prelude?: string): Promise<T> {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      return (await inTransaction(c, fn, prelude, named)) as T;
    } catch (e) {
      if (!(typeof e === "object" && e !== null && "code" in e)) broken = e as Error;
      throw e;
    } finally {
      c.release(broken);
    }
  }
}

/** `named`: run the statements marked `prepare` as named prepared statements. */
export function clientDb(client: SqlQueryable, named = true): Db {
  const exclusive = mutex();
  const q = runner(client, named);
  return {
    query: (text, params, prepare) => exclusive(() => q(text, params, prepare)),
    tx: (fn, prelude) => withRetry(() => exclusive(() => inTransaction(client, fn, prelude, named))),
    session: (fn) => exclusive(() => fn(q)),
  };
}

export function pgliteDb(db: PGliteLike): Db {
  const exclusive = mutex();
  const q = runner(db);
  return {
    query: (text, params) => exclusive(() => q(text, params)),
    tx: (fn, prelude) =>
      exclusive(() =>
        db.transaction(async (tx) => {
          if (prelude !== undefined) await tx.query(prelude);
          return fn(runner(tx));
        }),
      ),
    session: (fn) => exclusive(() => fn(q)),
  };
}
