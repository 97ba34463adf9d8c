// A city-scale feed in one go: one GTFS-RT poll of 200,000 vehicles is taken whole (no shed, no
// split), registered, logged and applied, and the server stays up and answering.
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveVehiclePositions } from '../fixtures/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { PositionEvent } from '../streams/index.ts';
import { readMetric, seen, startTestServer, type TestServer } from './test-server.ts';

const vehicleCount = 200_000;
const anchor = generateCity(cityProfiles.karamay).busStops[0]!.point;
// The deployment a city of this size runs: PostgreSQL when DATABASE_URL is set.
const backend = testBackends().at(-1)!;

describe(`one GTFS-RT poll of ${vehicleCount} vehicles, on the ${backend.name} database`, () => {
  let server: TestServer;
  let feed: Awaited<ReturnType<typeof serveVehiclePositions>>;
  beforeAll(async () => {
    const reports = new Subject<PositionEvent>();
    feed = await serveVehiclePositions(reports);
    const eventTime = Math.floor(Date.now() / 1000) * 1000;
    for (let i = 0; i < vehicleCount; i++) {
      const entityId = `city-bus-${String(i).padStart(6, '0')}`;
      reports.next({ type: 'position', sourceId: 'agency', entityId, lon: anchor[0] + (i % 400) * 0.0002, lat: anchor[1] + Math.floor(i / 400) * 0.0001, headingDeg: null, speedKmh: null, eventTime, receivedAt: eventTime });
    }
    // Polled once: the next poll is ten minutes away.
    server = await startTestServer(backend, { GTFS_RT_URLS: feed.url, GTFS_RT_INTERVAL_MS: '600000' });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await feed?.close();
  });

  const metric = (series: string) => readMetric(server.url, series);

  it('takes the poll whole, applies every report once, and keeps answering', { timeout: 600_000 }, async () => {
    await seen(async () => ((await metric('onescreen_ingest_accepted_total{source="gtfs-rt"}')) === vehicleCount ? true : undefined), 300_000);
    expect(await metric('onescreen_ingest_shed_total')).toBe(0);
    await seen(async () => ((await metric('onescreen_ingest_backlog_events')) === 0 ? true : undefined), 300_000);
    const [stored] = await server.db.query<{ n: number; entities: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT entity_id)::int AS entities FROM position_history WHERE entity_id LIKE 'city-bus-%'`,
    );
    expect(stored).toEqual({ n: vehicleCount, entities: vehicleCount });
    const ready = await fetch(new URL('/readyz', server.url));
    expect(ready.status).toBe(200);
    // Applied in ticks of at most 10,000 events each.
    expect(await metric('onescreen_ticks_total')).toBeGreaterThanOrEqual(vehicleCount / 10_000);
  });
});
