import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { CoreStatus } from '../streams/index.ts';
import { osmandFix, readMetric, startTestServer, type TestServer, watchLive } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const units = karamay.entities.filter((entity) => entity.kind !== 'bus').slice(0, 60);
const camera = karamay.cameras[0]!;

describe('a server behind its input', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Ticks a minute apart: nothing accepted is applied during the test, so the backlog only grows.
    server = await startTestServer(testBackends()[0]!, { TICK_MS: '60000', INGEST_MAX_BACKLOG_EVENTS: '100' });
  });
  afterAll(() => server?.close());

  const metric = (series: string) => readMetric(server.url, series);

  it('refuses input past its bound with 503 and Retry-After, counted by source, and takes none of it', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const statuses = await Promise.all(units.map((unit) => osmandFix(server.osmandUrl, unit.id, unit.point, nowS).then((response) => response.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(await metric('onescreen_ingest_backlog_events')).toBe(60);
    // Sixty more at once: those still being written count too, so exactly forty fit under the bound.
    const more = await Promise.all(units.map((unit) => osmandFix(server.osmandUrl, unit.id, unit.point, nowS + 1).then((response) => response.status)));
    expect([more.filter((status) => status === 200).length, more.filter((status) => status === 503).length]).toEqual([40, 20]);
    expect(await metric('onescreen_ingest_backlog_events')).toBe(100);

    const refused = await osmandFix(server.osmandUrl, units[0]!.id, units[0]!.point, nowS + 2);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.text()).toMatch(/^the server is 100 events \(\d+\.\d s\) behind, past its limit; send again in \d+ s\n$/);
    const cameras = await server.feed('/ingest/cameras', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ readings: [{ cameraId: camera.id, periodStart: new Date().toISOString(), periodS: 60, volume: 3, occupancyPct: 5, meanSpeedKmh: 40 }] }),
    });
    expect(cameras.status).toBe(503);
    expect(cameras.headers.get('retry-after')).not.toBeNull();
    expect((await cameras.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(/behind, past its limit/) });

    expect(await metric('onescreen_ingest_shed_total{reason="overloaded",source="osmand"}')).toBe(21);
    expect(await metric('onescreen_ingest_shed_total{reason="overloaded",source="http-cameras"}')).toBe(1);
    expect(await metric('onescreen_ingest_accepted_total{source="osmand"}')).toBe(100);
    expect(await metric('onescreen_ingest_backlog_events')).toBe(100);
  });

  it('tells the screens how far behind it is, every few seconds', async () => {
    // What the first test accepted waits for a tick a minute away.
    const live = await watchLive(server, ['feeds']);
    const behind = await new Promise<CoreStatus>((resolve) => live.socket.on('core', (status) => status.behindS >= 5 && resolve(status)));
    expect(behind).toMatchObject({ outage: false });
    live.socket.close();
  });
});
