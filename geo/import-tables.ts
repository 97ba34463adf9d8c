// The tables an import writes, as rows in WGS-84, in foreign-key order: parents before children.
import type { ImportTable } from './city-import.ts';
import type { LonLat } from './local-frame.ts';

export interface ImportedDistrict {
  id: string;
  nameZh: string;
  nameEn: string;
  ring: LonLat[];
}
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

const line = (points: LonLat[]) => JSON.stringify({ type: 'LineString', coordinates: points });
/** A ring as the GeoJSON text an import's geometry column takes. */
export const polygonText = (ring: LonLat[]) => JSON.stringify({ type: 'Polygon', coordinates: [ring] });

export const districtTable: ImportTable<ImportedDistrict> = {
  table: 'districts',
  key: ['id'],
  columns: [
    ['id', 'text', (d) => d.id],
    ['name_zh', 'text', (d) => d.nameZh],
    ['name_en', 'text', (d) => d.nameEn],
    ['geom', 'geometry', (d) => polygonText(d.ring)],
  ],
};

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
      ['geom', 'geometry', (r) => line(r.line)],
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
      ['geom', 'geometry', (s) => line(s.line)],
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

/** Every table any import writes, children first: the order removing an import deletes in. */
export const importedTablesChildrenFirst = [
  'bus_trip_frequencies',
  'bus_trip_stops',
  'bus_trips',
  'bus_service_dates',
  'bus_services',
  'bus_shapes',
  'bus_route_stops',
  'entities',
  'bus_routes',
  'bus_stops',
  'police_stations',
  'cameras',
  'camera_sites',
  'road_segments',
  'roads',
  'water',
  'grid_cells',
  'communities',
  'districts',
];

/** A place an import brings, in the district it lies in (points and polygons). */
export interface ImportedPlace {
  id: string;
  nameZh: string;
  nameEn: string;
  districtId: string;
  point?: LonLat;
  ring?: LonLat[];
}
const pointText = (place: ImportedPlace) => JSON.stringify({ type: 'Point', coordinates: place.point });
const placeColumns: ImportTable<ImportedPlace>['columns'] = [
  ['id', 'text', (p) => p.id],
  ['name_zh', 'text', (p) => p.nameZh],
  ['name_en', 'text', (p) => p.nameEn],
  ['district_id', 'text', (p) => p.districtId],
];

/** The tables of the places a city keeps as lists. */
export const placeTables = {
  stations: { table: 'police_stations', key: ['id'], columns: [...placeColumns, ['geom', 'geometry', pointText]] } satisfies ImportTable<ImportedPlace>,
  cameraSites: {
    table: 'camera_sites',
    key: ['id'],
    columns: [...placeColumns, ['kind', 'text', (p) => p.kind], ['geom', 'geometry', pointText]],
  } satisfies ImportTable<ImportedPlace & { kind: string }>,
  // One camera per site, of the same id: what the camera feeds report as.
  cameras: {
    table: 'cameras',
    key: ['id'],
    columns: [
      ['id', 'text', (p) => p.id],
      ['site_id', 'text', (p) => p.id],
      ['heading_deg', 'real', (p) => p.headingDeg],
    ],
  } satisfies ImportTable<ImportedPlace & { headingDeg: number }>,
  communities: {
    table: 'communities',
    key: ['id'],
    columns: [...placeColumns, ['residents', 'integer', (p) => p.residents], ['geom', 'geometry', (p) => polygonText(p.ring!)]],
  } satisfies ImportTable<ImportedPlace & { residents: number }>,
};

export interface ImportedRoad {
  id: string;
  nameZh: string;
  nameEn: string;
  roadClass: string;
}
export interface ImportedSegment {
  id: string;
  roadId: string;
  fromNode: number;
  toNode: number;
  lengthM: number;
  speedLimitKmh: number;
  line: LonLat[];
}

/** Road centre lines and the routing graph's segments between their intersections. */
export const roadTables = {
  roads: {
    table: 'roads',
    key: ['id'],
    columns: [
      ['id', 'text', (r) => r.id],
      ['name_zh', 'text', (r) => r.nameZh],
      ['name_en', 'text', (r) => r.nameEn],
      ['class', 'text', (r) => r.roadClass],
    ],
  } satisfies ImportTable<ImportedRoad>,
  segments: {
    table: 'road_segments',
    key: ['id'],
    columns: [
      ['id', 'text', (s) => s.id],
      ['road_id', 'text', (s) => s.roadId],
      ['from_node', 'integer', (s) => s.fromNode],
      ['to_node', 'integer', (s) => s.toNode],
      ['length_m', 'real', (s) => s.lengthM],
      ['speed_limit_kmh', 'smallint', (s) => s.speedLimitKmh],
      ['geom', 'geometry', (s) => line(s.line)],
    ],
  } satisfies ImportTable<ImportedSegment>,
};

export interface ImportedWater {
  id: string;
  nameZh: string;
  nameEn: string;
  ring: LonLat[];
  /** Islands. */
  holes?: LonLat[][];
}
export const waterTable: ImportTable<ImportedWater> = {
  table: 'water',
  key: ['id'],
  columns: [
    ['id', 'text', (w) => w.id],
    ['name_zh', 'text', (w) => w.nameZh],
    ['name_en', 'text', (w) => w.nameEn],
    ['geom', 'geometry', (w) => JSON.stringify({ type: 'Polygon', coordinates: [w.ring, ...(w.holes ?? [])] })],
  ],
};
