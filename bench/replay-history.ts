// A city's past for the replay benchmark, written straight into its history tables: every unit
// at its device's report interval (as the simulators send), moving on a small loop round where
// the city placed it, every camera's detector record each minute, and the day's cases with their
// transitions, units sent, the dispatcher's actions in the audit log and warnings at Karamay's rates. Written in SQL, an hour at a time: a day of Karamay is ~23 million fixes, which
// the product's own write path would take over 15 minutes to store.
import { fixesNearSql, historyTables, keyframeBefore, keyframeEveryMs, lastSeenWithinMs, listHistoryPartitions, makeHistoryPartitions, tendHistory, withHistoryUpkeep, type Database, type EntityKind } from '../geo/index.ts';
import { offeredPerSecond, reportEveryMs } from '../fixtures/index.ts';

const hourMs = 3_600_000;
// Cases an hour (the simulator files a report every ~3 min), and a warning every few hours.
const casesPerHour = 20;
const warningsPerHour = 0.25;
const everySeconds = Object.entries(reportEveryMs).map(([kind, ms]) => `('${kind}', ${ms! / 1000})`).join(', ');

/**
 * Partitions history from `startMs` on, as a server running since then would have: the server
 * made only this hour's and the next few at its start, so history written before them would all go
 * into the default partition (one table, never vacuumed by the server's rounds, read whole).
 */
export async function partitionHistoryFrom(db: Database, startMs: number): Promise<void> {
  for (const { table } of historyTables) {
    for (const partition of await listHistoryPartitions(db, table)) await db.exec(`DROP TABLE ${partition.name}`);
  }
  await makeHistoryPartitions(db, 48, startMs);
}

/**
 * Writes the history of `spanMs` ending at `endMs`, of every unit (with the cases and warnings of
 * each whole hour) or only of `only`; `onHour` is told as each hour is in.
 */
export async function writeHistory(db: Database, endMs: number, spanMs: number, onHour: (hour: number) => void, only?: { entityIds: string[] }): Promise<void> {
  const start = endMs - spanMs;
  // At most ~250,000 fixes a statement: an hour of Karamay (~1 million) ran past the server's statement timeout.
  const kinds = await db.query<{ kind: EntityKind }>('SELECT kind FROM entities WHERE $1::text[] IS NULL OR id = ANY($1::text[])', [only?.entityIds ?? null]);
  const chunkMs = Math.min(hourMs / 4, Math.max(10_000, (250_000 / offeredPerSecond(kinds.map((row) => row.kind))) * 1000));
  for (let hour = 0; hour * hourMs < spanMs; hour++) {
    const from = start + hour * hourMs;
    const to = Math.min(endMs, from + hourMs);
    await makeHistoryPartitions(db, 48, from);
    for (let part = from; part < to; part += chunkMs) await writeFixes(db, part, Math.min(to, part + chunkMs), only);
    // As the server's housekeeping keeps them each minute: the time index's summaries of the pages
    // written (a BRIN range not yet summarised matches every read: a minute's fixes rechecked 9.6
    // million rows), and the hour that closed vacuumed.
    if (!only) await tendHistory(db, to);
    if (!only) await writeKeyframes(db, from, to);
    if (!only) await writeDetectorRecords(db, from, to);
    if (!only && to - from === hourMs) await writeCases(db, from, hour);
    onHour(hour + 1);
  }
  // Every closed hour vacuumed, as the server's rounds leave them within minutes.
  while ((await tendHistory(db, endMs)).length > 0); // each partition once: it ends
  // As upkeep: a day of Karamay takes longer than the statement timeout, and the server's own
  // upkeep (an index built anew) would deadlock with it.
  await withHistoryUpkeep(db, (connection) => connection.exec('ANALYZE position_history, position_keyframes, camera_readings'));
}

/** The keyframe the server keeps each minute, for each minute in [from, to): each from the one before it and the fixes since (geo/position-keyframes.ts). */
async function writeKeyframes(db: Database, from: number, to: number): Promise<void> {
  for (let at = Math.ceil(from / keyframeEveryMs) * keyframeEveryMs; at < to; at += keyframeEveryMs) {
    await db.query(
      `INSERT INTO position_keyframes (at, entity_id, fix_time, geom, heading_deg, speed_kmh, district_id, cell_id)
       SELECT to_timestamp($1::float8 / 1000), entity_id, event_time, geom, heading_deg, speed_kmh, district_id, cell_id
         FROM (SELECT DISTINCT ON (entity_id) * FROM (${fixesNearSql(1)}) p ORDER BY entity_id, event_time DESC) latest
       ON CONFLICT DO NOTHING`,
      [at, lastSeenWithinMs, await keyframeBefore(db, at)],
    );
  }
}

