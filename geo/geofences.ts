import type { EntityKind } from './city-data.ts';
import { presentEntityKinds } from './city-queries.ts';
import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';
import { clearGeofenceAlerts, listGeofenceAlerts, raiseGeofenceAlertsSql, type GeofenceAlert } from './geofence-alerts.ts';
import type { LonLat } from './local-frame.ts';

export const geofenceKinds = ['area', 'unit-radius', 'route-corridor'] as const;
export type GeofenceKind = (typeof geofenceKinds)[number];

/**
 * What a geofence may be: a drawn area of at most `vertices` corners and `areaKm2` (a district
 * or less: a bigger shape is a typo or an attack on the per-tick check), a radius or corridor
 * width in `radiusM`, a dwell limit in `dwellMinutes`, and at most `active` fences at once.
 */
export const geofenceLimits = { vertices: 200, areaKm2: 50, radiusM: [10, 5_000], dwellMinutes: [1, 1_440], active: 500 } as const;

export interface NewGeofence {
  name: string;
  kind: GeofenceKind;
  /** An area's ring, closed or not. */
  polygon?: LonLat[];
  unitId?: string;
  routeId?: string;
  radiusM?: number;
  kinds: EntityKind[];
  dwellMinutes?: number | null;
  severity: number;
  createdBy: string;
}

export interface Geofence {
  id: number;
  name: string;
  kind: GeofenceKind;
  /** The shape now: the area, the circle round the unit, or the corridor. */
  shape: { type: 'Polygon'; coordinates: LonLat[][] } | null;
  unitId: string | null;
  routeId: string | null;
  radiusM: number | null;
  kinds: EntityKind[];
  dwellMinutes: number | null;
  severity: number;
  createdBy: string;
  createdAt: string;
}

// The shape of fence "f" now; a corridor and a radius are buffered on geography, so in metres.
const shapeOf = `CASE f.kind WHEN 'area' THEN f.geom
  WHEN 'unit-radius' THEN (SELECT ST_Buffer(u.geom::geography, f.radius_m)::geometry FROM entities u WHERE u.id = f.unit_id)
  ELSE (SELECT ST_Buffer(r.geom::geography, f.radius_m)::geometry FROM bus_routes r WHERE r.id = f.route_id) END`;
const geofenceColumns = `f.id::int AS id, f.name, f.kind, ST_AsGeoJSON(${shapeOf}, 6)::json AS shape, f.unit_id AS "unitId", f.route_id AS "routeId",
  f.radius_m AS "radiusM", f.kinds, f.dwell_minutes AS "dwellMinutes", f.severity, f.created_by AS "createdBy", ${isoUtc('f.created_at')} AS "createdAt"`;

/**
 * Checks a shape a person drew against `geofenceLimits` (corners, area, validity, inside the
 * city): the closed ring, or the problem in words.
 */
export async function checkDrawnArea(db: Queryable, ring: readonly LonLat[]): Promise<{ ok: true; ring: LonLat[] } | { ok: false; problem: string }> {
  const closed = ring.length > 0 && ring[0]!.join() === ring.at(-1)!.join() ? [...ring] : ring.length > 0 ? [...ring, ring[0]!] : [];
  if (closed.length < 4) return { ok: false, problem: 'an area needs at least 3 corners' };
  if (closed.length - 1 > geofenceLimits.vertices) return { ok: false, problem: `an area may have at most ${geofenceLimits.vertices} corners; this one has ${closed.length - 1}` };
  const [check] = (await db.query<{ valid: boolean; km2: number; inCity: boolean }>(
    `SELECT ST_IsValid(g) AS valid, ST_Area(g::geography) / 1e6 AS km2, ST_Intersects(g, (SELECT bounds FROM city)) AS "inCity"
       FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g) s`,
    [JSON.stringify({ type: 'Polygon', coordinates: [closed] })],
  )) as [{ valid: boolean; km2: number; inCity: boolean }];
  if (!check.valid) return { ok: false, problem: 'the area crosses itself; draw it again without crossing lines' };
  if (check.km2 > geofenceLimits.areaKm2) return { ok: false, problem: `an area may cover at most ${geofenceLimits.areaKm2} km²; this one covers ${check.km2.toFixed(1)} km²` };
  if (!check.inCity) return { ok: false, problem: 'the area lies outside the city' };
  return { ok: true, ring: closed };
}

