// Vector tiles of the city's own layers (a city too large for one GeoJSON per layer): PostGIS
// gives the features of a tile, cut to it; MapLibre's own geojson-vt makes them one tile (projected,
// simplified, wound as MVT wants), after they are moved onto a GCJ-02 base map where there is one
// (per point, exactly); vt-pbf encodes it.
import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { readTileFeatures, type Database, type TiledLayer } from '../geo/index.ts';
import { onMap } from './map-geometry.ts';

type TileCrs = 'wgs84' | 'gcj02';

const extent = 4096;
// Tile units read past each edge (ST_AsMVTGeom's default): lines and fills crossing an edge join up.
const buffer = 64;
// A GCJ-02 offset is under ~700 m: a tile of a GCJ-02 map reads this much further of WGS-84 features.
const gcj02MarginDeg = 0.01;

const lonOf = (x: number, z: number) => (x / 2 ** z) * 360 - 180;
const latOf = (y: number, z: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;

/** [west, south, east, north] of what tile z/x/y shows, with its buffer. */
function tileBox(z: number, x: number, y: number, crs: TileCrs): [number, number, number, number] {
  const pad = buffer / extent;
  const margin = crs === 'gcj02' ? gcj02MarginDeg : 0;
  return [lonOf(x - pad, z) - margin, latOf(y + 1 + pad, z) - margin, lonOf(x + 1 + pad, z) + margin, latOf(y - pad, z) + margin];
}

/** Tile z/x/y of a layer as MVT (one layer, named as the layer); empty when nothing of it is there. */
export async function cityTile(db: Database, layer: TiledLayer, z: number, x: number, y: number, crs: TileCrs): Promise<Uint8Array> {
  const features = (await readTileFeatures(db, layer, z, tileBox(z, x, y, crs))).map((feature) => onMap(feature, crs));
  if (features.length === 0) return new Uint8Array(0);
  const tile = geoJSONToTile({ type: 'FeatureCollection', features }, z, x, y, { extent, buffer, clip: true });
  if (tile.features.length === 0) return new Uint8Array(0);
  return fromGeojsonVt({ [layer]: tile }, { version: 2, extent });
}
