// A trip whose shape passes near itself: out along a street and back along its other carriageway,
// 12 m apart. A stop of the way back, and a bus on the way back, are where the way out also
// passes within metres: each is placed on the way back, and the bus's delay is against the stop
// it is at, not the one across the street passed 12 minutes earlier.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkVehicleQuality, listBusProgress, persistPositionBatch, registerBuses, updateBusProgress, zoneDate, zoneTimeOn, type LonLat } from '../../geo/index.ts';
import { testBackends } from '../../geo/test-support.ts';
import { importCityData } from './import-city.ts';
import { sampleCityDatabase } from './test-feeds.ts';

const work = mkdtempSync(join(tmpdir(), 'onescreen-loop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const [south, north] = [52.4, 52.4 + 12 / 111_320];
const between = 52.4 + 5.6 / 111_320;
const stops: [string, LonLat, string, string][] = [
  ['w-out', [13.44, south - 3 / 111_320], '08:00:00', '08:00:00'],
  ['mid-out', [13.455, south - 3 / 111_320], '08:05:00', '08:05:00'],
  ['east', [13.47, (south + north) / 2], '08:10:00', '08:12:00'],
  // Between the carriageways, a little nearer the way out.
  ['mid-back', [13.455, between], '08:17:00', '08:17:00'],
  ['w-back', [13.44, north + 3 / 111_320], '08:22:00', '08:22:00'],
];
const feed = join(work, 'loop-gtfs');
mkdirSync(feed);
const csv = (rows: (string | number)[][]) => rows.map((row) => row.join(',')).join('\n') + '\n';
writeFileSync(join(feed, 'agency.txt'), csv([['agency_id', 'agency_name', 'agency_url', 'agency_timezone'], ['loop', 'Loop Bus', 'https://bus.example', 'Europe/Berlin']]));
writeFileSync(join(feed, 'routes.txt'), csv([['route_id', 'agency_id', 'route_short_name', 'route_long_name', 'route_type'], ['L', 'loop', 'L', 'Loop', 3]]));
writeFileSync(join(feed, 'calendar.txt'), csv([['service_id', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'start_date', 'end_date'], ['daily', 1, 1, 1, 1, 1, 1, 1, '20200101', '20991231']]));
writeFileSync(join(feed, 'trips.txt'), csv([['route_id', 'service_id', 'trip_id', 'shape_id'], ['L', 'daily', 'loop-1', 'loop-shape']]));
writeFileSync(join(feed, 'stops.txt'), csv([['stop_id', 'stop_name', 'stop_lat', 'stop_lon'], ...stops.map(([id, [lon, lat]]) => [id, id, lat, lon])]));
writeFileSync(join(feed, 'stop_times.txt'), csv([['trip_id', 'arrival_time', 'departure_time', 'stop_id', 'stop_sequence'], ...stops.map(([id, , arrival, departure], i) => ['loop-1', arrival, departure, id, i + 1])]));
const shape: LonLat[] = [[13.44, south], [13.47, south], [13.47, north], [13.44, north]];
writeFileSync(join(feed, 'shapes.txt'), csv([['shape_id', 'shape_pt_lat', 'shape_pt_lon', 'shape_pt_sequence'], ...shape.map(([lon, lat], i) => ['loop-shape', lat, lon, i + 1])]));

describe.each(testBackends())('a trip out and back along one street ($name)', (backend) => {
  const city = sampleCityDatabase(backend, work);

  it('places each stop on its own way, and measures a bus on the way back against the way back', async () => {
    await importCityData(city.db, { kind: 'gtfs', paths: [feed], crs: 'wgs84' });
    const placed = await city.db.query<{ fraction: number }>(`SELECT fraction FROM bus_trip_stops WHERE trip_id = 'loop-1' ORDER BY seq`);
    // Out 2.04 km, across 12 m, back 2.04 km: the middle of the way back is three quarters along.
    [0, 0.25, 0.5, 0.75, 1].forEach((expected, i) => expect(placed[i]!.fraction).toBeCloseTo(expected, 2));

    await registerBuses(city.db, [{ id: 'bus-l1', label: 'L1', routeId: 'L' }]);
    const today = zoneDate('Europe/Berlin', Date.now());
    /** The bus at `at`, `lateS` after the trip's time there `hh:mm`; returns its delay. */
    const reportAt = async ([lon, lat]: LonLat, [hh, mm]: [number, number], lateS: number) => {
      const time = zoneTimeOn('Europe/Berlin', today, hh, mm) + lateS * 1000;
      await city.db.transaction(async (tx) => {
        const moved = await persistPositionBatch(tx, [{ entityId: 'bus-l1', lon, lat, headingDeg: null, speedKmh: 0, eventTime: time, receivedAt: time, sourceId: 'test', attributes: { tripId: 'loop-1', startDate: today.replaceAll('-', '') } }]);
        await updateBusProgress(tx, moved.map((e) => e.id));
      });
      return (await listBusProgress(city.db)).find((bus) => bus.id === 'bus-l1')!.delayS;
    };
    // On the way out, by the first middle stop, 30 s late; then on the way back, between the
    // carriageways by the second, a minute late (the way out is the nearer line there).
    expect(await reportAt(stops[1]![1], [8, 5], 30)).toBe(30);
    expect(await reportAt([13.455, between], [8, 17], 60)).toBe(60);
  });

  it('does not count a trip added on the day (ADDED) as one the timetable lacks (E003)', async () => {
    const vehicle = { routeId: 'L', stopId: null, lon: 13.455, lat: south };
    const broken = await checkVehicleQuality(city.db, [
      { ...vehicle, tripId: 'loop-1', tripRelationship: null },
      { ...vehicle, tripId: 'loop-extra', tripRelationship: 'ADDED' },
      { ...vehicle, tripId: 'loop-typo', tripRelationship: null },
    ]);
    expect(broken).toMatchObject({ E003: 1, E004: 0, E028: 0, E029: 0 });
  });
});
