import type { EntityKind } from './city-data.ts';
import { toColumns } from './columns.ts';
import { PlaceIndex } from './place-index.ts';
import type { Queryable } from './database.ts';

/** One position fix as the pipeline hands it over; times in epoch ms. */
export interface PositionFix {
  entityId: string;
  lon: number;
  lat: number;
  headingDeg: number | null;
  speedKmh: number | null;
  eventTime: number;
  receivedAt: number;
  /** Which feed sent it. */
  sourceId: string;
  accuracyM?: number | null;
  attributes?: Record<string, string | number | boolean>;
}

/** The live state of one unit or vehicle, as the API and the socket send it. */
export interface LiveEntity {
  id: string;
  kind: EntityKind;
  label: string;
  lon: number;
  lat: number;
  headingDeg: number | null;
  speedKmh: number | null;
  status: string;
  districtId: string | null;
  cellId: string | null;
  /** ISO 8601, UTC. */
  updatedAt: string | null;
}

/**
 * SQL select-list items giving the grid cell and district that hold `point`. Each is a GiST
 * index probe; a point on a shared border goes to the lowest id, so the answer is stable.
 */
export function locateInCellAndDistrict(point: string): string {
  return `(SELECT c.id FROM grid_cells c WHERE ST_Intersects(c.geom, ${point}) ORDER BY c.id LIMIT 1) AS cell_id,
          (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ${point}) ORDER BY d.id LIMIT 1) AS district_id`;
}

/** Places every unit again in the grid cell and district that hold it, after they changed. */
export async function relocateEntities(tx: Queryable): Promise<void> {
  await tx.query(`UPDATE entities e SET cell_id = located.cell_id, district_id = located.district_id
    FROM (SELECT e2.id, ${locateInCellAndDistrict('e2.geom')} FROM entities e2) AS located
    WHERE located.id = e.id AND (e.cell_id, e.district_id) IS DISTINCT FROM (located.cell_id, located.district_id)`);
}

const liveEntityColumns = `e.id, e.kind, e.label, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat,
  e.heading_deg AS "headingDeg", e.speed_kmh AS "speedKmh", e.status, e.district_id AS "districtId", e.cell_id AS "cellId",
  extract(epoch FROM e.updated_at) * 1000 AS "updatedMs"`;

/** Live state as the pipeline hands it on: the fix time as epoch ms, null before an entity's first report. */
export type LivePosition = Omit<LiveEntity, 'updatedAt'> & { fixTime: number | null };

type LiveEntityRow = Omit<LiveEntity, 'updatedAt'> & { updatedMs: number | string | null };

function toLivePosition({ updatedMs, ...row }: LiveEntityRow): LivePosition {
  return { ...row, fixTime: updatedMs === null ? null : Math.round(Number(updatedMs)) };
}

/** The API's form of live state: the fix time as ISO 8601. */
export function toLiveEntity({ fixTime, ...position }: LivePosition): LiveEntity {
  return { ...position, updatedAt: fixTime === null ? null : new Date(fixTime).toISOString() };
}

