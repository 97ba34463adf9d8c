import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveVehiclePositions } from '../fixtures/index.ts';
import { bearingDeg, cumulativeLengths, type BusProgress, type LonLat } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { LiveEntity, PositionEvent } from '../streams/index.ts';
import { startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const routeOf = (id: string) => karamay.busRoutes.find((route) => route.id === id)!;
const [route1, route2] = [routeOf('route-001'), routeOf('route-002')];
const mid = Math.floor(route1.line.length / 2);
const [a, b] = [route1.line[mid]!, route1.line[mid + 1]!];
const between = (t: number): LonLat => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
/** ST_LineLocatePoint's answer: the fraction of the line's planar (degree) length up to a vertex. */
function planarFraction(line: LonLat[], vertex: number): number {
  const lengths = line.slice(1).map((p, i) => Math.hypot(p[0] - line[i]![0], p[1] - line[i]![1]));
  return lengths.slice(0, vertex).reduce((x, y) => x + y, 0) / lengths.reduce((x, y) => x + y, 0);
}
// bus-0001 reports on a trip that left two minutes late by the timetable.
const reportedAt = Math.floor(Date.now() / 1000) * 1000;
const runningTimeS = cumulativeLengths(route1.line).at(-1)! / (route1.scheduledSpeedKmh / 3.6);
const departureMs = Math.floor((reportedAt - planarFraction(route1.line, mid) * runningTimeS * 1000 - 120_000) / 60_000) * 60_000;
const local = new Date(departureMs + route1.utcOffsetMin * 60_000);
const timetabledTrip = `${route1.id}:out:${String(local.getUTCHours()).padStart(2, '0')}${String(local.getUTCMinutes()).padStart(2, '0')}`;
const expectedDelayS = (reportedAt - departureMs) / 1000 - planarFraction(route1.line, mid) * runningTimeS;

const report = (entityId: string, at: LonLat, routeId: string, extra: Record<string, string> = {}): PositionEvent => ({
  type: 'position',
  sourceId: 'agency',
  entityId,
  lon: at[0],
  lat: at[1],
  headingDeg: Math.round(bearingDeg(a, b)),
  speedKmh: 25,
  eventTime: reportedAt,
  receivedAt: Date.now(),
  attributes: { routeId, tripId: `${routeId}:out:1`, stopId: 'stop-x', stopStatus: 'IN_TRANSIT_TO', ...extra },
});

// One back end: this is about the protocol; geo/buses.test.ts writes bus progress on both.
describe.each(testBackends().slice(0, 1))('GTFS-RT ingest on the $name database', (backend) => {
  let server: TestServer;
  let feed: Awaited<ReturnType<typeof serveVehiclePositions>>;
  let live: Awaited<ReturnType<typeof watchLive>>;
  beforeAll(async () => {
    const reports = new Subject<PositionEvent>();
    feed = await serveVehiclePositions(reports);
    reports.next(report('bus-0001', a, route1.id, { tripId: timetabledTrip }));
    reports.next(report('bus-0002', between(0.3), route1.id));
    reports.next(report('agency-bus-9', route2.line[1]!, route2.id, { label: 'K9' }));
    server = await startTestServer(backend, { TICK_MS: '200', GTFS_RT_URLS: feed.url, GTFS_RT_INTERVAL_MS: '1000' });
    live = await watchLive(server, ['bus']);
  });
  afterAll(async () => {
    live?.socket.close();
    await server?.close();
    await feed?.close();
  });

  it('polls the feed, registers a bus it has not seen, and pushes the joined positions', async () => {
    for (const id of ['agency-bus-9', 'bus-0001', 'bus-0002']) expect(await live.waitFor(id), id).toBeDefined();
    const reported = [...live.latest.values()].filter((row) => row.fixTime !== null);
    expect(reported.map((row) => row.id).sort()).toEqual(['agency-bus-9', 'bus-0001', 'bus-0002']);
    expect(live.latest.get('agency-bus-9')).toMatchObject({ kind: 'bus', label: 'K9' });
    const buses = (await (await server.api('/api/entities?kind=bus')).json()) as LiveEntity[];
    expect(buses).toHaveLength(401);
    expect(buses.find((bus) => bus.id === 'agency-bus-9')).toMatchObject({ cellId: expect.stringMatching(/^cell-/), districtId: expect.stringMatching(/^d-/) });
  });

  it('tracks route progress along the shape and flags two buses running together', async () => {
    let progress: BusProgress[] = [];
    for (let i = 0; i < 50 && progress.length < 3; i++) {
      progress = (await (await server.api('/api/buses')).json()) as BusProgress[];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const of = (id: string) => progress.find((p) => p.id === id)!;
    expect(of('bus-0001')).toMatchObject({ routeId: route1.id, tripId: timetabledTrip, stopId: 'stop-x', stopStatus: 'IN_TRANSIT_TO', bunchedWith: 'bus-0002' });
    // The test measures the route on a sphere, PostGIS on the spheroid: seconds apart on a city route.
    expect(Math.abs(of('bus-0001').delayS! - expectedDelayS)).toBeLessThan(15);
    expect(expectedDelayS).toBeGreaterThan(100);
    expect(of('bus-0001').progress).toBeCloseTo(planarFraction(route1.line, mid), 3);
    expect(of('bus-0002')).toMatchObject({ bunchedWith: 'bus-0001' });
    expect(of('bus-0002').progress).toBeGreaterThan(of('bus-0001').progress);
    expect(of('agency-bus-9')).toMatchObject({ routeId: route2.id, bunchedWith: null, delayS: null });
  });
});
