// The tables an import writes for a city's map (the timetable's are in timetable-tables.ts), as rows
// in WGS-84, and the order an import's rows are removed in.
import type { ImportTable } from './city-import.ts';
import type { LonLat } from './local-frame.ts';

export interface ImportedDistrict {
  id: string;
  nameZh: string;
  nameEn: string;
  ring: LonLat[];
}
/** A line as the GeoJSON text an import's geometry column takes. */
export const lineText = (points: LonLat[]) => JSON.stringify({ type: 'LineString', coordinates: points });
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
  /** Driven only from fromNode to toNode, along the line. */
  oneWay: boolean;
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
      ['one_way', 'boolean', (s) => s.oneWay],
      ['geom', 'geometry', (s) => lineText(s.line)],
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
