import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { LiveEntity } from '../streams/index.ts';
import { readMetric, seen, startTestServer, type TestServer, watchLive } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const [stopA, stopB, stopC] = karamay.busStops;
const placeOf = (lon: number, lat: number, places: { id: string; ring: [number, number][] }[]) =>
  places.find((place) => booleanPointInPolygon([lon, lat], { type: 'Polygon', coordinates: [place.ring] }))?.id;

// One back end: this is about the protocol; geo/positions.test.ts writes fixes on both.
describe.each(testBackends().slice(0, 1))('OsmAnd ingest on the $name database', (backend) => {
  let server: TestServer;
  let live: Awaited<ReturnType<typeof watchLive>>;
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200' });
    live = await watchLive(server);
  });
  afterAll(async () => {
    live?.socket.close();
    await server?.close();
  });
  const metric = (series: string) => readMetric(server.url, series);

  it('takes a tracker’s query string, a phone’s JSON and a form body, on both ports, and pushes the joined result', async () => {
    const now = Math.floor(Date.now() / 1000);
    const query = new URLSearchParams({ id: 'pc-0001', timestamp: String(now), lat: String(stopA!.point[1]), lon: String(stopA!.point[0]), speed: '10', bearing: '45', batt: '77' });
    const byQuery = await fetch(`${server.osmandUrl}?${query}`, { method: 'POST' });
    expect([byQuery.status, await byQuery.text()]).toEqual([200, '']);

    const phone = { device_id: 'po-0001', location: { timestamp: new Date().toISOString(), coords: { latitude: stopB!.point[1], longitude: stopB!.point[0], speed: 1.2, heading: 180, accuracy: 6 } } };
    const byJson = await fetch(new URL('/ingest/osmand', server.url), { method: 'POST', body: JSON.stringify(phone), headers: { 'content-type': 'application/json' } });
    expect(byJson.status).toBe(200);

    const form = new URLSearchParams({ deviceid: 'taxi-0001', lat: String(stopC!.point[1]), lon: String(stopC!.point[0]) });
    const byForm = await fetch(`${server.osmandUrl}gprmc/any/path`, { method: 'POST', body: form });
    expect(byForm.status).toBe(200);

    for (const [id, stop] of [['pc-0001', stopA!], ['po-0001', stopB!], ['taxi-0001', stopC!]] as const) {
      const row = await live.waitFor(id);
      expect(row, `${id} pushed over Socket.IO`).toBeDefined();
      // Frames carry float32 offsets: centimetres, not the last digit.
      expect(row!.lon).toBeCloseTo(stop.point[0], 6);
      expect(row!.lat).toBeCloseTo(stop.point[1], 6);
      const entity = (await (await server.api(`/api/entities?kind=${row!.kind}`)).json() as LiveEntity[]).find((e) => e.id === id)!;
      expect([entity.lon, entity.lat]).toEqual([stop.point[0], stop.point[1]]);
      expect(entity.cellId).toBe(placeOf(stop.point[0], stop.point[1], karamay.gridCells));
      expect(entity.districtId).toBe(placeOf(stop.point[0], stop.point[1], karamay.districts));
    }
    expect(live.latest.get('pc-0001')).toMatchObject({ kind: 'police-car', speedKmh: 18.5, headingDeg: 45, fixTime: now * 1000, status: 'patrol' });
    expect(live.latest.get('po-0001')).toMatchObject({ kind: 'police-officer', speedKmh: expect.closeTo(4.3, 5), headingDeg: 180 });
    const listed = (await (await server.api('/api/entities?kind=police-car')).json()) as LiveEntity[];
    expect(listed.find((e) => e.id === 'pc-0001')).toMatchObject({ speedKmh: 18.5, headingDeg: 45, updatedAt: new Date(now * 1000).toISOString() });
    const history = await server.db.query<{ battery: string; partition: string }>(
      `SELECT attributes->>'batteryPct' AS battery, tableoid::regclass::text AS partition FROM position_history WHERE entity_id = 'pc-0001'`,
    );
    // The server made this hour's partition when it started: the fix is not in the default one.
    const hour = new Date(now * 1000).toISOString().slice(0, 13).replace(/\D/g, '');
    expect(history).toEqual([{ battery: '77', partition: `position_history_p${hour}` }]);
    expect(await metric('onescreen_ingest_accepted_total{source="osmand"}')).toBe(3);
  });

  it('refuses unknown devices and malformed requests with 400 and the reason, counting each', async () => {
    const unknown = await fetch(`${server.osmandUrl}?id=stolen-phone&lat=45.6&lon=84.9`, { method: 'POST' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/^unknown device "stolen-phone": register the unit first/);
    const noPosition = await fetch(`${server.osmandUrl}?id=pc-0002`);
    expect([noPosition.status, (await noPosition.text()).trim()]).toEqual([400, 'missing lat and lon (or location=lat,lon)']);
    const brokenJson = await fetch(server.osmandUrl, { method: 'POST', body: '{"device_id": "po-0001", "location":', headers: { 'content-type': 'application/json' } });
    expect(brokenJson.status).toBe(400);
    expect(await brokenJson.text()).toMatch(/send OsmAnd parameters or Traccar Client JSON/);
    const oversized = await fetch(server.osmandUrl, { method: 'POST', body: `id=pc-0002&lat=45.6&lon=84.9&note=${'x'.repeat(17_000)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([oversized.status, await oversized.text()]).toEqual([413, 'request entity too large; send OsmAnd parameters or Traccar Client JSON\n']);

    expect(await metric('onescreen_ingest_rejected_total{reason="unknown-device",source="osmand"}')).toBe(1);
    expect(await metric('onescreen_ingest_rejected_total{reason="malformed",source="osmand"}')).toBe(3);
  });

  it('answers a (0, 0) fix like Traccar (200) but drops it, counted, without moving the unit', async () => {
    const before = ((await (await server.api('/api/entities?kind=police-car')).json()) as LiveEntity[]).find((e) => e.id === 'pc-0003')!;
    const zero = await fetch(`${server.osmandUrl}?id=pc-0003&lat=0&lon=0`, { method: 'POST' });
    expect(zero.status).toBe(200);
    // A fix sent after it, for another unit, is written only once every fix before it was handled.
    const marker: [number, number] = [before.lon + 0.001, before.lat + 0.001];
    expect((await fetch(`${server.osmandUrl}?id=pc-0004&lat=${marker[1]}&lon=${marker[0]}`, { method: 'POST' })).status).toBe(200);
    await seen(async () => {
      const unit = ((await (await server.api('/api/entities?kind=police-car')).json()) as LiveEntity[]).find((e) => e.id === 'pc-0004')!;
      return Math.abs(unit.lon - marker[0]) < 1e-6 ? unit : undefined;
    });
    const after = ((await (await server.api('/api/entities?kind=police-car')).json()) as LiveEntity[]).find((e) => e.id === 'pc-0003')!;
    expect(after).toEqual(before);
    expect(await metric('onescreen_ingest_rejected_total{reason="zero-position",source="osmand"}')).toBe(1);
  });
});
