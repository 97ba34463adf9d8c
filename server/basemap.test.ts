// A city's own base map: a PMTiles or MBTiles archive on the server's disk, its tiles served by
// this server (the screens load nothing from outside it), or a style on the city's own network.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityVectorTiles, pmtilesArchive, writeMbtiles } from '../fixtures/test-tile-archives.ts';
import { distanceMetres } from '../geo/index.ts';
import { wgs84ToGcj02 } from '../streams/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const backend = testBackends().at(-1)!;
const dir = mkdtempSync(join(tmpdir(), 'onescreen-basemap-'));
const { tiles, description } = cityVectorTiles(generateCity(cityProfiles.karamay), 10, 13);
const archives = { pmtiles: join(dir, 'karamay.pmtiles'), mbtiles: join(dir, 'karamay.mbtiles') };
writeFileSync(archives.pmtiles, pmtilesArchive(tiles, description));
writeMbtiles(archives.mbtiles, tiles, description);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(Object.entries(archives))('a %s base map', (_format, path) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { BASE_MAP: path });
  });
  afterAll(() => server?.close());

  it('tells the screens what it holds', async () => {
    const city = (await (await server.api('/api/city')).json()) as { baseMap: unknown };
    expect(city.baseMap).toMatchObject({ kind: 'tiles', format: 'pbf', minzoom: 10, maxzoom: 13, vectorLayers: ['water', 'roads'] });
  });

  it('serves each tile as written, nothing where the archive has none, and refuses what is not a tile', async () => {
    for (const tile of [tiles[0]!, tiles.at(-1)!, tiles[Math.floor(tiles.length / 2)]!]) {
      const response = await server.api(`/api/basemap/tiles/${tile.z}/${tile.x}/${tile.y}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/vnd.mapbox-vector-tile');
      expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(tile.data))).toBe(true);
    }
    // Within the zooms, far from the city; and a zoom the archive does not have.
    expect((await server.api('/api/basemap/tiles/10/0/0')).status).toBe(204);
    expect((await server.api(`/api/basemap/tiles/15/${tiles[0]!.x * 32}/${tiles[0]!.y * 32}`)).status).toBe(204);
    for (const wrong of ['31/0/0', '3/8/0', 'a/b/c', '2/-1/0']) {
      const response = await server.api(`/api/basemap/tiles/${wrong}`);
      expect(response.status, wrong).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain('/api/basemap/tiles/{z}/{x}/{y}');
    }
    expect((await fetch(new URL(`/api/basemap/tiles/${tiles[0]!.z}/${tiles[0]!.x}/${tiles[0]!.y}`, server.url))).status, 'signed in only').toBe(401);
  });
});

describe('without a base map of its own', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it('draws the city’s own layers and says so when asked for a tile', async () => {
    const city = (await (await server.api('/api/city')).json()) as { baseMap: unknown; tiledLayers: string[] };
    expect(city.baseMap).toEqual({ kind: 'city' });
    // Karamay's ~2,000 road segments go as GeoJSON: tiles are for cities past 50,000.
    expect(city.tiledLayers).toEqual([]);
    const response = await server.api('/api/basemap/tiles/10/0/0');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('set BASE_MAP');
  });
});

describe('a style on the city’s own network', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { BASE_MAP: 'http://tiles.city.internal:8080/styles/dark/style.json' });
  });
  afterAll(() => server?.close());

  it('is named to the screens, and the pages may fetch from its host only', async () => {
    const response = await server.api('/api/city');
    expect(((await response.json()) as { baseMap: unknown }).baseMap).toEqual({ kind: 'style', url: 'http://tiles.city.internal:8080/styles/dark/style.json' });
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self' data: http://tiles.city.internal:8080;");
  });
});

describe('a base map in GCJ-02', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { BASE_MAP: archives.pmtiles, BASE_MAP_CRS: 'gcj02' });
  });
  afterAll(() => server?.close());

  it('tells the screens, and serves the city’s own layers moved onto it on request', async () => {
    expect(((await (await server.api('/api/city')).json()) as { baseMap: { crs?: string } }).baseMap.crs).toBe('gcj02');
    type Districts = { features: { id: string; geometry: { coordinates: [number, number][][] } }[] };
    const wgs84 = (await (await server.api('/api/basemap/districts.geojson')).json()) as Districts;
    const moved = (await (await server.api('/api/basemap/districts.geojson?crs=gcj02')).json()) as Districts;
    expect(moved.features.map((f) => f.id)).toEqual(wgs84.features.map((f) => f.id));
    wgs84.features.forEach((feature, i) =>
      feature.geometry.coordinates[0]!.forEach((at, k) => expect(distanceMetres(moved.features[i]!.geometry.coordinates[0]![k]!, wgs84ToGcj02(at))).toBeLessThan(0.02)),
    );
    expect(distanceMetres(moved.features[0]!.geometry.coordinates[0]![0]!, wgs84.features[0]!.geometry.coordinates[0]![0]!), 'Karamay is ~200 m off in GCJ-02').toBeGreaterThan(150);
    const wrong = await server.api('/api/basemap/districts.geojson?crs=bd09');
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toContain('wgs84 (the default) or gcj02');
  });
});

describe('a base map the server cannot use', () => {
  it('stops the start, naming the setting and what to do', async () => {
    const notSqlite = join(dir, 'broken.mbtiles');
    writeFileSync(notSqlite, 'not a database');
    const notPmtiles = join(dir, 'broken.pmtiles');
    writeFileSync(notPmtiles, Buffer.alloc(20_000, 7));
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.pmtiles'), /BASE_MAP=.*missing\.pmtiles: cannot open it \(ENOENT\); give the path of a readable PMTiles file/],
      [notSqlite, /BASE_MAP=.*broken\.mbtiles: .*MBTiles/],
      [notPmtiles, /BASE_MAP=.*broken\.pmtiles: not a PMTiles archive this server can read/],
      ['city.geojson', /BASE_MAP="city\.geojson": expected the path of a \.pmtiles or \.mbtiles file/],
    ];
    for (const [setting, message] of cases) await expect(startTestServer(backend, { BASE_MAP: setting }), setting).rejects.toThrow(message);
    await expect(startTestServer(backend, { BASE_MAP_CRS: 'gcj02' })).rejects.toThrow(/BASE_MAP_CRS says what BASE_MAP is drawn in, and BASE_MAP is not set/);
  });
});
