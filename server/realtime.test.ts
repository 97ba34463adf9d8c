import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { ServiceRequest } from '../streams/index.ts';
import { startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const [stop] = karamay.busStops;
const until = async (ready: () => boolean, timeoutMs = 10_000) => {
  for (const started = Date.now(); !ready() && Date.now() - started < timeoutMs; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return ready();
};

// One back end is enough: this is about the socket, not the database.
describe.each(testBackends().slice(0, 1))('the live socket on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200' });
  });
  afterAll(() => server?.close());
  const report = (description: string) =>
    server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams({ service_code: 'garbage', lat: String(stop!.point[1]), long: String(stop!.point[0]), description }) });

  it('sends only the layers a client subscribed to, and refuses a layer it does not know, with the reason', async () => {
    const buses = await watchLive(server, ['bus', 'feeds']);
    const events: string[] = [];
    buses.socket.onAny((event) => events.push(event));
    try {
      expect(buses.frames[0]).toMatchObject({ keyframe: true, rows: 400 });
      expect(new Set([...buses.latest.values()].map((row) => row.kind))).toEqual(new Set(['bus']));
      expect(await report('not for a bus-only screen')).toHaveProperty('status', 201);
      await until(() => events.includes('feeds'), 8_000);
      expect(events).toContain('feeds');
      expect(events).not.toContain('service-requests');

      const refused = await buses.socket.timeout(5_000).emitWithAck('subscribe', ['bus', 'room:admins' as never]);
      expect(refused).toEqual({ error: expect.stringMatching(/^subscribe takes a list of layers from police-car, .*; got \["bus","room:admins"\]$/) });
      const metrics = await (await server.api('/metrics')).text();
      expect(metrics).toMatch(/onescreen_socket_rejected_total\{event="subscribe",reason="unknown-layer"\} 1/);
    } finally {
      buses.socket.close();
    }
  });

  it('hands a client that dropped off the alerts it missed, once, and starts its positions over from a keyframe', async () => {
    const wall = await watchLive(server, ['police-car', 'alerts']);
    const received: ServiceRequest[] = [];
    wall.socket.on('service-requests', (requests) => received.push(...requests));
    try {
      expect(await report('before the drop')).toHaveProperty('status', 201);
      expect(await until(() => received.length === 1)).toBe(true);

      // The network goes: the client sees its transport close and reconnects by itself.
      const reconnected = new Promise<boolean>((resolve) => wall.socket.io.once('reconnect', () => wall.socket.once('connect', () => resolve(wall.socket.recovered))));
      wall.socket.io.opts.reconnection = true;
      wall.socket.io.reconnection(true);
      wall.socket.io.engine.close();
      expect(await report('while away')).toHaveProperty('status', 201);
      expect(await reconnected, 'Socket.IO recovered the session').toBe(true);

      expect(await until(() => received.length >= 2)).toBe(true);
      expect(await report('after the return')).toHaveProperty('status', 201);
      // Pushes come in order: once a last report is in, any replayed twice would be in too.
      expect(await report('the last')).toHaveProperty('status', 201);
      expect(await until(() => received.some((request) => request.description === 'the last'))).toBe(true);
      expect(received.map((request) => request.description)).toEqual(['before the drop', 'while away', 'after the return', 'the last']);
      // Position frames are not replayed: the recovered connection gets a fresh keyframe.
      expect(wall.frames.filter((frame) => frame.keyframe).map((frame) => frame.rows)).toEqual([280, 280]);
    } finally {
      wall.socket.close();
    }
  });
});
