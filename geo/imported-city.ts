// The city row and the derived parts of an imported city: its bounds from what was imported, grid
// cells where the city brought none, and where each timetabled stop lies along its trip's shape.
import type { Queryable } from './database.ts';
import type { ImportTable } from './city-import.ts';
import type { LonLat } from './local-frame.ts';
import { polygonText } from './import-tables.ts';

export interface ImportedCityName {
  id: string;
  nameZh: string;
  nameEn: string;
}

/** What the database holds: nothing yet, a generated demo city, or an imported one. */
export async function citySource(db: Queryable): Promise<{ source: 'generated' | 'imported'; id: string } | undefined> {
  const rows = await db.query<{ source: 'generated' | 'imported'; id: string }>('SELECT source, profile AS id FROM city');
  return rows[0];
}

// The city's bounds are its districts'; before it has any, those of whatever it holds with a place
// (a feed's stray stop far out of town must not stretch a city that has districts).
const placedGeometries = `SELECT geom FROM districts UNION ALL SELECT geom FROM (${['bus_stops', 'bus_shapes', 'road_segments', 'camera_sites', 'police_stations']
  .map((table) => `SELECT geom FROM ${table}`)
  .join(' UNION ALL ')}) others WHERE NOT EXISTS (SELECT 1 FROM districts)`;

/**
 * Writes the city row (its name once, its bounds from what is imported so far), or removes it
 * once nothing is imported. Returns false when there is nothing to bound.
 */
export async function refreshImportedCity(tx: Queryable, name?: ImportedCityName): Promise<boolean> {
  const [extent] = await tx.query<{ box: string | null }>(`SELECT ST_AsGeoJSON(ST_Envelope(ST_Expand(ST_SetSRID(ST_Extent(geom)::geometry, 4326), 0.002))) AS box FROM (${placedGeometries}) placed`);
  if (!extent?.box) {
    await tx.query(`DELETE FROM city WHERE source = 'imported'`);
    return false;
  }
  await tx.query(
    `INSERT INTO city (profile, name_zh, name_en, seed, generator_version, center, bounds, source)
     SELECT $1, $2, $3, 0, 0, ST_Centroid(box), box, 'imported' FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($4), 4326) AS box) b
     ON CONFLICT (id) DO UPDATE SET center = excluded.center, bounds = excluded.bounds
     WHERE city.source = 'imported' AND NOT ST_Equals(city.bounds, excluded.bounds)`,
    [name?.id ?? '', name?.nameZh ?? '', name?.nameEn ?? '', extent.box],
  );
  return true;
}

export interface ProposedCell {
  id: string;
  districtId: string;
  ring: LonLat[];
}

export const gridCellTable: ImportTable<ProposedCell> = {
  table: 'grid_cells',
  key: ['id'],
  columns: [
    ['id', 'text', (c) => c.id],
    ['district_id', 'text', (c) => c.districtId],
    ['geom', 'geometry', (c) => polygonText(c.ring)],
  ],
};

/**
 * Grid-management cells for a city that brought none: squares of `cellM` metres over these districts
 * (the import's own: a district it no longer has gets none, so its old cells go before it),
 * each clipped to the district it falls in (the largest piece where a square straddles a boundary;
 * slivers under a twentieth of a square dropped). Named by column, row and district, so the same
 * districts give the same cells.
 */
export async function proposeGridCells(tx: Queryable, districtIds: readonly string[], cellM = 400): Promise<ProposedCell[]> {
  const rows = await tx.query<{ id: string; districtId: string; ring: string }>(
    `WITH chosen AS (SELECT * FROM districts WHERE id = ANY($2::text[])),
     bounds AS (SELECT ST_Extent(geom) AS box FROM chosen),
     steps AS (SELECT box, $1 / 111320.0 AS dlat, $1 / (111320.0 * cos(radians((ST_YMin(box) + ST_YMax(box)) / 2))) AS dlon FROM bounds WHERE box IS NOT NULL),
     squares AS (
       SELECT i, j, ST_MakeEnvelope(ST_XMin(box) + i * dlon, ST_YMin(box) + j * dlat, ST_XMin(box) + (i + 1) * dlon, ST_YMin(box) + (j + 1) * dlat, 4326) AS geom, dlon * dlat AS area
       FROM steps, generate_series(0, ceil((ST_XMax(box) - ST_XMin(box)) / dlon)::int - 1) i, generate_series(0, ceil((ST_YMax(box) - ST_YMin(box)) / dlat)::int - 1) j
     ),
     pieces AS (
       SELECT s.i, s.j, d.id AS district_id, s.area, (ST_Dump(ST_CollectionExtract(ST_Intersection(s.geom, d.geom), 3))).geom AS geom
       FROM squares s JOIN chosen d ON ST_Intersects(s.geom, d.geom)
     )
     SELECT DISTINCT ON (i, j, district_id) format('cell-%s-%s-%s', lpad(i::text, 3, '0'), lpad(j::text, 3, '0'), district_id) AS id,
            district_id AS "districtId", ST_AsGeoJSON(ST_ExteriorRing(geom), 7) AS ring
     FROM pieces WHERE ST_Area(geom) >= area / 20 ORDER BY i, j, district_id, ST_Area(geom) DESC`,
    [cellM, districtIds],
  );
  return rows.map((row) => ({ id: row.id, districtId: row.districtId, ring: (JSON.parse(row.ring) as { coordinates: LonLat[] }).coordinates }));
}

