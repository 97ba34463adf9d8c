import { toColumns } from './columns.ts';
import type { Queryable } from './database.ts';
import { locateInCellAndDistrict } from './positions.ts';
import { rollupSpansSql, rollupStartSql } from './posture-window.ts';
import { routingSpeeds } from './road-routing.ts';

/** A detector record as the pipeline hands it over; times in epoch ms. */
export interface CameraReadingRow {
  cameraId: string;
  eventTime: number;
  receivedAt: number;
  sourceId: string;
  periodS: number;
  volume: number;
  occupancyPct: number;
  meanSpeedKmh: number | null;
}

export interface CameraEventRow {
  cameraId: string;
  eventTime: number;
  receivedAt: number;
  sourceId: string;
  kind: string;
  severity: number;
  description: string;
}

/** Live traffic on a road segment. `level`: free (≥ 70% of free-flow speed), slow (≥ 40%), congested. */
export interface SegmentTraffic {
  segmentId: string;
  speedKmh: number | null;
  freeFlowKmh: number;
  volume: number;
  occupancyPct: number;
  level: 'free' | 'slow' | 'congested';
  updatedAt: string;
}

export interface JoinedCameraEvent extends CameraEventRow {
  id: number;
  siteId: string;
  lon: number;
  lat: number;
  segmentId: string | null;
  districtId: string | null;
  cellId: string | null;
}

// Read back from camera_events as "s" joined to its camera as "c".
export const joinedEventColumns = `s.id::float8 AS id, s.camera_id AS "cameraId", c.site_id AS "siteId", s.kind, s.severity, s.description, s.source_id AS "sourceId",
  extract(epoch FROM s.event_time) * 1000 AS "eventTime", extract(epoch FROM s.received_at) * 1000 AS "receivedAt",
  ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, s.segment_id AS "segmentId", s.district_id AS "districtId", s.cell_id AS "cellId"`;
export const toJoinedEvent = (row: JoinedCameraEvent): JoinedCameraEvent => ({ ...row, id: Number(row.id), eventTime: Math.round(Number(row.eventTime)), receivedAt: Math.round(Number(row.receivedAt)) });

export const segmentTrafficColumns = `t.segment_id AS "segmentId", t.speed_kmh AS "speedKmh", t.free_flow_kmh AS "freeFlowKmh", t.volume, t.occupancy_pct AS "occupancyPct",
  CASE WHEN t.speed_kmh IS NULL OR t.speed_kmh >= 0.7 * t.free_flow_kmh THEN 'free' WHEN t.speed_kmh >= 0.4 * t.free_flow_kmh THEN 'slow' ELSE 'congested' END AS level,
  extract(epoch FROM t.updated_at) * 1000 AS "updatedMs"`;

export type SegmentTrafficRow = Omit<SegmentTraffic, 'updatedAt'> & { updatedMs: number | string };
export const toSegmentTraffic = ({ updatedMs, ...row }: SegmentTrafficRow): SegmentTraffic => ({ ...row, updatedAt: new Date(Math.round(Number(updatedMs))).toISOString() });

// A segment's traffic from its cameras' readings (grouped by segment): the volume-weighted mean speed.
export const segmentReadingsAggregate = `sum(volume)::int AS volume, avg(occupancy_pct) AS occupancy_pct,
  sum(mean_speed_kmh * greatest(volume, 1)) FILTER (WHERE mean_speed_kmh IS NOT NULL)
    / nullif(sum(greatest(volume, 1)) FILTER (WHERE mean_speed_kmh IS NOT NULL), 0) AS speed_kmh`;

// A tick's readings in one statement: history for each, the district rollups, when each
// camera was last heard, then per segment the volume-weighted mean speed of its cameras' latest
// periods against free-flow. Readings of unknown cameras are left out.
const persistReadingsSql = `
WITH batch AS (
  SELECT b.*, c.segment_id FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::int[], $6::int[], $7::real[], $8::real[])
    AS b(camera_id, event_ms, received_ms, source_id, period_s, volume, occupancy_pct, mean_speed_kmh)
  JOIN cameras c ON c.id = b.camera_id
), history AS (
  INSERT INTO camera_readings (camera_id, period_start, period_s, volume, occupancy_pct, mean_speed_kmh, received_at, source_id)
  SELECT camera_id, to_timestamp(event_ms / 1000), period_s, volume, occupancy_pct, mean_speed_kmh, to_timestamp(received_ms / 1000), source_id FROM batch
  ON CONFLICT DO NOTHING
  RETURNING camera_id, period_start, volume, mean_speed_kmh
), rollup AS (
  -- The posture boards' traffic per district, per minute and per hour, from the readings new to history.
  INSERT INTO traffic_rollup (span_s, start, district_id, readings, weight, delay_weighted)
  SELECT spans.span_s, ${rollupStartSql('h.period_start')}, site.district_id, count(*), sum(greatest(h.volume, 1)),
         sum(greatest(h.volume, 1) * s.speed_limit_kmh / greatest(h.mean_speed_kmh, $9))
  FROM history h JOIN cameras c ON c.id = h.camera_id JOIN camera_sites site ON site.id = c.site_id JOIN road_segments s ON s.id = c.segment_id, ${rollupSpansSql}
  WHERE h.mean_speed_kmh IS NOT NULL
  GROUP BY 1, 2, 3
  ON CONFLICT (span_s, start, district_id) DO UPDATE SET readings = traffic_rollup.readings + excluded.readings,
    weight = traffic_rollup.weight + excluded.weight, delay_weighted = traffic_rollup.delay_weighted + excluded.delay_weighted
), seen AS (
  UPDATE cameras c SET last_seen_at = greatest(c.last_seen_at, b.received_at)
  FROM (SELECT camera_id, to_timestamp(max(received_ms) / 1000) AS received_at FROM batch GROUP BY 1) b WHERE c.id = b.camera_id
), per_segment AS (
  SELECT segment_id, ${segmentReadingsAggregate}, to_timestamp(max(event_ms / 1000 + period_s)) AS updated_at
  FROM batch WHERE segment_id IS NOT NULL GROUP BY segment_id
), t AS (
  INSERT INTO segment_traffic (segment_id, speed_kmh, free_flow_kmh, volume, occupancy_pct, updated_at)
  SELECT p.segment_id, p.speed_kmh, s.speed_limit_kmh, p.volume, p.occupancy_pct, p.updated_at FROM per_segment p JOIN road_segments s ON s.id = p.segment_id
  ON CONFLICT (segment_id) DO UPDATE SET speed_kmh = excluded.speed_kmh, volume = excluded.volume, occupancy_pct = excluded.occupancy_pct, updated_at = excluded.updated_at
  WHERE segment_traffic.updated_at <= excluded.updated_at
  RETURNING *
)
SELECT ${segmentTrafficColumns} FROM t`;

