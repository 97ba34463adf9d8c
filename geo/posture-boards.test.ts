import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import {
  persistCameraEvents,
  persistCameraReadings,
  persistFeedCounts,
  persistPositionBatch,
  pruneHistory,
  readBusPosture,
  readFeedPosture,
  readTrafficPosture,
  updateBusProgress,
  type Database,
} from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const day = { from: Date.parse('2026-11-20T00:00:00Z'), to: Date.parse('2026-11-21T00:00:00Z'), bucketMs: 3_600_000, districtId: null, cellId: null };
const at = (iso: string) => Date.parse(iso);
/** A day of hourly buckets, `empty` but those given. */
const hours = <T>(values: Record<number, T>, empty: T) => Array.from({ length: 24 }, (_, hour) => values[hour] ?? empty);
const silentAfterMs = 180_000;

// Four cameras on four different segments, the first two in different districts.
const segmentOf = new Map(city.roadSegments.map((segment) => [segment.id, segment]));
const districtOf = new Map(city.cameraSites.map((site) => [site.id, site.districtId]));
const onOwnSegment = city.cameras.filter((camera, i, all) => all.findIndex((other) => other.segmentId === camera.segmentId) === i);
const camA = onOwnSegment[0]!;
const camB = onOwnSegment.find((camera) => districtOf.get(camera.siteId) !== districtOf.get(camA.siteId))!;
const [camC, camD] = onOwnSegment.filter((camera) => camera !== camA && camera !== camB);
const limitOf = (camera: { segmentId: string }) => segmentOf.get(camera.segmentId)!.speedLimitKmh;
const reading = (camera: { id: string }, iso: string | number, volume: number, meanSpeedKmh: number | null) => {
  const eventTime = typeof iso === 'number' ? iso : at(iso);
  return { cameraId: camera.id, eventTime, receivedAt: eventTime + 5_000, sourceId: 'test', periodS: 60, volume, occupancyPct: 10, meanSpeedKmh };
};

