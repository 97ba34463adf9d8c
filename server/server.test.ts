import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/index.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { ClientToServerEvents, LiveEntity, ServerToClientEvents } from '../streams/index.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const seedPoint = new Map(karamay.entities.map((e) => [e.id, e.point]));
const holding = (entity: LiveEntity, places: { id: string; ring: [number, number][] }[]) =>
  places.filter((place) => booleanPointInPolygon([entity.lon, entity.lat], { type: 'Polygon', coordinates: [place.ring] })).map((p) => p.id);

describe.each(testBackends())('the server on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '250' });
  });
  afterAll(() => server?.close());

  it('is healthy once the city is loaded and serves live entities by kind', async () => {
    expect(await (await fetch(new URL('/healthz', server.url))).json()).toMatchObject({ status: 'ok', backend: backend.name });
    const buses = (await (await fetch(new URL('/api/entities?kind=bus', server.url))).json()) as LiveEntity[];
    expect(buses).toHaveLength(400);
    expect(Object.keys(buses[0]!).sort()).toEqual(['cellId', 'districtId', 'headingDeg', 'id', 'kind', 'label', 'lat', 'lon', 'speedKmh', 'status', 'updatedAt']);
    const police = (await (await fetch(new URL('/api/entities?kind=police-car,police-officer', server.url))).json()) as LiveEntity[];
    expect(police).toHaveLength(780);
    const all = (await (await fetch(new URL('/api/entities', server.url))).json()) as LiveEntity[];
    expect(all).toHaveLength(karamay.entities.length);
  });

  it('answers a bad request with 400 and the reason, and unknown routes with 404', async () => {
    const bad = await fetch(new URL('/api/entities?kind=tank', server.url));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unknown kind "tank"; use one or more of police-car, police-officer, inspector, bus, taxi, truck' });
    const layer = await fetch(new URL('/api/basemap/sewers.geojson', server.url));
    expect(layer.status).toBe(404);
    expect((await layer.json()).error).toMatch(/no base-map layer "sewers"; layers are districts, /);
  });

  it('serves the base map as GeoJSON from PostGIS', async () => {
    const roads = (await (await fetch(new URL('/api/basemap/roads.geojson', server.url))).json()) as { features: { properties: { class: string } }[] };
    expect(roads.features).toHaveLength(karamay.roadSegments.length);
    expect(roads.features[0]!.properties).toMatchObject({ class: expect.stringMatching(/expressway|arterial|collector|local/), name_zh: expect.any(String) });
  });

  it('pushes the moving fleet, whose cells and districts agree with the seed polygons', async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, { transports: ['websocket'], reconnection: false });
    const seen = new Map<string, LiveEntity>();
    const sequences: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`only ${seen.size} entities pushed in 30 s`)), 30_000);
        socket.on('connect_error', reject);
        socket.on('positions', ({ seq, entities }) => {
          sequences.push(seq);
          for (const entity of entities) seen.set(entity.id, entity);
          const kinds = [...seen.values()].map((e) => e.kind);
          const enough = (kind: string, count: number) => kinds.filter((k) => k === kind).length >= count;
          if (enough('police-car', 20) && enough('bus', 20) && enough('taxi', 20) && enough('police-officer', 10)) {
            clearTimeout(timeout);
            resolve();
          }
        });
      });
    } finally {
      socket.close();
    }
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));
    const pushed = [...seen.values()];
    expect([...new Set(pushed.map((e) => e.kind))]).toEqual(expect.arrayContaining(['police-car', 'bus', 'taxi', 'police-officer']));
    for (const entity of pushed) {
      expect([entity.cellId], entity.id).toEqual(holding(entity, karamay.gridCells));
      expect([entity.districtId], entity.id).toEqual(holding(entity, karamay.districts));
    }
    const moved = pushed.filter((e) => e.lon !== seedPoint.get(e.id)![0] || e.lat !== seedPoint.get(e.id)![1]);
    expect(moved.length).toBeGreaterThan(pushed.length / 2);
  });
});