export async function persistCameraReadings(db: Queryable, readings: readonly CameraReadingRow[]): Promise<SegmentTraffic[]> {
  if (readings.length === 0) return [];
  const rows = await db.query<SegmentTrafficRow>(
    persistReadingsSql,
    [
      ...toColumns(
        readings,
        (r) => r.cameraId,
        (r) => r.eventTime,
        (r) => r.receivedAt,
        (r) => r.sourceId,
        (r) => r.periodS,
        (r) => r.volume,
        (r) => r.occupancyPct,
        (r) => r.meanSpeedKmh,
      ),
      // The congestion index counts a standstill as this slow, as routing does.
      routingSpeeds.slowestKmh,
    ],
  );
  return rows.map(toSegmentTraffic);
}

/**
 * Stores a tick's camera events, each placed at its camera site (segment, district, grid cell),
 * and moves cameras to offline/online when their events say so. One statement.
 */
export async function persistCameraEvents(db: Queryable, events: readonly CameraEventRow[]): Promise<JoinedCameraEvent[]> {
  if (events.length === 0) return [];
  return db.query<JoinedCameraEvent>(
    `WITH batch AS (
       SELECT b.*, c.site_id, c.segment_id, site.geom
       FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::text[], $6::int[], $7::text[])
         AS b(camera_id, event_ms, received_ms, source_id, kind, severity, description)
       JOIN cameras c ON c.id = b.camera_id JOIN camera_sites site ON site.id = c.site_id
     ), status AS (
       UPDATE cameras c SET status = CASE b.kind WHEN 'camera-offline' THEN 'offline' ELSE 'online' END
       FROM (SELECT DISTINCT ON (camera_id) camera_id, kind FROM batch WHERE kind IN ('camera-offline', 'camera-online') ORDER BY camera_id, event_ms DESC) b
       WHERE c.id = b.camera_id
     ), stored AS (
       INSERT INTO camera_events (camera_id, kind, severity, description, event_time, received_at, source_id, segment_id, district_id, cell_id, geom)
       SELECT camera_id, kind, severity, description, to_timestamp(event_ms / 1000), to_timestamp(received_ms / 1000), source_id, segment_id,
              located.district_id, located.cell_id, geom
       FROM batch, LATERAL (SELECT ${locateInCellAndDistrict('batch.geom')}) AS located
       -- The same event sent again (or applied again after a crash) is stored once.
       ON CONFLICT (camera_id, kind, event_time) DO NOTHING
       RETURNING *
     )
     SELECT ${joinedEventColumns}
     FROM stored s JOIN cameras c ON c.id = s.camera_id ORDER BY s.id`,
    toColumns(
      events,
      (e) => e.cameraId,
      (e) => e.eventTime,
      (e) => e.receivedAt,
      (e) => e.sourceId,
      (e) => e.kind,
      (e) => e.severity,
      (e) => e.description,
    ),
  ).then((rows) => rows.map(toJoinedEvent));
}

/** The latest camera events, newest first. */
export async function listCameraEvents(db: Queryable, limit = 200): Promise<JoinedCameraEvent[]> {
  const rows = await db.query<JoinedCameraEvent>(`SELECT ${joinedEventColumns} FROM camera_events s JOIN cameras c ON c.id = s.camera_id ORDER BY s.event_time DESC, s.id DESC LIMIT $1`, [limit]);
  return rows.map(toJoinedEvent);
}

export async function listSegmentTraffic(db: Queryable): Promise<SegmentTraffic[]> {
  return (await db.query<SegmentTrafficRow>(`SELECT ${segmentTrafficColumns} FROM segment_traffic t ORDER BY t.segment_id`)).map(toSegmentTraffic);
}

export async function listCameraIds(db: Queryable): Promise<string[]> {
  return (await db.query<{ id: string }>('SELECT id FROM cameras')).map((row) => row.id);
}

/** Each camera watches the road segment nearest its site (KNN), found once where the city did not say. */
export async function assignCameraSegments(db: Queryable): Promise<void> {
  await db.query(
    `UPDATE cameras c SET segment_id = (SELECT s.id FROM road_segments s ORDER BY s.geom <-> site.geom LIMIT 1)
     FROM camera_sites site WHERE site.id = c.site_id AND c.segment_id IS NULL`,
  );
}
