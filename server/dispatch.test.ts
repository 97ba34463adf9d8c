import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulativeLengths, distanceMetres, listAudit, pointAlong, shortestRoadSeconds, testBackends, type LonLat } from '../geo/index.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { ForceCount, Incident, LiveAssignment, UnitCandidate } from '../streams/index.ts';
import { seen, startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const scene = karamay.busStops[5]!.point;
// The three inspectors nearest the scene report in; with the simulators off, no other unit is on duty.
const inspectors = karamay.entities
  .filter((entity) => entity.kind === 'inspector')
  .sort((a, b) => distanceMetres(a.point, scene) - distanceMetres(b.point, scene))
  .slice(0, 3);

describe.each(testBackends())('a case from report to closed, with the nearest unit by road, on the $name database', (backend) => {
  let server: TestServer;
  const fix = (id: string, at: LonLat, epochS: number) => fetch(`${server.osmandUrl}?id=${id}&lat=${at[1]}&lon=${at[0]}&timestamp=${epochS}&speed=30`, { method: 'POST' });
  beforeAll(async () => {
    server = await startTestServer(backend, { SIMULATE: '0', TICK_MS: '200' });
  });
  afterAll(() => server?.close());

  it('registers a report, offers units by road ETA, sends one, sees it arrive by GPS, and closes the case, all pushed and audited', async () => {
    const startS = Math.floor(Date.now() / 1000) - 300;
    for (const inspector of inspectors) expect((await fix(inspector.id, inspector.point, startS)).status).toBe(200);
    const dispatcher = await server.as('dispatcher');
    const live = await watchLive(server, ['incidents', 'assignments'], 'dispatcher');
    const incidents: Incident[] = [];
    const assignments: LiveAssignment[] = [];
    live.socket.on('incidents', (pushed) => incidents.push(...pushed));
    live.socket.on('assignments', (pushed) => assignments.push(...pushed));
    try {
      // A citizen reports over Open311: the case is registered and queued.
      const report = await server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams({ service_code: 'garbage', lat: String(scene[1]), long: String(scene[0]), description: '垃圾满溢' }) });
      expect(report.status).toBe(201);
      const registered = await seen(() => incidents.find((incident) => incident.status === 'registered'));
      expect(registered).toMatchObject({ category: 'garbage', agency: 'city' });
      // Asked until the three fixes are written.
      const candidates = await seen(async () => {
        const answer = (await (await dispatcher.fetch(`/api/incidents/${registered.id}/candidates`)).json()) as { candidates: UnitCandidate[] };
        return answer.candidates.length === inspectors.length ? answer.candidates : undefined;
      });
      expect(new Set(candidates.map((c) => c.id))).toEqual(new Set(inspectors.map((i) => i.id)));
      const independent = await shortestRoadSeconds(server.db, [registered.lon, registered.lat]);
      for (const candidate of candidates) expect(Math.abs(candidate.etaS - independent([candidate.lon, candidate.lat])), candidate.id).toBeLessThanOrEqual(1);
      expect(candidates.map((c) => c.etaS)).toEqual([...candidates.map((c) => c.etaS)].sort((a, b) => a - b));

      // The dispatcher sends the fastest; an operator may not.
      const best = candidates[0]!;
      const send = (who = dispatcher) => who.fetch(`/api/incidents/${registered.id}/assignments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unitId: best.id }) });
      expect((await send(await server.as('operator'))).status).toBe(403);
      const sent = await send();
      expect(sent.status).toBe(201);
      expect(await sent.json()).toMatchObject({ unitId: best.id, status: 'en-route', etaS: best.etaS, liveEtaS: best.etaS });
      const again = await send();
      expect([again.status, (await again.json()).error]).toEqual([409, `unit "${best.id}" is en-route; choose another candidate`]);
      await seen(() => incidents.find((incident) => incident.id === registered.id && incident.status === 'dispatched'));

      // The unit drives its route, its tracker reporting every few hundred metres, and arrives.
      const lengths = cumulativeLengths(best.route);
      const total = lengths.at(-1)!;
      const stops = Math.max(4, Math.ceil(total / 300));
      const driveStartS = Math.floor(Date.now() / 1000) - stops * 20;
      for (let i = 1; i <= stops; i++) {
        expect((await fix(best.id, pointAlong(best.route, lengths, (total * i) / stops).at, driveStartS + i * 20)).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const onScene = await seen(() => assignments.find((a) => a.unitId === best.id && a.status === 'on-scene'));
      expect(onScene.arrivedAt).not.toBeNull();
      const handling = await seen(() => incidents.find((incident) => incident.id === registered.id && incident.status === 'handling'));
      expect(handling.statusNote).toBe(`${inspectors.find((i) => i.id === best.id)!.label} 到场`);
      const enRoute = assignments.filter((a) => a.unitId === best.id && a.status === 'en-route').map((a) => a.liveEtaS!);
      expect(enRoute.length, 'the live ETA was pushed as the unit drove').toBeGreaterThan(1);
      expect(enRoute.at(-1)!).toBeLessThan(enRoute[0]!);

      // Answered: the unit is free again. Then closed.
      const step = (to: string, note: string) => dispatcher.fetch(`/api/incidents/${registered.id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to, note }) });
      expect((await step('answered', '已清运')).status).toBe(200);
      await seen(() => assignments.find((a) => a.unitId === best.id && a.status === 'released'));
      const force = (await (await dispatcher.fetch('/api/force')).json()) as ForceCount[];
      expect(force.filter((row) => row.agency === 'city' && row.duty === 'available').reduce((sum, row) => sum + row.units, 0)).toBe(inspectors.length);
      expect((await step('closed', '市民满意')).status).toBe(200);

      const detail = (await (await dispatcher.fetch(`/api/incidents/${registered.id}`)).json()) as { history: { actor: string; toStatus: string }[] };
      expect(detail.history.map((entry) => `${entry.actor}:${entry.toStatus}`)).toEqual(['system:registered', 'dispatcher:dispatched', 'gps:handling', 'dispatcher:answered', 'dispatcher:closed']);
      const audit = (await listAudit(server.db, { limit: 50 })).filter((entry) => entry.objectType === 'incident' && entry.objectId === String(registered.id));
      expect(audit.map((entry) => [entry.actor, entry.action, (entry.after as { status: string }).status]).reverse()).toEqual([
        ['dispatcher', 'unit-assigned', 'dispatched'],
        ['dispatcher', 'incident-transition', 'answered'],
        ['dispatcher', 'incident-transition', 'closed'],
      ]);
      expect((audit.find((entry) => (entry.after as { status: string }).status === 'answered')!.after as { releasedUnits: string[] }).releasedUnits).toEqual([best.id]);
    } finally {
      live.socket.close();
    }
  });
});
