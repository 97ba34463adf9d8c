import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Database } from '../geo/index.ts';
import { resetDatabase, testBackends } from '../geo/test-support.ts';
import { CityMismatchError, cityProfiles, generateCity, loadCity } from './index.ts';

const counted = ['districts', 'communities', 'grid_cells', 'roads', 'road_segments', 'camera_sites', 'cameras', 'police_stations', 'bus_stops', 'bus_routes', 'entities'];
async function tableCounts(db: Database): Promise<Record<string, number>> {
  const entries = await Promise.all(counted.map(async (table) => [table, (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n] as const));
  return Object.fromEntries(entries);
}

describe.each(testBackends())('loading a city into the $name database', ({ open }) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await resetDatabase(db);
    await migrate(db);
  });

  it('stores every row the generator made, reports each step, and loading again is a no-op', async () => {
    const steps: string[] = [];
    expect(await loadCity(db, 'karamay', (p) => steps.push(p.step))).toBe('loaded');
    const city = generateCity(cityProfiles.karamay);
    expect(await tableCounts(db)).toEqual({
      districts: city.districts.length,
      communities: 84,
      grid_cells: city.gridCells.length,
      roads: city.roads.length,
      road_segments: city.roadSegments.length,
      camera_sites: 830,
      cameras: 1_710,
      police_stations: city.policeStations.length,
      bus_stops: city.busStops.length,
      bus_routes: city.busRoutes.length,
      entities: city.entities.length,
    });
    expect(steps).toEqual(expect.arrayContaining(['generating streets', 'road segments', 'entities', 'entity locations']));
    const unplaced = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM entities WHERE cell_id IS NULL OR district_id IS NULL');
    expect(unplaced[0]!.n).toBe(0);

    const before = await tableCounts(db);
    expect(await loadCity(db, 'karamay')).toBe('already-loaded');
    expect(await tableCounts(db)).toEqual(before);
  });

  it('refuses to load a second city over the first, saying how to proceed', async () => {
    await loadCity(db, 'dashiqiao');
    const failure = await loadCity(db, 'karamay').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CityMismatchError);
    expect((failure as Error).message).toMatch(/holds the city "dashiqiao", not "karamay"; set CITY=dashiqiao/);
    // Without CITY, whatever the database holds; a city that is neither here nor a demo is named.
    expect(await loadCity(db, undefined)).toBe('already-loaded');
    await expect(loadCity(db, 'atlantis')).rejects.toThrow(/holds the city "dashiqiao", not "atlantis"/);
  });
});

describe('the embedded database on disk', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-persist-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the loaded city across a restart', async () => {
    await testBackends()[0]!.openSettings({ dataDir });
    const first = await openDatabase({ backend: 'embedded', dataDir });
    await migrate(first);
    expect(await loadCity(first, 'dashiqiao')).toBe('loaded');
    const before = await tableCounts(first);
    await first.close();

    const second = await openDatabase({ backend: 'embedded', dataDir });
    try {
      expect(await migrate(second)).toEqual([]);
      expect(await loadCity(second, 'dashiqiao')).toBe('already-loaded');
      expect(await tableCounts(second)).toEqual(before);
    } finally {
      await second.close();
    }
  });
});
