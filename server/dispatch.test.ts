import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, type LonLat } from '../geo/index.ts';
import { shortestRoadSeconds, testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { ForceCount, GeofenceAlert, Incident, LiveAssignment, UnitCandidate } from '../streams/index.ts';
import { driveAlong, fileReport, nearestOfKind, osmandFix, seen, startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const scene = karamay.busStops[5]!.point;
// The three inspectors nearest the scene report in; with the simulators off, no other unit is on duty.
const inspectors = nearestOfKind(karamay, 'inspector', scene, 3);

// One back end: this is about the protocol; geo/dispatch.test.ts reads both.
describe.each(testBackends().slice(0, 1))('a case from report to closed, with the nearest unit by road, on the $name database', (backend) => {
  let server: TestServer;
  const fix = (id: string, at: LonLat, epochS: number) => osmandFix(server.osmandUrl, id, at, epochS);
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200' });
  });
  afterAll(() => server?.close());

  it('registers a report, offers units by road ETA, sends one, sees it arrive by GPS, and closes the case, all pushed and audited', async () => {
    const startS = Math.floor(Date.now() / 1000) - 300;
    for (const inspector of inspectors) expect((await fix(inspector.id, inspector.point, startS)).status).toBe(200);
    const dispatcher = await server.as('dispatcher');
    const live = await watchLive(server, ['incidents', 'dispatch'], 'dispatcher');
    const incidents: Incident[] = [];
    const assignments: LiveAssignment[] = [];
    live.socket.on('incidents', (pushed) => incidents.push(...pushed));
    live.socket.on('assignments', (pushed) => assignments.push(...pushed));
    try {
      // A citizen reports over Open311: the case is registered and queued.
      await fileReport(server, { service_code: 'garbage', lat: String(scene[1]), long: String(scene[0]), description: '垃圾满溢' });
      const registered = await seen(() => incidents.find((incident) => incident.status === 'registered'));
      expect(registered).toMatchObject({ category: 'garbage', agency: 'city' });
      // Asked until the three fixes are written.
      const candidates = await seen(async () => {
        const answer = (await (await dispatcher.fetch(`/api/incidents/${registered.id}/candidates`)).json()) as { candidates: UnitCandidate[] };
        return answer.candidates.length === inspectors.length ? answer.candidates : undefined;
      });
      expect(new Set(candidates.map((c) => c.id))).toEqual(new Set(inspectors.map((i) => i.id)));
      // Inspectors walk: their ETA is the walk along the streets.
      const independent = await shortestRoadSeconds(server.db, [registered.lon, registered.lat], 'walk');
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
      for (const status of await driveAlong(server.osmandUrl, server.db, best.id, best.route)) expect(status).toBe(200);
      const onScene = await seen(() => assignments.find((a) => a.unitId === best.id && a.status === 'on-scene'));
      expect(onScene.arrivedAt).not.toBeNull();
      // On its way the live ETA counted down: it never went up on the same route.
      const liveEtas = assignments.filter((a) => a.unitId === best.id && a.status === 'en-route' && a.liveEtaS !== null).map((a) => a.liveEtaS!);
      expect(liveEtas.length).toBeGreaterThan(2);
      expect(liveEtas, liveEtas.join('→')).toEqual([...liveEtas].sort((a, b) => b - a));
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
      // As it stood while the unit was on scene (a replaying console's), from its assignment (its
      // arrival is its fix's time, whole seconds here: it can read before the sending).
      const forceAt = async (at: number) => (await (await dispatcher.fetch(`/api/force?at=${at}`)).json()) as ForceCount[];
      const inspectorsOn = (rows: ForceCount[], duty: string) => rows.filter((row) => row.agency === 'city' && row.duty === duty).reduce((sum, row) => sum + row.units, 0);
      const whileThere = await forceAt(Math.max(Date.parse(onScene.assignedAt), Date.parse(onScene.arrivedAt!)) + 1);
      expect([inspectorsOn(whileThere, 'on-scene'), inspectorsOn(whileThere, 'available')]).toEqual([1, inspectors.length - 1]);
      expect((await dispatcher.fetch('/api/force?at=yesterday')).status).toBe(400);
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

  it('raises an alert when a taxi leaves a geofence drawn by a dispatcher, pushed, and acknowledged, assigned and cleared with audit', async () => {
    const taxi = karamay.entities.find((entity) => entity.kind === 'taxi')!;
    const centre = karamay.busStops[30]!.point;
    const degrees = (metres: number) => metres / 111_320;
    const corners: LonLat[] = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([x, y]) => [centre[0] + x! * degrees(300), centre[1] + y! * degrees(300)]);
    const dispatcher = await server.as('dispatcher');
    const live = await watchLive(server, ['dispatch'], 'operator');
    const alerts: GeofenceAlert[] = [];
    live.socket.on('geofence-alerts', (pushed) => alerts.push(...pushed));
    const post = (path: string, body: unknown, who = dispatcher) => who.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      const tooBig = await post('/api/geofences', { name: '全城', kind: 'area', polygon: corners.map(([lon, lat]) => [centre[0] + (lon - centre[0]) * 30, centre[1] + (lat - centre[1]) * 30]), kinds: ['taxi'] });
      expect([tooBig.status, (await tooBig.json()).error]).toEqual([422, expect.stringMatching(/^an area may cover at most 50 km²/)]);
      const created = await post('/api/geofences', { name: '学校周边', kind: 'area', polygon: corners, kinds: ['taxi'] });
      expect(created.status).toBe(201);
      const nowS = Math.floor(Date.now() / 1000);
      expect((await fix(taxi.id, centre, nowS - 20)).status).toBe(200);
      await seen(() => alerts.find((alert) => alert.event === 'enter'));
      expect((await fix(taxi.id, [centre[0] + degrees(900), centre[1]], nowS - 10)).status).toBe(200);
      const exit = await seen(() => alerts.find((alert) => alert.event === 'exit'));
      expect(exit).toMatchObject({ entityId: taxi.id, geofenceName: '学校周边', state: 'new', version: 1 });

      const operator = await server.as('operator');
      expect((await post(`/api/geofence-alerts/${exit.id}`, { action: 'acknowledge' }, operator)).status).toBe(200);
      expect(await (await post(`/api/geofence-alerts/${exit.id}`, { action: 'assign', assignTo: 'dispatcher' })).json()).toMatchObject({ state: 'assigned', assignedTo: 'dispatcher', version: 3 });
      expect((await post(`/api/geofence-alerts/${exit.id}`, { action: 'clear' })).status).toBe(200);
      await seen(() => alerts.find((alert) => alert.id === exit.id && alert.state === 'cleared'));
      const cleared = await post(`/api/geofence-alerts/${exit.id}`, { action: 'clear' });
      expect([cleared.status, (await cleared.json()).error]).toEqual([409, 'the alert is already cleared']);
      const audit = (await listAudit(server.db, { limit: 50 })).filter((entry) => entry.objectType === 'geofence-alert' && entry.objectId === String(exit.id));
      expect(audit.map((entry) => [entry.actor, entry.action]).reverse()).toEqual([
        ['operator', 'geofence-alert-acknowledge'],
        ['dispatcher', 'geofence-alert-assign'],
        ['dispatcher', 'geofence-alert-clear'],
      ]);
    } finally {
      live.socket.close();
    }
  });
});
