// The base map's routes: the city's own layers as GeoJSON from PostGIS, and the tiles of the
// archive BASE_MAP names, both from this server.
import type { RequestHandler } from 'express';
import { basemapLayers, countRoadSegments, readBasemapLayer, tiledCityRoadSegments, tiledLayers, type BaseMapSource, type BasemapLayer, type Database, type TiledLayer } from '../geo/index.ts';
import { cityTile } from './city-tiles.ts';
import { ConfigError, type Config } from './config.ts';
import { inGcj02 } from './map-geometry.ts';
import { TileCache } from './tile-cache.ts';
import { openTileArchive, TileArchiveError, tileContentTypes, type TileArchive } from './tile-archive.ts';

export interface BaseMap {
  /** What the screens are told to draw (in GET /api/city). */
  source: BaseMapSource;
  archive: TileArchive | undefined;
  /** A style's origin, which the pages' content policy must let them fetch from. */
  styleOrigin: string | undefined;
  /** How the city's own layers go to the screens (CITY_LAYERS). */
  cityLayers: Config['cityLayers'];
}

/** Opens the tile archive BASE_MAP names; a file that cannot be served stops the start, saying why. */
export async function loadBaseMap({ baseMap: setting, cityLayers }: Pick<Config, 'baseMap' | 'cityLayers'>): Promise<BaseMap> {
  if (!setting) return { source: { kind: 'city' }, archive: undefined, styleOrigin: undefined, cityLayers };
  const crs = setting.crs === 'gcj02' ? { crs: 'gcj02' as const } : {};
  if (setting.kind === 'style') return { source: { kind: 'style', url: setting.url, ...crs }, archive: undefined, styleOrigin: new URL(setting.url).origin, cityLayers };
  const archive = await openTileArchive(setting.path).catch((error: unknown) => {
    throw error instanceof TileArchiveError ? new ConfigError(error.message) : error;
  });
  return { source: { ...archive.info, ...crs }, archive, styleOrigin: undefined, cityLayers };
}

const tileCoordinate = /^\d{1,8}$/;
/** z/x/y of a tile route as numbers, or undefined when they name no tile. */
function tileOf(params: Record<string, unknown>): [number, number, number] | undefined {
  const [z, x, y] = [params.z, params.x, String(params.y).replace(/\.\w+$/, '')].map((part) => (tileCoordinate.test(String(part)) ? Number(part) : NaN)) as [number, number, number];
  return z <= 30 && x < 2 ** z && y < 2 ** z ? [z, x, y] : undefined;
}
const notATile = (params: Record<string, unknown>, route: string) => ({ error: `no tile ${String(params.z)}/${String(params.x)}/${String(params.y)}: ask ${route} with whole numbers, z ≤ 30 and x, y below 2^z` });
// The city's vector tiles kept for the screens (about 200 of a large city's densest).
const cityTileBudgetBytes = 32 * 1024 ** 2;

export function basemapApi(baseMap: BaseMap, db: () => Database) {
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
  const tiles = new TileCache(cityTileBudgetBytes);
  const crsOf = (query: Record<string, unknown>) => {
    const crs = query.crs ?? 'wgs84';
    return crs === 'wgs84' || crs === 'gcj02' ? crs : undefined;
  };
  const badCrs = (query: Record<string, unknown>) => ({ error: `crs=${String(query.crs)}: ask for wgs84 (the default) or gcj02, to draw on a GCJ-02 base map` });
  return {
    /** The city's layers the screens get as tiles: past the measured size, or as CITY_LAYERS says. */
    async tiledLayers(): Promise<TiledLayer[]> {
      const tiled = baseMap.cityLayers === 'auto' ? (await countRoadSegments(db())) > tiledCityRoadSegments : baseMap.cityLayers === 'tiles';
      return tiled ? [...tiledLayers] : [];
    },
    layer: (async (req, res) => {
      const layer = String(req.params.layer).replace(/\.geojson$/, '') as BasemapLayer;
      if (!basemapLayers.includes(layer)) {
        return void res.status(404).json({ error: `no base-map layer "${layer}"; layers are ${basemapLayers.join(', ')}` });
      }
      const crs = crsOf(req.query);
      if (!crs) return void res.status(400).json(badCrs(req.query));
      res.type('application/geo+json').send(await read(layer, crs));
    }) as RequestHandler,
    cityTile: (async (req, res) => {
      const layer = String(req.params.layer) as TiledLayer;
      if (!tiledLayers.includes(layer)) return void res.status(404).json({ error: `no tiled layer "${layer}"; tiled layers are ${tiledLayers.join(', ')}` });
      const tile = tileOf(req.params);
      if (!tile) return void res.status(400).json(notATile(req.params, `/api/basemap/city-tiles/${layer}/{z}/{x}/{y}`));
      const crs = crsOf(req.query);
      if (!crs) return void res.status(400).json(badCrs(req.query));
      const data = await tiles.get(`${layer} ${crs} ${tile.join('/')}`, () => cityTile(db(), layer, ...tile, crs));
      // The screens keep a tile a few minutes: a city imported again shows after a reload, soon.
      res.set('Cache-Control', 'private, max-age=300');
      if (data.byteLength === 0) return void res.status(204).end();
      res.type('application/vnd.mapbox-vector-tile').send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }) as RequestHandler,
    tile: (async (req, res) => {
      const { archive } = baseMap;
      if (!archive) return void res.status(404).json({ error: 'this server has no tile archive: the base map is drawn from the city’s own layers (set BASE_MAP to a .pmtiles or .mbtiles file to use one)' });
      const tile = tileOf(req.params);
      if (!tile) return void res.status(400).json(notATile(req.params, '/api/basemap/tiles/{z}/{x}/{y}'));
      const data = await archive.tile(...tile);
      // Tiles are the same all day: the screens keep them an hour.
      res.set('Cache-Control', 'private, max-age=3600');
      // No content: nothing of the map here (MapLibre draws an empty tile).
      if (!data) return void res.status(204).end();
      res.type(tileContentTypes[archive.info.format]).send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }) as RequestHandler,
  };
}
