// Road centre lines (GeoJSON, from OpenStreetMap or a survey bureau) as roads and the routing
// graph: each line split where it shares a point with another line (an intersection) and at its
// ends, as OpenStreetMap routers do. Lines that cross without a shared point are not joined: in
// OpenStreetMap that is a bridge or a tunnel.
import { distanceMetres, type ImportedRoad, type ImportedSegment, type LonLat } from '../../geo/index.ts';
import { toWgs84, type Crs } from '../../streams/index.ts';
import { readFeatures, text, type Feature } from './geojson.ts';
import type { ImportTally } from './refusals.ts';

type RoadClass = 'expressway' | 'arterial' | 'collector' | 'local';

// OpenStreetMap's highway=* values and China's urban road grades (CJJ 37) to the product's classes.
const classes: Record<string, RoadClass> = {
  motorway: 'expressway', motorway_link: 'expressway', trunk: 'expressway', trunk_link: 'expressway', 快速路: 'expressway', 高速公路: 'expressway',
  primary: 'arterial', primary_link: 'arterial', secondary: 'arterial', secondary_link: 'arterial', 主干路: 'arterial',
  tertiary: 'collector', tertiary_link: 'collector', 次干路: 'collector',
  residential: 'local', unclassified: 'local', living_street: 'local', service: 'local', road: 'local', 支路: 'local',
  expressway: 'expressway', arterial: 'arterial', collector: 'collector', local: 'local',
};
const defaultSpeedKmh: Record<RoadClass, number> = { expressway: 80, arterial: 60, collector: 50, local: 30 };

const property = (properties: Record<string, unknown>, names: string[]) => names.map((name) => text(properties[name])).find(Boolean) ?? '';

/** km/h from "50", "50 km/h" or "30 mph"; a string saying what is wrong otherwise. */
function speedOf(value: string): number | string {
  const match = /^(\d+(?:\.\d+)?)\s*(km\/h|kmh|mph)?$/i.exec(value);
  const kmh = match ? Number(match[1]) * (match[2]?.toLowerCase() === 'mph' ? 1.609 : 1) : NaN;
  return kmh >= 5 && kmh <= 150 ? Math.round(kmh) : `"${value}" is not a speed from 5 to 150 km/h (a number, or "30 mph")`;
}

// OpenStreetMap's oneway=*: with the line, against it (the line is turned round), or both ways.
// "reversible" and "alternating" change direction through the day: a route may take them either way.
const oneWayValues: Record<string, 'with' | 'against' | 'no'> = {
  yes: 'with', true: 'with', '1': 'with', '-1': 'against', reverse: 'against', no: 'no', false: 'no', '0': 'no', reversible: 'no', alternating: 'no',
};

/** Which way a road may be driven: as tagged, else one-way where OpenStreetMap implies it (roundabouts, motorways). */
function oneWayOf(properties: Record<string, unknown>, given: string): 'with' | 'against' | 'no' | string {
  const tagged = property(properties, ['oneway', 'one_way']).toLowerCase();
  if (tagged) return oneWayValues[tagged] ?? `"${tagged}" is not a direction: give yes, no or -1 (driven against the line), as OpenStreetMap's oneway`;
  const junction = property(properties, ['junction']);
  return junction === 'roundabout' || junction === 'circular' || given === 'motorway' ? 'with' : 'no';
}

function linesOf(geometry: Feature['geometry'], crs: Crs): LonLat[][] | string {
  const parts = geometry?.type === 'LineString' ? [geometry.coordinates] : geometry?.type === 'MultiLineString' ? (geometry.coordinates as unknown[]) : undefined;
  if (!parts) return `is ${geometry?.type ?? 'missing'}; a road is a LineString or MultiLineString`;
  const valid = (part: unknown): part is [number, number][] => Array.isArray(part) && part.every((at) => Array.isArray(at) && Math.abs(at[0]) <= 180 && Math.abs(at[1]) <= 90);
  if (!parts.every(valid)) return 'has a coordinate that is not [longitude, latitude] in degrees';
  // Repeated points are dropped; a line must still go somewhere.
  const lines = (parts as [number, number][][]).map((part) => part.map((at) => toWgs84(crs, [at[0], at[1]])).filter((at, i, all) => i === 0 || at[0] !== all[i - 1]![0] || at[1] !== all[i - 1]![1]));
  return lines.every((points) => points.length >= 2) ? lines : 'has a line of fewer than two distinct points';
}

export interface RoadLines {
  road: ImportedRoad;
  speedLimitKmh: number;
  /** Driven only along its lines' direction. */
  oneWay: boolean;
  lines: LonLat[][];
}

