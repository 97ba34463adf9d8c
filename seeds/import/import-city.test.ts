import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteImport, zoneDate, zoneTimeOn, listBusProgress, migrate, persistPositionBatch, registerBuses, updateBusProgress, type Database } from '../../geo/index.ts';
import { testBackends } from '../../geo/test-support.ts';
import { ImportRefusedError, importCityData } from './import-city.ts';
import { sampleCity, sampleGtfsFolder, sampleGtfsZip, writeSampleDistricts } from './test-feeds.ts';

const work = mkdtempSync(join(tmpdir(), 'onescreen-import-'));
const districtsFile = writeSampleDistricts(work);
const [sampleZip, city] = [sampleGtfsZip, sampleCity];
const tables = ['districts', 'grid_cells', 'bus_stops', 'bus_routes', 'bus_route_stops', 'bus_shapes', 'bus_services', 'bus_service_dates', 'bus_trips', 'bus_trip_stops', 'bus_trip_frequencies', 'imports', 'city'];

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(testBackends())('importing a city on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db);
  }); // the suite's hook timeout: a fresh embedded database migrated took over 60 s on a loaded CI machine
  afterAll(() => db?.close());
  /** Every row of the import's tables, as text: what "changes nothing" is checked against. */
  const contents = async (): Promise<Record<string, string[]>> => Object.fromEntries(await Promise.all(tables.map(async (table) => [table, (await db.query(`SELECT t::text AS row FROM ${table} t ORDER BY 1`)).map((r) => r.row)])));

  it('imports districts (with grid cells) and a GTFS feed, changes nothing the second time, and removes both without a trace', async () => {
    const districts = await importCityData(db, { kind: 'districts', paths: [districtsFile], crs: 'wgs84', city });
    expect(districts.refused).toEqual([]);
    expect(districts.changes.find((change) => change.table === 'districts')).toMatchObject({ added: 2, changed: 0, removed: 0 });
    const cells = districts.changes.find((change) => change.table === 'grid_cells')!;
    // 0.16° × 0.18° at 52.4° N in 400-m squares: 28 columns by 51 rows, split at the boundary.
    expect(cells.added).toBeGreaterThan(1_300);
    const [owner] = await db.query<{ misplaced: number }>(`SELECT count(*)::int AS misplaced FROM grid_cells g JOIN districts d ON d.id = g.district_id WHERE NOT ST_Covers(ST_Buffer(d.geom, 1e-9), g.geom)`);
    expect(owner!.misplaced, 'each cell lies within its district').toBe(0);

    const gtfs = await importCityData(db, { kind: 'gtfs', paths: [sampleZip], crs: 'wgs84' });
    expect(gtfs.refused).toEqual([]);
    expect(gtfs.skipped).toMatchObject({ 'routes.txt: not a bus route (route_type 0)': 3 });
    const routes = await db.query<{ id: string; name: string; points: number; stops: string }>(
      `SELECT r.id, r.name_en AS name, ST_NPoints(r.geom) AS points, string_agg(rs.stop_id, ' ' ORDER BY rs.seq) AS stops
       FROM bus_routes r JOIN bus_route_stops rs ON rs.route_id = r.id GROUP BY r.id`,
    );
    // Route A is drawn on its longest trip's shape from shapes.txt, not on the line through its stops.
    expect(routes).toEqual([{ id: 'A', name: 'Ada Ada Lovelace Bus Line', points: expect.any(Number), stops: expect.any(String) }]);
    expect(routes[0]!.points).toBeGreaterThan(100);
    const trip = await db.query<{ seq: number; stop: string; arrival: number; fraction: number }>(
      `SELECT seq, stop_id AS stop, arrival_s AS arrival, fraction FROM bus_trip_stops WHERE trip_id = 'a-downtown-all-day' ORDER BY seq`,
    );
    expect(trip.map(({ seq, stop, arrival }) => [seq, stop, arrival])).toEqual([[3, 'airport-1', 15 * 3600 + 23 * 60], [4, 'museum', 15 * 3600 + 30 * 60], [5, 'center', 15 * 3600 + 35 * 60]]);
    expect(trip.map((stop) => stop.fraction)).toEqual([...trip.map((stop) => stop.fraction)].sort((a, b) => a - b));
    expect(trip.at(-1)!.fraction).toBeGreaterThan(0.9);
    const [row] = await db.query<{ id: string; name: string; source: string; holds: boolean }>(
      `SELECT profile AS id, name_zh AS name, source, ST_Covers(bounds, (SELECT ST_Collect(geom) FROM bus_shapes)) AS holds,
              ST_Covers(bounds, (SELECT geom FROM bus_stops WHERE id = 'lake')) AS stray FROM city`,
    );
    // The city is its districts: the feed's stop "lake", put at 52° N 13° E, does not stretch it.
    expect(row).toEqual({ id: 'sample-berlin', name: '样例柏林', source: 'imported', holds: true, stray: false });

    const before = await contents();
    const again = await importCityData(db, { kind: 'gtfs', paths: [sampleZip], crs: 'wgs84' });
    expect(again.changes.filter((change) => change.added + change.changed + change.removed > 0)).toEqual([]);
    const districtsAgain = await importCityData(db, { kind: 'districts', paths: [districtsFile], crs: 'wgs84' });
    expect(districtsAgain.changes.filter((change) => change.added + change.changed + change.removed > 0)).toEqual([]);
    const after = await contents();
    // Only the imports' own records carry the time they were last run.
    expect({ ...after, imports: [] }).toEqual({ ...before, imports: [] });

    // The districts file changed: one district left. Its cells and the other district go, in one go.
    const westOnly = join(work, 'west.geojson');
    const collection = JSON.parse(readFileSync(districtsFile, 'utf8')) as { features: { id?: string }[] };
    writeFileSync(westOnly, JSON.stringify({ ...collection, features: collection.features.filter((feature) => feature.id === 'west') }));
    const shrunk = await importCityData(db, { kind: 'districts', paths: [westOnly], crs: 'wgs84', name: 'districts' });
    expect(shrunk.changes.find((change) => change.table === 'districts')).toMatchObject({ removed: 1, unchanged: 1 });
    expect(shrunk.changes.find((change) => change.table === 'grid_cells')!.removed).toBeGreaterThan(500);
    expect(await db.query(`SELECT DISTINCT district_id FROM grid_cells`)).toEqual([{ district_id: 'west' }]);

    // Removed in either order, nothing stays.
    await expect(importCityData(db, { kind: 'districts', paths: [districtsFile], crs: 'wgs84', name: 'gtfs' })).rejects.toThrow('the import "gtfs" holds gtfs, not districts');
    expect(await deleteImport(db, 'gtfs')).toMatchObject({ bus_routes: 1, bus_trips: 2, bus_trip_stops: 6 });
    expect(await deleteImport(db, 'districts')).toMatchObject({ districts: 1 });
    expect(await deleteImport(db, 'districts')).toBeUndefined();
    const empty = await contents();
    expect(Object.entries(empty).filter(([, rows]) => rows.length > 0)).toEqual([]);
  }, 120_000);

  it('names the file, line and field of each broken row; --strict imports nothing, otherwise the rest goes in', async () => {
    const feed = join(work, `broken-${backend.name}`);
    cpSync(sampleGtfsFolder, feed, { recursive: true });
    /** Appends a row; returns the line it lands on. */
    const append = (file: string, row: string) => {
      const lines = readFileSync(join(feed, file), 'utf8').trimEnd().split('\n').length;
      appendFileSync(join(feed, file), `${readFileSync(join(feed, file), 'utf8').endsWith('\n') ? '' : '\n'}${row}\n`);
      return lines + 1;
    };
    const lines = {
      stop: append('stops.txt', 'bad-stop,,Bad Stop,,95.0,13.5,,0,,,,,'),
      stopTime: append('stop_times.txt', 'a-downtown-all-day,15:40:00,15:41:00,nowhere,6,,,'),
      calendar: append('calendar.txt', 'broken,1,1,1,1,1,0,0,20190230,20191231'),
      // The museum stop of a-downtown-all-day (line 3) given again.
      twice: append('stop_times.txt', 'a-downtown-all-day,15:40:00,15:41:00,center,4,,,'),
    };
    const expected = [
      `stops.txt:${lines.stop}: stop_lat: "95.0" is not a number from -90 to 90`,
      `calendar.txt:${lines.calendar}: start_date: "20190230" is not a date YYYYMMDD`,
      `stop_times.txt:${lines.stopTime}: stop_id: "nowhere" is no stop in stops.txt`,
      `stop_times.txt:${lines.twice}: trip_id, stop_sequence: "a-downtown-all-day", "4" are given to the row on line 3 too`,
    ];
    const strict = await importCityData(db, { kind: 'gtfs', paths: [feed], crs: 'wgs84', city, strict: true }).catch((error: unknown) => error);
    expect(strict).toBeInstanceOf(ImportRefusedError);
    expect((strict as ImportRefusedError).message.split('\n').slice(1)).toEqual(expected);
    expect(await contents().then((all) => Object.entries(all).filter(([, rows]) => rows.length > 0))).toEqual([]);

    const lenient = await importCityData(db, { kind: 'gtfs', paths: [feed], crs: 'wgs84', city, name: 'lenient' });
    expect(lenient.refused.map((r) => `${r.file}:${r.line}: ${r.field}: ${r.reason}`)).toEqual(expected);
    expect(lenient.changes.find((change) => change.table === 'bus_trip_stops')).toMatchObject({ added: 6 });
    await deleteImport(db, 'lenient');
  }, 120_000);

  it("measures a bus's delay against its imported trip's stop times, on the service day the feed names or the nearest", async () => {
    await importCityData(db, { kind: 'districts', paths: [districtsFile], crs: 'wgs84', city });
    await importCityData(db, { kind: 'gtfs', paths: [sampleZip], crs: 'wgs84' });
    await registerBuses(db, [{ id: 'bus-a1', label: 'A1', routeId: 'A' }]);
    // Yesterday in Berlin (the agency's zone), trip a-downtown-all-day leaves the museum at 15:31.
    const yesterday = zoneDate('Europe/Berlin', Date.now() - 86_400_000);
    const departsMuseum = zoneTimeOn('Europe/Berlin', yesterday, 15, 31);
    const [museum] = await db.query<{ lon: number; lat: number }>(`SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM bus_stops WHERE id = 'museum'`);
    /** The bus at the museum `lateS` after the trip's departure from there; returns its delay. */
    const reportAt = async (lateS: number, attributes: Record<string, string>) => {
      const at = departsMuseum + lateS * 1000;
      await db.transaction(async (tx) => {
        const moved = await persistPositionBatch(tx, [{ entityId: 'bus-a1', lon: museum!.lon, lat: museum!.lat, headingDeg: null, speedKmh: 0, eventTime: at, receivedAt: at, sourceId: 'test', attributes: { tripId: 'a-downtown-all-day', ...attributes } }]);
        await updateBusProgress(tx, moved.map((e) => e.id));
      });
      return (await listBusProgress(db)).find((bus) => bus.id === 'bus-a1')!.delayS;
    };
    // Without a start date, the nearer of today and yesterday: yesterday's trip, at the museum
    // 2 min before its arrival there (15:30): early. (Fixes only go forward: older ones are ignored.)
    expect(await reportAt(-179, {})).toBe(-119);
    // Standing there between its arrival and its departure: on time.
    expect(await reportAt(-30, {})).toBe(0);
    // The feed's start date names the service day: still there 4 min after its departure, late.
    expect(await reportAt(240, { startDate: yesterday.replaceAll('-', '') })).toBe(240);
    // Now the city has a history on the route: removing the timetable is refused, whole.
    await expect(deleteImport(db, 'gtfs')).rejects.toThrow(/^cannot remove "gtfs": its rows are referred to by the city's live records .*nothing was changed/);
    expect(await db.query(`SELECT id FROM bus_routes`)).toEqual([{ id: 'A' }]);
  }, 120_000);
});