/** Each camera's record of every minute, received a little after it ends; speeds rise and fall over the day. */
async function writeDetectorRecords(db: Database, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO camera_readings (camera_id, period_start, period_s, volume, occupancy_pct, mean_speed_kmh, received_at, source_id)
     SELECT c.id, t, 60, 5 + c.n % 20, 20, 15 + 30 * (0.5 + 0.5 * sin(extract(epoch FROM t) / 900.0 + c.n)), t + interval '65 seconds', 'bench'
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM cameras WHERE segment_id IS NOT NULL) c
       CROSS JOIN generate_series(to_timestamp($1::float8 / 1000), to_timestamp($2::float8 / 1000) - interval '1 minute', interval '1 minute') t
     ON CONFLICT DO NOTHING`,
    [from, to],
  );
}

async function writeFixes(db: Database, from: number, to: number, only?: { entityIds: string[] }): Promise<void> {
  await db.query(
    `INSERT INTO position_history (entity_id, event_time, received_at, geom, heading_deg, speed_kmh, district_id, cell_id)
     SELECT e.id, t, t + interval '300 milliseconds',
            ST_SetSRID(ST_MakePoint(ST_X(e.geom) + 0.003 * sin(extract(epoch FROM t) / 300.0 + e.n), ST_Y(e.geom) + 0.002 * cos(extract(epoch FROM t) / 300.0 + e.n)), 4326),
            (extract(epoch FROM t)::int / 10 + e.n) % 360, 30, e.district_id, e.cell_id
       FROM (SELECT id, kind, geom, district_id, cell_id, row_number() OVER (ORDER BY id) AS n FROM entities
              WHERE geom IS NOT NULL AND ($3::text[] IS NULL OR id = ANY($3::text[]))) e
       JOIN (VALUES ${everySeconds}) every(kind, s) ON every.kind = e.kind
       CROSS JOIN LATERAL generate_series(to_timestamp($1::float8 / 1000) + (e.n % every.s) * interval '1 second', to_timestamp($2::float8 / 1000) - interval '1 millisecond', every.s * interval '1 second') t
      -- In the order they would arrive: history's BRIN index on time works as it does for the live write.
      ORDER BY t, e.id
     ON CONFLICT DO NOTHING`,
    [from, to, only?.entityIds ?? null],
  );
}

/** The hour's cases: reported, registered, dispatched with a unit sent on a route, handling once it arrives, closed; a warning now and then. */
async function writeCases(db: Database, from: number, hour: number): Promise<void> {
  const at = (param: string, minutes: string) => `to_timestamp(${param}::float8 / 1000) + (${minutes}) * interval '1 minute'`;
  await db.query(
    `WITH opened AS (
       INSERT INTO incidents (source, source_ref, category, severity, status, geom, district_id, cell_id, reported_at, due_at, updated_at)
       SELECT 'call', 'bench-' || $2 || '-' || k, 'garbage', 1, 'closed', c.geom, c.district_id, c.id, ${at('$1', 'k * 3')}, ${at('$1', 'k * 3 + 240')}, ${at('$1', 'k * 3 + 40')}
         FROM generate_series(0, $3 - 1) k
         JOIN LATERAL (SELECT id, district_id, ST_PointOnSurface(geom) AS geom FROM grid_cells ORDER BY id OFFSET (k * 37 + $2 * 11) % (SELECT count(*) FROM grid_cells) LIMIT 1) c ON true
       RETURNING id, reported_at, geom
     ), steps AS (
       INSERT INTO incident_history (incident_id, at, actor, from_status, to_status, note)
       SELECT o.id, o.reported_at + s.after * interval '1 minute', s.actor, s.from_status, s.to_status, NULL
         FROM opened o CROSS JOIN (VALUES (0, 'system', NULL, 'registered'), (2, 'dispatcher', 'registered', 'dispatched'), (9, 'gps', 'dispatched', 'handling'), (30, 'dispatcher', 'handling', 'answered'), (40, 'dispatcher', 'answered', 'closed')) s(after, actor, from_status, to_status)
     )
     INSERT INTO incident_assignments (incident_id, unit_id, status, assigned_by, assigned_at, eta_s, route, arrived_at, released_at)
     SELECT o.id, u.id, 'released', 'dispatcher', o.reported_at + interval '2 minutes', 420,
            ST_MakeLine(u.geom, o.geom), o.reported_at + interval '9 minutes', o.reported_at + interval '30 minutes'
       FROM opened o JOIN LATERAL (SELECT id, geom FROM entities WHERE kind = 'inspector' ORDER BY geom <-> o.geom LIMIT 1) u ON true`,
    [from, hour, casesPerHour],
  );
  // The dispatcher's part of it, as the audit log keeps it.
  await db.query(
    `INSERT INTO audit_log (at, actor, action, object_type, object_id, after)
     SELECT h.at, h.actor, 'incident-transition', 'incident', h.incident_id::text, jsonb_build_object('status', h.to_status)
       FROM incident_history h JOIN incidents i ON i.id = h.incident_id WHERE i.source_ref LIKE 'bench-' || $1 || '-%' AND h.actor = 'dispatcher'`,
    [hour],
  );
  if ((hour * warningsPerHour) % 1 === 0) {
    await db.query(
      `INSERT INTO warnings (message, severity, geom, issued_by, issued_at, delivery, units_inside)
       SELECT '暴雨预警', 3, ST_Buffer(ST_PointOnSurface(geom)::geography, 1500)::geometry, 'dispatcher', ${at('$1', '17')}, 'not-configured', '{"inspector": 3}'
         FROM districts ORDER BY id LIMIT 1`,
      [from],
    );
  }
}
