import { toColumns } from './columns.ts';
import type { Queryable } from './database.ts';
import { rollupSpansSql, rollupStartSql } from './posture-window.ts';

/** A bus as a GTFS-RT feed first shows it. */
export interface FeedBus {
  id: string;
  label: string | null;
  routeId: string | null;
}

/**
 * Registers buses a trusted agency feed shows that the city does not know yet; a route id the
 * city does not know is left empty. Returns the ids that were new.
 */
export async function registerBuses(db: Queryable, buses: readonly FeedBus[]): Promise<string[]> {
  if (buses.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `INSERT INTO entities (id, kind, label, status, route_id, source_id)
     SELECT b.id, 'bus', coalesce(b.label, b.id), 'in-service', (SELECT r.id FROM bus_routes r WHERE r.id = b.route_id), 'gtfs-rt'
     FROM unnest($1::text[], $2::text[], $3::text[]) AS b(id, label, route_id)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    toColumns(
      buses,
      (b) => b.id,
      (b) => b.label,
      (b) => b.routeId,
    ),
  );
  return rows.map((row) => row.id);
}

/** A bus report is on time from this much early to this much late, s (the delay of a report: see updateBusProgress). */
export const busOnTime = { earlyS: 60, lateS: 300 };

/**
 * Two buses of a route running the same way are bunched when they pass a point less than
 * `openBelowS` apart (measured practice: within 60 s, by their gap along the route at the
 * timetable's speed); they stay bunched until more than `clearAboveS` apart, so a pair at the
 * edge does not flicker; it is a case for the operator once it has lasted `sustainedS`.
 */
export const busBunching = { openBelowS: 60, clearAboveS: 120, sustainedS: 180 };
// Buses wait together at a terminus by timetable: not bunching.
const terminusFraction = 0.03;

/**
 * A bus's delay on a trip of an imported GTFS timetable (`e` is the bus): where it is along its
 * trip's shape, the scheduled time there (between the stops before and after it; at a stop, within
 * 15 m along the shape, any time from its arrival to its departure is on time), on the trip's
 * service day (the feed's start date, else today or yesterday in the agency's zone, whichever is
 * nearer) counted from the day's noon minus 12 h (GTFS), offset by the start time of a trip run
 * by frequency (without one, such a trip's delay is unknown). A shape that passes near itself (a
 * loop, out and back along one street) may have the bus in more than one place along it: its
 * nearest point, and the nearest points on the shape before and after it, 100 m clear of it,
 * within 25 m of as near; one of those is taken when it is more than a minute nearer the schedule.
 */
const timetabledDelaySql = `
  SELECT round(extract(epoch FROM e.updated_at - greatest(best.earliest, least(e.updated_at, best.latest))))::int AS delay_s
  FROM bus_trips t JOIN bus_shapes sh ON sh.id = t.shape_id,
  LATERAL (SELECT ST_LineLocatePoint(sh.geom, e.geom) AS f, ST_Distance(sh.geom::geography, e.geom::geography) AS off_m,
                  ST_Length(sh.geom::geography) AS length_m, 15 / greatest(ST_Length(sh.geom::geography), 1) AS near,
                  CASE WHEN EXISTS (SELECT 1 FROM bus_trip_frequencies WHERE trip_id = t.id)
                       THEN (SELECT split_part(st, ':', 1)::int * 3600 + split_part(st, ':', 2)::int * 60 + split_part(st, ':', 3)::int
                               FROM (SELECT e.attributes->>'startTime' AS st) given WHERE st ~ '^\\d{1,3}:\\d\\d:\\d\\d$')
                            - (SELECT min(departure_s) FROM bus_trip_stops WHERE trip_id = t.id)
                       ELSE 0 END AS offset_s
          -- OFFSET 0: computed once per bus, not again wherever the statement uses them (measured: 2.4 ms a bus).
          OFFSET 0) trip,
  LATERAL (
    SELECT trip.f, true AS nearest
    UNION ALL
    -- The nearest point on the shape before it and after it, 100 m clear of it, where as near within 25 m.
    SELECT lo + (hi - lo) * ST_LineLocatePoint(part, e.geom), false FROM (
      SELECT lo, hi, ST_LineSubstring(sh.geom, lo, hi) AS part
      FROM (VALUES (0::float8, trip.f - 100 / greatest(trip.length_m, 1)), (trip.f + 100 / greatest(trip.length_m, 1), 1::float8)) AS around(lo, hi)
      WHERE hi > lo OFFSET 0
    ) other WHERE ST_DWithin(part::geography, e.geom::geography, trip.off_m + 25)
  ) loc,
  LATERAL (
    SELECT coalesce(stop.arrival_s, between_stops.s) + trip.offset_s AS from_s, coalesce(stop.departure_s, between_stops.s) + trip.offset_s AS to_s
    FROM (
      SELECT CASE WHEN nxt.seq IS NULL THEN prv.arrival_s WHEN prv.seq IS NULL THEN nxt.departure_s WHEN nxt.fraction <= prv.fraction THEN prv.departure_s
                  ELSE prv.departure_s + (loc.f - prv.fraction) / (nxt.fraction - prv.fraction) * (nxt.arrival_s - prv.departure_s) END AS s
      FROM (SELECT * FROM bus_trip_stops WHERE trip_id = t.id AND fraction <= loc.f ORDER BY seq DESC LIMIT 1) prv
      FULL JOIN (SELECT * FROM bus_trip_stops WHERE trip_id = t.id AND fraction >= loc.f ORDER BY seq LIMIT 1) nxt ON true
    ) between_stops
    LEFT JOIN LATERAL (SELECT arrival_s, departure_s FROM bus_trip_stops WHERE trip_id = t.id AND abs(fraction - loc.f) <= trip.near ORDER BY abs(fraction - loc.f) LIMIT 1) stop ON true
  ) scheduled,
  LATERAL (
    SELECT origin + make_interval(secs => scheduled.from_s) AS earliest, origin + make_interval(secs => scheduled.to_s) AS latest
    FROM unnest(CASE WHEN e.attributes->>'startDate' ~ '^\\d{8}$' THEN ARRAY[to_date(e.attributes->>'startDate', 'YYYYMMDD')]
                     ELSE ARRAY[(e.updated_at AT TIME ZONE t.timezone)::date, (e.updated_at AT TIME ZONE t.timezone)::date - 1] END) AS day,
         LATERAL (SELECT ((day::timestamp + interval '12 hours') AT TIME ZONE t.timezone) - interval '12 hours' AS origin) o
    ORDER BY abs(extract(epoch FROM e.updated_at - (origin + make_interval(secs => scheduled.to_s)))) LIMIT 1
  ) best
  WHERE t.id = e.attributes->>'tripId' AND scheduled.from_s IS NOT NULL
  -- Another pass is taken only when it is more than a minute nearer the schedule: where two passes
  -- run close in time as well as in place, the nearest point is as good a guess, and not biased early.
  ORDER BY abs(extract(epoch FROM e.updated_at - greatest(best.earliest, least(e.updated_at, best.latest)))) - CASE WHEN loc.nearest THEN 60 ELSE 0 END LIMIT 1`;

/**
 * Updates route progress of the buses that moved this tick (ST_LineLocatePoint on the route
 * shape, with trip and stop from their latest report) and their delay against the timetable
 * (report time minus the scheduled time at that progress: the imported trip's stop times, else the
 * generated frequency timetable), then re-checks bunching on their
 * routes; counts each report in the posture boards' rollups. Two set-based statements,
 * whatever the number of buses.
 */
export async function updateBusProgress(db: Queryable, movedIds: readonly string[]): Promise<void> {
  if (movedIds.length === 0) return;
  await db.query(
    `WITH moved AS (
       SELECT e.id, e.route_id, e.attributes, e.updated_at, r.scheduled_speed_kmh, r.utc_offset_min,
              ST_LineLocatePoint(r.geom, e.geom) AS progress, ST_Length(r.geom::geography) AS length_m,
              regexp_match(e.attributes->>'tripId', '^.+:(out|back):(\\d\\d)(\\d\\d)$') AS trip, timetabled.delay_s AS timetabled_delay_s
       FROM entities e JOIN bus_routes r ON r.id = e.route_id
       LEFT JOIN LATERAL (${timetabledDelaySql}) timetabled ON true
       WHERE e.id = ANY($1::text[]) AND e.kind = 'bus' AND e.geom IS NOT NULL
     ), timed AS (
       -- The trip's departure: HH:MM on the local day of the report, or the day before past midnight.
       SELECT moved.*, departure - CASE WHEN departure > updated_at + interval '12 hours' THEN interval '1 day' ELSE interval '0' END AS departed
       FROM moved, LATERAL (SELECT (date_trunc('day', (updated_at AT TIME ZONE 'UTC') + make_interval(mins => utc_offset_min))
                 + make_interval(hours => trip[2]::int, mins => trip[3]::int) - make_interval(mins => utc_offset_min)) AT TIME ZONE 'UTC' AS departure) AS d
     ), progressed AS (
       INSERT INTO bus_progress (entity_id, route_id, trip_id, stop_id, stop_status, progress, delay_s, updated_at)
       SELECT id, route_id, attributes->>'tripId', attributes->>'stopId', attributes->>'stopStatus', progress,
              coalesce(timetabled_delay_s, CASE WHEN trip IS NOT NULL THEN round(extract(epoch FROM updated_at - departed)
                - (CASE WHEN trip[1] = 'out' THEN progress ELSE 1 - progress END) * length_m / (scheduled_speed_kmh / 3.6))::int END),
              updated_at
       FROM timed
       ON CONFLICT (entity_id) DO UPDATE SET route_id = excluded.route_id, trip_id = excluded.trip_id, stop_id = excluded.stop_id,
         stop_status = excluded.stop_status, progress = excluded.progress, delay_s = excluded.delay_s, updated_at = excluded.updated_at
       RETURNING route_id, delay_s, updated_at
     )
     -- The posture boards' timetable adherence per route, per minute and per hour.
     INSERT INTO bus_rollup (span_s, start, route_id, observations, on_time, delay_s_sum)
     SELECT spans.span_s, ${rollupStartSql('updated_at')}, route_id, count(*), count(*) FILTER (WHERE delay_s BETWEEN $2 AND $3), sum(delay_s)
     FROM progressed, ${rollupSpansSql} WHERE delay_s IS NOT NULL GROUP BY 1, 2, 3
     ON CONFLICT (span_s, start, route_id) DO UPDATE SET observations = bus_rollup.observations + excluded.observations,
       on_time = bus_rollup.on_time + excluded.on_time, delay_s_sum = bus_rollup.delay_s_sum + excluded.delay_s_sum`,
    [movedIds, -busOnTime.earlyS, busOnTime.lateS],
  );
  await db.query(
    // Materialized: inlined, each route's length on the sphere was computed again for every pair of
    // its buses (megacity's 8,000 buses: 9.5 s a tick; 0.3 s so).
    `WITH routes AS MATERIALIZED (
       SELECT r.id, ST_Length(r.geom::geography) / (r.scheduled_speed_kmh / 3.6) AS run_s FROM bus_routes r
        WHERE r.id IN (SELECT route_id FROM bus_progress WHERE entity_id = ANY($1::text[]))
     ), nearest AS (
       -- Each bus's nearest bus running the same way (by trip direction, else by heading) within
       -- the bunching headway; the pair it was in already holds until the wider headway.
       SELECT q.entity_id, q.bunched_with AS was, CASE WHEN q.progress BETWEEN $2 AND 1 - $2 THEN (
         SELECT o.entity_id FROM bus_progress o JOIN entities me ON me.id = q.entity_id JOIN entities other ON other.id = o.entity_id
          WHERE o.route_id = q.route_id AND o.entity_id <> q.entity_id AND o.progress BETWEEN $2 AND 1 - $2
            AND coalesce(substring(q.trip_id from ':(out|back):[0-9]{4}$') = substring(o.trip_id from ':(out|back):[0-9]{4}$'),
                         cos(radians(coalesce(me.heading_deg, 0) - coalesce(other.heading_deg, 0))) > 0)
            AND abs(o.progress - q.progress) * rt.run_s < CASE WHEN o.entity_id = q.bunched_with THEN $4::float8 ELSE $3::float8 END
          ORDER BY abs(o.progress - q.progress) LIMIT 1) END AS other
       FROM bus_progress q JOIN routes rt ON rt.id = q.route_id
     )
     UPDATE bus_progress p SET bunched_with = n.other,
       bunched_since = CASE WHEN n.other IS NULL THEN NULL WHEN n.other = n.was THEN p.bunched_since ELSE p.updated_at END
       FROM nearest n WHERE n.entity_id = p.entity_id AND p.bunched_with IS DISTINCT FROM n.other`,
    [movedIds, terminusFraction, busBunching.openBelowS, busBunching.clearAboveS],
  );
}

export interface BusProgress {
  id: string;
  routeId: string;
  tripId: string | null;
  stopId: string | null;
  stopStatus: string | null;
  progress: number;
  bunchedWith: string | null;
  /** Seconds behind the timetable (negative: early); null for a trip the timetable does not know. */
  delayS: number | null;
  updatedAt: string;
}

export async function listBusProgress(db: Queryable): Promise<BusProgress[]> {
  const rows = await db.query<Omit<BusProgress, 'updatedAt'> & { updatedMs: number | string }>(
    `SELECT entity_id AS id, route_id AS "routeId", trip_id AS "tripId", stop_id AS "stopId", stop_status AS "stopStatus",
            progress, bunched_with AS "bunchedWith", delay_s AS "delayS", extract(epoch FROM updated_at) * 1000 AS "updatedMs"
     FROM bus_progress ORDER BY entity_id`,
  );
  return rows.map(({ updatedMs, ...row }) => ({ ...row, progress: Number(row.progress), updatedAt: new Date(Math.round(Number(updatedMs))).toISOString() }));
}