/** A road from a feature, or undefined where it was refused or passed over (counted in `tally`). */
export function roadFrom(feature: Feature, file: string, line: number, crs: Crs, tally: ImportTally, taken: Map<string, string>): RoadLines | undefined {
  const properties = feature.properties ?? {};
  const id = text(feature.id) || property(properties, ['id', 'osm_id', 'code']);
  const given = property(properties, ['class', 'highway', 'fclass', 'grade']);
  const roadClass = given ? classes[given] : 'local';
  const speed = property(properties, ['maxspeed', 'speed_limit_kmh', 'speed_limit', 'speed']);
  const speedLimitKmh = speed ? speedOf(speed) : defaultSpeedKmh[roadClass ?? 'local'];
  const lines = linesOf(feature.geometry, crs);
  const oneWay = oneWayOf(properties, given);
  if (given && !roadClass) return void tally.skip(`${file}: not a road for vehicles (${given})`);
  if (!id) return void tally.refuse(file, line, 'id', 'is empty; give each road an id (the feature id, or an id or osm_id property)');
  if (taken.has(id)) return void tally.refuse(file, line, 'id', `"${id}" is given at ${taken.get(id)} too`);
  if (typeof speedLimitKmh === 'string') return void tally.refuse(file, line, 'maxspeed', speedLimitKmh);
  if (typeof lines === 'string') return void tally.refuse(file, line, 'geometry', lines);
  if (oneWay !== 'with' && oneWay !== 'against' && oneWay !== 'no') return void tally.refuse(file, line, 'oneway', oneWay);
  taken.set(id, `${file}:${line}`);
  const name = property(properties, ['name']);
  const road = { id, nameZh: property(properties, ['name_zh', 'name:zh']) || name || id, nameEn: property(properties, ['name_en', 'name:en']) || name || id, roadClass: roadClass! };
  // Driven against its line: the line is turned round, so every one-way segment runs from → to.
  return { road, speedLimitKmh, oneWay: oneWay !== 'no', lines: oneWay === 'against' ? lines.map((points) => [...points].reverse()).reverse() : lines };
}

/** The roads of one GeoJSON file; ids already taken (by an earlier file of the import) are refused. */
export function roadsFrom(file: string, body: string, crs: Crs, tally: ImportTally, taken: Map<string, string>): RoadLines[] {
  return readFeatures(file, body).flatMap(({ feature, line }) => roadFrom(feature, file, line, crs, tally, taken) ?? []);
}

const keyOf = ([lon, lat]: LonLat) => `${Math.round(lon * 1e7)},${Math.round(lat * 1e7)}`;

/**
 * The routing graph: a node at each line's ends and at each point two lines (or one line twice)
 * share, numbered in order of longitude then latitude so the same lines give the same graph.
 */
export function roadGraph(roads: RoadLines[]): { roads: ImportedRoad[]; segments: ImportedSegment[] } {
  const uses = new Map<string, number>();
  for (const { lines } of roads) for (const points of lines) for (const point of points) uses.set(keyOf(point), (uses.get(keyOf(point)) ?? 0) + 1);
  const isNode = (points: LonLat[], i: number) => i === 0 || i === points.length - 1 || uses.get(keyOf(points[i]!))! > 1;
  const nodeKeys = new Set<string>();
  for (const { lines } of roads) for (const points of lines) points.forEach((point, i) => isNode(points, i) && nodeKeys.add(keyOf(point)));
  const order = [...nodeKeys].map((key) => [key, ...key.split(',').map(Number)] as [string, number, number]).sort((a, b) => a[1] - b[1] || a[2] - b[2]);
  const nodeId = new Map(order.map(([key], i) => [key, i + 1]));
  const segments: ImportedSegment[] = [];
  for (const { road, speedLimitKmh, oneWay, lines } of roads) {
    let count = 0;
    for (const points of lines) {
      let start = 0;
      for (let i = 1; i < points.length; i++) {
        if (!isNode(points, i)) continue;
        const line = points.slice(start, i + 1);
        const lengthM = line.reduce((sum, point, k) => (k === 0 ? 0 : sum + distanceMetres(line[k - 1]!, point)), 0);
        count += 1;
        segments.push({ id: `${road.id}-${count}`, roadId: road.id, fromNode: nodeId.get(keyOf(line[0]!))!, toNode: nodeId.get(keyOf(line.at(-1)!))!, lengthM, speedLimitKmh, oneWay, line });
        start = i;
      }
    }
  }
  return { roads: roads.map(({ road }) => road), segments };
}