// One statement per tick, whatever the batch size: the batch arrives as arrays, already placed in
// its grid cells and districts (in memory, by `PlaceIndex`), lands in history whole, and moves live
// state to each entity's latest fix (never back to an older one, nor again to the one it has).
// Fixes for unknown or retired entities are left out, and a fix history already holds (sent
// again, or applied again after a crash) changes nothing: each partition's key is its arbiter
// (migration 0033). Only what the input does not say comes
// back (id, kind, label, status), not each moved entity's whole live state.
const persistBatchSql = `
WITH batch AS (
  SELECT b.*, ST_SetSRID(ST_MakePoint(b.lon, b.lat), 4326) AS geom, to_timestamp(b.event_ms / 1000) AS event_time
  FROM unnest($1::text[], $2::float8[], $3::float8[], $4::real[], $5::real[], $6::float8[], $7::float8[], $8::text[], $9::real[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY
    AS b(entity_id, lon, lat, heading_deg, speed_kmh, event_ms, received_ms, source_id, accuracy_m, attributes, cell_id, district_id, n)
  JOIN entities known ON known.id = b.entity_id AND known.retired_at IS NULL
), history AS (
  INSERT INTO position_history (entity_id, event_time, received_at, geom, heading_deg, speed_kmh, district_id, cell_id, accuracy_m, attributes)
  SELECT entity_id, event_time, to_timestamp(received_ms / 1000), geom, heading_deg, speed_kmh, district_id, cell_id, accuracy_m, attributes::jsonb FROM batch
  ON CONFLICT DO NOTHING
)
UPDATE entities live SET geom = l.geom, heading_deg = l.heading_deg, speed_kmh = l.speed_kmh,
       district_id = l.district_id, cell_id = l.cell_id, updated_at = l.event_time, source_id = l.source_id,
       attributes = coalesce(l.attributes::jsonb, live.attributes)
FROM (SELECT DISTINCT ON (entity_id) * FROM batch ORDER BY entity_id, event_time DESC, n) l
WHERE live.id = l.entity_id AND (live.updated_at IS NULL OR live.updated_at < l.event_time)
RETURNING live.id, live.kind, live.label, live.status`;

/**
 * Places a batch in grid cells and districts, upserts live state and appends history, all in one
 * set-based query. Returns the entities whose live state moved. `places` is the pipeline's own
 * index, kept from tick to tick; without one the polygons are read for this call.
 */
export async function persistPositionBatch(db: Queryable, fixes: readonly PositionFix[], places?: PlaceIndex): Promise<LivePosition[]> {
  if (fixes.length === 0) return [];
  const index = await (places ?? new PlaceIndex()).refresh(db);
  const located = fixes.map((fix) => ({ fix, ...index.locate(fix.lon, fix.lat) }));
  const rows = await db.query<Pick<LivePosition, 'id' | 'kind' | 'label' | 'status'>>(
    persistBatchSql,
    toColumns(
      located,
      ({ fix }) => fix.entityId,
      ({ fix }) => fix.lon,
      ({ fix }) => fix.lat,
      ({ fix }) => fix.headingDeg,
      ({ fix }) => fix.speedKmh,
      ({ fix }) => fix.eventTime,
      ({ fix }) => fix.receivedAt,
      ({ fix }) => fix.sourceId,
      ({ fix }) => fix.accuracyM ?? null,
      ({ fix }) => (fix.attributes && Object.keys(fix.attributes).length > 0 ? JSON.stringify(fix.attributes) : null),
      ({ cellId }) => cellId,
      ({ districtId }) => districtId,
    ),
  );
  // The fix each moved entity took: its latest in the batch, the first of equals (as the statement's DISTINCT ON).
  const latest = new Map<string, (typeof located)[number]>();
  for (const entry of located) {
    const seen = latest.get(entry.fix.entityId);
    if (!seen || entry.fix.eventTime > seen.fix.eventTime) latest.set(entry.fix.entityId, entry);
  }
  return rows.map((entity) => {
    const { fix, cellId, districtId } = latest.get(entity.id)!;
    return { ...entity, lon: fix.lon, lat: fix.lat, headingDeg: fix.headingDeg, speedKmh: fix.speedKmh, districtId, cellId, fixTime: Math.round(fix.eventTime) };
  });
}

export async function listLivePositions(db: Queryable, kinds?: readonly EntityKind[]): Promise<LivePosition[]> {
  const rows = await db.query<LiveEntityRow>(
    `SELECT ${liveEntityColumns} FROM entities e
     WHERE e.geom IS NOT NULL AND ($1::text[] IS NULL OR e.kind = ANY($1::text[])) ORDER BY e.id`,
    [kinds ?? null],
  );
  return rows.map(toLivePosition);
}

export async function listLiveEntities(db: Queryable, kinds?: readonly EntityKind[]): Promise<LiveEntity[]> {
  return (await listLivePositions(db, kinds)).map(toLiveEntity);
}

