// The wall on a city's own base map: a PMTiles archive on the server's disk, drawn under the live
// layers, and still not one request to anywhere but this server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cityVectorTiles, pmtilesArchive } from '../fixtures/test-tile-archives.ts';
import { distanceMetres } from '../geo/index.ts';
import { wgs84ToGcj02 } from '../streams/index.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { artifacts, openWall, wallTestContext, type OnescreenWindow } from './test-wall.ts';
import { congestionShown } from './wall-checks.ts';

const chromiumPath = inject('chromiumPath');
const dir = mkdtempSync(join(tmpdir(), 'onescreen-basemap-'));
const archive = join(dir, 'karamay.pmtiles');
const { tiles, description } = cityVectorTiles(generateCity(cityProfiles.karamay), 10, 14);
writeFileSync(archive, pmtilesArchive(tiles, description));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type ArchiveWindow = OnescreenWindow & { onescreen: { map: { querySourceFeatures(source: string, options: { sourceLayer: string }): unknown[]; getSource(id: string): { tiles?: string[] } | undefined } } };

describe.skipIf(!chromiumPath && !process.env.CI)('the wall on a PMTiles base map', () => {
  const wall = wallTestContext(chromiumPath, { BASE_MAP: archive });

  it('draws the archive’s water and roads from this server, and asks nothing of any other', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN', { width: 1920, height: 1080 });
    await page.waitForFunction(() => {
      const { map } = (window as unknown as ArchiveWindow).onescreen;
      return map.isSourceLoaded('archive') && map.querySourceFeatures('archive', { sourceLayer: 'water' }).length > 0 && map.querySourceFeatures('archive', { sourceLayer: 'roads' }).length > 0;
    }, undefined, { timeout: 30_000 });
    // The roads the archive holds are the city's: as many of them drawn as the archive has at this zoom.
    const roads = await page.evaluate(() => (window as unknown as ArchiveWindow).onescreen.map.querySourceFeatures('archive', { sourceLayer: 'roads' }).length);
    expect(roads).toBeGreaterThan(100);
    await page.screenshot({ path: join(artifacts, 'wall-pmtiles-1920x1080.png') });
    // The tiles came from this server's archive route, the only place the style names.
    expect(await page.evaluate(() => (window as unknown as ArchiveWindow).onescreen.map.getSource('archive')?.tiles)).toEqual([new URL('/api/basemap/tiles/{z}/{x}/{y}', wall.server.url).href.replace(/%7B/g, '{').replace(/%7D/g, '}')]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!chromiumPath && !process.env.CI)('the wall on a GCJ-02 base map', () => {
  const wall = wallTestContext(chromiumPath, { BASE_MAP: archive, BASE_MAP_CRS: 'gcj02' });

  it('draws every unit and the city’s overlays moved onto the map’s coordinates', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN', { width: 1920, height: 1080 });
    const cars = (await (await wall.server.api('/api/entities?kind=police-car')).json()) as { id: string; lon: number; lat: number }[];
    const drawn = await page.evaluate((ids) => {
      const { table } = (window as unknown as OnescreenWindow).onescreen;
      return ids.map((id) => {
        const slot = table.ids.indexOf(id);
        return [table.positions[2 * slot]!, table.positions[2 * slot + 1]!] as [number, number];
      });
    }, cars.map((car) => car.id));
    // Each where GCJ-02 puts it (about 200 m from its WGS-84 place in Karamay), to the frame's float32 precision.
    cars.forEach((car, i) => {
      expect(distanceMetres(drawn[i]!, wgs84ToGcj02([car.lon, car.lat])), car.id).toBeLessThan(1);
      expect(distanceMetres(drawn[i]!, [car.lon, car.lat])).toBeGreaterThan(150);
    });
    // The districts overlay as drawn: each corner where GCJ-02 puts the city's own.
    type Districts = { features: { geometry: { coordinates: [number, number][][] } }[] };
    const drawnDistricts = await page.evaluate(() => (window as unknown as { onescreen: { map: { getStyle(): { sources: Record<string, { data?: unknown }> } } } }).onescreen.map.getStyle().sources.districts!.data as Districts);
    const stored = (await (await wall.server.api('/api/basemap/districts.geojson')).json()) as Districts;
    expect(distanceMetres(drawnDistricts.features[0]!.geometry.coordinates[0]![0]!, wgs84ToGcj02(stored.features[0]!.geometry.coordinates[0]![0]!))).toBeLessThan(0.02);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!chromiumPath && !process.env.CI)('the wall on its city as vector tiles', () => {
  // What a city past 50,000 road segments gets by itself.
  const wall = wallTestContext(chromiumPath, { CITY_LAYERS: 'tiles' });

  it('draws the roads, grid and sites from this server’s tiles, and paints live traffic on them', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN', { width: 1920, height: 1080 });
    type TiledWindow = { onescreen: { map: { getSource(id: string): { type: string; tiles?: string[] } | undefined; querySourceFeatures(source: string, options: { sourceLayer: string }): unknown[] } } };
    await page.waitForFunction(() => {
      const { map } = (window as unknown as TiledWindow).onescreen;
      return ['roads', 'grid-cells', 'camera-sites'].every((layer) => map.querySourceFeatures(layer, { sourceLayer: layer }).length > 0);
    }, undefined, { timeout: 30_000 });
    const roads = await page.evaluate(() => (window as unknown as TiledWindow).onescreen.map.getSource('roads'));
    expect(roads?.type).toBe('vector');
    expect(roads?.tiles).toEqual([new URL('/api/basemap/city-tiles/roads/{z}/{x}/{y}', wall.server.url).href.replace(/%7B/g, '{').replace(/%7D/g, '}')]);
    await congestionShown(wall, page, { source: 'roads', sourceLayer: 'roads' });
    await page.screenshot({ path: join(artifacts, 'wall-city-tiles-1920x1080.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** A tile server on the city's own network: a MapLibre style and its vector tiles (the archive's), across origins. */
async function startStyleServer(): Promise<{ origin: string; server: Server }> {
  const byPath = new Map(tiles.map((tile) => [`/tiles/${tile.z}/${tile.x}/${tile.y}.pbf`, tile.data]));
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    const origin = `http://${req.headers.host}`;
    if (req.url === '/style.json') {
      const source = { type: 'vector', tiles: [`${origin}/tiles/{z}/{x}/{y}.pbf`], minzoom: 10, maxzoom: 14 };
      const layers = [
        { id: 'city-net-background', type: 'background', paint: { 'background-color': '#0b1622' } },
        { id: 'city-net-water', type: 'fill', source: 'city-net', 'source-layer': 'water', paint: { 'fill-color': '#173a5e' } },
        { id: 'city-net-roads', type: 'line', source: 'city-net', 'source-layer': 'roads', paint: { 'line-color': '#3b4b5e', 'line-width': 1 } },
      ];
      return void res.setHeader('content-type', 'application/json').end(JSON.stringify({ version: 8, sources: { 'city-net': source }, layers }));
    }
    const tile = byPath.get(req.url ?? '');
    if (!tile) return void res.writeHead(204).end();
    res.setHeader('content-type', 'application/vnd.mapbox-vector-tile').end(Buffer.from(tile));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe.skipIf(!chromiumPath && !process.env.CI)('the wall on a style from the city’s own network', () => {
  const env: NodeJS.ProcessEnv = {};
  let styleServer: { origin: string; server: Server };
  // Before the wall's server starts: it is told the style's URL.
  beforeAll(async () => {
    styleServer = await startStyleServer();
    env.BASE_MAP = `${styleServer.origin}/style.json`;
  });
  afterAll(() => new Promise<void>((resolve) => (styleServer ? styleServer.server.close(() => resolve()) : resolve())));
  const wall = wallTestContext(chromiumPath, env);

  it('draws the style’s own tiles under the city’s overlays, fetching from that host only', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN', { width: 1920, height: 1080 });
    type StyledWindow = { onescreen: { map: { getStyle(): { layers: { id: string }[] }; querySourceFeatures(source: string, options?: { sourceLayer: string }): unknown[] } } };
    await page.waitForFunction(() => {
      const { map } = (window as unknown as StyledWindow).onescreen;
      return map.querySourceFeatures('city-net', { sourceLayer: 'roads' }).length > 0 && map.querySourceFeatures('roads').length > 0;
    }, undefined, { timeout: 30_000 });
    const layers = await page.evaluate(() => (window as unknown as StyledWindow).onescreen.map.getStyle().layers.map((layer) => layer.id));
    // The style's layers first, the city's overlays over them; the style draws its own background and water.
    expect(layers.slice(0, 3)).toEqual(['city-net-background', 'city-net-water', 'city-net-roads']);
    expect(layers).toEqual(expect.arrayContaining(['roads-local', 'grid-cells-open', 'camera-sites', 'district-labels']));
    expect(layers).not.toContain('background');
    await page.screenshot({ path: join(artifacts, 'wall-style-url-1920x1080.png') });
    // The only requests outside the wall's own server went to the style's host, and the content policy let them through.
    const outside = problems.filter((problem) => problem.startsWith('outside request: '));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.filter((problem) => !problem.startsWith(`outside request: ${styleServer.origin}/`))).toEqual([]);
    expect(problems.filter((problem) => !outside.includes(problem))).toEqual([]);
    await page.close();
  });
});
