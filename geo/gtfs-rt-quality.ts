// A GTFS-Realtime feed checked against the imported static feed, as MobilityData's validator does
// (https://github.com/MobilityData/gtfs-realtime-validator, RULES.md): one statement per poll.
import { toColumns } from './columns.ts';
import type { Queryable } from './database.ts';

/** The vehicle rules checked here, by the validator's codes. */
export const vehicleQualityRules = ['E003', 'E004', 'E011', 'E028', 'E029', 'W004'] as const;
export type VehicleQualityRule = (typeof vehicleQualityRules)[number];

/** What a vehicle of the feed said, as checked. */
export interface ReportedVehicle {
  tripId: string | null;
  routeId: string | null;
  stopId: string | null;
  lon: number;
  lat: number;
  speedKmh: number | null;
}

// E028: more than a mile outside every shape; E029: more than 200 m off its trip's shape; W004: over 26 m/s.
const coverageM = 1_609;
const offShapeM = 200;
const unrealisticKmh = 26 * 3.6;

/**
 * How many of the vehicles break each rule: a trip (E003), route (E004) or stop (E011) the static
 * feed lacks, a position outside its coverage (E028) or off the trip's shape (E029), an
 * unrealistic speed (W004). Without an imported timetable only W004 applies: a generated
 * city's simulated agency has no static feed to be checked against.
 */
export async function checkVehicleQuality(db: Queryable, vehicles: readonly ReportedVehicle[]): Promise<Record<VehicleQualityRule, number>> {
  const none = Object.fromEntries(vehicleQualityRules.map((rule) => [rule, 0])) as Record<VehicleQualityRule, number>;
  if (vehicles.length === 0) return none;
  const [counts] = await db.query<Record<VehicleQualityRule, number | string>>(
    `WITH v AS (
       SELECT trip, route, stop, speed_kmh, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom
       FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[]) AS v(trip, route, stop, lon, lat, speed_kmh)
     ), timetable AS (SELECT EXISTS (SELECT 1 FROM bus_trips) AS imported)
     SELECT
       count(*) FILTER (WHERE imported AND trip IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bus_trips t WHERE t.id = v.trip)) AS "E003",
       count(*) FILTER (WHERE imported AND route IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bus_routes r WHERE r.id = v.route)) AS "E004",
       count(*) FILTER (WHERE imported AND stop IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bus_stops s WHERE s.id = v.stop)) AS "E011",
       count(*) FILTER (WHERE imported AND NOT EXISTS (
         SELECT 1 FROM bus_shapes sh WHERE sh.geom && ST_Expand(v.geom, 0.05) AND ST_DWithin(sh.geom::geography, v.geom::geography, $7))) AS "E028",
       count(*) FILTER (WHERE imported AND EXISTS (
         SELECT 1 FROM bus_trips t JOIN bus_shapes sh ON sh.id = t.shape_id WHERE t.id = v.trip AND NOT ST_DWithin(sh.geom::geography, v.geom::geography, $8))) AS "E029",
       count(*) FILTER (WHERE speed_kmh > $9) AS "W004"
     FROM v, timetable`,
    [
      ...toColumns(
        vehicles,
        (v) => v.tripId,
        (v) => v.routeId,
        (v) => v.stopId,
        (v) => v.lon,
        (v) => v.lat,
        (v) => v.speedKmh,
      ),
      coverageM,
      offShapeM,
      unrealisticKmh,
    ],
  );
  return Object.fromEntries(vehicleQualityRules.map((rule) => [rule, Number(counts![rule])])) as Record<VehicleQualityRule, number>;
}
