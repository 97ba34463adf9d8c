// The timetable's tables an import of GTFS writes, as rows in WGS-84, parents before children.
import type { ImportTable } from './city-import.ts';
import { lineText } from './import-tables.ts';
import type { LonLat } from './local-frame.ts';

export interface ImportedStop {
  id: string;
  name: string;
  at: LonLat;
}
export interface ImportedShape {
  id: string;
  line: LonLat[];
}
export interface ImportedRoute {
  id: string;
  nameZh: string;
  nameEn: string;
  color: string;
  line: LonLat[];
  utcOffsetMin: number;
}
export interface ImportedRouteStop {
  routeId: string;
  seq: number;
  stopId: string;
}
export interface ImportedService {
  id: string;
  weekdays: number;
  startDate: string | null;
  endDate: string | null;
}
export interface ImportedServiceDate {
  serviceId: string;
  date: string;
  added: boolean;
}
export interface ImportedTrip {
  id: string;
  routeId: string;
  serviceId: string;
  shapeId: string;
  direction: number | null;
  headsign: string | null;
  timezone: string;
}
export interface ImportedTripStop {
  tripId: string;
  seq: number;
  stopId: string;
  arrivalS: number;
  departureS: number;
}
export interface ImportedFrequency {
  tripId: string;
  startS: number;
  endS: number;
  headwayS: number;
  exactTimes: boolean;
}

/** The timetable's tables, parents first. */
export const timetableTables = {
  stops: {
    table: 'bus_stops',
    key: ['id'],
    columns: [
      ['id', 'text', (s) => s.id],
      ['name_zh', 'text', (s) => s.name],
      ['name_en', 'text', (s) => s.name],
      ['geom', 'geometry', (s) => JSON.stringify({ type: 'Point', coordinates: s.at })],
    ],
  } satisfies ImportTable<ImportedStop>,
  routes: {
    table: 'bus_routes',
    key: ['id'],
    columns: [
      ['id', 'text', (r) => r.id],
      ['name_zh', 'text', (r) => r.nameZh],
      ['name_en', 'text', (r) => r.nameEn],
      ['color', 'text', (r) => r.color],
      ['geom', 'geometry', (r) => lineText(r.line)],
      ['utc_offset_min', 'integer', (r) => r.utcOffsetMin],
    ],
  } satisfies ImportTable<ImportedRoute>,
  routeStops: {
    table: 'bus_route_stops',
    key: ['route_id', 'seq'],
    columns: [
      ['route_id', 'text', (r) => r.routeId],
      ['seq', 'integer', (r) => r.seq],
      ['stop_id', 'text', (r) => r.stopId],
    ],
  } satisfies ImportTable<ImportedRouteStop>,
  shapes: {
    table: 'bus_shapes',
    key: ['id'],
    columns: [
      ['id', 'text', (s) => s.id],
      ['geom', 'geometry', (s) => lineText(s.line)],
    ],
  } satisfies ImportTable<ImportedShape>,
  services: {
    table: 'bus_services',
    key: ['id'],
    columns: [
      ['id', 'text', (s) => s.id],
      ['weekdays', 'smallint', (s) => s.weekdays],
      ['start_date', 'date', (s) => s.startDate],
      ['end_date', 'date', (s) => s.endDate],
    ],
  } satisfies ImportTable<ImportedService>,
  serviceDates: {
    table: 'bus_service_dates',
    key: ['service_id', 'date'],
    columns: [
      ['service_id', 'text', (s) => s.serviceId],
      ['date', 'date', (s) => s.date],
      ['added', 'boolean', (s) => s.added],
    ],
  } satisfies ImportTable<ImportedServiceDate>,
  trips: {
    table: 'bus_trips',
    key: ['id'],
    columns: [
      ['id', 'text', (t) => t.id],
      ['route_id', 'text', (t) => t.routeId],
      ['service_id', 'text', (t) => t.serviceId],
      ['shape_id', 'text', (t) => t.shapeId],
      ['direction', 'smallint', (t) => t.direction],
      ['headsign', 'text', (t) => t.headsign],
      ['timezone', 'text', (t) => t.timezone],
    ],
  } satisfies ImportTable<ImportedTrip>,
  tripStops: {
    table: 'bus_trip_stops',
    key: ['trip_id', 'seq'],
    columns: [
      ['trip_id', 'text', (t) => t.tripId],
      ['seq', 'integer', (t) => t.seq],
      ['stop_id', 'text', (t) => t.stopId],
      ['arrival_s', 'integer', (t) => t.arrivalS],
      ['departure_s', 'integer', (t) => t.departureS],
    ],
  } satisfies ImportTable<ImportedTripStop>,
  frequencies: {
    table: 'bus_trip_frequencies',
    key: ['trip_id', 'start_s'],
    columns: [
      ['trip_id', 'text', (f) => f.tripId],
      ['start_s', 'integer', (f) => f.startS],
      ['end_s', 'integer', (f) => f.endS],
      ['headway_s', 'integer', (f) => f.headwayS],
      ['exact_times', 'boolean', (f) => f.exactTimes],
    ],
  } satisfies ImportTable<ImportedFrequency>,
};
