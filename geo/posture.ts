import type { Queryable } from './database.ts';
import { dispatchRules, unitKindsOf } from './dispatch.ts';
import type { LonLat } from './local-frame.ts';
import type { RoadRouter } from './road-routing.ts';

/**
 * The city's running posture for cases (城市运行态势 · 案件), for a window [from, to) and
 * optionally one district. One definition per figure, here and nowhere else:
 * - `opened`: incidents reported in the window, whatever their source.
 * - `closed`: incidents whose history reached 'closed' in the window.
 * - `openNow`: incidents neither closed nor cancelled, now (not bounded by the window).
 * - `overdueNow`: of those, the ones past their SLA due time and not yet answered.
 * - `handling`: for the incidents closed in the window, the mean minutes from report to close,
 *   the mean SLA minutes they had, and the share closed by their due time.
 * - `byCategory`, `byDistrict`: `opened` split by category and by district.
 * - `byHour`: `opened` per hour (UTC hour starts; a screen shows them in its own time zone).
 * - `topCells`: the 10 grid cells with the most `opened`, most first.
 */
export interface CasePosture {
  from: string;
  to: string;
  districtId: string | null;
  opened: number;
  closed: number;
  openNow: number;
  overdueNow: number;
  handling: { closed: number; meanMinutes: number | null; meanSlaMinutes: number | null; onTimeShare: number | null };
  byCategory: { category: string; nameZh: string; nameEn: string; opened: number }[];
  byDistrict: { districtId: string | null; opened: number }[];
  byHour: { hour: string; opened: number }[];
  topCells: { cellId: string; opened: number }[];
}

/** The case figures for a window; see CasePosture for what each one means. */
export async function readCasePosture(db: Queryable, window: { from: number; to: number; districtId?: string | null }): Promise<CasePosture> {
  // $1 from (epoch ms), $2 to (epoch ms), $3 district or null.
  const params = [window.from, window.to, window.districtId ?? null];
  const inWindow = (column: string) => `${column} >= to_timestamp($1 / 1000.0) AND ${column} < to_timestamp($2 / 1000.0)`;
  const inDistrict = `($3::text IS NULL OR i.district_id = $3)`;
  const opened = `SELECT i.* FROM incidents i WHERE ${inWindow('i.reported_at')} AND ${inDistrict}`;
  const [[counts], [handling], byCategory, byDistrict, byHour, topCells] = await Promise.all([
    db.query<{ opened: number; closed: number; openNow: number; overdueNow: number }>(
      `SELECT (SELECT count(*)::int FROM (${opened}) o) AS opened,
              (SELECT count(DISTINCT h.incident_id)::int FROM incident_history h JOIN incidents i ON i.id = h.incident_id
                WHERE h.to_status = 'closed' AND ${inWindow('h.at')} AND ${inDistrict}) AS closed,
              (SELECT count(*)::int FROM incidents i WHERE i.status NOT IN ('closed', 'cancelled') AND ${inDistrict}) AS "openNow",
              (SELECT count(*)::int FROM incidents i WHERE i.status NOT IN ('answered', 'closed', 'cancelled') AND i.due_at < now() AND ${inDistrict}) AS "overdueNow"`,
      params,
    ),
    db.query<CasePosture['handling']>(
      `WITH done AS (
         SELECT i.id, i.reported_at, i.due_at, max(h.at) AS closed_at FROM incident_history h JOIN incidents i ON i.id = h.incident_id
          WHERE h.to_status = 'closed' AND ${inWindow('h.at')} AND ${inDistrict} GROUP BY i.id, i.reported_at, i.due_at
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
    db.query<CasePosture['byHour'][number]>(
      `SELECT to_char(date_trunc('hour', o.reported_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"') AS hour, count(*)::int AS opened FROM (${opened}) o GROUP BY 1 ORDER BY 1`,
      params,
    ),
    db.query<CasePosture['topCells'][number]>(
      `SELECT o.cell_id AS "cellId", count(*)::int AS opened FROM (${opened}) o WHERE o.cell_id IS NOT NULL GROUP BY 1 ORDER BY opened DESC, 1 LIMIT 10`,
      params,
    ),
  ]);
  return {
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    districtId: window.districtId ?? null,
    ...counts!,
    handling: handling!,
    byCategory,
    byDistrict,
    byHour,
    topCells,
  };
}

/**
 * Coverage (覆盖率): the share of grid cells an available unit can reach by road within
 * `minutes`, per agency (police; grid inspectors). A cell counts by its representative point
 * (ST_PointOnSurface); a unit counts when available and heard from within the dispatch
 * freshness limit; the road time is the dispatch ETA (geo/road-routing.ts).
 */
export interface Coverage {
  minutes: number;
  districtId: string | null;
  agencies: { agency: 'police' | 'city'; units: number; cells: number; covered: number; share: number | null; byDistrict: { districtId: string; cells: number; covered: number }[] }[];
}

export async function readCoverage(db: Queryable, router: RoadRouter, query: { minutes: number; districtId?: string | null }): Promise<Coverage> {
  const cells = await db.query<{ districtId: string; lon: number; lat: number }>(
    `SELECT district_id AS "districtId", ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT district_id, ST_PointOnSurface(geom) AS p FROM grid_cells WHERE $1::text IS NULL OR district_id = $1) c ORDER BY 1`,
    [query.districtId ?? null],
  );
  const places = cells.map((cell): LonLat => [cell.lon, cell.lat]);
  const agencies = await Promise.all(
    (['police', 'city'] as const).map(async (agency) => {
      const units = await db.query<{ lon: number; lat: number }>(
        `SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM entities WHERE duty = 'available' AND kind = ANY($1::text[]) AND geom IS NOT NULL AND updated_at > now() - make_interval(mins => $2)`,
        [unitKindsOf[agency], dispatchRules.freshMinutes],
      );
      const reached = router.secondsFromNearest(units.map((unit): LonLat => [unit.lon, unit.lat]), places).map((seconds) => seconds <= query.minutes * 60);
      const byDistrict = new Map<string, { districtId: string; cells: number; covered: number }>();
      cells.forEach((cell, i) => {
        const row = byDistrict.get(cell.districtId) ?? byDistrict.set(cell.districtId, { districtId: cell.districtId, cells: 0, covered: 0 }).get(cell.districtId)!;
        row.cells += 1;
        if (reached[i]) row.covered += 1;
      });
      const covered = reached.filter(Boolean).length;
      return { agency, units: units.length, cells: cells.length, covered, share: cells.length === 0 ? null : covered / cells.length, byDistrict: [...byDistrict.values()] };
    }),
  );
  return { minutes: query.minutes, districtId: query.districtId ?? null, agencies };
}
