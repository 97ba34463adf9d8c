import type { EntityKind } from './city-data.ts';
import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';
import { transitionIncident, type Incident } from './incidents.ts';
import { distanceMetres, type LonLat } from './local-frame.ts';
import type { RoadRoute, RoadRouter, TravelMode } from './road-routing.ts';

export const duties = ['available', 'en-route', 'on-scene', 'off-duty'] as const;
export type Duty = (typeof duties)[number];

/** Who answers an agency's cases: police units for public safety, grid inspectors for city management; fire engines and the bus operator's crews are not tracked here yet. */
export const unitKindsOf: Record<Incident['agency'], readonly EntityKind[]> = { police: ['police-car', 'police-officer'], city: ['inspector'], fire: [], transit: [] };

/** Officers and inspectors go on foot; the rest drive. */
export function travelModeOf(kind: EntityKind): TravelMode {
  return kind === 'police-officer' || kind === 'inspector' ? 'walk' : 'drive';
}

/** Routes each unit to `scene` in its own travel mode: one Dijkstra per mode present. */
function routeUnitsTo(router: RoadRouter, scene: LonLat, units: readonly { kind: EntityKind; lon: number; lat: number }[]): (RoadRoute | null)[] {
  const routes: (RoadRoute | null)[] = units.map(() => null);
  for (const mode of ['drive', 'walk'] as const) {
    const indexes = units.flatMap((unit, i) => (travelModeOf(unit.kind) === mode ? [i] : []));
    if (indexes.length === 0) continue;
    const found = router.routesTo(scene, indexes.map((i): LonLat => [units[i]!.lon, units[i]!.lat]), mode);
    indexes.forEach((unit, i) => (routes[unit] = found[i]!));
  }
  return routes;
}

/**
 * How dispatch decides. Candidates: the `pool` nearest available units in a straight line (KNN
 * on the GiST index), ranked by road ETA, best `count` kept; a unit silent for `freshMinutes` is
 * not offered (its position is a guess). A unit within `arrivalM` of its case is on scene.
 */
export const dispatchRules = { count: 5, pool: 20, freshMinutes: 10, arrivalM: 50 };

export interface UnitCandidate {
  id: string;
  kind: EntityKind;
  label: string;
  lon: number;
  lat: number;
  districtId: string | null;
  /** Straight-line distance to the case. */
  distanceM: number;
  etaS: number;
  roadM: number;
  route: LonLat[];
}

/** The available units of `kinds` nearest to a point in a straight line: one KNN (`<->`) scan of the GiST index. */
export async function nearestAvailableUnits(db: Queryable, at: LonLat, kinds: readonly EntityKind[], limit: number, freshMinutes = dispatchRules.freshMinutes) {
  const units = await db.query<Omit<UnitCandidate, 'etaS' | 'roadM' | 'route' | 'distanceM'>>(
    `SELECT e.id, e.kind, e.label, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, e.district_id AS "districtId"
       FROM entities e
      WHERE e.duty = 'available' AND e.kind = ANY($3::text[]) AND e.geom IS NOT NULL AND e.updated_at > now() - make_interval(mins => $5)
      ORDER BY e.geom <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT $4`,
    [at[0], at[1], kinds, limit, freshMinutes],
  );
  return units.map((unit) => ({ ...unit, distanceM: distanceMetres([unit.lon, unit.lat], at) }));
}

/** The units to send to a case: nearest available of the right kind, ranked by road ETA on the live routing graph. */
export async function findCandidates(db: Queryable, router: RoadRouter, incident: Pick<Incident, 'lon' | 'lat' | 'agency'>, rules = dispatchRules): Promise<UnitCandidate[]> {
  const scene: LonLat = [incident.lon, incident.lat];
  const pool = await nearestAvailableUnits(db, scene, unitKindsOf[incident.agency], rules.pool, rules.freshMinutes);
  const routes = routeUnitsTo(router, scene, pool);
  return pool
    .flatMap((unit, i) => {
      const route = routes[i];
      return route ? [{ ...unit, etaS: Math.round(route.seconds), roadM: Math.round(route.metres), route: route.line }] : [];
    })
    .sort((a, b) => a.etaS - b.etaS || a.distanceM - b.distanceM)
    .slice(0, rules.count);
}

export interface Assignment {
  id: number;
  incidentId: number;
  unitId: string;
  unitKind: EntityKind;
  unitLabel: string;
  status: 'en-route' | 'on-scene' | 'released';
  assignedBy: string;
  assignedAt: string;
  arrivedAt: string | null;
  releasedAt: string | null;
  /** The ETA when sent; the live one comes from the router. */
  etaS: number;
  route: LonLat[];
  /** Where the unit is now. */
  lon: number | null;
  lat: number | null;
}

