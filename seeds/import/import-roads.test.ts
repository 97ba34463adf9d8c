// Road centre lines as roads and a routing graph: split at the points lines share, not where they
// only cross (a bridge), speed limits where given, and a route that follows the imported streets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRoadRouter, deleteImport, distanceMetres, readRoadGraph, type LonLat } from '../../geo/index.ts';
import { testBackends } from '../../geo/test-support.ts';
import { importCityData } from './import-city.ts';
import { sampleCityDatabase } from './test-feeds.ts';

const work = mkdtempSync(join(tmpdir(), 'onescreen-roads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const road = (id: string, properties: object, coordinates: unknown, type = 'LineString') => ({ type: 'Feature', id, properties, geometry: { type, coordinates } });
const [west, junction, east, south, north, northEast] = [[13.42, 52.4], [13.44, 52.4], [13.46, 52.4], [13.44, 52.38], [13.44, 52.42], [13.46, 52.42]] as LonLat[] as [LonLat, LonLat, LonLat, LonLat, LonLat, LonLat];
const roadsFile = join(work, 'roads.geojson');
writeFileSync(
  roadsFile,
  JSON.stringify(
    {
      type: 'FeatureCollection',
      features: [
        road('A', { name: '友谊路', highway: 'primary', maxspeed: '50' }, [west, junction, east]),
        road('B', { name_zh: '准噶尔街', name_en: 'Junggar St', highway: 'residential' }, [south, junction, north]),
        // Over A without a shared point: a bridge, not an intersection.
        road('C', { highway: 'motorway' }, [[13.45, 52.39], [13.45, 52.41]]),
        road('D', { highway: 'footway' }, [[13.43, 52.41], [13.43, 52.42]]),
        road('E', { highway: 'tertiary', maxspeed: 'fast' }, [[13.5, 52.4], [13.51, 52.4]]),
        road('F', { class: '主干路' }, [13.5, 52.4], 'Point'),
        road('G', { class: '次干路', maxspeed: '30 mph' }, [[north, northEast], [[13.5, 52.45], [13.5, 52.46]]], 'MultiLineString'),
        // Drawn northwards, driven southwards only (OpenStreetMap's oneway=-1).
        road('H', { highway: 'residential', oneway: '-1' }, [east, northEast]),
        road('I', { highway: 'residential', oneway: 'sometimes' }, [[13.52, 52.4], [13.53, 52.4]]),
      ],
    },
    null,
    1,
  ),
);

describe.each(testBackends())('importing road centre lines on the $name database', (backend) => {
  const city = sampleCityDatabase(backend, work);

  it('splits lines at the points they share, keeps names, classes and limits, and names each bad line', async () => {
    const report = await importCityData(city.db, { kind: 'roads', paths: [roadsFile], crs: 'wgs84' });
    expect(report.refused.map((r) => `${r.field}: ${r.reason}`)).toEqual([
      'maxspeed: "fast" is not a speed from 5 to 150 km/h (a number, or "30 mph")',
      'geometry: is Point; a road is a LineString or MultiLineString',
      'oneway: "sometimes" is not a direction: give yes, no or -1 (driven against the line), as OpenStreetMap\'s oneway',
    ]);
    expect(report.skipped).toEqual({ 'roads.geojson: not a road for vehicles (footway)': 1 });
    expect(await city.db.query(`SELECT id, name_zh AS zh, name_en AS en, class FROM roads ORDER BY id`)).toEqual([
      { id: 'A', zh: '友谊路', en: '友谊路', class: 'arterial' },
      { id: 'B', zh: '准噶尔街', en: 'Junggar St', class: 'local' },
      { id: 'C', zh: 'C', en: 'C', class: 'expressway' },
      { id: 'G', zh: 'G', en: 'G', class: 'collector' },
      { id: 'H', zh: 'H', en: 'H', class: 'local' },
    ]);
    const segments = await city.db.query<{ id: string; from: number; to: number; metres: number; kmh: number }>(
      `SELECT id, from_node AS from, to_node AS to, length_m AS metres, speed_limit_kmh AS kmh FROM road_segments ORDER BY id`,
    );
    expect(segments.map((s) => [s.id, s.kmh])).toEqual([['A-1', 50], ['A-2', 50], ['B-1', 30], ['B-2', 30], ['C-1', 80], ['G-1', 48], ['G-2', 48], ['H-1', 30]]);
    // One-way: H as tagged, its line turned to run the way it is driven; C, a motorway, as OpenStreetMap implies.
    expect(await city.db.query(`SELECT id, ST_AsText(ST_StartPoint(geom)) AS start FROM road_segments WHERE one_way ORDER BY id`)).toEqual([
      { id: 'C-1', start: 'POINT(13.45 52.39)' },
      { id: 'H-1', start: 'POINT(13.46 52.42)' },
    ]);
    const byId = Object.fromEntries(segments.map((s) => [s.id, s]));
    // A and B meet at the junction, B and G at B's north end; C touches nothing.
    expect(byId['A-1']!.to).toBe(byId['B-1']!.to);
    expect(byId['B-2']!.to).toBe(byId['G-1']!.from);
    const others = segments.filter((s) => s.id !== 'C-1').flatMap((s) => [s.from, s.to]);
    expect(others).not.toContain(byId['C-1']!.from);
    expect(others).not.toContain(byId['C-1']!.to);
    expect(byId['A-1']!.metres).toBeCloseTo(distanceMetres(west, junction), 0);

    const again = await importCityData(city.db, { kind: 'roads', paths: [roadsFile], crs: 'wgs84' });
    expect(again.changes.map((c) => [c.table, c.added + c.changed + c.removed])).toEqual([['roads', 0], ['road_segments', 0]]);
    await expect(importCityData(city.db, { kind: 'roads', paths: [roadsFile], crs: 'wgs84', name: 'more-roads' })).rejects.toThrow(/the city's roads come from the import "roads": import all road files together/);
  });

  it('routes along the imported streets, through their intersections', async () => {
    const router = createRoadRouter(await readRoadGraph(city.db));
    const [route] = router.routesTo(north, [west]);
    // West along A to the junction, then north along B: 1.36 km + 2.22 km, not straight across.
    expect(route!.metres).toBeCloseTo(distanceMetres(west, junction) + distanceMetres(junction, north), -1);
    expect(route!.line).toContainEqual(junction);
  });

  it('drives a one-way street only its way, and walks it either way', async () => {
    const router = createRoadRouter(await readRoadGraph(city.db));
    const direct = distanceMetres(east, northEast);
    // Southwards down H; northwards round by A, B and G.
    expect(router.routesTo(east, [northEast])[0]!.metres).toBeCloseTo(direct, -1);
    expect(router.routesTo(northEast, [east])[0]!.metres).toBeCloseTo(distanceMetres(east, junction) + distanceMetres(junction, north) + distanceMetres(north, northEast), -1);
    expect(router.routesTo(northEast, [east], 'walk')[0]!.metres).toBeCloseTo(direct, -1);
    // Timed from a unit onwards (the coverage boards' search) as back from a case: the way round, and straight down H.
    const [down, round] = [router.routesTo(east, [northEast])[0]!, router.routesTo(northEast, [east])[0]!];
    expect(router.secondsFromNearest([northEast], [east])[0]).toBeCloseTo(down.seconds, 6);
    expect(router.secondsFromNearest([east], [northEast])[0]).toBeCloseTo(round.seconds, 6);
    expect(round.seconds).toBeGreaterThan(1.5 * down.seconds);
  });

  it('puts each imported camera on the road it stands by, and takes it off when the roads go', async () => {
    const cameras = join(work, 'cameras.csv');
    // 11 m north of A between the junction and the east end; and 600 m from any road.
    writeFileSync(cameras, 'id,name,lon,lat\ncam-a,A east,13.455,52.4001\ncam-far,Field,13.53,52.44\n');
    await importCityData(city.db, { kind: 'cameras', paths: [cameras], crs: 'wgs84' });
    const placed = () => city.db.query<{ id: string; segment: string | null }>(`SELECT id, segment_id AS segment FROM cameras ORDER BY id`);
    expect(await placed()).toEqual([{ id: 'cam-a', segment: 'A-2' }, { id: 'cam-far', segment: null }]);
    // Importing the roads again keeps the camera where it is; removing them frees it.
    await importCityData(city.db, { kind: 'roads', paths: [roadsFile], crs: 'wgs84' });
    expect(await placed()).toEqual([{ id: 'cam-a', segment: 'A-2' }, { id: 'cam-far', segment: null }]);
    expect(await deleteImport(city.db, 'roads')).toMatchObject({ roads: 5, road_segments: 8 });
    expect(await placed()).toEqual([{ id: 'cam-a', segment: null }, { id: 'cam-far', segment: null }]);
  });
});
