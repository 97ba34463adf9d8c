import type { EntityKind } from './city-data.ts';
import type { Queryable } from './database.ts';
import type { LonLat } from './local-frame.ts';

export interface CitySummary {
  profile: string;
  nameZh: string;
  nameEn: string;
  center: LonLat;
  /** [west, south, east, north] in degrees. */
  bbox: [number, number, number, number];
  /** Each district with its bounds, in id order: what a touring wall visits. */
  districts: { id: string; nameZh: string; nameEn: string; bbox: [number, number, number, number] }[];
  /** The kinds of unit the city has at least one of, now: what a geofence can watch. */
  entityKinds: EntityKind[];
  /** What the screens draw the live layers on (the server's BASE_MAP); the city's own layers when not given. */
  baseMap?: BaseMapSource;
  /** The city's own layers that reach the screens as vector tiles (a large city; CITY_LAYERS); the others come as one GeoJSON each. */
  tiledLayers?: BasemapLayer[];
}

/**
 * A base map: the city's roads, water and districts from PostGIS (always drawn, as overlays at
 * least), a tile archive on disk that this server serves, or a style on the city's own network.
 */
export type BaseMapSource =
  | { kind: 'city' }
  | {
      kind: 'tiles';
      format: 'pbf' | 'png' | 'jpg' | 'webp';
      minzoom: number;
      maxzoom: number;
      /** [west, south, east, north], degrees. */
      bounds: [number, number, number, number];
      /** The archive's vector layers by name (none for images): each is drawn by its geometry. */
      vectorLayers: string[];
      attribution?: string;
      /** Set when the map is drawn in GCJ-02 (China's published maps): the screens move their layers onto it. */
      crs?: 'gcj02';
    }
  | { kind: 'style'; url: string; crs?: 'gcj02' };

/** The kinds of unit the city has at least one of. */
export async function presentEntityKinds(db: Queryable): Promise<EntityKind[]> {
  return (await db.query<{ kind: EntityKind }>(`SELECT DISTINCT kind FROM entities ORDER BY kind`)).map((row) => row.kind);
}

export async function readCitySummary(db: Queryable): Promise<CitySummary | undefined> {
  const rows = await db.query<{ profile: string; nameZh: string; nameEn: string; lon: number; lat: number; w: number; s: number; e: number; n: number }>(
    `SELECT profile, name_zh AS "nameZh", name_en AS "nameEn", ST_X(center) AS lon, ST_Y(center) AS lat,
            ST_XMin(bounds) AS w, ST_YMin(bounds) AS s, ST_XMax(bounds) AS e, ST_YMax(bounds) AS n FROM city`,
  );
  const row = rows[0];
  if (!row) return undefined;
  const districts = await db.query<{ id: string; nameZh: string; nameEn: string; w: number; s: number; e: number; n: number }>(
    `SELECT id, name_zh AS "nameZh", name_en AS "nameEn", ST_XMin(geom) AS w, ST_YMin(geom) AS s, ST_XMax(geom) AS e, ST_YMax(geom) AS n FROM districts ORDER BY id`,
  );
  return {
    profile: row.profile,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    center: [row.lon, row.lat],
    bbox: [row.w, row.s, row.e, row.n],
    districts: districts.map((d) => ({ id: d.id, nameZh: d.nameZh, nameEn: d.nameEn, bbox: [d.w, d.s, d.e, d.n] })),
    entityKinds: await presentEntityKinds(db),
  };
}

// Each base-map layer is one GeoJSON FeatureCollection assembled by PostGIS (or vector tiles cut
// from it); the map styles by properties. A layer's columns, its geometry and where they come from.
const basemapQueries = {
  districts: { columns: 'id, name_zh, name_en', geom: 'geom', from: 'districts' },
  'grid-cells': { columns: 'id, district_id', geom: 'geom', from: 'grid_cells' },
  water: { columns: 'id, name_zh, name_en', geom: 'geom', from: 'water' },
  roads: { columns: 's.id, r.class, r.name_zh, r.name_en', geom: 's.geom', from: 'road_segments s JOIN roads r ON r.id = s.road_id' },
  'bus-routes': { columns: 'id, name_zh, name_en, color', geom: 'geom', from: 'bus_routes' },
  'camera-sites': { columns: 'id, kind, name_zh, name_en', geom: 'geom', from: 'camera_sites' },
  'police-stations': { columns: 'id, name_zh, name_en', geom: 'geom', from: 'police_stations' },
  'district-labels': { columns: 'id, name_zh, name_en', geom: 'ST_PointOnSurface(geom)', from: 'districts' },
} as const;

export type BasemapLayer = keyof typeof basemapQueries;
export const basemapLayers = Object.keys(basemapQueries) as BasemapLayer[];
/** Where a layer's features come from: its property columns, its geometry (WGS-84) and its tables. */
export const basemapQuery = (layer: BasemapLayer): { columns: string; geom: string; from: string } => basemapQueries[layer];

