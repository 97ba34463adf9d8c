// A citizen's report and a 110 call while PostgreSQL is cut off: both are taken onto the ingest
// log and answered 202 (the report with its GeoReport v2 token), and once the database is back
// they are registered exactly once, pushed to the screens, and the token finds the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { Incident, ServiceRequest } from '../streams/index.ts';
import { startTcpProxy } from './test-network.ts';
import { fileReport, seen, startTestServer, watchLive, type TestServer } from './test-server.ts';

const postgres = testBackends().find((backend) => backend.name === 'server');
const at = generateCity(cityProfiles.karamay).busStops[12]!.point;

if (!postgres) process.stderr.write('intake-outage.test.ts: SKIPPED — it cuts a connection to PostgreSQL; set DATABASE_URL to run it\n');

describe.skipIf(!postgres)('reports and alarms through a database outage', () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL!);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    server = await startTestServer(postgres!, {}, (databaseUrl) => proxy.through(databaseUrl));
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
  });

  it('answers 202 while the database is cut off, then registers each once and pushes it', { timeout: 90_000 }, async () => {
    const live = await watchLive(server, ['alerts', 'incidents'], 'dispatcher');
    const requests: ServiceRequest[] = [];
    const incidents: Incident[] = [];
    live.socket.on('service-requests', (pushed) => requests.push(...pushed));
    live.socket.on('incidents', (pushed) => incidents.push(...pushed));
    const form = { service_code: 'garbage', lat: String(at[1]), long: String(at[0]), description: '断网期间的投诉' };
    const report = () => server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams(form) });
    const alarm = () =>
      server.feed('/ingest/alarms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alarms: [{ id: 'OUT-0001', line: '110', category: 'help', lat: at[1], lon: at[0], description: '求助' }] }) });
    // Keys are checked once before the cut: a key checked good stays good while the database is away.
    await fileReport(server, form);
    expect((await server.feed('/ingest/alarms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"alarms": []}' })).status).toBe(400);

    proxy.cut();
    const [reported, alarmed] = await Promise.all([report(), alarm()]);
    expect(reported.status).toBe(202);
    const [receipt] = (await reported.json()) as { token: string; service_notice: string }[];
    expect(receipt).toEqual({ token: expect.stringMatching(/^[0-9a-f-]{36}$/), service_notice: expect.stringMatching(/tokens\/\{token\}\.json/), account_id: null });
    expect(alarmed.status).toBe(202);
    expect(await alarmed.json()).toEqual({ accepted: [{ id: 'OUT-0001', line: '110', incidentId: null }], rejected: [] });
    proxy.restore();

    const [found] = await seen(async () => {
      const answer = await server.feed(`/open311/v2/tokens/${receipt!.token}.json`);
      return answer.status === 200 ? ((await answer.json()) as { service_request_id: string; token: string }[]) : undefined;
    }, 60_000);
    expect(found).toEqual({ service_request_id: expect.stringMatching(/^\d+$/), token: receipt!.token });
    await seen(() => (requests.some((request) => String(request.id) === found!.service_request_id) ? true : undefined));
    const police = await seen(() => incidents.find((incident) => incident.sourceRef === '110:OUT-0001'));
    expect(police).toMatchObject({ source: 'alarm', status: 'registered' });
    const stored = await server.db.query<{ reports: number; cases: number }>(
      `SELECT (SELECT count(*)::int FROM service_requests WHERE token = $1) AS reports, (SELECT count(*)::int FROM incidents WHERE source_ref = '110:OUT-0001') AS cases`,
      [receipt!.token],
    );
    expect(stored).toEqual([{ reports: 1, cases: 1 }]);
    live.socket.close();
  });
});
