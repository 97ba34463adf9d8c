import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';
import type { Incident } from './incidents.ts';

/** Everything that happened near an incident: the question a dispatcher asks first. */
export interface NearbyActivity {
  incidents: (Pick<Incident, 'id' | 'category' | 'categoryZh' | 'categoryEn' | 'status' | 'severity' | 'reportedAt' | 'lon' | 'lat'> & { distanceM: number })[];
  cameraEvents: { id: number; cameraId: string; kind: string; severity: number; description: string; at: string; lon: number; lat: number; distanceM: number }[];
  /** Units that passed within the radius in the window: their closest fix. */
  units: { id: string; kind: string; label: string; at: string; lon: number; lat: number; distanceM: number }[];
}

/**
 * Every incident (reports included), camera event and unit within `radiusM` of a point between
 * `from` and `to` (epoch ms), nearest first, from PostGIS (history for the units). `kinds` limits
 * the units to those the asker may see.
 */
export async function findNearby(db: Queryable, around: { lon: number; lat: number; from: number; to: number; radiusM: number; excludeIncident?: number; kinds: readonly string[] }): Promise<NearbyActivity> {
  const params = [around.lon, around.lat, around.from, around.radiusM, around.to];
  // $1 lon, $2 lat, $3 from (epoch ms), $4 radius m, $5 to (epoch ms).
  const here = `ST_SetSRID(ST_MakePoint($1, $2), 4326)`;
  const within = (column: string) => `ST_DWithin(${column}::geography, ${here}::geography, $4)`;
  const during = (column: string) => `${column} BETWEEN to_timestamp($3::float8 / 1000) AND to_timestamp($5::float8 / 1000)`;
  const distance = (column: string) => `ST_Distance(${column}::geography, ${here}::geography)::float8`;
  const [incidents, cameraEvents, units] = await Promise.all([
    db.query<NearbyActivity['incidents'][number]>(
      `SELECT i.id::int AS id, i.category, c.name_zh AS "categoryZh", c.name_en AS "categoryEn", i.status, i.severity, ${isoUtc('i.reported_at')} AS "reportedAt",
              ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, ${distance('i.geom')} AS "distanceM"
       FROM incidents i JOIN incident_categories c ON c.code = i.category
       WHERE ${within('i.geom')} AND ${during('i.reported_at')} AND i.id IS DISTINCT FROM $6::bigint
       ORDER BY "distanceM", i.id LIMIT 100`,
      [...params, around.excludeIncident ?? null],
    ),
    db.query<NearbyActivity['cameraEvents'][number]>(
      `SELECT e.id::int AS id, e.camera_id AS "cameraId", e.kind, e.severity, e.description, ${isoUtc('e.event_time')} AS at, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, ${distance('e.geom')} AS "distanceM"
       FROM camera_events e WHERE ${within('e.geom')} AND ${during('e.event_time')}
       ORDER BY "distanceM", e.id LIMIT 100`,
      params,
    ),
    db.query<NearbyActivity['units'][number]>(
      `SELECT DISTINCT ON (h.entity_id) h.entity_id AS id, en.kind, en.label, ${isoUtc('h.event_time')} AS at, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat, ${distance('h.geom')} AS "distanceM"
       FROM position_history h JOIN entities en ON en.id = h.entity_id
       WHERE ${within('h.geom')} AND ${during('h.event_time')} AND en.kind = ANY($6::text[])
       ORDER BY h.entity_id, "distanceM"`,
      [...params, around.kinds],
    ),
  ]);
  return { incidents, cameraEvents, units: units.sort((a, b) => a.distanceM - b.distanceM).slice(0, 100) };
}