/**
 * Places each of the import's timetabled stops along its trip's shape (0–1), each on what is left
 * of the shape after the stop before it: a shape that passes near itself (a loop, out and back
 * along one street) has a stop of the way back placed on the way back, not where the way out
 * passes it. Done once per stop pattern (a shape and its stops in order), which most trips share.
 */
export async function placeTripStops(tx: Queryable, importName: string): Promise<void> {
  await tx.query(
    `WITH RECURSIVE trips AS (
       SELECT s.trip_id, t.shape_id, array_agg(s.stop_id ORDER BY s.seq) AS stop_ids, array_agg(s.seq ORDER BY s.seq) AS seqs
       FROM bus_trip_stops s JOIN bus_trips t ON t.id = s.trip_id WHERE s.import_name = $1 GROUP BY s.trip_id, t.shape_id
     ), stops AS (
       SELECT p.shape_id, p.stop_ids, u.n, sh.geom AS shape, st.geom AS at
       FROM (SELECT DISTINCT shape_id, stop_ids FROM trips) p JOIN bus_shapes sh ON sh.id = p.shape_id,
            unnest(p.stop_ids) WITH ORDINALITY AS u(stop_id, n) JOIN bus_stops st ON st.id = u.stop_id
     ), placed AS (
       SELECT shape_id, stop_ids, n, ST_LineLocatePoint(shape, at) AS fraction FROM stops WHERE n = 1
       UNION ALL
       SELECT s.shape_id, s.stop_ids, s.n,
              CASE WHEN p.fraction >= 1 THEN 1 ELSE p.fraction + (1 - p.fraction) * ST_LineLocatePoint(ST_LineSubstring(s.shape, p.fraction, 1), s.at) END
       FROM placed p JOIN stops s ON s.shape_id = p.shape_id AND s.stop_ids = p.stop_ids AND s.n = p.n + 1
     )
     UPDATE bus_trip_stops ts SET fraction = placed.fraction::real
     FROM trips JOIN placed ON placed.shape_id = trips.shape_id AND placed.stop_ids = trips.stop_ids
     WHERE ts.trip_id = trips.trip_id AND ts.seq = trips.seqs[placed.n] AND ts.fraction IS DISTINCT FROM placed.fraction::real`,
    [importName],
  );
}

/**
 * The district of each place: the one the file names (by id or either name), else the one its
 * point (or a point on its surface) lies in; `named` says which was asked. Undefined where none.
 */
export async function districtsOfPlaces(db: Queryable, places: readonly { geometry: string; district: string | undefined }[]): Promise<(string | undefined)[]> {
  const rows = await db.query<{ id: string | null }>(
    `SELECT coalesce(named.id, located.id) AS id
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(geom, district, i)
     LEFT JOIN LATERAL (SELECT id FROM districts d WHERE p.district IN (d.id, d.name_zh, d.name_en) ORDER BY id LIMIT 1) named ON true
     LEFT JOIN LATERAL (
       SELECT id FROM districts d WHERE p.district IS NULL AND ST_Intersects(d.geom, ST_PointOnSurface(ST_SetSRID(ST_GeomFromGeoJSON(p.geom), 4326))) ORDER BY id LIMIT 1
     ) located ON true
     ORDER BY p.i`,
    [places.map((place) => place.geometry), places.map((place) => place.district ?? null)],
  );
  return rows.map((row) => row.id ?? undefined);
}

// How far from a road an imported camera is still taken to watch it, m.
const cameraReachM = 30;

/**
 * Each imported camera on the nearest road segment within reach of its site (its detector
 * records then colour that segment), or on none. Called after an import's rows are written.
 */
export async function placeCamerasOnRoads(tx: Queryable): Promise<void> {
  const nearest = `(SELECT r.id FROM road_segments r WHERE ST_DWithin(r.geom::geography, s.geom::geography, ${cameraReachM}) ORDER BY r.geom <-> s.geom LIMIT 1)`;
  await tx.query(
    `UPDATE cameras c SET segment_id = ${nearest} FROM camera_sites s
     WHERE s.id = c.site_id AND c.import_name IS NOT NULL AND c.segment_id IS DISTINCT FROM ${nearest}`,
  );
}

/** Frees the road segments imported cameras point at, so an import can remove segments it no longer has. */
export async function takeCamerasOffRoads(tx: Queryable): Promise<void> {
  await tx.query(`UPDATE cameras SET segment_id = NULL WHERE import_name IS NOT NULL AND segment_id IS NOT NULL`);
}
