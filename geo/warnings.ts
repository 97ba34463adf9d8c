import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';
import { checkDrawnArea } from './geofences.ts';
import type { LonLat } from './local-frame.ts';

/** A circle's radius may be a street to a district, m. */
export const warningRadiusM = [50, 20_000] as const;

export type WarningDelivery = 'pending' | 'delivered' | 'failed' | 'not-configured';

export interface Warning {
  id: number;
  message: string;
  severity: number;
  area: { type: 'Polygon'; coordinates: LonLat[][] };
  /** Districts the area touches: who must be told. */
  districts: { id: string; nameZh: string; nameEn: string }[];
  /** Grid cells the area touches, and live units of each kind inside it now. */
  cells: number;
  unitsInside: Record<string, number>;
  issuedBy: string;
  issuedAt: string;
  delivery: WarningDelivery;
  deliveryAttempts: number;
}

export interface NewWarning {
  message: string;
  severity: number;
  /** A drawn area, or a circle round a point. */
  area: { polygon: LonLat[] } | { center: LonLat; radiusM: number };
  issuedBy: string;
  delivery: 'pending' | 'not-configured';
}

const unitsInsideNow = `(SELECT coalesce(json_object_agg(kind, n), '{}') FROM (SELECT e.kind, count(*)::int AS n FROM entities e WHERE ST_Intersects(e.geom, w.geom) GROUP BY e.kind) k)`;
// The units inside as the warning was issued (a replay shows what the operator was told then).
const unitsInsideWhenIssued = `coalesce(w.units_inside, '{}')`;
const warningColumns = (unitsInside: string) => `w.id::int AS id, w.message, w.severity, ST_AsGeoJSON(w.geom, 6)::json AS area,
  (SELECT coalesce(json_agg(json_build_object('id', d.id, 'nameZh', d.name_zh, 'nameEn', d.name_en) ORDER BY d.id), '[]') FROM districts d WHERE ST_Intersects(d.geom, w.geom)) AS districts,
  (SELECT count(*)::int FROM grid_cells c WHERE ST_Intersects(c.geom, w.geom)) AS cells,
  ${unitsInside} AS "unitsInside",
  w.issued_by AS "issuedBy", ${isoUtc('w.issued_at')} AS "issuedAt", w.delivery, w.delivery_attempts AS "deliveryAttempts"`;

/** Issues a warning for an area drawn (checked like a geofence) or a circle. Run it in a transaction. */
export async function issueWarning(tx: Queryable, warning: NewWarning): Promise<{ ok: true; warning: Warning } | { ok: false; problem: string }> {
  // The shape goes in as parameters: $5 the drawn ring as GeoJSON, or $5, $6, $7 a circle's centre and radius.
  let shape: { sql: string; params: unknown[] };
  if ('polygon' in warning.area) {
    const checked = await checkDrawnArea(tx, warning.area.polygon);
    if (!checked.ok) return checked;
    shape = { sql: 'ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)', params: [JSON.stringify({ type: 'Polygon', coordinates: [checked.ring] })] };
  } else {
    const [low, high] = warningRadiusM;
    if (warning.area.radiusM < low || warning.area.radiusM > high) return { ok: false, problem: `radiusM must be ${low}–${high} m` };
    shape = { sql: 'ST_Buffer(ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, $7)::geometry', params: [...warning.area.center, warning.area.radiusM] };
  }
  const [{ id }] = (await tx.query<{ id: number }>(
    `INSERT INTO warnings (message, severity, geom, issued_by, delivery) VALUES ($1, $2, ${shape.sql}, $3, $4) RETURNING id::int AS id`,
    [warning.message, warning.severity, warning.issuedBy, warning.delivery, ...shape.params],
  )) as [{ id: number }];
  const [issued] = await tx.query<Warning>(`UPDATE warnings w SET units_inside = ${unitsInsideNow} WHERE w.id = $1 RETURNING ${warningColumns(unitsInsideWhenIssued)}`, [id]);
  return { ok: true, warning: issued! };
}

/** Warnings by id, or those issued in the last `hours`, newest first. */
export function listWarnings(db: Queryable, query: { ids?: readonly number[]; hours?: number; delivery?: WarningDelivery }): Promise<Warning[]> {
  const where = query.ids ? 'w.id = ANY($1::bigint[])' : query.delivery ? 'w.delivery = $1' : `w.issued_at > now() - make_interval(hours => $1)`;
  return db.query<Warning>(`SELECT ${warningColumns(unitsInsideNow)} FROM warnings w WHERE ${where} ORDER BY w.id DESC LIMIT 500`, [query.ids ?? query.delivery ?? query.hours ?? 24]);
}

/** Notes a delivery attempt's outcome. */
export async function recordWarningDelivery(db: Queryable, id: number, delivery: WarningDelivery): Promise<void> {
  await db.query(
    `UPDATE warnings SET delivery = $2, delivery_attempts = delivery_attempts + 1, delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END WHERE id = $1`,
    [id, delivery],
  );
}

/** Warnings issued after `fromMs` up to `toMs`, oldest first, with the units inside as they were issued. */
export function listWarningsIssued(db: Queryable, fromMs: number, toMs: number): Promise<Warning[]> {
  return db.query<Warning>(
    `SELECT ${warningColumns(unitsInsideWhenIssued)} FROM warnings w
      WHERE w.issued_at > to_timestamp($1::float8 / 1000) AND w.issued_at <= to_timestamp($2::float8 / 1000) ORDER BY w.issued_at, w.id LIMIT 500`,
    [fromMs, toMs],
  );
}
