// A city's lists of places: police stations and cameras from CSV or GeoJSON points, communities and
// grid cells from GeoJSON polygons, each in its district, each bad row named by file, line and field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteImport, distanceMetres, type LonLat } from '../../geo/index.ts';
import { wgs84ToGcj02 } from '../../streams/index.ts';
import { testBackends } from '../../geo/test-support.ts';
import { importCityData } from './import-city.ts';
import { sampleCityDatabase } from './test-feeds.ts';

const work = mkdtempSync(join(tmpdir(), 'onescreen-places-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const write = (name: string, body: string) => (writeFileSync(join(work, name), body), join(work, name));
const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features }, null, 1);
const square = (west: number, south: number, size: number) => [[[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]];
const station: LonLat = [13.45, 52.4];

const stationsCsv = write(
  'stations.csv',
  [
    'id,name,lon,lat,district',
    `ps-1,Westwache,${station[0]},${station[1]},`,
    'ps-2,Ostwache,13.5,52.45,',
    'ps-3,Named,13.5,52.45,West', // the file's district wins over where it lies
    'ps-4,Far away,10.0,50.0,', // line 5: outside every district
    'ps-5,Bad latitude,13.5,95,', // line 6
    'ps-1,Again,13.46,52.41,', // line 7: repeats line 2's id
    'ps-6,Unknown district,13.5,52.45,Nowhere', // line 8
  ].join('\n'),
);
const camerasGeojson = write(
  'cameras.geojson',
  collection([
    { type: 'Feature', id: 'cam-1', properties: { name: 'Gate', kind: 'e-police', heading: 90 }, geometry: { type: 'Point', coordinates: [13.47, 52.43] } },
    { type: 'Feature', id: 'cam-2', properties: { name: 'Square' }, geometry: { type: 'Point', coordinates: [13.52, 52.43] } },
    { type: 'Feature', id: 'cam-3', properties: { kind: 'drone' }, geometry: { type: 'Point', coordinates: [13.52, 52.44] } },
    { type: 'Feature', id: 'cam-4', properties: {}, geometry: { type: 'LineString', coordinates: [[13.52, 52.44], [13.53, 52.45]] } },
  ]),
);
const communitiesGeojson = write(
  'communities.geojson',
  collection([
    { type: 'Feature', properties: { id: 'c-1', name_zh: '花园社区', population: 4200 }, geometry: { type: 'Polygon', coordinates: square(13.41, 52.35, 0.01) } },
    { type: 'Feature', properties: { id: 'c-2', residents: 'many' }, geometry: { type: 'Polygon', coordinates: square(13.5, 52.35, 0.01) } },
  ]),
);
const cellsGeojson = write(
  'cells.geojson',
  collection([
    { type: 'Feature', id: 'W-01', properties: {}, geometry: { type: 'Polygon', coordinates: square(13.4, 52.34, 0.08) } },
    { type: 'Feature', id: 'E-01', properties: {}, geometry: { type: 'Polygon', coordinates: square(13.48, 52.34, 0.08) } },
  ]),
);

describe.each(testBackends())('importing a city’s places on the $name database', (backend) => {
  const city = sampleCityDatabase(backend, work);

  it('takes police stations from CSV into their districts and names every bad row', async () => {
    const report = await importCityData(city.db, { kind: 'stations', paths: [stationsCsv], crs: 'wgs84' });
    expect(report.refused.map((r) => `${r.file}:${r.line}: ${r.field}`).sort()).toEqual(['stations.csv:5: geometry', 'stations.csv:6: lat', 'stations.csv:7: id', 'stations.csv:8: district']);
    expect(report.refused.find((r) => r.line === 7)!.reason).toBe('"ps-1" is given at stations.csv:2 too');
    expect(report.refused.find((r) => r.line === 5)!.reason).toContain('lies outside every district');
    expect(await city.db.query(`SELECT id, district_id AS district FROM police_stations ORDER BY id`)).toEqual([
      { id: 'ps-1', district: 'west' },
      { id: 'ps-2', district: 'east' },
      { id: 'ps-3', district: 'west' },
    ]);
    const again = await importCityData(city.db, { kind: 'stations', paths: [stationsCsv], crs: 'wgs84' });
    expect(again.changes.find((c) => c.table === 'police_stations')).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 3 });
  });

  it('places a GCJ-02 list at its WGS-84 points', async () => {
    const [lon, lat] = wgs84ToGcj02(station);
    const file = write('gcj-stations.csv', `id,name,lng,latitude\nps-gcj,火车站派出所,${lon.toFixed(7)},${lat.toFixed(7)}\n`);
    await importCityData(city.db, { kind: 'stations', paths: [file], crs: 'gcj02', name: 'gcj-stations' });
    const [row] = await city.db.query<{ lon: number; lat: number }>(`SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM police_stations WHERE id = 'ps-gcj'`);
    expect(distanceMetres([row!.lon, row!.lat], station)).toBeLessThan(0.05);
    await deleteImport(city.db, 'gcj-stations');
  });

  it('takes camera sites with one camera each, and communities with their residents', async () => {
    const cameras = await importCityData(city.db, { kind: 'cameras', paths: [camerasGeojson], crs: 'wgs84' });
    expect(cameras.refused.map((r) => `${r.field}: ${r.reason}`).sort()).toEqual(['geometry: is LineString; a camera site is a Point', 'kind: "drone" is not one of hd-video, e-police, smart-light']);
    expect(cameras.refused.every((r) => r.file === 'cameras.geojson' && r.line > 1)).toBe(true);
    expect(await city.db.query(`SELECT s.id, s.kind, s.district_id AS district, c.heading_deg AS heading FROM camera_sites s JOIN cameras c ON c.site_id = s.id ORDER BY s.id`)).toEqual([
      { id: 'cam-1', kind: 'e-police', district: 'west', heading: 90 },
      { id: 'cam-2', kind: 'hd-video', district: 'east', heading: 0 },
    ]);
    const communities = await importCityData(city.db, { kind: 'communities', paths: [communitiesGeojson], crs: 'wgs84' });
    expect(communities.refused.map((r) => `${r.field}: ${r.reason}`)).toEqual(['residents: "many" is not a whole number of at least 0']);
    expect(await city.db.query(`SELECT id, name_zh AS name, residents, district_id AS district FROM communities`)).toEqual([{ id: 'c-1', name: '花园社区', residents: 4200, district: 'west' }]);
  });

  it('replaces the proposed grid cells with the city’s own, and removes them again', async () => {
    const [proposed] = await city.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_cells WHERE import_name = 'districts'`);
    expect(proposed!.n).toBeGreaterThan(1_000);
    const cells = await importCityData(city.db, { kind: 'grid-cells', paths: [cellsGeojson], crs: 'wgs84' });
    expect(cells.changes.find((c) => c.table === 'grid_cells')).toMatchObject({ added: 2 });
    expect(await city.db.query(`SELECT id, district_id AS district, import_name AS import FROM grid_cells ORDER BY id`)).toEqual([
      { id: 'E-01', district: 'east', import: 'grid-cells' },
      { id: 'W-01', district: 'west', import: 'grid-cells' },
    ]);
    // Importing the districts again proposes nothing over the city's own cells.
    await importCityData(city.db, { kind: 'districts', paths: [join(work, 'districts.geojson')], crs: 'wgs84' });
    expect((await city.db.query(`SELECT id FROM grid_cells`)).length).toBe(2);
    expect(await deleteImport(city.db, 'grid-cells')).toEqual({ grid_cells: 2 });
    expect(await city.db.query(`SELECT id FROM grid_cells`)).toEqual([]);
  });
});
