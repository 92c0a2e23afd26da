// Shared by bench/postgres.bench.ts and bench/postgres-steps.ts: loads due SMS reminders of the engine's shape
// (the keys and data bench/postgres-worker.ts's memory data source answers for) into a storage's `sends` table.

/** The instant the PostgreSQL benchmarks run at (the loaded sends fall due in the half hour before it). */
export const BENCH_NOW = "2026-06-08T12:00:00.000Z";

/** Loads `n` due reminders, in one statement, then `VACUUM ANALYZE`s the table. */
export async function loadEngineSends(
  pool: { query(text: string, params?: unknown[]): Promise<unknown> },
  schema: string,
  n: number,
): Promise<void> {
  await pool.query(
    `INSERT INTO "${schema}".sends (structure_id, key, account_id, kind, channel, recipient_type, recipient_id,
       recipient_address, send_at, expires_at, appointment_id, contact_id, billing, data, status, next_attempt_at,
       due_at, created_at, updated_at)
     SELECT 's1', 's1:apt:r' || g || ':reminder:first:sms', 'a1', 'reminder', 'sms', 'contact', 'c' || g,
       '+336' || (10000000 + g)::text, t, $3::timestamptz + interval '1 day', 'r' || g, 'c' || g, 'reminder',
       '{"slot":"first"}', 'planned', t, t, $3::timestamptz, $3::timestamptz
     FROM generate_series(0, $1::int - 1) g,
       LATERAL (SELECT $3::timestamptz - interval '30 minutes'
         + ((g::bigint * 7919) % $2) * (1800000.0 / $2) * interval '1 millisecond' AS t) x`,
    [n, n, BENCH_NOW],
  );
  await pool.query(`VACUUM ANALYZE "${schema}".sends`);
}
