import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Coverage } from '../geo/index.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { ForceCount, Incident } from '../streams/index.ts';
import { osmandFix, seen, startTestServer, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);

describe.each(testBackends())('the case posture board, on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { SIMULATE: '0' });
  });
  afterAll(() => server?.close());

  it('counts a scripted hour of reports and a closed case, the same as JSON and as CSV, city-wide and per district', async () => {
    const report = (code: string, stop: number) =>
      server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams({ service_code: code, lat: String(karamay.busStops[stop]!.point[1]), long: String(karamay.busStops[stop]!.point[0]), description: 'posture' }) });
    for (const [code, stop] of [['garbage', 3], ['garbage', 40], ['noise', 80]] as const) expect((await report(code, stop)).status).toBe(201);
    const dispatcher = await server.as('dispatcher');
    const [first] = (await (await dispatcher.fetch('/api/incidents')).json()) as Incident[];
    for (const to of ['dispatched', 'handling', 'answered', 'closed']) {
      const moved = await dispatcher.fetch(`/api/incidents/${first!.id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) });
      expect(moved.status).toBe(200);
    }

    const official = await server.as('official');
    const board = await (await official.fetch('/api/posture/cases?range=1h')).json();
    expect(board).toMatchObject({ opened: 3, closed: 1, openNow: 2, overdueNow: 0, handling: { closed: 1, onTimeShare: 1 } });
    expect(board.byCategory.map((c: { category: string; opened: number }) => [c.category, c.opened])).toEqual([['garbage', 2], ['noise', 1]]);
    expect(board.byHour.reduce((sum: number, h: { opened: number }) => sum + h.opened, 0)).toBe(3);

    const csv = await official.fetch('/api/posture/cases.csv?range=1h');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n').map((line) => line.split(','));
    const value = (figure: string, key: string) => rows.find(([f, k]) => f === `"${figure}"` && k === `"${key}"`)?.[2];
    expect([value('cases', 'opened'), value('cases', 'closed'), value('cases', 'open now'), value('opened by category', 'garbage')]).toEqual(['3', '1', '2', '2']);

    const { districtId } = (board.byDistrict as { districtId: string; opened: number }[])[0]!;
    const district = await (await official.fetch(`/api/posture/cases?range=1h&district=${districtId}`)).json();
    expect(district.opened).toBe(board.byDistrict[0].opened);
    expect((await official.fetch('/api/posture/cases?range=1y')).status).toBe(400);
  });

  it('counts units per district and the grid cells an available unit reaches by road in time', async () => {
    const car = karamay.entities.find((entity) => entity.kind === 'police-car')!;
    expect((await osmandFix(server.osmandUrl, car.id, car.point, Math.floor(Date.now() / 1000) - 5)).status).toBe(200);
    const official = await server.as('official');
    const board = await seen(async () => {
      const answer = (await (await official.fetch('/api/posture/units?minutes=3')).json()) as { force: ForceCount[]; coverage: Coverage };
      return answer.coverage.agencies.find((a) => a.agency === 'police')!.units === 1 ? answer : undefined;
    });
    const police = board.coverage.agencies.find((a) => a.agency === 'police')!;
    expect(police.covered).toBeGreaterThan(0);
    expect(police.covered).toBeLessThan(police.cells);
    expect(board.coverage.agencies.find((a) => a.agency === 'city')).toMatchObject({ units: 0, covered: 0 });
    const force = (agency: string, duty: string) => board.force.filter((row) => row.agency === agency && row.duty === duty).reduce((sum, row) => sum + row.units, 0);
    expect([force('police', 'available'), force('police', 'off-duty')]).toEqual([1, karamay.entities.filter((e) => e.kind === 'police-car' || e.kind === 'police-officer').length - 1]);
    expect((await official.fetch('/api/posture/units?minutes=0')).status).toBe(400);
  });
});
