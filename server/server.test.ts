import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorsForTests } from '../fixtures/test-simulators.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { LiveEntity } from '../streams/index.ts';
import { startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const seedPoint = new Map(karamay.entities.map((e) => [e.id, e.point]));
const holding = (entity: Pick<LiveEntity, 'lon' | 'lat'>, places: { id: string; ring: [number, number][] }[]) =>
  places.filter((place) => booleanPointInPolygon([entity.lon, entity.lat], { type: 'Polygon', coordinates: [place.ring] })).map((p) => p.id);

describe.each(testBackends())('the server on the $name database', (backend) => {
  let server: TestServer;
  let simulators: Awaited<ReturnType<typeof simulatorsForTests>>;
  beforeAll(async () => {
    simulators = await simulatorsForTests();
    // The bus feed polled every 3 s rather than 15 s: its buses are seen moving within seconds.
    server = await startTestServer(backend, { ...simulators.env, TICK_MS: '250', GTFS_RT_INTERVAL_MS: '3000' });
    await simulators.start(server);
  });
  afterAll(async () => {
    await simulators?.stop();
    await server?.close();
  });

  /** Per entity, the recorded fix at (within a millisecond of) the given time: [lon, lat]. */
  const recordedAt = async (fixes: [string, number][]) => {
    const rows = await server.db.query<{ entity_id: string; lon: number; lat: number }>(
      `SELECT h.entity_id, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
       FROM unnest($1::text[], $2::float8[]) AS f(entity_id, at_ms)
       JOIN position_history h ON h.entity_id = f.entity_id AND h.event_time BETWEEN to_timestamp((f.at_ms - 1) / 1000) AND to_timestamp((f.at_ms + 1) / 1000)`,
      [fixes.map(([id]) => id), fixes.map(([, at]) => at)],
    );
    return new Map(rows.map((row) => [row.entity_id, [row.lon, row.lat] as const]));
  };

  it('is healthy and ready once the city is loaded and serves live entities by kind', async () => {
    expect(await (await server.api('/healthz')).json()).toMatchObject({ status: 'ok', backend: backend.name });
    const ready = await server.api('/readyz');
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', backend: backend.name }]);
    const buses = (await (await server.api('/api/entities?kind=bus')).json()) as LiveEntity[];
    expect(buses).toHaveLength(400);
    expect(Object.keys(buses[0]!).sort()).toEqual(['cellId', 'districtId', 'headingDeg', 'id', 'kind', 'label', 'lat', 'lon', 'speedKmh', 'status', 'updatedAt']);
    const police = (await (await server.api('/api/entities?kind=police-car,police-officer')).json()) as LiveEntity[];
    expect(police).toHaveLength(780);
    const all = (await (await server.api('/api/entities')).json()) as LiveEntity[];
    expect(all).toHaveLength(karamay.entities.length);
  });

  it('answers a bad request with 400 and the reason, and unknown routes with 404', async () => {
    const bad = await server.api('/api/entities?kind=tank');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unknown kind "tank"; use one or more of police-car, police-officer, inspector, bus, taxi, truck' });
    const search = await server.api(`/api/search?q=${'x'.repeat(65)}`);
    expect([search.status, (await search.json()).error]).toEqual([400, 'give q, 1 to 64 characters: a unit id or plate, a camera id, or a place name']);
    const layer = await server.api('/api/basemap/sewers.geojson');
    expect(layer.status).toBe(404);
    expect((await layer.json()).error).toMatch(/no base-map layer "sewers"; layers are districts, /);
  });

  it('finds a unit by its plate, for the wall’s search box', async () => {
    const car = karamay.entities.find((e) => e.kind === 'police-car')!;
    const hits = (await (await server.api(`/api/search?q=${encodeURIComponent(car.label)}`)).json()) as { kind: string; id: string }[];
    expect(hits[0]).toMatchObject({ kind: 'entity', id: car.id });
  });

  it('serves the base map as GeoJSON from PostGIS', async () => {
    const roads = (await (await server.api('/api/basemap/roads.geojson')).json()) as { features: { properties: { class: string } }[] };
    expect(roads.features).toHaveLength(karamay.roadSegments.length);
    expect(roads.features[0]!.properties).toMatchObject({ class: expect.stringMatching(/expressway|arterial|collector|local/), name_zh: expect.any(String) });
  });

  it('pushes the whole fleet as a binary keyframe, then moving entities as numbered deltas that agree with the database', async () => {
    const live = await watchLive(server);
    const reported = () => [...live.latest.values()].filter((row) => row.fixTime !== null && row.fixTime > Date.now() - 60_000);
    const enough = (kind: string, count: number) => reported().filter((row) => row.kind === kind).length >= count;
    try {
      // At least one delta too: when the simulators ran long before, the keyframe alone may hold enough fixes.
      for (let i = 0; i < 300 && !(live.frames.length > 1 && enough('police-car', 20) && enough('bus', 20) && enough('taxi', 20) && enough('police-officer', 10)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      live.socket.close();
    }
    const [keyframe, ...deltas] = live.frames;
    expect(keyframe).toMatchObject({ seq: 1, keyframe: true, rows: karamay.entities.length });
    expect(keyframe!.newEntities).toHaveLength(karamay.entities.length);
    expect(Buffer.isBuffer(keyframe!.lonLat), 'positions travel as binary').toBe(true);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((frame, i) => !frame.keyframe && frame.seq === i + 2 && frame.rows < karamay.entities.length)).toBe(true);

    const listed = new Map(((await (await server.api('/api/entities')).json()) as LiveEntity[]).map((e) => [e.id, e]));
    const pushed = reported();
    expect([...new Set(pushed.map((e) => e.kind))]).toEqual(expect.arrayContaining(['police-car', 'bus', 'taxi', 'police-officer']));
    for (const row of pushed) {
      const entity = listed.get(row.id)!;
      expect([entity.cellId], entity.id).toEqual(holding(entity, karamay.gridCells));
      expect([entity.districtId], entity.id).toEqual(holding(entity, karamay.districts));
    }
    // Each pushed position is the fix the database recorded for it. While the core is behind the
    // screens run ahead of the join (from the bus), so the fix may be joined only after the frame.
    let unmatched = pushed;
    for (let tries = 0; tries < 300 && unmatched.length > 0; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const recorded = await recordedAt(pushed.map((row) => [row.id, row.fixTime!]));
      unmatched = pushed.filter((row) => {
        const at = recorded.get(row.id);
        return !at || Math.abs(at[0] - row.lon) > 1e-6 || Math.abs(at[1] - row.lat) > 1e-6;
      });
    }
    expect(unmatched.map((row) => row.id)).toEqual([]);
    const moved = pushed.filter((e) => e.lon !== seedPoint.get(e.id)![0] || e.lat !== seedPoint.get(e.id)![1]);
    expect(moved.length).toBeGreaterThan(pushed.length / 2);
  });
});
