// GeoJSON layers of a city (districts first): each feature checked, a bad one refused with the file,
// the line its feature starts on, and the field.
import { type ImportedDistrict, type LonLat } from '../../geo/index.ts';
import { toWgs84, type Crs } from '../../streams/index.ts';
import type { ImportTally } from './refusals.ts';

export interface Feature {
  id?: string | number;
  geometry?: { type?: string; coordinates?: unknown } | null;
  properties?: Record<string, unknown> | null;
}

/** The offset each element of the top-level "features" array starts at, found without a second parser. */
function featureOffsets(text: string): number[] {
  const offsets: number[] = [];
  const key = /"features"\s*:\s*\[/g.exec(text);
  if (!key) return offsets;
  let depth = 0;
  let inString = false;
  for (let at = key.index + key[0].length; at < text.length; at++) {
    const char = text[at]!;
    if (inString) {
      if (char === '\\') at += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (depth === 0) offsets.push(at);
      depth += 1;
    } else if (char === '}' || char === ']') {
      if (depth === 0) break;
      depth -= 1;
    }
  }
  return offsets;
}

/** The features of a FeatureCollection with the line each starts on. */
export function readFeatures(file: string, text: string): { feature: Feature; line: number }[] {
  let parsed: { type?: string; features?: Feature[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message}); export the layer as GeoJSON`);
  }
  if (parsed.type !== 'FeatureCollection' || !Array.isArray(parsed.features)) throw new Error(`${file}: not a GeoJSON FeatureCollection; export the layer as GeoJSON`);
  const offsets = featureOffsets(text);
  const lineAt = (offset: number | undefined) => (offset === undefined ? 0 : text.slice(0, offset).split('\n').length);
  return parsed.features.map((feature, index) => ({ feature, line: lineAt(offsets[index]) }));
}

export const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '');

/** A polygon's outer ring as WGS-84, closed; a MultiPolygon gives its largest part. */
export function outerRing(geometry: Feature['geometry'], crs: Crs, what = 'a district'): LonLat[] | string {
  const polygons = geometry?.type === 'Polygon' ? [geometry.coordinates] : geometry?.type === 'MultiPolygon' ? (geometry.coordinates as unknown[]) : undefined;
  if (!polygons) return `is ${geometry?.type ?? 'missing'}; ${what} is a Polygon or MultiPolygon`;
  const rings = polygons.map((polygon) => (Array.isArray(polygon) ? (polygon[0] as unknown) : undefined));
  const valid = rings.filter((ring): ring is [number, number][] => Array.isArray(ring) && ring.every((at) => Array.isArray(at) && Number.isFinite(at[0]) && Number.isFinite(at[1]) && Math.abs(at[0]) <= 180 && Math.abs(at[1]) <= 90));
  if (valid.length !== rings.length) return 'has a coordinate that is not [longitude, latitude] in degrees';
  const span = (ring: [number, number][]) => ring.reduce((sum, at, i) => sum + (i === 0 ? 0 : ring[i - 1]![0] * at[1] - at[0] * ring[i - 1]![1]), 0);
  const largest = valid.sort((a, b) => Math.abs(span(b)) - Math.abs(span(a)))[0]!;
  const ring = largest.map((at) => toWgs84(crs, [at[0], at[1]]));
  const [first, last] = [ring[0]!, ring.at(-1)!];
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  return ring.length >= 4 ? ring : 'has fewer than three corners';
}

/**
 * Districts from a FeatureCollection: the id from the feature's `id` or its `id`, `code` or
 * `adcode` property; the names from `name_zh`/`name_en`, else `name`. Files read one after
 * another share `districts`, so an id is taken once across them.
 */
export function districtsFrom(file: string, body: string, crs: Crs, tally: ImportTally, districts = new Map<string, ImportedDistrict>()): ImportedDistrict[] {
  for (const { feature, line } of readFeatures(file, body)) {
    const properties = feature.properties ?? {};
    const id = text(feature.id) || text(properties.id) || text(properties.code) || text(properties.adcode);
    const name = text(properties.name);
    const [nameZh, nameEn] = [text(properties.name_zh) || name || id, text(properties.name_en) || name || id];
    const ring = outerRing(feature.geometry, crs);
    if (!id) tally.refuse(file, line, 'id', 'is empty; give each district an id (the feature id, or an id, code or adcode property)');
    else if (districts.has(id)) tally.refuse(file, line, 'id', `"${id}" is given to an earlier district too (in this file or one before it)`);
    else if (typeof ring === 'string') tally.refuse(file, line, 'geometry', ring);
    else districts.set(id, { id, nameZh, nameEn, ring });
  }
  return [...districts.values()];
}