export const assignmentColumns = `a.id::int AS id, a.incident_id::int AS "incidentId", a.unit_id AS "unitId", e.kind AS "unitKind", e.label AS "unitLabel",
  a.status, a.assigned_by AS "assignedBy", ${isoUtc('a.assigned_at')} AS "assignedAt",
  CASE WHEN a.arrived_at IS NULL THEN NULL ELSE ${isoUtc('a.arrived_at')} END AS "arrivedAt",
  CASE WHEN a.released_at IS NULL THEN NULL ELSE ${isoUtc('a.released_at')} END AS "releasedAt",
  a.eta_s AS "etaS", ST_AsGeoJSON(a.route, 6) AS route, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat`;

export type AssignmentRow = Omit<Assignment, 'route'> & { route: string };
export const toAssignment = (row: AssignmentRow): Assignment => ({ ...row, route: (JSON.parse(row.route) as { coordinates: LonLat[] }).coordinates });

/** Assignments of some incidents, or every assignment not yet released. */
export async function listAssignments(db: Queryable, query: { incidentIds?: readonly number[] }): Promise<Assignment[]> {
  const rows = await db.query<AssignmentRow>(
    `SELECT ${assignmentColumns} FROM incident_assignments a JOIN entities e ON e.id = a.unit_id
      WHERE ${query.incidentIds ? 'a.incident_id = ANY($1::bigint[])' : `a.status <> 'released'`} ORDER BY a.id`,
    query.incidentIds ? [query.incidentIds] : [],
  );
  return rows.map(toAssignment);
}

/** Every unit on its way to a case, with where the case is: what dispatch follows each tick, on whichever node applies the unit's fixes. */
export async function listEnRoute(db: Queryable): Promise<(Assignment & { scene: LonLat })[]> {
  // "Not released" spelled out: it is the predicate of the index of current assignments (the table keeps every one ever made).
  const rows = await db.query<AssignmentRow & { sceneLon: number; sceneLat: number }>(
    `SELECT ${assignmentColumns}, ST_X(i.geom) AS "sceneLon", ST_Y(i.geom) AS "sceneLat"
       FROM incident_assignments a JOIN entities e ON e.id = a.unit_id JOIN incidents i ON i.id = a.incident_id
      WHERE a.status <> 'released' AND a.status = 'en-route' ORDER BY a.id`,
  );
  return rows.map(({ sceneLon, sceneLat, ...row }) => ({ ...toAssignment(row), scene: [sceneLon, sceneLat] }));
}

export type AssignResult =
  | { ok: true; assignment: Assignment; incident: { before: Incident; after: Incident } | null }
  | { ok: false; reason: 'incident-not-found' | 'unit-not-found' | 'wrong-kind' | 'unit-busy' | 'incident-not-open'; detail?: string };

/**
 * Sends a unit to a case: the unit goes en route, and a registered case becomes dispatched
 * (批转). More units can join a case being dispatched or handled. Run it in a transaction.
 */
export async function assignUnit(tx: Queryable, incidentId: number, unitId: string, actor: string, route: RoadRoute): Promise<AssignResult> {
  const [incident] = await tx.query<{ status: Incident['status']; agency: Incident['agency'] }>(
    `SELECT i.status, c.agency FROM incidents i JOIN incident_categories c ON c.code = i.category WHERE i.id = $1 FOR UPDATE OF i`,
    [incidentId],
  );
  if (!incident) return { ok: false, reason: 'incident-not-found' };
  if (!['registered', 'dispatched', 'handling'].includes(incident.status)) return { ok: false, reason: 'incident-not-open', detail: incident.status };
  const [unit] = await tx.query<{ kind: EntityKind; duty: Duty; label: string }>(`SELECT kind, duty, label FROM entities WHERE id = $1 FOR UPDATE`, [unitId]);
  if (!unit) return { ok: false, reason: 'unit-not-found' };
  if (!unitKindsOf[incident.agency].includes(unit.kind)) return { ok: false, reason: 'wrong-kind', detail: unitKindsOf[incident.agency].join(', ') };
  if (unit.duty !== 'available') return { ok: false, reason: 'unit-busy', detail: unit.duty };
  const [{ id }] = (await tx.query<{ id: number }>(
    `WITH sent AS (
       INSERT INTO incident_assignments (incident_id, unit_id, status, assigned_by, eta_s, route)
       VALUES ($1, $2, 'en-route', $3, $4, ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)) RETURNING id
     ), unit AS (UPDATE entities SET duty = 'en-route' WHERE id = $2)
     SELECT id::int AS id FROM sent`,
    [incidentId, unitId, actor, Math.round(route.seconds), JSON.stringify({ type: 'LineString', coordinates: route.line })],
  )) as [{ id: number }];
  const moved = incident.status === 'registered' ? await transitionIncident(tx, incidentId, { to: 'dispatched', actor, note: `派 ${unit.label}` }) : undefined;
  const [assignment] = (await listAssignmentsById(tx, [id])) as [Assignment];
  return { ok: true, assignment, incident: moved?.ok ? { before: moved.before, after: moved.after } : null };
}

