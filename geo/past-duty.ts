// Units' duty at a past moment (issue 21), from what history keeps: a unit's duty changes only as it
// is sent (en-route), arrives (on-scene) and is released (available), each a time on its assignment,
// and as it retires; an available unit silent for `dispatchRules.freshMinutes` counts as off duty,
// then as now (geo/dispatch.ts). So the units board replays without a history of its own.
import type { EntityKind } from './city-data.ts';
import { fromEpochMs } from './columns.ts';
import type { Queryable } from './database.ts';
import { dispatchRules, unitKindsOf, type Duty, type ForceCount } from './dispatch.ts';
import { positionsAt } from './history-reads.ts';

/** A unit at a past moment: where it last reported within `lastSeenWithinMs` before it (null: silent longer), and its duty then. */
export interface PastUnit {
  id: string;
  kind: EntityKind;
  lon: number | null;
  lat: number | null;
  districtId: string | null;
  duty: Duty;
}

const at = fromEpochMs('$1');

/** The kinds the force distribution counts: the units a case can be sent. */
export const forceKinds: readonly EntityKind[] = [...unitKindsOf.police, ...unitKindsOf.city];

/**
 * Every unit of `kinds` not yet retired at `atMs`, with its duty then, and its district: where it
 * last reported at or before then (a unit never heard from at all: where it was placed).
 */
export async function pastUnits(db: Queryable, atMs: number, kinds: readonly EntityKind[], freshMinutes = dispatchRules.freshMinutes): Promise<PastUnit[]> {
  const units = await db.query<{ id: string; kind: EntityKind; placedIn: string | null; reported: boolean }>(
    `SELECT id, kind, district_id AS "placedIn", updated_at IS NOT NULL AS reported FROM entities
      WHERE kind = ANY($2::text[]) AND (retired_at IS NULL OR retired_at > ${at}) ORDER BY id`,
    [atMs, kinds],
  );
  const sent = await db.query<{ unitId: string; arrived: boolean | null }>(
    `SELECT DISTINCT ON (unit_id) unit_id AS "unitId", arrived_at <= ${at} AS arrived FROM incident_assignments
      WHERE assigned_at <= ${at} AND (released_at IS NULL OR released_at > ${at}) ORDER BY unit_id, assigned_at DESC`,
    [atMs],
  );
  const seen = new Map((await positionsAt(db, atMs, kinds)).map((unit) => [unit.id, unit]));
  const silentIn = await lastDistricts(db, atMs, units.filter((unit) => unit.reported && !seen.has(unit.id)).map((unit) => unit.id));
  const onCase = new Map(sent.map((row) => [row.unitId, row.arrived ? 'on-scene' : 'en-route'] as const));
  return units.map(({ id, kind, placedIn, reported }) => {
    const fix = seen.get(id);
    const fresh = fix !== undefined && fix.fixTime !== null && fix.fixTime > atMs - freshMinutes * 60_000;
    const districtId = fix ? fix.districtId : reported ? (silentIn.get(id) ?? null) : placedIn;
    return { id, kind, lon: fix?.lon ?? null, lat: fix?.lat ?? null, districtId, duty: onCase.get(id) ?? (fresh ? 'available' : 'off-duty') };
  });
}

/** The district of each unit's last fix at or before `atMs` (units silent then: few, each found by history's key). */
async function lastDistricts(db: Queryable, atMs: number, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; districtId: string | null }>(
    `SELECT u.id, p.district_id AS "districtId" FROM unnest($2::text[]) AS u(id)
       CROSS JOIN LATERAL (SELECT district_id FROM position_history h WHERE h.entity_id = u.id AND h.event_time <= ${at} ORDER BY h.event_time DESC LIMIT 1) p`,
    [atMs, ids],
  );
  return new Map(rows.map((row) => [row.id, row.districtId]));
}

/** The force distribution (units per district, agency and duty) of `units`, ordered as `readForceDistribution` orders it. */
export function forceOf(units: readonly PastUnit[]): ForceCount[] {
  const counts = new Map<string, ForceCount>();
  for (const unit of units) {
    const agency = unitKindsOf.city.includes(unit.kind) ? 'city' : 'police';
    const key = JSON.stringify([unit.districtId, agency, unit.duty]);
    const row = counts.get(key) ?? counts.set(key, { districtId: unit.districtId, agency, duty: unit.duty, units: 0 }).get(key)!;
    row.units += 1;
  }
  const order = (row: ForceCount) => [row.districtId === null ? 1 : 0, row.districtId ?? '', row.agency, row.duty].join('\u0000');
  return [...counts.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}