describe.each(testBackends())('the traffic, bus and feed boards on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('counts traffic by district and bucket, and the slowest segments and the cameras online now, as by hand', async () => {
    const [a, b] = [limitOf(camA), limitOf(camB)];
    await persistCameraReadings(db, [
      reading(camA, '2026-11-20T01:10:00Z', 10, a / 2), // ratio 2, weight 10
      reading(camA, '2026-11-20T01:20:00Z', 30, a), // ratio 1, weight 30
      reading(camB, '2026-11-20T02:05:00Z', 0, 2), // a standstill counts as 5 km/h: ratio b / 5, weight 1
      reading(camB, '2026-11-20T02:06:00Z', 0, null), // no speed: not in the index
      reading(camA, '2026-11-21T00:30:00Z', 10, a / 3), // after the window
    ]);
    // A camera re-sending a period adds nothing.
    await persistCameraReadings(db, [reading(camA, '2026-11-20T01:10:00Z', 10, a / 2)]);
    const recent = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    await persistCameraReadings(db, [reading(camC!, recent, 20, limitOf(camC!) * 0.3), reading(camD!, recent, 20, limitOf(camD!) * 0.9)]);
    await persistCameraEvents(db, [{ cameraId: camD!.id, eventTime: recent, receivedAt: recent, sourceId: 'test', kind: 'camera-offline', severity: 2, description: 'lost' }]);

    const traffic = await readTrafficPosture(db, day, silentAfterMs);
    const [dA, dB] = [districtOf.get(camA.siteId)!, districtOf.get(camB.siteId)!];
    expect(traffic.index).toBeCloseTo((10 * 2 + 30 * 1 + 1 * (b / 5)) / 41, 6);
    expect(traffic.readings).toBe(3);
    expect(traffic.byBucket).toEqual(hours({ 1: expect.closeTo(50 / 40, 6), 2: expect.closeTo(b / 5, 6) }, null));
    expect(traffic.byDistrict).toEqual(
      [
        { districtId: dA, index: expect.closeTo(1.25, 6), readings: 2 },
        { districtId: dB, index: expect.closeTo(b / 5, 6), readings: 1 },
      ].sort((x, y) => x.districtId.localeCompare(y.districtId)),
    );
    expect(traffic.slowestSegments.map((s) => [s.segmentId, Number(s.speedShare.toFixed(3))])).toEqual([
      [camC!.segmentId, 0.3],
      [camD!.segmentId, 0.9],
    ]);
    // C reported in the last 3 minutes; D said it went offline; A and B were last heard in November.
    expect(traffic.cameras).toMatchObject({ total: city.cameras.length, online: 1, share: 1 / city.cameras.length });
    const dC = districtOf.get(camC!.siteId)!;
    expect(traffic.cameras.byDistrict.find((row) => row.districtId === dC)).toMatchObject({ online: 1 });

    // At a past moment (a replay): the records received by then, the cameras heard from in the 3 minutes before.
    const share = (posture: typeof traffic) => posture.slowestSegments.map((s) => [s.segmentId, Number(s.speedShare.toFixed(3))]);
    const then = await readTrafficPosture(db, day, silentAfterMs, at('2026-11-20T01:12:00Z'));
    expect(share(then), 'A at half its limit; its 01:20 record not yet received').toEqual([[camA.segmentId, 0.5]]);
    expect(then.cameras).toMatchObject({ online: 1 });
    expect([then.readings, then.byBucket[1], then.byBucket[2]], 'the hour it falls in counts whole; B at 02:05 does not').toEqual([2, expect.closeTo(1.25, 6), null]);
    const later = await readTrafficPosture(db, day, silentAfterMs, at('2026-11-20T01:21:00Z'));
    expect(share(later)).toEqual([[camA.segmentId, 1]]);
    expect((await readTrafficPosture(db, day, silentAfterMs, at('2026-11-20T01:30:00Z'))).cameras.online, 'A silent for 10 minutes').toBe(0);

    const inA = await readTrafficPosture(db, { ...day, districtId: dA }, silentAfterMs);
    expect([inA.index, inA.readings, inA.byDistrict.map((row) => row.districtId)]).toEqual([expect.closeTo(1.25, 6), 2, [dA]]);
    expect(inA.cameras.total).toBe(city.cameras.filter((camera) => districtOf.get(camera.siteId) === dA).length);
  });

  it('counts timetable adherence per route and bucket, and bus cases, as by hand', async () => {
    const [r0, r1] = city.busRoutes;
    const busOf = (routeId: string) => city.entities.find((e) => e.kind === 'bus' && e.routeId === routeId)!;
    const [bus0, bus1] = [busOf(r0!.id), busOf(r1!.id)];
    // At the start of its route on an outbound trip, a bus is as late as the time since its departure.
    const report = async (bus: typeof bus0, route: typeof r0, iso: string, delayS: number) => {
      const local = new Date(at(iso) - delayS * 1000 + route!.utcOffsetMin * 60_000);
      const trip = `${route!.id}:out:${String(local.getUTCHours()).padStart(2, '0')}${String(local.getUTCMinutes()).padStart(2, '0')}`;
      const [lon, lat] = route!.line[0]!;
      await persistPositionBatch(db, [{ entityId: bus.id, lon, lat, headingDeg: null, speedKmh: null, eventTime: at(iso), receivedAt: at(iso), sourceId: 'test', attributes: { tripId: trip } }]);
      await updateBusProgress(db, [bus.id]);
    };
    await report(bus0, r0, '2026-11-20T01:10:00Z', 120); // on time
    await report(bus0, r0, '2026-11-20T01:40:00Z', 600); // late
    await report(bus1, r1, '2026-11-20T02:05:00Z', -60); // a minute early: on time
    const busCase = (category: string, ref: string, iso: string) =>
      db.query(
        `INSERT INTO incidents (source, source_ref, category, severity, status, geom, reported_at, due_at, updated_at)
         VALUES ('bus', $1, $2, 1, 'cancelled', ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, $5, now())`,
        [ref, category, city.center[0], city.center[1], iso],
      );
    await busCase('bus-delay', `delay:${r0!.id}:out:0930`, '2026-11-20T01:55:00Z');
    await busCase('bus-bunching', `bunching:${r1!.id}:out:1006|${r1!.id}:out:1016`, '2026-11-20T02:30:00Z');
    await busCase('bus-bunching', `bunching:${r1!.id}:out:1106|${r1!.id}:out:1116`, '2026-11-21T03:30:00Z'); // after the window
    // A bus in service now, on no known trip.
    const now = Date.now();
    const bus2 = city.entities.find((e) => e.kind === 'bus' && e !== bus0 && e !== bus1)!;
    await persistPositionBatch(db, [{ entityId: bus2.id, lon: bus2.point[0], lat: bus2.point[1], headingDeg: null, speedKmh: null, eventTime: now, receivedAt: now, sourceId: 'test' }]);

    const buses = await readBusPosture(db, day, silentAfterMs);
    expect(buses).toMatchObject({ observations: 3, onTimeShare: 2 / 3, meanDelayS: (120 + 600 - 60) / 3, bunchingEvents: 1, lateTrips: 1, inServiceNow: 1, bunchedNow: 0 });
    expect(buses.byBucket).toEqual(hours({ 1: 0.5, 2: 1 }, null));
    // At a past moment (a replay): the reports and cases up to then, the buses heard from in the 3 minutes before.
    expect(await readBusPosture(db, day, silentAfterMs, at('2026-11-20T01:41:00Z'))).toMatchObject({
      observations: 2,
      onTimeShare: 0.5,
      lateTrips: 0, // its case comes at 01:55
      bunchingEvents: 0,
      inServiceNow: 1, // bus 0, at 01:40
      bunchedNow: null, // not kept in history
    });
    expect(buses.byRoute).toEqual([
      { routeId: r1!.id, nameZh: r1!.nameZh, nameEn: r1!.nameEn, observations: 1, onTimeShare: 1, meanDelayS: -60, bunchingEvents: 1, lateTrips: 0 },
      { routeId: r0!.id, nameZh: r0!.nameZh, nameEn: r0!.nameEn, observations: 2, onTimeShare: 0.5, meanDelayS: 360, bunchingEvents: 0, lateTrips: 1 },
    ]);

    // A district's board has the routes that run through it.
    const district = city.districts[0]!;
    const runsThrough = (route: typeof r0) => route!.line.some((point) => booleanPointInPolygon(point, { type: 'Polygon', coordinates: [district.ring] }));
    const inDistrict = await readBusPosture(db, { ...day, districtId: district.id }, silentAfterMs);
    expect(inDistrict.byRoute.map((route) => route.routeId).sort()).toEqual([r0, r1].filter(runsThrough).map((route) => route!.id).sort());
  });

  it('counts ingest per source, reason and bucket, as by hand', async () => {
    await persistFeedCounts(db, [
      { source: 'osmand', outcome: 'accepted', receivedAt: at('2026-11-20T01:10:05Z'), count: 5 },
      { source: 'osmand', outcome: 'accepted', receivedAt: at('2026-11-20T01:10:50Z'), count: 3 },
      { source: 'osmand', outcome: 'bad-coordinates', receivedAt: at('2026-11-20T01:20:00Z'), count: 2 },
      { source: 'open311', outcome: 'no-key', receivedAt: at('2026-11-20T02:30:00Z'), count: 4 },
      // Taken, but off its trip's shape: a quality issue, not a refusal.
      { source: 'gtfs-rt', outcome: 'accepted', receivedAt: at('2026-11-20T03:00:00Z'), count: 6 },
      { source: 'gtfs-rt', outcome: 'quality:E029', receivedAt: at('2026-11-20T03:00:00Z'), count: 2 },
    ]);
    // A second write adds to the same minute.
    await persistFeedCounts(db, [
      { source: 'open311', outcome: 'accepted', receivedAt: at('2026-11-20T02:30:10Z'), count: 1 },
      { source: 'osmand', outcome: 'accepted', receivedAt: at('2026-11-21T00:00:00Z'), count: 9 }, // after the window
    ]);
    expect(await readFeedPosture(db, day)).toEqual({
      bySource: [
        { source: 'gtfs-rt', accepted: 6, rejected: 0 },
        { source: 'open311', accepted: 1, rejected: 4 },
        { source: 'osmand', accepted: 8, rejected: 2 },
      ],
      rejectsByReason: [
        { source: 'open311', reason: 'no-key', count: 4 },
        { source: 'osmand', reason: 'bad-coordinates', count: 2 },
      ],
      qualityByRule: [{ source: 'gtfs-rt', rule: 'E029', count: 2 }],
      byBucket: [
        { source: 'gtfs-rt', accepted: hours({ 3: 6 }, 0) },
        { source: 'open311', accepted: hours({ 2: 1 }, 0) },
        { source: 'osmand', accepted: hours({ 1: 8 }, 0) },
      ],
    });
  });

  it('prunes detector records past the history retention, minute rollups past a day and hour rollups past 8 days, and only those', async () => {
    const daysAgo = (days: number) => Math.floor((Date.now() - days * 86_400_000) / 60_000) * 60_000;
    await persistCameraReadings(db, [reading(camA, daysAgo(30 / 24), 10, 30), reading(camA, daysAgo(2 / 24), 10, 30), reading(camA, daysAgo(9), 10, 30), reading(camA, daysAgo(6), 10, 30)]);
    await persistFeedCounts(db, [daysAgo(9), daysAgo(6)].map((receivedAt) => ({ source: 'osmand', outcome: 'accepted', receivedAt, count: 1 })));
    const count = async (sql: string) => (await db.query<{ n: number }>(sql))[0]!.n;
    const olderThan = (table: string, column: string, hours: number, where = 'true') => count(`SELECT count(*)::int AS n FROM ${table} WHERE ${where} AND ${column} < now() - interval '${hours} hours'`);
    const readingsPastRetention = await olderThan('camera_readings', 'period_start', 24);
    expect(readingsPastRetention, 'the November records and the ones 30 h, 6 and 9 days old').toBeGreaterThanOrEqual(3);
    const positionsPastRetention = await olderThan('position_history', 'event_time', 24);
    expect((await pruneHistory(db, 24)).rowsOutsidePartitions, 'history rows removed (this database has no partitions): the November bus reports too').toBe(readingsPastRetention + positionsPastRetention);
    expect(await olderThan('camera_readings', 'period_start', 24)).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM camera_readings'), 'the record of 2 h ago, and the recent ones').toBeGreaterThanOrEqual(1);
    for (const table of ['traffic_rollup', 'feed_rollup', 'bus_rollup']) {
      expect(await olderThan(table, 'start', 8 * 24, 'span_s = 3600'), `${table} by hour`).toBe(0);
      expect(await olderThan(table, 'start', 25, 'span_s = 60'), `${table} by minute`).toBe(0);
    }
    expect(await olderThan('traffic_rollup', 'start', 5 * 24, 'span_s = 3600'), 'the hour of 6 days ago stays').toBe(1);
    expect(await olderThan('feed_rollup', 'start', 5 * 24, 'span_s = 3600')).toBe(1);
    expect(await olderThan('traffic_rollup', 'start', 1, 'span_s = 60'), 'the minute of 2 h ago stays').toBe(1);
  });
});
