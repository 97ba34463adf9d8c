import type { Queryable } from './database.ts';
import { bucketSql, denseSeries, inWindowSql, readUntil, rollupSpanS, shareOf, type PostureWindow } from './posture-window.ts';

/**
 * The city's running posture for buses (城市运行态势 · 公交), for a window and a district (the
 * routes that run through it; a grid cell's board shows its district). One definition per
 * figure, here and nowhere else:
 * - `observations`: bus reports in the window whose trip the timetable knows (each has a delay).
 * - `onTimeShare`: of those, the share from 1 min early to 5 min late (`busOnTime`, buses.ts).
 * - `meanDelayS`: their mean delay, s (negative: early).
 * - `bunchingEvents`, `lateTrips`: bus cases opened in the window: a pair of trips bunched, a
 *   trip over 15 min late (reviewBusIncidents, incidents.ts).
 * - `byBucket`: `onTimeShare` per bucket of the window.
 * - `byRoute`: the figures per route, for routes with any in the window; most bunching first.
 * - `inServiceNow`, `bunchedNow`: buses that reported within `silentAfterMs`, and those of them
 *   bunched now (not bounded by the window).
 * For a past moment (`atMs`, a replay), "now" is then: buses in service from their fixes kept in
 * position history, the rollups and cases up to then (readUntil); which buses were bunched then is
 * not kept (null).
 */
export interface BusPosture {
  observations: number;
  onTimeShare: number | null;
  meanDelayS: number | null;
  bunchingEvents: number;
  lateTrips: number;
  byBucket: (number | null)[];
  byRoute: { routeId: string; nameZh: string; nameEn: string; observations: number; onTimeShare: number | null; meanDelayS: number | null; bunchingEvents: number; lateTrips: number }[];
  inServiceNow: number;
  bunchedNow: number | null;
}

// A bus case names its trip(s) in its source ref, and a trip id starts with its route id ({route}:{out|back}:{HHMM}).
const routeOfBusCase = `substring(i.source_ref from '^(?:delay|bunching):([^|]+):(?:out|back):[0-9]{4}(?:[|]|$)')`;

/** The routes of the city, or those running through the district given as parameter `districtParam`. */
const scopedRoutes = (districtParam: number) =>
  `SELECT r.* FROM bus_routes r WHERE $${districtParam}::text IS NULL OR EXISTS (SELECT 1 FROM districts d WHERE d.id = $${districtParam} AND ST_Intersects(d.geom, r.geom))`;

export async function readBusPosture(db: Queryable, window: PostureWindow, silentAfterMs: number, atMs?: number): Promise<BusPosture> {
  // $1 from, $2 to (epoch ms), $3 district or null.
  const params = [window.from, readUntil(window, atMs), window.districtId];
  // Buses heard from within the silence limit ($1) before the moment ($3) in the routes of district $2.
  const busesHeard = (heard: string) => `e.kind = 'bus' AND ${heard} AND e.route_id IN (SELECT r.id FROM (${scopedRoutes(2)}) r)`;
  const minutes = `SELECT m.* FROM bus_rollup m JOIN (${scopedRoutes(3)}) r ON r.id = m.route_id WHERE m.span_s = ${rollupSpanS(window.bucketMs)} AND ${inWindowSql('m.start', 1)}`;
  const [routes, byBucket, [now]] = await Promise.all([
    db.query<{ routeId: string; nameZh: string; nameEn: string; observations: number; onTime: number; delaySum: number; bunchingEvents: number; lateTrips: number }>(
      `WITH adherence AS (
         SELECT route_id, sum(observations)::int AS observations, sum(on_time)::int AS on_time, sum(delay_s_sum)::float8 AS delay_sum FROM (${minutes}) m GROUP BY 1
       ), cases AS (
         SELECT ${routeOfBusCase} AS route_id, count(*) FILTER (WHERE i.category = 'bus-bunching')::int AS bunching, count(*) FILTER (WHERE i.category = 'bus-delay')::int AS late
           FROM incidents i WHERE i.source = 'bus' AND ${inWindowSql('i.reported_at', 1)} GROUP BY 1
       )
       SELECT r.id AS "routeId", r.name_zh AS "nameZh", r.name_en AS "nameEn", coalesce(a.observations, 0) AS observations, coalesce(a.on_time, 0) AS "onTime",
              coalesce(a.delay_sum, 0) AS "delaySum", coalesce(c.bunching, 0) AS "bunchingEvents", coalesce(c.late, 0) AS "lateTrips"
         FROM (${scopedRoutes(3)}) r LEFT JOIN adherence a ON a.route_id = r.id LEFT JOIN cases c ON c.route_id = r.id
        WHERE a.route_id IS NOT NULL OR c.route_id IS NOT NULL
        ORDER BY "bunchingEvents" DESC, "lateTrips" DESC, r.id`,
      params,
    ),
    db.query<{ bucket: number; value: number | null }>(
      `SELECT ${bucketSql('m.start', 1, 4)} AS bucket, (sum(on_time)::float8 / nullif(sum(observations), 0)) AS value FROM (${minutes}) m GROUP BY 1`,
      [...params, window.bucketMs],
    ),
    atMs === undefined
      ? db.query<{ inServiceNow: number; bunchedNow: number | null }>(
          `SELECT count(*)::int AS "inServiceNow", count(p.bunched_with)::int AS "bunchedNow"
             FROM entities e LEFT JOIN bus_progress p ON p.entity_id = e.id WHERE ${busesHeard('e.updated_at > now() - make_interval(secs => $1 / 1000.0)')}`,
          [silentAfterMs, window.districtId],
        )
      : db.query<{ inServiceNow: number; bunchedNow: number | null }>(
          `SELECT count(*)::int AS "inServiceNow", NULL::int AS "bunchedNow" FROM entities e
            WHERE ${busesHeard(`EXISTS (SELECT 1 FROM position_history h WHERE h.entity_id = e.id AND h.event_time > to_timestamp(($3::float8 - $1) / 1000) AND h.event_time <= to_timestamp($3::float8 / 1000))`)}`,
          [silentAfterMs, window.districtId, atMs],
        ),
  ]);
  const sum = (pick: (route: (typeof routes)[number]) => number) => routes.reduce((total, route) => total + pick(route), 0);
  const observations = sum((r) => r.observations);
  return {
    observations,
    onTimeShare: shareOf(sum((r) => r.onTime), observations),
    meanDelayS: shareOf(sum((r) => r.delaySum), observations),
    bunchingEvents: sum((r) => r.bunchingEvents),
    lateTrips: sum((r) => r.lateTrips),
    byBucket: denseSeries<number | null>(window, byBucket, null),
    byRoute: routes.map(({ onTime, delaySum, ...route }) => ({ ...route, onTimeShare: shareOf(onTime, route.observations), meanDelayS: shareOf(delaySum, route.observations) })),
    inServiceNow: now!.inServiceNow,
    bunchedNow: now!.bunchedNow,
  };
}
