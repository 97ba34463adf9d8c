// A GTFS-Realtime feed checked against the imported static feed, as MobilityData's validator does
// (https://github.com/MobilityData/gtfs-realtime-validator, RULES.md): one statement per poll.
import { toColumns } from './columns.ts';
import type { Queryable } from './database.ts';

/** The vehicle rules checked here against the static feed, by the validator's codes. */
export const vehicleQualityRules = ['E003', 'E004', 'E011', 'E028', 'E029'] as const;
export type VehicleQualityRule = (typeof vehicleQualityRules)[number];

/** What a vehicle of the feed said, as checked. */
export interface ReportedVehicle {
  tripId: string | null;
  /** How its trip is run when not as timetabled (GTFS-RT's schedule_relationship): an ADDED trip is not in the static feed. */
  tripRelationship: string | null;
  routeId: string | null;
  stopId: string | null;
  lon: number;
  lat: number;
}

// E028: more than a mile outside every shape; E029: more than 200 m off its trip's shape.
const coverageM = 1_609;
const offShapeM = 200;

/** Whether the city has an imported timetable to check a live feed against (a generated one has not). */
export async function hasTimetable(db: Queryable): Promise<boolean> {
  return (await db.query('SELECT 1 FROM bus_trips LIMIT 1')).length > 0;
}

/**
 * How many of the vehicles break each rule: a trip (E003, unless it is ADDED), route (E004) or stop
 * (E011) the static feed lacks, a position outside its coverage (E028) or off the trip's shape (E029).
 */
export async function checkVehicleQuality(db: Queryable, vehicles: readonly ReportedVehicle[]): Promise<Record<VehicleQualityRule, number>> {
  const none = Object.fromEntries(vehicleQualityRules.map((rule) => [rule, 0])) as Record<VehicleQualityRule, number>;
  if (vehicles.length === 0) return none;
  const [counts] = await db.query<Record<VehicleQualityRule, number | string>>(
    `WITH v AS (
       SELECT trip, relationship, route, stop, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[]) AS v(trip, relationship, route, stop, lon, lat)
     )
     SELECT
       count(*) FILTER (WHERE trip IS NOT NULL AND relationship IS DISTINCT FROM 'ADDED' AND NOT EXISTS (SELECT 1 FROM bus_trips t WHERE t.id = v.trip)) AS "E003",
       count(*) FILTER (WHERE route IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bus_routes r WHERE r.id = v.route)) AS "E004",
       count(*) FILTER (WHERE stop IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bus_stops s WHERE s.id = v.stop)) AS "E011",
       count(*) FILTER (WHERE NOT EXISTS (
         SELECT 1 FROM bus_shapes sh WHERE sh.geom && ST_Expand(v.geom, 0.05) AND ST_DWithin(sh.geom::geography, v.geom::geography, $7))) AS "E028",
       count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM bus_trips t JOIN bus_shapes sh ON sh.id = t.shape_id WHERE t.id = v.trip AND NOT ST_DWithin(sh.geom::geography, v.geom::geography, $8))) AS "E029"
     FROM v`,
    [
      ...toColumns(
        vehicles,
        (v) => v.tripId,
        (v) => v.tripRelationship,
        (v) => v.routeId,
        (v) => v.stopId,
        (v) => v.lon,
        (v) => v.lat,
      ),
      coverageM,
      offShapeM,
    ],
  );
  return Object.fromEntries(vehicleQualityRules.map((rule) => [rule, Number(counts![rule])])) as Record<VehicleQualityRule, number>;
}
