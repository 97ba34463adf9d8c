import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, type Warning } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { seen, startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const district = karamay.districts[1]!;
const centre = karamay.busStops[8]!.point;

/** An SMS gateway that refuses the first post, then takes every one. */
async function startGateway() {
  const received: { body: Record<string, unknown>; status: number }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const status = received.length === 0 ? 503 : 200;
      received.push({ body: JSON.parse(body) as Record<string, unknown>, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe.each(testBackends())('emergency warnings, on the $name database', (backend) => {
  let server: TestServer;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway();
    server = await startTestServer(backend, { WARNING_WEBHOOK_URL: gateway.url });
  });
  afterAll(async () => {
    await server?.close();
    await gateway?.close();
  });

  it('pushes a warning to every screen and hands it to the gateway with its area, retrying until taken, audited', async () => {
    const operator = await watchLive(server, ['traffic'], 'operator');
    const official = await watchLive(server, ['traffic'], 'official');
    const screens: Warning[][] = [[], []];
    operator.socket.on('warning', (warning) => screens[0]!.push(warning));
    official.socket.on('warning', (warning) => screens[1]!.push(warning));
    const dispatcher = await server.as('dispatcher');
    const issue = (body: unknown, who = dispatcher) => who.fetch('/api/warnings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      expect((await issue({ message: '暴雨红色预警', center: centre, radiusM: 1_500 }, await server.as('operator'))).status, 'operators watch; dispatchers warn').toBe(403);
      const tooWide = await issue({ message: 'x', center: centre, radiusM: 80_000 });
      expect([tooWide.status, (await tooWide.json()).error]).toEqual([400, expect.stringMatching(/^radiusM: /)]);
      const issued = await issue({ message: '暴雨红色预警：请勿前往低洼路段', center: centre, radiusM: 1_500 });
      expect(issued.status).toBe(201);
      const warning = (await issued.json()) as Warning;
      expect(warning).toMatchObject({ message: '暴雨红色预警：请勿前往低洼路段', severity: 4, issuedBy: 'dispatcher', delivery: 'pending', area: { type: 'Polygon' } });
      expect(warning.districts.length).toBeGreaterThan(0);
      expect(warning.cells).toBeGreaterThan(0);
      for (const screen of screens) expect((await seen(() => screen[0])).id).toBe(warning.id);

      // The gateway refused the first post: taken on the retry a second later, with the area and the districts.
      await seen(() => gateway.received.find((post) => post.status === 200), 10_000);
      expect(gateway.received.map((post) => post.status)).toEqual([503, 200]);
      expect(gateway.received[1]!.body).toMatchObject({ type: 'emergency-warning', id: warning.id, message: warning.message, area: warning.area, districts: warning.districts });
      const delivered = await seen(async () => {
        const [latest] = (await (await dispatcher.fetch('/api/warnings')).json()) as Warning[];
        return latest?.delivery === 'delivered' ? latest : undefined;
      });
      expect(delivered.deliveryAttempts).toBe(2);
      const metrics = await (await fetch(new URL('/metrics', server.url))).text();
      expect(metrics).toMatch(/onescreen_warning_deliveries_total\{result="retry"\} 1/);
      expect(metrics).toMatch(/onescreen_warning_deliveries_total\{result="delivered"\} 1/);
      const [audit] = await listAudit(server.db, { action: 'warning-issued', limit: 1 });
      expect(audit).toMatchObject({ actor: 'dispatcher', objectId: String(warning.id) });

      // A drawn area is checked like a geofence.
      const ring = [district.ring[0]!, district.ring[1]!, district.ring[2]!];
      expect((await issue({ message: '封控', polygon: ring })).status).toBe(201);
      const crossed = await issue({ message: '封控', polygon: [ring[0], ring[2], ring[1], [ring[0]![0] + 0.01, ring[0]![1] - 0.01]] });
      expect([crossed.status, (await crossed.json()).error]).toEqual([422, 'the area crosses itself; draw it again without crossing lines']);
    } finally {
      operator.socket.close();
      official.socket.close();
    }
  });
});