/** A base-map layer as GeoJSON text, ready to send (6 decimals ≈ 0.1 m). */
export async function readBasemapLayer(db: Queryable, layer: BasemapLayer): Promise<string> {
  const rows = await db.query<{ doc: string }>(
    `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
       'type', 'Feature', 'id', f.id, 'geometry', ST_AsGeoJSON(f.geom, 6)::json, 'properties', to_jsonb(f) - 'geom')), '[]'::json))::text AS doc
     FROM (SELECT ${basemapQueries[layer].columns}, ${basemapQueries[layer].geom} AS geom FROM ${basemapQueries[layer].from}) AS f`,
  );
  return rows[0]?.doc ?? '{"type":"FeatureCollection","features":[]}';
}

export interface RoadSegmentEdge {
  id: string;
  fromNode: number;
  toNode: number;
  lengthM: number;
  speedLimitKmh: number;
  /** Driven only from fromNode to toNode (along the line); two-way when not set. */
  oneWay?: boolean;
  line: LonLat[];
}

/** The street network as a routing graph: edges between intersections, one-way or both ways. */
export async function readRoadGraph(db: Queryable): Promise<RoadSegmentEdge[]> {
  const rows = await db.query<Omit<RoadSegmentEdge, 'line'> & { line: string }>(
    `SELECT id, from_node AS "fromNode", to_node AS "toNode", length_m AS "lengthM", speed_limit_kmh AS "speedLimitKmh", one_way AS "oneWay",
            ST_AsGeoJSON(geom, 7) AS line FROM road_segments ORDER BY id`,
  );
  return rows.map((row) => ({ ...row, line: (JSON.parse(row.line) as { coordinates: LonLat[] }).coordinates }));
}

export interface BusRouteShape {
  id: string;
  line: LonLat[];
  /** The route's stops in order, and where each lies along it as a fraction of its length in [0, 1]. */
  stopIds: string[];
  stopFractions: number[];
  /** The timetable: a departure from each terminus every headway, at the scheduled speed, in local time. */
  headwayS: number;
  scheduledSpeedKmh: number;
  utcOffsetMin: number;
}

export async function readBusRoutes(db: Queryable): Promise<BusRouteShape[]> {
  const rows = await db.query<{ id: string; line: string; stopIds: string[] | null; stopFractions: number[] | null; headwayS: number; scheduledSpeedKmh: number; utcOffsetMin: number }>(
    `SELECT r.id, ST_AsGeoJSON(r.geom, 7) AS line, stops.ids AS "stopIds", stops.fractions AS "stopFractions",
            r.headway_s AS "headwayS", r.scheduled_speed_kmh AS "scheduledSpeedKmh", r.utc_offset_min AS "utcOffsetMin"
     FROM bus_routes r, LATERAL (
       SELECT array_agg(s.id ORDER BY rs.seq) AS ids, array_agg(ST_LineLocatePoint(r.geom, s.geom) ORDER BY rs.seq) AS fractions
       FROM bus_route_stops rs JOIN bus_stops s ON s.id = rs.stop_id WHERE rs.route_id = r.id) AS stops
     ORDER BY r.id`,
  );
  return rows.map((row) => ({
    id: row.id,
    line: (JSON.parse(row.line) as { coordinates: LonLat[] }).coordinates,
    stopIds: row.stopIds ?? [],
    stopFractions: (row.stopFractions ?? []).map(Number),
    headwayS: row.headwayS,
    scheduledSpeedKmh: Number(row.scheduledSpeedKmh),
    utcOffsetMin: row.utcOffsetMin,
  }));
}

export interface FleetMember {
  id: string;
  kind: EntityKind;
  routeId: string | null;
  lon: number;
  lat: number;
}

export async function readFleet(db: Queryable, kinds: readonly EntityKind[]): Promise<FleetMember[]> {
  return db.query<FleetMember>(
    `SELECT id, kind, route_id AS "routeId", ST_X(geom) AS lon, ST_Y(geom) AS lat
     FROM entities WHERE kind = ANY($1::text[]) AND geom IS NOT NULL ORDER BY id`,
    [kinds],
  );
}

/** Every registered unit by id (the device id its tracker reports under), with its kind. */
export async function listEntityKinds(db: Queryable): Promise<Map<string, EntityKind>> {
  const rows = await db.query<{ id: string; kind: EntityKind }>('SELECT id, kind FROM entities WHERE retired_at IS NULL');
  return new Map(rows.map((row) => [row.id, row.kind]));
}

export interface CameraPlacement {
  id: string;
  segmentId: string;
  speedLimitKmh: number;
}

/** Every camera with the segment it watches, for simulators and integrators' checks. */
export async function readCameraPlacements(db: Queryable): Promise<CameraPlacement[]> {
  return db.query<CameraPlacement>(
    `SELECT c.id, c.segment_id AS "segmentId", s.speed_limit_kmh AS "speedLimitKmh"
     FROM cameras c JOIN road_segments s ON s.id = c.segment_id ORDER BY c.id`,
  );
}
