import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceMetres, type LonLat } from '../geo/index.ts';
import { gcj02ToBd09, wgs84ToGcj02 } from '../streams/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { LiveEntity } from '../streams/index.ts';
import { osmandFix, startTestServer, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
// Where the units really are (WGS-84), and what Chinese devices send for it.
const [stationA, stationB] = karamay.policeStations.map((station) => station.point) as [LonLat, LonLat];
const sixDecimals = ([lon, lat]: LonLat): LonLat => [Number(lon.toFixed(6)), Number(lat.toFixed(6))];

// One back end: this is about the protocol; the transform is not in the database; geo/positions.test.ts writes fixes on both.
describe.each(testBackends().slice(0, 1))('feeds in Chinese coordinates, on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200', FEED_CRS: 'osmand:gcj02,alarms:bd09' });
  });
  afterAll(() => server?.close());

  it('places a GCJ-02 tracker and a BD-09 alarm at their WGS-84 positions', async () => {
    // A tracker sends GCJ-02 to six decimals (about 0.1 m): it is placed where that point is in WGS-84.
    const sent = sixDecimals(wgs84ToGcj02(stationA));
    expect(distanceMetres(sent, stationA), 'GCJ-02 is hundreds of metres off here').toBeGreaterThan(100);
    expect((await osmandFix(server.osmandUrl, 'pc-0001', sent, Math.floor(Date.now() / 1000))).status).toBe(200);
    let car: LiveEntity | undefined;
    for (let tries = 0; tries < 50 && !car?.updatedAt; tries++) {
      car = ((await (await server.api('/api/entities?kind=police-car')).json()) as LiveEntity[]).find((e) => e.id === 'pc-0001');
      if (!car?.updatedAt) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(distanceMetres([car!.lon!, car!.lat!], stationA)).toBeLessThan(0.2);

    // A 110 alarm from a Baidu-map call centre: its case opens at the WGS-84 place.
    const bd = gcj02ToBd09(wgs84ToGcj02(stationB));
    const alarm = { id: 'bd-1', line: '110', category: 'crime', lon: Number(bd[0].toFixed(7)), lat: Number(bd[1].toFixed(7)), description: '百度坐标报警' };
    const posted = await server.feed('/ingest/alarms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alarms: [alarm] }) });
    expect(posted.status).toBeLessThan(300);
    let placed: { lon: number; lat: number }[] = [];
    for (let tries = 0; tries < 50 && placed.length === 0; tries++) {
      placed = await server.db.query<{ lon: number; lat: number }>(`SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM incidents WHERE source = 'alarm'`);
      if (placed.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(distanceMetres([placed[0]!.lon, placed[0]!.lat], stationB)).toBeLessThan(0.05);
  });
});