export type CreateGeofenceResult = { ok: true; geofence: Geofence } | { ok: false; problem: string };

/**
 * Creates a fence after checking its shape against `geofenceLimits`. Whoever is inside already
 * is taken as present, so a new fence raises nothing until someone actually crosses it.
 */
export async function createGeofence(tx: Queryable, fence: NewGeofence): Promise<CreateGeofenceResult> {
  const [{ active }] = (await tx.query<{ active: number }>(`SELECT count(*)::int AS active FROM geofences WHERE active`)) as [{ active: number }];
  if (active >= geofenceLimits.active) return { ok: false, problem: `there are already ${active} active geofences, the most there may be; remove some first` };
  if (fence.kind !== 'route-corridor') {
    const present = await presentEntityKinds(tx);
    if (!fence.kinds.some((kind) => present.includes(kind))) {
      return { ok: false, problem: `the city has no ${fence.kinds.join(', ') || 'kind chosen'}, so the fence would watch nothing; watch one of ${present.join(', ')}` };
    }
  }
  if (fence.kind === 'area') {
    const area = await checkDrawnArea(tx, fence.polygon ?? []);
    if (!area.ok) return area;
    fence = { ...fence, polygon: area.ring };
  } else {
    const [low, high] = geofenceLimits.radiusM;
    if (fence.radiusM === undefined || fence.radiusM < low || fence.radiusM > high) return { ok: false, problem: `radiusM must be ${low}–${high} m` };
    const [exists] = await tx.query(fence.kind === 'unit-radius' ? `SELECT 1 FROM entities WHERE id = $1` : `SELECT 1 FROM bus_routes WHERE id = $1`, [fence.kind === 'unit-radius' ? fence.unitId : fence.routeId]);
    if (!exists) return { ok: false, problem: fence.kind === 'unit-radius' ? `no unit "${fence.unitId}"` : `no bus route "${fence.routeId}"` };
  }
  const [{ id }] = (await tx.query<{ id: number }>(
    `INSERT INTO geofences (name, kind, geom, unit_id, route_id, radius_m, kinds, dwell_minutes, severity, created_by)
     VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromGeoJSON($3), 4326) END, $4, $5, $6, $7::text[], $8, $9, $10) RETURNING id::int AS id`,
    [
      fence.name,
      fence.kind,
      fence.polygon ? JSON.stringify({ type: 'Polygon', coordinates: [fence.polygon] }) : null,
      fence.kind === 'unit-radius' ? fence.unitId : null,
      fence.kind === 'route-corridor' ? fence.routeId : null,
      fence.kind === 'area' ? null : fence.radiusM,
      fence.kind === 'route-corridor' ? ['bus'] : fence.kinds,
      fence.dwellMinutes ?? null,
      fence.severity,
      fence.createdBy,
    ],
  )) as [{ id: number }];
  await tx.query(
    `INSERT INTO geofence_presence (geofence_id, entity_id, entered_at)
     SELECT fence, entity, now() FROM (${pairsSql('$1::bigint')}) pairs WHERE inside`,
    [id],
  );
  return { ok: true, geofence: (await listGeofences(tx, [id]))[0]! };
}

export async function listGeofences(db: Queryable, ids?: readonly number[]): Promise<Geofence[]> {
  return db.query<Geofence>(`SELECT ${geofenceColumns} FROM geofences f WHERE f.active ${ids ? 'AND f.id = ANY($1::bigint[])' : ''} ORDER BY f.id`, ids ? [ids] : []);
}

/** Ends a fence: it no longer raises anything, and its open alerts are cleared with it (returned, to push). */
export async function removeGeofence(tx: Queryable, id: number): Promise<{ fence: Geofence; cleared: GeofenceAlert[] } | undefined> {
  const [fence] = await listGeofences(tx, [id]);
  if (!fence) return undefined;
  await tx.query(`UPDATE geofences SET active = false WHERE id = $1`, [id]);
  await tx.query(`DELETE FROM geofence_presence WHERE geofence_id = $1`, [id]);
  return { fence, cleared: await clearGeofenceAlerts(tx, { geofenceId: id }) };
}

