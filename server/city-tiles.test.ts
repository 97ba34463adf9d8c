// A large city's own layers go to the screens as vector tiles cut by this server from PostGIS
// (CITY_LAYERS=tiles here; by itself past 50,000 road segments): each feature keyed by its id with
// its properties, where it lies, moved onto a GCJ-02 base map on request, on both back ends.
import { VectorTile, type VectorTileLayer } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceMetres, type LonLat } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { wgs84ToGcj02 } from '../streams/index.ts';
import { startTestServer, type TestServer } from './test-server.ts';

type Layer = { features: { id: string; properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }[] };

const tileOf = ([lon, lat]: LonLat, z: number): [number, number, number] => {
  const n = 2 ** z;
  const sin = Math.sin((lat * Math.PI) / 180);
  return [z, Math.floor(((lon + 180) / 360) * n), Math.floor((0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * n)];
};

describe.each(testBackends())('the city as vector tiles ($name)', (backend) => {
  let server: TestServer;
  let roads: Layer;
  beforeAll(async () => {
    server = await startTestServer(backend, { CITY_LAYERS: 'tiles' });
    roads = (await (await server.api('/api/basemap/roads.geojson')).json()) as Layer;
  });
  afterAll(() => server?.close());

  const tileLayer = async (layer: string, [z, x, y]: [number, number, number], query = ''): Promise<VectorTileLayer | undefined> => {
    const response = await server.api(`/api/basemap/city-tiles/${layer}/${z}/${x}/${y}${query}`);
    if (response.status === 204) return undefined;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/vnd.mapbox-vector-tile');
    return new VectorTile(new PbfReader(new Uint8Array(await response.arrayBuffer()))).layers[layer];
  };
  // Each feature as GeoJSON, back in degrees.
  const featuresOf = (layer: VectorTileLayer | undefined, [z, x, y]: [number, number, number]) =>
    Array.from({ length: layer?.length ?? 0 }, (_, i) => layer!.feature(i).toGeoJSON(x, y, z) as unknown as Layer['features'][number]);

  it('tells the screens which layers come as tiles', async () => {
    const city = (await (await server.api('/api/city')).json()) as { tiledLayers: string[] };
    expect(city.tiledLayers).toEqual(['roads', 'grid-cells', 'water', 'bus-routes', 'camera-sites', 'police-stations']);
  });

  it('cuts each layer where its features are, with their ids and properties', async () => {
    const segment = roads.features.find((feature) => feature.properties.class === 'local')!;
    const start = (segment.geometry.coordinates as LonLat[])[0]!;
    const street = tileOf(start, 15);
    const found = featuresOf(await tileLayer('roads', street), street).find((feature) => feature.properties.id === segment.id);
    expect(found?.properties).toMatchObject({ class: 'local', name_zh: segment.properties.name_zh, name_en: segment.properties.name_en });
    // A z15 tile unit is ~0.3 m here; the point may be cut at the tile's buffer, so the nearest vertex is compared.
    const vertices = (found!.geometry.type === 'LineString' ? [found!.geometry.coordinates as LonLat[]] : (found!.geometry.coordinates as LonLat[][])).flat();
    expect(Math.min(...vertices.map((at) => distanceMetres(at, start)))).toBeLessThan(1);

    // Local streets are left out of a tile of the whole city; arterials are there.
    const city = tileOf(start, 10);
    const classes = new Set(featuresOf(await tileLayer('roads', city), city).map((feature) => feature.properties.class));
    expect(classes.has('local')).toBe(false);
    expect(classes.has('arterial')).toBe(true);

    const cells = (await (await server.api('/api/basemap/grid-cells.geojson')).json()) as Layer;
    const cell = cells.features[0]!;
    const corner = (cell.geometry.coordinates as LonLat[][])[0]![0]!;
    const cellTile = tileOf(corner, 14);
    const tiledCell = featuresOf(await tileLayer('grid-cells', cellTile), cellTile).find((feature) => feature.properties.id === cell.id);
    expect(tiledCell?.geometry.type).toBe('Polygon');
    expect(tiledCell?.properties.district_id).toBe(cell.properties.district_id);
  });

  it('moves them onto a GCJ-02 base map when asked', async () => {
    const sites = (await (await server.api('/api/basemap/camera-sites.geojson')).json()) as Layer;
    const site = sites.features[0]!;
    const moved = wgs84ToGcj02(site.geometry.coordinates as LonLat);
    const tile = tileOf(moved, 15);
    const found = featuresOf(await tileLayer('camera-sites', tile, '?crs=gcj02'), tile).find((feature) => feature.properties.id === site.id);
    expect(distanceMetres(found!.geometry.coordinates as LonLat, moved)).toBeLessThan(1);
    expect(distanceMetres(moved, site.geometry.coordinates as LonLat), 'Karamay is ~200 m off in GCJ-02').toBeGreaterThan(150);
  });

  it('answers no content far from the city and refuses what is not a tile, saying what is', async () => {
    expect(await tileLayer('roads', [10, 0, 0])).toBeUndefined();
    const cases: [string, number, string][] = [
      ['roads/31/0/0', 400, '/api/basemap/city-tiles/roads/{z}/{x}/{y}'],
      ['roads/3/8/0', 400, 'x, y below 2^z'],
      ['districts/3/0/0', 404, 'tiled layers are roads, grid-cells'],
      ['roads/3/0/0?crs=bd09', 400, 'wgs84 (the default) or gcj02'],
    ];
    for (const [path, status, message] of cases) {
      const response = await server.api(`/api/basemap/city-tiles/${path}`);
      expect(response.status, path).toBe(status);
      expect(((await response.json()) as { error: string }).error).toContain(message);
    }
    expect((await fetch(new URL('/api/basemap/city-tiles/roads/10/0/0', server.url))).status, 'signed in only').toBe(401);
  });
});
