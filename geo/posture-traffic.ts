import type { Queryable } from './database.ts';
import { bucketSql, denseSeries, inWindowSql, readUntil, rollupSpanS, shareOf, type PostureWindow } from './posture-window.ts';
import { segmentTrafficAtSql } from './replay-traffic.ts';
import { routingSpeeds } from './road-routing.ts';

/**
 * The city's running posture for traffic (城市运行态势 · 交通), for a window and a district (a
 * grid cell's board shows its district). One definition per figure, here and nowhere else:
 * - `index`: the congestion delay index (拥堵延时指数) of the window's detector records: the
 *   volume-weighted mean of free-flow speed (the segment's limit) over measured speed, a
 *   standstill counted as 5 km/h. 1.0 is free flow; 1.5 means trips take half as long again.
 *   Null without records. `readings`: the records it is made of.
 * - `byBucket`: `index` per bucket of the window; `byDistrict`: `index` per district.
 * - `slowestSegments`: now (not bounded by the window), the 10 segments with live traffic
 *   (a record in the last 15 minutes) whose speed is the smallest share of free flow.
 * - `cameras`: now, cameras online (not reported offline, and a detector record received
 *   within `silentAfterMs`) of all cameras, city-wide or in the district, and per district.
 * For a past moment (`atMs`, a replay), "now" is then: the slowest segments from the records
 * received by then (geo/replay-traffic.ts), a camera online if a record of it was received within
 * `silentAfterMs` before (its reported status then is not kept); the rollups up to then (readUntil).
 */
export interface TrafficPosture {
  index: number | null;
  readings: number;
  byBucket: (number | null)[];
  byDistrict: { districtId: string; index: number | null; readings: number }[];
  slowestSegments: { segmentId: string; nameZh: string; nameEn: string; speedKmh: number; freeFlowKmh: number; speedShare: number; updatedAt: string }[];
  cameras: { total: number; online: number; share: number | null; byDistrict: { districtId: string; total: number; online: number }[] };
}

export async function readTrafficPosture(db: Queryable, window: PostureWindow, silentAfterMs: number, atMs?: number): Promise<TrafficPosture> {
  // $1 from, $2 to (epoch ms), $3 district or null, $4 the rollup span, s.
  const params = [window.from, readUntil(window, atMs), window.districtId, rollupSpanS(window.bucketMs)];
  const minutes = `SELECT * FROM traffic_rollup t WHERE t.span_s = $4 AND ${inWindowSql('t.start', 1)} AND ($3::text IS NULL OR t.district_id = $3)`;
  const index = `CASE WHEN sum(weight) > 0 THEN (sum(delay_weighted) / sum(weight))::float8 END`;
  // Segments with live traffic and cameras heard from: now, or at the past moment ($3 then).
  const past = atMs !== undefined;
  const measured = past
    ? { from: `(${segmentTrafficAtSql(2)}) t`, where: 'true', params: [atMs - routingSpeeds.liveForMs, atMs] }
    : { from: 'segment_traffic t', where: 't.updated_at > now() - make_interval(secs => $2 / 1000.0)', params: [routingSpeeds.liveForMs] };
  const isOnline = past
    ? `c.id IN (SELECT r.camera_id FROM camera_readings r WHERE r.received_at > to_timestamp(($3::float8 - $1) / 1000) AND r.received_at <= to_timestamp($3::float8 / 1000))`
    : `c.status = 'online' AND c.last_seen_at > now() - make_interval(secs => $1 / 1000.0)`;
  const [[overall], byBucket, byDistrict, slowestSegments, cameras] = await Promise.all([
    db.query<{ index: number | null; readings: number }>(`SELECT ${index} AS index, coalesce(sum(readings), 0)::int AS readings FROM (${minutes}) m`, params),
    db.query<{ bucket: number; value: number }>(`SELECT ${bucketSql('m.start', 1, 5)} AS bucket, ${index} AS value FROM (${minutes}) m GROUP BY 1`, [...params, window.bucketMs]),
    db.query<TrafficPosture['byDistrict'][number]>(
      `SELECT m.district_id AS "districtId", ${index} AS index, sum(readings)::int AS readings FROM (${minutes}) m GROUP BY 1 ORDER BY 1`,
      params,
    ),
    db.query<Omit<TrafficPosture['slowestSegments'][number], 'updatedAt'> & { updatedMs: number }>(
      `SELECT t.segment_id AS "segmentId", r.name_zh AS "nameZh", r.name_en AS "nameEn", t.speed_kmh::float8 AS "speedKmh", t.free_flow_kmh::float8 AS "freeFlowKmh",
              (t.speed_kmh / t.free_flow_kmh)::float8 AS "speedShare", extract(epoch FROM t.updated_at)::float8 * 1000 AS "updatedMs"
         FROM ${measured.from} JOIN road_segments s ON s.id = t.segment_id JOIN roads r ON r.id = s.road_id
        WHERE t.speed_kmh IS NOT NULL AND ${measured.where}
          AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM cameras c JOIN camera_sites site ON site.id = c.site_id WHERE c.segment_id = t.segment_id AND site.district_id = $1))
        ORDER BY "speedShare", t.segment_id LIMIT 10`,
      [window.districtId, ...measured.params],
    ),
    db.query<{ districtId: string; total: number; online: number }>(
      `SELECT site.district_id AS "districtId", count(*)::int AS total,
              count(*) FILTER (WHERE ${isOnline})::int AS online
         FROM cameras c JOIN camera_sites site ON site.id = c.site_id WHERE $2::text IS NULL OR site.district_id = $2 GROUP BY 1 ORDER BY 1`,
      [silentAfterMs, window.districtId, ...(past ? [atMs] : [])],
    ),
  ]);
  const total = cameras.reduce((sum, row) => sum + row.total, 0);
  const online = cameras.reduce((sum, row) => sum + row.online, 0);
  return {
    index: overall!.index,
    readings: overall!.readings,
    byBucket: denseSeries<number | null>(window, byBucket, null),
    byDistrict,
    slowestSegments: slowestSegments.map(({ updatedMs, ...segment }) => ({ ...segment, updatedAt: new Date(Math.round(updatedMs)).toISOString() })),
    cameras: { total, online, share: shareOf(online, total), byDistrict: cameras },
  };
}
