// Reading the city's past from position history (issue 21): where every unit was at a moment,
// and one unit's track over a window with its speed and its stops. Both read by time window, so
// only the partitions of that window are touched (geo/history-partitions.ts).
import type { EntityKind } from './city-data.ts';
import { epochMs } from './columns.ts';
import type { Queryable } from './database.ts';
import { fixesNearSql, keyframeBefore } from './position-keyframes.ts';
import type { LivePosition } from './positions.ts';

/** A unit where it last reported at or before a moment: its live state then, but for its status (not kept in history). */
export type PastPosition = Omit<LivePosition, 'status'>;

/**
 * How long a unit counts as where it last reported. Trackers report every 5–15 s and buses every
 * 15–30 s; a unit silent for longer than this before the moment was off the map then, as the
 * live wall shows it once its feed goes stale.
 */
export const lastSeenWithinMs = 10 * 60_000;

/** Every unit of `kinds` at `atMs`: its last fix at or before then, within `lastSeenWithinMs` (from the newest keyframe and the fixes since). */
export async function positionsAt(db: Queryable, atMs: number, kinds: readonly EntityKind[]): Promise<PastPosition[]> {
  // A screen that shows no units (the boards, the console) reads none.
  if (kinds.length === 0) return [];
  const rows = await db.query<Omit<PastPosition, 'fixTime'> & { fixTime: number | string }>(
    `SELECT DISTINCT ON (p.entity_id) p.entity_id AS id, e.kind, e.label, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
            p.heading_deg AS "headingDeg", p.speed_kmh AS "speedKmh", p.district_id AS "districtId", p.cell_id AS "cellId",
            extract(epoch FROM p.event_time) * 1000 AS "fixTime"
     FROM (${fixesNearSql(1)}) p JOIN entities e ON e.id = p.entity_id
     WHERE e.kind = ANY($4::text[])
     ORDER BY p.entity_id, p.event_time DESC`,
    [atMs, lastSeenWithinMs, await keyframeBefore(db, atMs), kinds],
  );
  return rows.map((row) => ({ ...row, fixTime: Math.round(Number(row.fixTime)) }));
}

/** One fix of a track: where, when (epoch ms), how fast. */
export interface TrackPoint {
  lon: number;
  lat: number;
  at: number;
  speedKmh: number | null;
  headingDeg: number | null;
}

/** Where a unit stood still, from when to when (epoch ms). */
export interface TrackStop {
  lon: number;
  lat: number;
  from: number;
  to: number;
}

/** A unit stood still while its fixes stayed this close to where it stopped, this long at least. */
export const stopRadiusM = 30;
export const stopMinMs = 2 * 60_000;

/** One unit's track: the unit, its fixes from `from` to `to` oldest first, where it stopped, and how far it went fix to fix (m). */
export interface UnitTrack {
  unit: { id: string; kind: EntityKind; label: string };
  points: TrackPoint[];
  stops: TrackStop[];
  distanceM: number;
}

/** A unit's fixes ($1) from $2 to $3 (epoch ms): a closed partition's key carries every column (tendHistory), so only the key is read. */
export const trackSql = `SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, ${epochMs('event_time')} AS at, speed_kmh AS "speedKmh", heading_deg AS "headingDeg"
  FROM position_history
  WHERE entity_id = $1 AND event_time >= to_timestamp($2::float8 / 1000) AND event_time <= to_timestamp($3::float8 / 1000)
  ORDER BY event_time`;

/** One unit's track from `fromMs` to `toMs`; undefined when there is no such unit. */
export async function unitTrack(db: Queryable, unitId: string, fromMs: number, toMs: number): Promise<UnitTrack | undefined> {
  const [unit] = await db.query<UnitTrack['unit']>('SELECT id, kind, label FROM entities WHERE id = $1', [unitId]);
  if (!unit) return undefined;
  const points = await db.query<TrackPoint>(trackSql, [unitId, fromMs, toMs]);
  const distanceM = points.reduce((sum, point, i) => (i === 0 ? 0 : sum + metresBetween(points[i - 1]!, point)), 0);
  return { unit, points, stops: findStops(points), distanceM: Math.round(distanceM) };
}

// Metres between two nearby points (an equirectangular approximation: well under 1 % at 30 m, and
// between two fixes seconds apart).
function metresBetween(a: TrackPoint, b: TrackPoint): number {
  const radians = Math.PI / 180;
  const x = (b.lon - a.lon) * radians * Math.cos(((a.lat + b.lat) / 2) * radians);
  const y = (b.lat - a.lat) * radians;
  return Math.hypot(x, y) * 6_371_008.8;
}

/** Each stretch of a track that stayed within `stopRadiusM` of its first fix for `stopMinMs` or more. */
export function findStops(points: readonly TrackPoint[]): TrackStop[] {
  const stops: TrackStop[] = [];
  let start = 0;
  while (start < points.length) {
    let end = start;
    while (end + 1 < points.length && metresBetween(points[start]!, points[end + 1]!) <= stopRadiusM) end += 1;
    const [first, last] = [points[start]!, points[end]!];
    if (last.at - first.at >= stopMinMs) stops.push({ lon: first.lon, lat: first.lat, from: first.at, to: last.at });
    start = end + 1;
  }
  return stops;
}
