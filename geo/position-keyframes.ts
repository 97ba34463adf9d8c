// Keyframes of every unit's position (migration 0031), about once a minute, so a replay's seek reads
// the newest keyframe before its moment and the fixes since, not ten minutes of every unit's fixes.
import type { Database, Queryable } from './database.ts';

/** How often a keyframe is kept, ms. */
export const keyframeEveryMs = 60_000;
// A seek starts from a keyframe this close before its moment, or reads every fix of the window.
const keyframeReachMs = 3 * keyframeEveryMs;
// Nodes sharing a database take turns making a keyframe; the second finds it made.
const keyframeLockKey = 72_201_931;

/**
 * Keeps every unit's latest position, reported within `withinMs` of `atMs`, as the keyframe of
 * `atMs`, unless one was kept in the half minute before. Answers the units kept (0: none kept).
 */
export function writePositionKeyframe(db: Database, withinMs: number, atMs = Date.now()): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [keyframeLockKey]);
    const [recent] = await tx.query('SELECT 1 FROM position_keyframes WHERE at > to_timestamp(($1::float8 - $2) / 1000) LIMIT 1', [atMs, keyframeEveryMs / 2]);
    if (recent) return 0;
    const [kept] = await tx.query<{ units: number }>(
      `WITH kept AS (
         INSERT INTO position_keyframes (at, entity_id, fix_time, geom, heading_deg, speed_kmh, district_id, cell_id)
         SELECT to_timestamp($1::float8 / 1000), id, updated_at, geom, heading_deg, speed_kmh, district_id, cell_id FROM entities
          WHERE geom IS NOT NULL AND updated_at > to_timestamp(($1::float8 - $2) / 1000) AND updated_at <= to_timestamp($1::float8 / 1000)
         RETURNING 1)
       SELECT count(*)::int AS units FROM kept`,
      [atMs, withinMs],
    );
    return kept?.units ?? 0;
  });
}

/**
 * The newest keyframe of the three minutes before `atMs`, as PostgreSQL's text of its time (exact to
 * the microsecond, to name it in `fixesNearSql`); null when there is none. Read first and given as a
 * value, so the planner knows which partitions and index ranges the fixes after it lie in.
 */
export async function keyframeBefore(db: Queryable, atMs: number): Promise<string | null> {
  const [row] = await db.query<{ at: string | null }>(
    `SELECT max(at)::text AS at FROM position_keyframes WHERE at <= to_timestamp($1::float8 / 1000) AND at > to_timestamp(($1::float8 - $2) / 1000)`,
    [atMs, keyframeReachMs],
  );
  return row?.at ?? null;
}

/**
 * SQL for each unit's fixes that may be its latest at a moment: the keyframe's and the fixes after
 * it, or without a keyframe every fix of the window. Parameters from `atParam`: the moment (epoch
 * ms), how long before it a unit counts (ms), the keyframe (keyframeBefore, or null). Columns:
 * entity_id, event_time, geom, heading_deg, speed_kmh, district_id, cell_id.
 */
export function fixesNearSql(atParam: number): string {
  const at = `to_timestamp($${atParam}::float8 / 1000)`;
  const since = `to_timestamp(($${atParam}::float8 - $${atParam + 1}) / 1000)`;
  const keyframe = `$${atParam + 2}::timestamptz`;
  return `SELECT entity_id, fix_time AS event_time, geom, heading_deg, speed_kmh, district_id, cell_id FROM position_keyframes
           WHERE at = ${keyframe} AND fix_time > ${since} AND fix_time <= ${at}
          UNION ALL
          SELECT entity_id, event_time, geom, heading_deg, speed_kmh, district_id, cell_id FROM position_history
           WHERE event_time > coalesce(${keyframe}, ${since}) AND event_time <= ${at}`;
}
