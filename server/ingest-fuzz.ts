// Property-based fuzzing of every ingest endpoint and socket handler through the real server.
// None may crash the server or go unanswered: each is taken, or refused with a 4xx (or an error
// ack) that gives the reason. `npm test` sends a sample (ingest.fuzz.test.ts), the long tier
// 10,000 per endpoint (ingest-fuzz.long.test.ts); the parsers get 10,000 cases each in both.
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { issueFeedKey, type LiveEntity } from '../geo/index.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../streams/index.ts';
import { seen, startTestServer, type TestServer } from './test-server.ts';

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('<script>alert(1)</script>', "'; DROP TABLE users; --", '1e309', 'NaN', '-90.0000001', 'pc-0001', 'garbage', '45.6', '84.87', '\u0000', '%00', '__proto__'),
  fc.double().map(String),
);
const form = (keys: string[]) => fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 6 })), nasty, { maxKeys: 10 });
const json = fc.oneof(fc.jsonValue(), fc.record({ readings: fc.array(form(['cameraId', 'volume', 'speedKmh', 'occupancy', 'intervalS', 'time']), { maxLength: 3 }), events: fc.array(form(['cameraId', 'type', 'severity', 'description']), { maxLength: 3 }) }, { requiredKeys: [] }));

/** A refusal says why: a non-empty body. */
async function expectAnswered(response: Response, allowed: number[]): Promise<void> {
  const body = await response.text();
  expect(allowed, `status ${response.status}: ${body.slice(0, 200)}`).toContain(response.status);
  if (response.status >= 400) expect(body.length).toBeGreaterThan(10);
}

