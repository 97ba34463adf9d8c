import type { Queryable } from './database.ts';
import type { EntityKind } from './city-data.ts';
import { dispatchRules, travelModeOf, unitKindsOf } from './dispatch.ts';
import type { LonLat } from './local-frame.ts';
import type { PastUnit } from './past-duty.ts';
import { bucketSql, denseSeries, inWindowSql, readUntil, shareOf, type PostureScope, type PostureWindow } from './posture-window.ts';
import type { RoadRouter } from './road-routing.ts';

/**
 * The city's running posture for cases (城市运行态势 · 案件), for a window and a place (the
 * city, a district or a grid cell). One definition per figure, here and nowhere else:
 * - `opened`: incidents reported in the window, whatever their source.
 * - `closed`: incidents whose history reached 'closed' in the window.
 * - `openNow`: incidents neither closed nor cancelled, now (not bounded by the window); for a
 *   past moment, each incident's status then, from its history.
 * - `overdueNow`: of those, the ones past their SLA due time and not yet answered.
 * - `handling`: for the incidents closed in the window, the mean minutes from report to close,
 *   the mean SLA minutes they had, and the share closed by their due time.
 * - `byCategory`, `byDistrict`: `opened` split by category and by district.
 * - `byBucket`: `opened` per bucket of the window (see posture-window.ts).
 * - `topCells`: the 10 grid cells with the most `opened`, most first.
 */
export interface CasePosture {
  opened: number;
  closed: number;
  openNow: number;
  overdueNow: number;
  handling: { closed: number; meanMinutes: number | null; meanSlaMinutes: number | null; onTimeShare: number | null };
  byCategory: { category: string; nameZh: string; nameEn: string; opened: number }[];
  byDistrict: { districtId: string | null; opened: number }[];
  byBucket: number[];
  topCells: { cellId: string; opened: number }[];
}

const isOpen = (status: string) => `${status} NOT IN ('closed', 'cancelled')`;
const isUnanswered = (status: string) => `${status} NOT IN ('answered', 'closed', 'cancelled')`;
// Every case as it stood at the moment given as parameter $5 (epoch ms): its status then, from its history.
const casesThen = `(SELECT DISTINCT ON (h.incident_id) h.to_status AS status, i.due_at, i.district_id, i.cell_id
    FROM incident_history h JOIN incidents i ON i.id = h.incident_id WHERE h.at <= to_timestamp($5::float8 / 1000) ORDER BY h.incident_id, h.at DESC, h.id DESC) i`;

/**
 * The case figures for a window; see CasePosture for what each one means. With `atMs`, as they
 * were at that past moment (a replay): "now" is then, and nothing after it counts.
 */
export async function readCasePosture(db: Queryable, window: PostureWindow, atMs?: number): Promise<CasePosture> {
  // $1 from (epoch ms), $2 to (epoch ms), $3 district or null, $4 cell or null; then $5 the moment (epoch ms) or bucket ms.
  const params = [window.from, readUntil(window, atMs), window.districtId, window.cellId];
  const inScope = `($3::text IS NULL OR i.district_id = $3) AND ($4::text IS NULL OR i.cell_id = $4)`;
  const cases = atMs === undefined ? 'incidents i' : casesThen;
  const opened = `SELECT i.* FROM incidents i WHERE ${inWindowSql('i.reported_at', 1)} AND ${inScope}`;
  const [[counts], [handling], byCategory, byDistrict, byBucket, topCells] = await Promise.all([
    db.query<{ opened: number; closed: number; openNow: number; overdueNow: number }>(
      `SELECT (SELECT count(*)::int FROM (${opened}) o) AS opened,
              (SELECT count(DISTINCT h.incident_id)::int FROM incident_history h JOIN incidents i ON i.id = h.incident_id
                WHERE h.to_status = 'closed' AND ${inWindowSql('h.at', 1)} AND ${inScope}) AS closed,
              (SELECT count(*)::int FROM ${cases} WHERE ${isOpen('i.status')} AND ${inScope}) AS "openNow",
              (SELECT count(*)::int FROM ${cases} WHERE ${isUnanswered('i.status')} AND i.due_at < to_timestamp($5::float8 / 1000) AND ${inScope}) AS "overdueNow"`,
      [...params, atMs ?? Date.now()],
    ),
    db.query<CasePosture['handling']>(
      `WITH done AS (
         SELECT i.id, i.reported_at, i.due_at, max(h.at) AS closed_at FROM incident_history h JOIN incidents i ON i.id = h.incident_id
          WHERE h.to_status = 'closed' AND ${inWindowSql('h.at', 1)} AND ${inScope} GROUP BY i.id, i.reported_at, i.due_at
       )
       SELECT count(*)::int AS closed,
              avg(extract(epoch FROM closed_at - reported_at) / 60)::float8 AS "meanMinutes",
              avg(extract(epoch FROM due_at - reported_at) / 60)::float8 AS "meanSlaMinutes",
              (avg(CASE WHEN closed_at <= due_at THEN 1.0 ELSE 0.0 END))::float8 AS "onTimeShare"
       FROM done`,
      params,
    ),
    db.query<CasePosture['byCategory'][number]>(
      `SELECT o.category, c.name_zh AS "nameZh", c.name_en AS "nameEn", count(*)::int AS opened
         FROM (${opened}) o JOIN incident_categories c ON c.code = o.category GROUP BY 1, 2, 3 ORDER BY opened DESC, o.category`,
      params,
    ),
    db.query<CasePosture['byDistrict'][number]>(`SELECT o.district_id AS "districtId", count(*)::int AS opened FROM (${opened}) o GROUP BY 1 ORDER BY 1`, params),
    db.query<{ bucket: number; value: number }>(`SELECT ${bucketSql('o.reported_at', 1, 5)} AS bucket, count(*)::int AS value FROM (${opened}) o GROUP BY 1`, [...params, window.bucketMs]),
    db.query<CasePosture['topCells'][number]>(
      `SELECT o.cell_id AS "cellId", count(*)::int AS opened FROM (${opened}) o WHERE o.cell_id IS NOT NULL GROUP BY 1 ORDER BY opened DESC, 1 LIMIT 10`,
      params,
    ),
  ]);
  return { ...counts!, handling: handling!, byCategory, byDistrict, byBucket: denseSeries(window, byBucket, 0), topCells };
}

