import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveVehiclePositions, simulateTimetable } from '../fixtures/index.ts';
import { readTimetable, type BusProgress, type FeedPosture, type LonLat } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { importCityData } from '../seeds/index.ts';
import { sampleCity, writeRunningSampleFeed, writeSampleDistricts } from '../seeds/import/test-feeds.ts';
import type { PositionEvent } from '../streams/index.ts';
import { readMetric, startTestServer, watchLive, type TestServer } from './test-server.ts';

// Every run of the imported timetable two minutes late: the delay the server must measure.
const lateS = 120;

// One back end: this is the imported city live on a server; seeds/import/import-city.test.ts imports on both.
describe.each(testBackends().slice(0, 1))('a city imported from GTFS and GeoJSON, live, on the $name database', (backend) => {
  const work = mkdtempSync(join(tmpdir(), 'onescreen-imported-'));
  let server: TestServer;
  let feed: Awaited<ReturnType<typeof serveVehiclePositions>>;
  let live: Awaited<ReturnType<typeof watchLive>>;
  const reports = new Subject<PositionEvent>();
  const running = { unsubscribe: () => {} };
  beforeAll(async () => {
    feed = await serveVehiclePositions(reports);
    // As a newcomer does: import the districts and the feed, then start.
    server = await startTestServer(backend, { TICK_MS: '200', GTFS_RT_URLS: feed.url, GTFS_RT_INTERVAL_MS: '1000' }, undefined, async (db) => {
      await importCityData(db, { kind: 'districts', paths: [writeSampleDistricts(work)], crs: 'wgs84', city: sampleCity });
      await importCityData(db, { kind: 'gtfs', paths: [writeRunningSampleFeed(work)], crs: 'wgs84' });
    });
    // The agency's AVL: buses on the imported trips, reporting every second to its GTFS-RT feed.
    const trips = await readTimetable(server.db);
    const subscription = simulateTimetable(trips, { seed: 7, reportEveryMs: 1_000, latenessS: [lateS, lateS] }).subscribe(reports);
    running.unsubscribe = () => subscription.unsubscribe();
    live = await watchLive(server, ['bus']);
  }, 120_000);
  afterAll(async () => {
    running.unsubscribe();
    live?.socket.close();
    await server?.close();
    await feed?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the buses of the real timetable on their trips’ shapes, with their delay against those trips', async () => {
    const city = (await (await server.api('/api/city')).json()) as { nameEn: string; districts: { id: string }[] };
    expect(city.nameEn).toBe('Sample Berlin');
    expect(city.districts.map((district) => district.id).sort()).toEqual(['east', 'west']);
    // Route A runs every 5 min each way and takes 12–13 min: at least four buses out at any time.
    let buses: BusProgress[] = [];
    for (let tries = 0; tries < 100 && buses.filter((bus) => bus.delayS !== null).length < 4; tries++) {
      buses = (await (await server.api('/api/buses')).json()) as BusProgress[];
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const timed = buses.filter((bus) => bus.delayS !== null);
    expect(timed.length).toBeGreaterThanOrEqual(4);
    // Between stops a bus is measured to the second. Standing at a stop (within 15 m along the
    // shape) from its arrival time to its departure time is on time, so a bus dwelling there
    // 2 min late is measured from the departure: up to the stop's dwell (a minute here) less.
    const atStop = new Set(
      (
        await server.db.query<{ id: string }>(
          `SELECT p.entity_id AS id FROM bus_progress p JOIN entities e ON e.id = p.entity_id JOIN bus_trips t ON t.id = p.trip_id JOIN bus_shapes sh ON sh.id = t.shape_id
           WHERE EXISTS (SELECT 1 FROM bus_trip_stops s WHERE s.trip_id = t.id AND abs(s.fraction - ST_LineLocatePoint(sh.geom, e.geom)) * ST_Length(sh.geom::geography) <= 15)`,
        )
      ).map((row) => row.id),
    );
    for (const bus of timed) expect(bus).toMatchObject({ routeId: 'A', tripId: expect.stringMatching(/^a-(downtown|outbound)-all-day$/) });
    const described = timed.map((bus) => `${bus.id}: ${bus.delayS} s late${atStop.has(bus.id) ? ', at a stop' : ''}`).join('; ');
    // Within 2 s either way, as between stops: positions and times come in whole seconds (CI saw 59 s).
    for (const bus of timed.filter((candidate) => atStop.has(candidate.id))) expect(bus.delayS! >= lateS - 60 - 2 && bus.delayS! <= lateS + 2, described).toBe(true);
    // The sample's shapes double back within 40 m of themselves in places: a bus there is taken
    // on the pass nearest its schedule, not the nearest pass (which had about half of them off).
    const between = timed.filter((bus) => !atStop.has(bus.id));
    expect(between.length, described).toBeGreaterThan(0);
    for (const bus of between) expect(Math.abs(bus.delayS! - lateS), described).toBeLessThanOrEqual(2);
    // Each bus on its own trip's shape (from shapes.txt), and on the socket clients' screens. Only
    // those read above: buses starting their trips since (a slow run took 12 s) are not in the list.
    const offShape = await server.db.query<{ id: string; metres: number }>(
      `SELECT e.id, ST_Distance(e.geom::geography, sh.geom::geography) AS metres
       FROM bus_progress p JOIN entities e ON e.id = p.entity_id JOIN bus_trips t ON t.id = p.trip_id JOIN bus_shapes sh ON sh.id = t.shape_id
       WHERE e.id = ANY($1)`,
      [buses.map((bus) => bus.id)],
    );
    expect(offShape.length).toBe(buses.filter((bus) => bus.tripId !== null).length);
    expect(offShape.filter((bus) => bus.metres > 1)).toEqual([]);
    for (const bus of timed) expect(await live.waitFor(bus.id), bus.id).toMatchObject({ kind: 'bus' });
  }, 60_000);

  it('checks the live feed against the timetable as the GTFS-RT validator does, on /metrics and the feeds board', async () => {
    const [shapeStart] = await server.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_StartPoint(sh.geom)) AS lon, ST_Y(ST_StartPoint(sh.geom)) AS lat FROM bus_trips t JOIN bus_shapes sh ON sh.id = t.shape_id WHERE t.id = 'a-downtown-all-day'`,
    );
    const north = ({ lon, lat }: { lon: number; lat: number }, metres: number): LonLat => [lon, lat + metres / 111_320];
    const bad = (entityId: string, at: LonLat, attributes: Record<string, string>, speedKmh: number | null = null): PositionEvent => ({
      type: 'position', sourceId: 'agency', entityId, lon: at[0], lat: at[1], headingDeg: null, speedKmh, eventTime: Date.now(), receivedAt: Date.now(), attributes: { routeId: 'A', ...attributes },
    });
    reports.next(bad('bad-trip', north(shapeStart!, 0), { tripId: 'no-such-trip' }));
    reports.next(bad('off-shape', north(shapeStart!, 500), { tripId: 'a-downtown-all-day' }));
    reports.next(bad('far-away', north(shapeStart!, 20_000), { tripId: 'a-downtown-all-day' }));
    reports.next(bad('too-fast', north(shapeStart!, 0), { tripId: 'a-downtown-all-day' }, 144));
    const issues = (rule: string) => readMetric(server.url, `onescreen_feed_quality_issues_total{rule="${rule}",source="gtfs-rt"}`);
    for (const [rule, least] of [['E003', 1], ['E029', 2], ['E028', 1], ['W004', 1]] as const) {
      await expect.poll(() => issues(rule), { timeout: 20_000, message: rule }).toBeGreaterThanOrEqual(least);
    }
    // The buses of the timetable on their shapes broke nothing.
    expect(await issues('E004')).toBe(0);
    // The feeds board lists them as quality issues, not refusals.
    await expect
      .poll(async () => ((await (await server.api('/api/posture?range=1h&boards=feeds')).json()) as { feeds: FeedPosture }).feeds.qualityByRule.map((q) => q.rule).sort(), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['E003', 'E028', 'E029', 'W004']));
  }, 60_000);
});
