// The device registry: the units a city owns, registered by an administrator (or imported from
// CSV), and retired when they leave service. An OsmAnd tracker is taken because its unit is here.
import type { EntityKind } from './city-data.ts';
import { isoUtc, toColumns } from './columns.ts';
import type { Queryable } from './database.ts';

export interface Device {
  id: string;
  kind: EntityKind;
  label: string;
  /** Who the unit belongs to (a police station, a department, a company). */
  agency: string | null;
  /** Where it is based; its current district follows its fixes. */
  districtId: string | null;
  registeredAt: string | null;
  registeredBy: string | null;
  retiredAt: string | null;
  /** Its last fix, null before the first. */
  lastFixAt: string | null;
}

export type NewDevice = Pick<Device, 'id' | 'kind' | 'label' | 'agency' | 'districtId'>;

const deviceColumns = `id, kind, label, agency, home_district_id AS "districtId",
  CASE WHEN registered_at IS NULL THEN NULL ELSE ${isoUtc('registered_at')} END AS "registeredAt", registered_by AS "registeredBy",
  CASE WHEN retired_at IS NULL THEN NULL ELSE ${isoUtc('retired_at')} END AS "retiredAt",
  CASE WHEN updated_at IS NULL THEN NULL ELSE ${isoUtc('updated_at')} END AS "lastFixAt"`;

export interface DeviceQuery {
  kind?: EntityKind;
  /** Part of an id, label or agency. */
  text?: string;
  retired: boolean;
  limit: number;
}

/** Registered units, newest registrations first, then by id; with how many match in all. */
export async function listDevices(db: Queryable, query: DeviceQuery): Promise<{ total: number; devices: Device[] }> {
  const where = `($1::text IS NULL OR kind = $1) AND (($2::text IS NULL) OR strpos(lower(id || ' ' || label || ' ' || coalesce(agency, '')), lower($2)) > 0)
                 AND (retired_at IS NOT NULL) = $3`;
  const params = [query.kind ?? null, query.text || null, query.retired];
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM entities WHERE ${where}`, params);
  const devices = await db.query<Device>(`SELECT ${deviceColumns} FROM entities WHERE ${where} ORDER BY registered_at DESC NULLS LAST, id LIMIT $4`, [...params, query.limit]);
  return { total: count!.n, devices };
}

/**
 * Registers units, or updates the ones registered before (a retired one comes back into
 * service): importing the same list twice changes nothing. Answers each unit as stored.
 */
export function registerDevices(tx: Queryable, devices: readonly NewDevice[], by: string): Promise<Device[]> {
  return tx.query<Device>(
    `INSERT INTO entities (id, kind, label, status, agency, home_district_id, registered_at, registered_by)
     SELECT d.id, d.kind, d.label, 'registered', d.agency, d.district, now(), $6
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS d(id, kind, label, agency, district)
     ON CONFLICT (id) DO UPDATE SET label = excluded.label, agency = excluded.agency, home_district_id = excluded.home_district_id, retired_at = NULL,
       registered_at = coalesce(entities.registered_at, excluded.registered_at), registered_by = coalesce(entities.registered_by, excluded.registered_by)
     WHERE entities.kind = excluded.kind
     RETURNING ${deviceColumns}`,
    [...toColumns(devices, (d) => d.id, (d) => d.kind, (d) => d.label, (d) => d.agency, (d) => d.districtId), by],
  );
}

/** The ids among these already registered as another kind: a unit's kind does not change. */
export async function kindConflicts(db: Queryable, devices: readonly Pick<NewDevice, 'id' | 'kind'>[]): Promise<{ id: string; kind: EntityKind }[]> {
  return db.query<{ id: string; kind: EntityKind }>(
    `SELECT e.id, e.kind FROM entities e JOIN unnest($1::text[], $2::text[]) AS d(id, kind) ON d.id = e.id WHERE e.kind <> d.kind`,
    toColumns(devices, (d) => d.id, (d) => d.kind),
  );
}

/** Takes a unit out of service: off the map, the counts and dispatch; its history stays. Undefined when there is no such unit. */
export async function retireDevice(tx: Queryable, id: string): Promise<{ before: Device; after: Device } | undefined> {
  const [before] = await tx.query<Device>(`SELECT ${deviceColumns} FROM entities WHERE id = $1 FOR UPDATE`, [id]);
  if (!before) return undefined;
  const [after] = await tx.query<Device>(
    `UPDATE entities SET retired_at = coalesce(retired_at, now()), geom = NULL, duty = 'off-duty' WHERE id = $1 RETURNING ${deviceColumns}`,
    [id],
  );
  return { before, after: after! };
}