/** The suite, with `numRuns` generated requests per endpoint (a fifth of that for posture queries, each a database read). */
export function describeIngestFuzz(numRuns: number): void {
  const runs = { numRuns };
  describe.each(testBackends().slice(0, 1))(`ingest and sockets under ${numRuns.toLocaleString('en')} generated requests each, on the $name database`, (backend) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend);
    });
    afterAll(() => server?.close());
    // Whatever was taken must also be storable: a taken input the database refuses is set aside, which means the edge let through what it should have refused.
    afterAll(async () => {
      await everythingTakenWritten(server);
      const metrics = await (await fetch(new URL('/metrics', server.url))).text();
      expect(metrics).not.toMatch(/onescreen_(write_failures|ingest_set_aside)_total(\{[^}]*\})? [1-9]/);
    });

    it('OsmAnd: any query string and body, on its own port', async () => {
      const keys = ['id', 'deviceid', 'lat', 'lon', 'timestamp', 'speed', 'bearing', 'accuracy', 'altitude', 'batt'];
      await fc.assert(
        fc.asyncProperty(form(keys), fc.oneof(fc.constant(undefined), fc.jsonValue().map((v) => JSON.stringify(v))), async (query, body) => {
          const response = await fetch(`${server.osmandUrl}?${new URLSearchParams(query)}`, { method: 'POST', ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }) });
          await expectAnswered(response, [200, 400, 413, 429]);
        }),
        runs,
      );
    }, 300_000);

    it('cameras over HTTP: any JSON body', async () => {
      // A key takes 600 requests a minute: the fuzzer is one gateway per 500 requests.
      let key = '';
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(json, async (body) => {
          if (sent++ % 500 === 0) key = (await issueFeedKey(server.db, { name: `fuzz ${sent}`, feed: 'cameras', createdBy: 'tests' })).key;
          const response = await fetch(new URL('/ingest/cameras', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
          await expectAnswered(response, [200, 400, 413]);
        }),
        runs,
      );
    }, 300_000);

    it('alarms: any JSON body, half-right calls included', async () => {
      const call = fc.record(
        { id: nasty, line: fc.constantFrom('110', '122', '119', '999'), category: fc.constantFrom('crime', 'help', 'traffic', 'fire', 'rescue', 'x'), lat: fc.oneof(nasty, fc.double({ min: 45.5, max: 45.7 })), lon: fc.oneof(nasty, fc.double({ min: 84.8, max: 85 })), description: nasty, address: nasty, time: nasty },
        { requiredKeys: [] },
      );
      let key = '';
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ alarms: fc.array(call, { maxLength: 3 }) })), async (body) => {
          if (sent++ % 500 === 0) key = (await issueFeedKey(server.db, { name: `fuzz ${sent}`, feed: 'alarms', createdBy: 'tests' })).key;
          const response = await fetch(new URL('/ingest/alarms', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
          await expectAnswered(response, [200, 400, 413]);
        }),
        runs,
      );
    }, 300_000);

    it('Open311: any report form', async () => {
      let key = '';
      let sent = 0;
      const keys = ['service_code', 'lat', 'long', 'address_string', 'description', 'device_id', 'media_url', 'email', 'phone'];
      await fc.assert(
        fc.asyncProperty(form(keys), async (fields) => {
          if (sent++ % 500 === 0) key = (await issueFeedKey(server.db, { name: `fuzz ${sent}`, feed: 'open311', createdBy: 'tests' })).key;
          const response = await fetch(new URL('/open311/v2/requests.json', server.url), { method: 'POST', headers: { 'x-api-key': key }, body: new URLSearchParams(fields) });
          await expectAnswered(response, [201, 400, 413]);
        }),
        runs,
      );
    }, 300_000);

    /** A fresh signed-in connection as `user`, closing the one before: a connection takes 30 requests in 10 s. */
    const freshSockets = (user: string) => {
      let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
      return {
        get socket() {
          return socket!;
        },
        async connect() {
          const session = await server.as(user);
          socket?.close();
          socket = io(server.url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: session.cookie }, auth: { csrf: session.csrf } });
          await new Promise((resolve, reject) => (socket!.once('connect', () => resolve(undefined)), socket!.once('connect_error', reject)));
        },
        close: () => socket?.close(),
      };
    };

    it('sockets: any subscribe payload is answered, and any resync leaves the connection working', async () => {
      const sockets = freshSockets('operator');
      let sent = 0;
      const payload = fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.constantFrom('bus', 'taxi', 'alerts', 'room:admins', 'layer:police-car'), fc.string({ maxLength: 12 })), { maxLength: 12 }));
      try {
        await fc.assert(
          fc.asyncProperty(payload, fc.jsonValue(), async (layers, junk) => {
            // A connection takes 30 requests in 10 s: the fuzzer opens a new one every 14 cases (28 events).
            if (sent++ % 14 === 0) await sockets.connect();
            // resync takes nothing; a client may send anything anyway.
            (sockets.socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit('resync', junk);
            const answer = (await sockets.socket.timeout(5_000).emitWithAck('subscribe', layers as never)) as { layers?: string[]; error?: string };
            if (answer.error !== undefined) expect(answer.error.length).toBeGreaterThan(10);
            else expect(answer.layers!.every((layer) => typeof layer === 'string')).toBe(true);
          }),
          runs,
        );
        // Still serving: a plain subscription on a fresh connection works.
        await sockets.connect();
        expect(await sockets.socket.timeout(5_000).emitWithAck('subscribe', ['bus'])).toEqual({ layers: ['bus'] });
      } finally {
        sockets.close();
      }
    }, 300_000);

    it('sockets: any watch-posture payload is answered with the query read or the reason', async () => {
      const sockets = freshSockets('official');
      let sent = 0;
      const [district] = (await server.db.query<{ id: string }>('SELECT id FROM districts ORDER BY id LIMIT 1')).map((row) => row.id);
      const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof(valid, nasty, fc.string({ maxLength: 70 }));
      const query = fc.record(
        {
          range: maybe(fc.constantFrom('live', '1h', '24h', '7d')),
          district: maybe(fc.constant(district)),
          cell: maybe(fc.constantFrom('cell-000-000', 'cell-999-999')),
          minutes: maybe(fc.integer({ min: -5, max: 70 })),
          boards: maybe(fc.array(fc.constantFrom('cases', 'feeds', 'weather'), { maxLength: 3 })),
        },
        { requiredKeys: [] },
      );
      try {
        // Each valid query reads boards from the database: fewer runs than the other handlers.
        await fc.assert(
          fc.asyncProperty(fc.oneof(fc.jsonValue(), query), async (payload) => {
            if (sent++ % 28 === 0) await sockets.connect();
            const answer = (await sockets.socket.timeout(10_000).emitWithAck('watch-posture', payload as never)) as { query?: { range: string }; error?: string };
            if (answer.error !== undefined) expect(answer.error.length).toBeGreaterThan(10);
            else expect(['live', '1h', '24h', '7d']).toContain(answer.query!.range);
          }),
          { numRuns: numRuns / 5 },
        );
        await sockets.connect();
        expect(await sockets.socket.timeout(10_000).emitWithAck('watch-posture', { range: '1h', boards: ['cases'] })).toMatchObject({ query: { range: '1h', boards: ['cases'] } });
      } catch (error) {
        // Keep what the server said: a stall here was once a unit far from the city searched for ring after empty ring (geo/nearest-point.ts).
        throw new Error(`${(error as Error).message}\nthe server's last log lines:\n${server.logLines.slice(-40).join('')}`, { cause: error });
      } finally {
        sockets.close();
      }
    }, 300_000);
  });
}

/**
 * Waits until what the server took before now is written: a marker fix and a marker camera event
 * sent last come out of their pipelines only after everything queued ahead of them.
 */
async function everythingTakenWritten(server: TestServer): Promise<void> {
  const at = [84.87654, 45.60123];
  const fix = await fetch(`${server.osmandUrl}?id=pc-0002&lat=${at[1]}&lon=${at[0]}&timestamp=${Math.floor(Date.now() / 1000)}`, { method: 'POST' });
  expect(fix.status).toBe(200);
  const [camera] = await server.db.query<{ id: string }>('SELECT id FROM cameras ORDER BY id LIMIT 1');
  const marker = `fuzz marker ${Date.now()}`;
  const event = await server.feed('/ingest/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ cameraId: camera!.id, type: 'congestion', severity: 1, description: marker }] }) });
  expect(event.status).toBe(200);
  await seen(async () => {
    const units = (await (await server.api('/api/entities?kind=police-car')).json()) as LiveEntity[];
    const unit = units.find((each) => each.id === 'pc-0002');
    return unit && Math.abs(unit.lon - at[0]!) < 1e-6 && Math.abs(unit.lat - at[1]!) < 1e-6 ? true : undefined;
  }, 30_000);
  await seen(async () => ((await server.db.query('SELECT 1 FROM camera_events WHERE description = $1', [marker])).length > 0 ? true : undefined), 30_000);
}
