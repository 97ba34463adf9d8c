import type { Queryable } from './database.ts';
import type { LonLat } from './local-frame.ts';

/** One imported trip as a simulator runs it: its shape, its stops' times, and the days it runs. */
export interface TimetabledTrip {
  id: string;
  routeId: string;
  timezone: string;
  line: LonLat[];
  /** In order: where each stop is along the shape (0–1) and its times, seconds from the service day's noon minus 12 h. */
  stops: { fraction: number; arrivalS: number; departureS: number }[];
  /** Bit 0 Monday … bit 6 Sunday, between the dates (inclusive, YYYY-MM-DD). */
  weekdays: number;
  startDate: string | null;
  endDate: string | null;
  /** Dates the service is added on, or removed from. */
  added: string[];
  removed: string[];
  /** For a trip run by frequency: its windows and headway. */
  frequencies: { startS: number; endS: number; headwayS: number }[];
}

/** The imported timetable's trips (none for a generated city). */
export async function readTimetable(db: Queryable): Promise<TimetabledTrip[]> {
  const rows = await db.query<Omit<TimetabledTrip, 'line'> & { line: string }>(
    `SELECT t.id, t.route_id AS "routeId", t.timezone, ST_AsGeoJSON(sh.geom, 7) AS line,
            (SELECT json_agg(json_build_object('fraction', coalesce(s.fraction, 0), 'arrivalS', s.arrival_s, 'departureS', s.departure_s) ORDER BY s.seq)
               FROM bus_trip_stops s WHERE s.trip_id = t.id) AS stops,
            sv.weekdays, sv.start_date::text AS "startDate", sv.end_date::text AS "endDate",
            coalesce((SELECT json_agg(d.date::text) FROM bus_service_dates d WHERE d.service_id = sv.id AND d.added), '[]') AS added,
            coalesce((SELECT json_agg(d.date::text) FROM bus_service_dates d WHERE d.service_id = sv.id AND NOT d.added), '[]') AS removed,
            coalesce((SELECT json_agg(json_build_object('startS', f.start_s, 'endS', f.end_s, 'headwayS', f.headway_s) ORDER BY f.start_s)
               FROM bus_trip_frequencies f WHERE f.trip_id = t.id), '[]') AS frequencies
     FROM bus_trips t JOIN bus_shapes sh ON sh.id = t.shape_id JOIN bus_services sv ON sv.id = t.service_id
     ORDER BY t.id`,
  );
  return rows.map((row) => ({ ...row, line: (JSON.parse(row.line) as { coordinates: LonLat[] }).coordinates }));
}