async function listAssignmentsById(db: Queryable, ids: readonly number[]): Promise<Assignment[]> {
  const rows = await db.query<AssignmentRow>(`SELECT ${assignmentColumns} FROM incident_assignments a JOIN entities e ON e.id = a.unit_id WHERE a.id = ANY($1::bigint[]) ORDER BY a.id`, [ids]);
  return rows.map(toAssignment);
}

/**
 * Units whose latest fix puts them within `arrivalM` of the case they drive to are on scene,
 * and a dispatched case they reach is being handled (办理). Set-based, for one tick's units;
 * run it in the tick's transaction.
 */
export async function detectArrivals(tx: Queryable, unitIds: readonly string[], arrivalM = dispatchRules.arrivalM): Promise<{ assignments: Assignment[]; incidents: Incident[] }> {
  if (unitIds.length === 0) return { assignments: [], incidents: [] };
  const arrived = await tx.query<{ id: number; incidentId: number; label: string }>(
    `WITH arrived AS (
       UPDATE incident_assignments a SET status = 'on-scene', arrived_at = e.updated_at
         FROM entities e, incidents i
        WHERE a.status = 'en-route' AND a.unit_id = ANY($1::text[]) AND e.id = a.unit_id AND i.id = a.incident_id
          AND ST_DWithin(e.geom::geography, i.geom::geography, $2)
       RETURNING a.id, a.incident_id, a.unit_id
     ), unit AS (UPDATE entities e SET duty = 'on-scene' FROM arrived WHERE e.id = arrived.unit_id RETURNING e.id, e.label)
     SELECT arrived.id::int AS id, arrived.incident_id::int AS "incidentId", unit.label FROM arrived JOIN unit ON unit.id = arrived.unit_id ORDER BY arrived.id`,
    [unitIds, arrivalM],
  );
  if (arrived.length === 0) return { assignments: [], incidents: [] };
  const incidents: Incident[] = [];
  for (const { incidentId, label } of arrived) {
    const [{ status }] = (await tx.query<{ status: string }>(`SELECT status FROM incidents WHERE id = $1`, [incidentId])) as [{ status: string }];
    if (status !== 'dispatched') continue;
    const moved = await transitionIncident(tx, incidentId, { to: 'handling', actor: 'gps', note: `${label} 到场` });
    if (moved.ok) incidents.push(moved.after);
  }
  return { assignments: await listAssignmentsById(tx, arrived.map((a) => a.id)), incidents };
}

/** Ends a case's open assignments (answered, cancelled, or the dispatch taken back): its units are available again. */
export async function releaseAssignments(tx: Queryable, incidentId: number): Promise<Assignment[]> {
  const released = await tx.query<{ id: number }>(
    `WITH released AS (
       UPDATE incident_assignments SET status = 'released', released_at = now() WHERE incident_id = $1 AND status <> 'released' RETURNING id, unit_id
     ), unit AS (UPDATE entities e SET duty = 'available' FROM released WHERE e.id = released.unit_id)
     SELECT id::int AS id FROM released`,
    [incidentId],
  );
  return listAssignmentsById(tx, released.map((row) => row.id));
}

/** A unit of the fleet on the console's map: where it is and how it stands. */
export interface FleetUnit {
  id: string;
  kind: EntityKind;
  label: string;
  lon: number;
  lat: number;
  duty: Duty;
}

// An available unit silent for `freshMinutes` counts as off duty (its position is a guess).
const dutyNow = `CASE WHEN e.duty = 'available' AND (e.updated_at IS NULL OR e.updated_at <= now() - make_interval(mins => $1)) THEN 'off-duty' ELSE e.duty END`;

/** Every placed unit of `kinds`, with its duty: the whole fleet a case could draw on. */
export function listFleet(db: Queryable, kinds: readonly EntityKind[], freshMinutes = dispatchRules.freshMinutes): Promise<FleetUnit[]> {
  return db.query<FleetUnit>(
    `SELECT e.id, e.kind, e.label, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, ${dutyNow} AS duty
       FROM entities e WHERE e.kind = ANY($2::text[]) AND e.geom IS NOT NULL ORDER BY e.id`,
    [freshMinutes, kinds],
  );
}

export interface ForceCount {
  districtId: string | null;
  agency: 'police' | 'city';
  duty: Duty;
  units: number;
}

/** Units per district, agency and duty: the force distribution. An available unit silent for `freshMinutes` counts as off duty. */
export function readForceDistribution(db: Queryable, freshMinutes = dispatchRules.freshMinutes): Promise<ForceCount[]> {
  return db.query<ForceCount>(
    `SELECT e.district_id AS "districtId", CASE WHEN e.kind = ANY($2::text[]) THEN 'city' ELSE 'police' END AS agency,
            ${dutyNow} AS duty, count(*)::int AS units
       FROM entities e WHERE e.kind = ANY($3::text[]) AND e.retired_at IS NULL
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [freshMinutes, unitKindsOf.city, [...unitKindsOf.police, ...unitKindsOf.city]],
  );
}
