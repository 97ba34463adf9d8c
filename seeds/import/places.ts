// The places a city keeps as lists: police stations and camera sites (points, from GeoJSON or CSV
// with longitude and latitude columns), communities and grid cells (polygons, from GeoJSON). Each
// row checked, a bad one refused with its file, line and field.
import type { LonLat } from '../../geo/index.ts';
import { toWgs84, type Crs } from '../../streams/index.ts';
import { readCsv, readText, type FeedFile, type FileDigest, type OnBytes } from './feed-files.ts';
import { outerRing, readFeatures, text } from './geojson.ts';
import { check, type ImportTally } from './refusals.ts';

export const pointKinds = ['stations', 'cameras'] as const;
export const areaKinds = ['communities', 'grid-cells'] as const;
export type PlaceKind = (typeof pointKinds)[number] | (typeof areaKinds)[number];

/** A place as read: where it is, its names, the district the file gives (id or name), and its other fields. */
export interface PlaceRow {
  id: string;
  nameZh: string;
  nameEn: string;
  district: string | undefined;
  point?: LonLat;
  ring?: LonLat[];
  fields: Record<string, string>;
  file: string;
  line: number;
}

const singular: Record<PlaceKind, string> = { stations: 'a police station', cameras: 'a camera site', communities: 'a community', 'grid-cells': 'a grid cell' };
const isPointKind = (kind: PlaceKind) => (pointKinds as readonly string[]).includes(kind);

const firstOf = (fields: Record<string, unknown>, names: string[]) => names.map((name) => text(fields[name])).find(Boolean) ?? '';

/** The id, names and district every place has, from a feature's properties or a CSV row. */
function placeBasics(fields: Record<string, unknown>, featureId?: unknown) {
  const id = text(featureId) || firstOf(fields, ['id', 'code', 'adcode']);
  const name = firstOf(fields, ['name']);
  return {
    id,
    nameZh: firstOf(fields, ['name_zh']) || name || id,
    nameEn: firstOf(fields, ['name_en']) || name || id,
    district: firstOf(fields, ['district_id', 'district']) || undefined,
    fields: Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, text(value)])),
  };
}

const pointIn = (coordinates: unknown, crs: Crs): LonLat | string => {
  const [lon, lat] = Array.isArray(coordinates) ? (coordinates as unknown[]) : [];
  if (typeof lon !== 'number' || typeof lat !== 'number' || Math.abs(lon) > 180 || Math.abs(lat) > 90) return 'is not [longitude, latitude] in degrees';
  return toWgs84(crs, [lon, lat]);
};

function fromGeojson(kind: PlaceKind, file: string, body: string, crs: Crs, tally: ImportTally): PlaceRow[] {
  return readFeatures(file, body).flatMap(({ feature, line }): PlaceRow[] => {
    const basics = placeBasics(feature.properties ?? {}, feature.id);
    if (!isPointKind(kind)) {
      const ring = outerRing(feature.geometry, crs, singular[kind]);
      return typeof ring === 'string' ? (tally.refuse(file, line, 'geometry', ring), []) : [{ ...basics, ring, file, line }];
    }
    if (feature.geometry?.type !== 'Point') return (tally.refuse(file, line, 'geometry', `is ${feature.geometry?.type ?? 'missing'}; ${singular[kind]} is a Point`), []);
    const point = pointIn(feature.geometry.coordinates, crs);
    return typeof point === 'string' ? (tally.refuse(file, line, 'geometry', point), []) : [{ ...basics, point, file, line }];
  });
}

const lonColumns = ['lon', 'lng', 'longitude', 'x'];
const latColumns = ['lat', 'latitude', 'y'];

async function fromCsv(file: FeedFile, crs: Crs, tally: ImportTally, onBytes: OnBytes): Promise<{ rows: PlaceRow[]; digest: FileDigest }> {
  const rows: PlaceRow[] = [];
  const digest = await readCsv(
    file,
    (record, line) => {
      const [lon, lat] = [firstOf(record, lonColumns), firstOf(record, latColumns)];
      const problem = check.number(lon, -180, 180) ?? check.number(lat, -90, 90);
      if (problem) return tally.refuse(file.name, line, check.number(lon, -180, 180) ? 'lon' : 'lat', `${problem} (columns ${lonColumns.join('/')} and ${latColumns.join('/')})`);
      rows.push({ ...placeBasics(record), point: toWgs84(crs, [Number(lon), Number(lat)]), file: file.name, line });
    },
    onBytes,
  );
  return { rows, digest };
}

/** Reads one file of places: CSV for points, GeoJSON for either. */
export async function readPlaces(kind: PlaceKind, file: FeedFile, crs: Crs, tally: ImportTally, onBytes: OnBytes): Promise<{ rows: PlaceRow[]; digest: FileDigest }> {
  if (/\.csv$/i.test(file.name)) {
    if (!isPointKind(kind)) throw new Error(`${file.name}: a CSV holds no polygons; export the ${kind} as GeoJSON`);
    return fromCsv(file, crs, tally, onBytes);
  }
  const { text: body, digest } = await readText(file, onBytes);
  return { rows: fromGeojson(kind, file.name, body, crs, tally), digest };
}