/**
 * Coverage (覆盖率): the share of grid cells an available unit can reach by road within
 * `minutes`, per agency (police; grid inspectors). A cell counts by its representative point
 * (ST_PointOnSurface); a unit counts when available and heard from within the dispatch
 * freshness limit; the road time is the dispatch ETA (geo/road-routing.ts). `medianS`: the
 * median of the cells' road seconds from their nearest such unit (for one cell, its own);
 * null when no unit is available.
 */
export interface Coverage {
  minutes: number;
  agencies: { agency: 'police' | 'city'; units: number; cells: number; covered: number; share: number | null; medianS: number | null; byDistrict: { districtId: string; cells: number; covered: number }[] }[];
}

/** A unit a coverage counts from: where it is, and its kind (which says how it travels). */
type PlacedUnit = { kind: EntityKind; lon: number; lat: number };

/** Coverage from the units available now, or (`past`) from those available at a past moment (geo/past-duty.ts). */
export async function readCoverage(db: Queryable, router: RoadRouter, query: Partial<PostureScope> & { minutes: number }, past?: readonly PastUnit[]): Promise<Coverage> {
  const cells = await db.query<{ districtId: string; lon: number; lat: number }>(
    `SELECT district_id AS "districtId", ST_X(p) AS lon, ST_Y(p) AS lat
       FROM (SELECT district_id, ST_PointOnSurface(geom) AS p FROM grid_cells WHERE ($1::text IS NULL OR district_id = $1) AND ($2::text IS NULL OR id = $2)) c ORDER BY 1`,
    [query.districtId ?? null, query.cellId ?? null],
  );
  const places = cells.map((cell): LonLat => [cell.lon, cell.lat]);
  const agencies = await Promise.all(
    (['police', 'city'] as const).map(async (agency) => {
      const units = past
        ? past.filter((unit): unit is PastUnit & PlacedUnit => unit.duty === 'available' && unit.lon !== null && unitKindsOf[agency].includes(unit.kind))
        : await db.query<PlacedUnit>(
            `SELECT kind, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM entities WHERE duty = 'available' AND kind = ANY($1::text[]) AND geom IS NOT NULL AND updated_at > now() - make_interval(mins => $2)`,
            [unitKindsOf[agency], dispatchRules.freshMinutes],
          );
      // Cars and people on foot each reach a cell in their own time: the nearest of either counts.
      const byMode = (['drive', 'walk'] as const).map((mode) => router.secondsFromNearest(units.filter((unit) => travelModeOf(unit.kind) === mode).map((unit): LonLat => [unit.lon, unit.lat]), places, mode));
      const seconds = places.map((_, i) => Math.min(byMode[0]![i]!, byMode[1]![i]!));
      const reached = seconds.map((s) => s <= query.minutes * 60);
      const byDistrict = new Map<string, { districtId: string; cells: number; covered: number }>();
      cells.forEach((cell, i) => {
        const row = byDistrict.get(cell.districtId) ?? byDistrict.set(cell.districtId, { districtId: cell.districtId, cells: 0, covered: 0 }).get(cell.districtId)!;
        row.cells += 1;
        if (reached[i]) row.covered += 1;
      });
      const covered = reached.filter(Boolean).length;
      return { agency, units: units.length, cells: cells.length, covered, share: shareOf(covered, cells.length), medianS: median(seconds), byDistrict: [...byDistrict.values()] };
    }),
  );
  return { minutes: query.minutes, agencies };
}

/** The middle value (the mean of the two middle ones for an even count); null for none or when unreachable. */
function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const value = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Number.isFinite(value) ? value : null;
}
