// The city's layers as a GCJ-02 base map draws them: every [lon, lat] moved, exactly, point by point.
import { round7, wgs84ToGcj02 } from '../streams/index.ts';

const moveCoordinates = (value: unknown): unknown =>
  Array.isArray(value) && typeof value[0] === 'number' ? wgs84ToGcj02([value[0], value[1] as number]).map(round7) : Array.isArray(value) ? value.map(moveCoordinates) : value;
const movingCoordinates = (key: string, value: unknown) => (key === 'coordinates' ? moveCoordinates(value) : value);

/** A GeoJSON document (a layer, a geometry) moved onto GCJ-02. */
export function inGcj02(geojson: string): string {
  return JSON.stringify(JSON.parse(geojson, movingCoordinates));
}

/** A GeoJSON Feature's text, parsed, in the coordinates of the map it is drawn on. */
export function onMap(feature: string, crs: 'wgs84' | 'gcj02'): GeoJSON.Feature {
  return JSON.parse(feature, crs === 'gcj02' ? movingCoordinates : undefined) as GeoJSON.Feature;
}
