// The base map's routes: the city's own layers as GeoJSON from PostGIS, and the tiles of the
// archive BASE_MAP names, both from this server.
import type { RequestHandler } from 'express';
import { basemapLayers, readBasemapLayer, type BaseMapSource, type BasemapLayer, type Database } from '../geo/index.ts';
import { wgs84ToGcj02 } from '../streams/index.ts';
import { ConfigError, type Config } from './config.ts';
import { openTileArchive, TileArchiveError, tileContentTypes, type TileArchive } from './tile-archive.ts';

export interface BaseMap {
  /** What the screens are told to draw (in GET /api/city). */
  source: BaseMapSource;
  archive: TileArchive | undefined;
  /** A style's origin, which the pages' content policy must let them fetch from. */
  styleOrigin: string | undefined;
}

/** Opens the tile archive BASE_MAP names; a file that cannot be served stops the start, saying why. */
export async function loadBaseMap(setting: Config['baseMap']): Promise<BaseMap> {
  if (!setting) return { source: { kind: 'city' }, archive: undefined, styleOrigin: undefined };
  const crs = setting.crs === 'gcj02' ? { crs: 'gcj02' as const } : {};
  if (setting.kind === 'style') return { source: { kind: 'style', url: setting.url, ...crs }, archive: undefined, styleOrigin: new URL(setting.url).origin };
  const archive = await openTileArchive(setting.path).catch((error: unknown) => {
    throw error instanceof TileArchiveError ? new ConfigError(error.message) : error;
  });
  return { source: { ...archive.info, ...crs }, archive, styleOrigin: undefined };
}

const tileCoordinate = /^\d{1,8}$/;

// Every [lon, lat] of a GeoJSON document moved to GCJ-02, at 7 decimals (about a centimetre).
const round7 = (degrees: number) => Math.round(degrees * 1e7) / 1e7;
const moveCoordinates = (value: unknown): unknown =>
  Array.isArray(value) && typeof value[0] === 'number' ? wgs84ToGcj02([value[0], value[1] as number]).map(round7) : Array.isArray(value) ? value.map(moveCoordinates) : value;
function inGcj02(geojson: string): string {
  return JSON.stringify(JSON.parse(geojson, (key, value: unknown) => (key === 'coordinates' ? moveCoordinates(value) : value)));
}

export function basemapApi(baseMap: BaseMap, db: () => Database): { layer: RequestHandler; tile: RequestHandler } {
  // The city's layers never change while the server runs: each is built once (per coordinate system).
  const layers = new Map<string, Promise<string>>();
  const read = (layer: BasemapLayer, crs: 'wgs84' | 'gcj02'): Promise<string> => {
    const key = `${layer} ${crs}`;
    if (!layers.has(key)) {
      const text = crs === 'wgs84' ? readBasemapLayer(db(), layer) : read(layer, 'wgs84').then(inGcj02);
      // A failed read is not kept: the next request tries again.
      layers.set(key, text.catch((error: unknown) => (layers.delete(key), Promise.reject(error))));
    }
    return layers.get(key)!;
  };
  return {
    layer: async (req, res) => {
      const layer = String(req.params.layer).replace(/\.geojson$/, '') as BasemapLayer;
      if (!basemapLayers.includes(layer)) {
        return void res.status(404).json({ error: `no base-map layer "${layer}"; layers are ${basemapLayers.join(', ')}` });
      }
      const crs = req.query.crs ?? 'wgs84';
      if (crs !== 'wgs84' && crs !== 'gcj02') return void res.status(400).json({ error: `crs=${String(crs)}: ask for wgs84 (the default) or gcj02, to draw on a GCJ-02 base map` });
      res.type('application/geo+json').send(await read(layer, crs));
    },
    tile: async (req, res) => {
      const { archive } = baseMap;
      if (!archive) return void res.status(404).json({ error: 'this server has no tile archive: the base map is drawn from the city’s own layers (set BASE_MAP to a .pmtiles or .mbtiles file to use one)' });
      const [z, x, y] = [req.params.z, req.params.x, String(req.params.y).replace(/\.\w+$/, '')].map((part) => (tileCoordinate.test(String(part)) ? Number(part) : NaN)) as [number, number, number];
      if (!(z <= 30 && x < 2 ** z && y < 2 ** z)) {
        return void res.status(400).json({ error: `no tile ${req.params.z}/${req.params.x}/${req.params.y}: ask /api/basemap/tiles/{z}/{x}/{y} with whole numbers, z ≤ 30 and x, y below 2^z` });
      }
      const data = await archive.tile(z, x, y);
      // Tiles are the same all day: the screens keep them an hour.
      res.set('Cache-Control', 'private, max-age=3600');
      // No content: nothing of the map here (MapLibre draws an empty tile).
      if (!data) return void res.status(204).end();
      res.type(tileContentTypes[archive.info.format]).send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    },
  };
}