/**
 * The (fence, entity, inside now) pairs to look at: the moved entities ($1) against every
 * active fence that watches them, and, for a radius whose unit moved, every watched entity near
 * it or still counted inside. `fenceFilter`, when given, limits the fences (a new one).
 */
function pairsSql(fenceFilter?: string): string {
  const fences = `SELECT * FROM geofences WHERE active${fenceFilter ? ` AND id = ${fenceFilter}` : ''}`;
  const moved = fenceFilter ? 'true' : `e.id = ANY($1::text[])`;
  return `
    SELECT f.id AS fence, e.id AS entity, ST_Intersects(f.geom, e.geom) AS inside
      FROM (${fences}) f JOIN entities e ON e.kind = ANY(f.kinds) AND e.geom IS NOT NULL AND ${moved}
     WHERE f.kind = 'area' AND (${fenceFilter ? 'ST_Intersects(f.geom, e.geom)' : 'true'})
    UNION ALL
    SELECT f.id, e.id, ST_DWithin(r.geom::geography, e.geom::geography, f.radius_m)
      FROM (${fences}) f JOIN bus_routes r ON r.id = f.route_id JOIN entities e ON e.route_id = f.route_id AND e.geom IS NOT NULL AND ${moved}
     WHERE f.kind = 'route-corridor'
    UNION ALL
    SELECT f.id, e.id, ST_DWithin(c.geom::geography, e.geom::geography, f.radius_m)
      FROM (${fences}) f JOIN entities c ON c.id = f.unit_id AND c.geom IS NOT NULL
      JOIN entities e ON e.kind = ANY(f.kinds) AND e.id <> c.id AND e.geom IS NOT NULL
       AND (${moved} OR ${fenceFilter ? 'false' : 'c.id = ANY($1::text[])'})
       AND (ST_DWithin(c.geom::geography, e.geom::geography, f.radius_m)
            OR EXISTS (SELECT 1 FROM geofence_presence p WHERE p.geofence_id = f.id AND p.entity_id = e.id))
     WHERE f.kind = 'unit-radius'`;
}

/**
 * One tick's geofence check, set-based: entities that crossed into or out of a fence, and
 * those inside one longer than its dwell limit, raise alerts (a repeat folds into its open alert).
 * Run it in the tick's transaction.
 */
export async function checkGeofences(tx: Queryable, movedIds: readonly string[]): Promise<GeofenceAlert[]> {
  const [{ any }] = (await tx.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM geofences WHERE active) AS any`)) as [{ any: boolean }];
  if (!any) return [];
  const crossed = await tx.query<{ id: number }>(
    `WITH pairs AS (${pairsSql()}),
     entered AS (
       INSERT INTO geofence_presence (geofence_id, entity_id, entered_at)
       SELECT p.fence, p.entity, coalesce(e.updated_at, now()) FROM pairs p JOIN entities e ON e.id = p.entity WHERE p.inside
       ON CONFLICT DO NOTHING RETURNING geofence_id, entity_id
     ),
     exited AS (
       DELETE FROM geofence_presence g USING pairs p WHERE g.geofence_id = p.fence AND g.entity_id = p.entity AND NOT p.inside
       RETURNING g.geofence_id, g.entity_id
     ),
     ${raiseGeofenceAlertsSql(`SELECT geofence_id AS fence, entity_id AS entity, 'enter' AS event FROM entered UNION ALL SELECT geofence_id, entity_id, 'exit' FROM exited`)}`,
    [movedIds],
  );
  const dwelt = await tx.query<{ id: number }>(
    `WITH due AS (
       UPDATE geofence_presence g SET dwell_raised = true FROM geofences f
        WHERE f.id = g.geofence_id AND f.active AND f.dwell_minutes IS NOT NULL AND NOT g.dwell_raised
          AND g.entered_at <= now() - make_interval(mins => f.dwell_minutes)
       RETURNING g.geofence_id, g.entity_id
     ),
     ${raiseGeofenceAlertsSql(`SELECT geofence_id AS fence, entity_id AS entity, 'dwell' AS event FROM due`)}`,
  );
  const ids = [...crossed, ...dwelt].map((row) => row.id);
  return ids.length === 0 ? [] : listGeofenceAlerts(tx, ids);
}
