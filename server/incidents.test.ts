import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { Incident, ServiceRequest } from '../streams/index.ts';
import { fileReport, seen, startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const stop = karamay.busStops[3]!;

// One back end: this is about the protocols (Open311, alarms, calls, pushes); geo/incidents.test.ts reads both.
describe.each(testBackends().slice(0, 1))('incidents through the real protocols, on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200', SLA_CHECK_MS: '300' });
  });
  afterAll(() => server?.close());

  it('opens incidents from a citizen’s report and a camera accident, pushes them, and queues them by severity and SLA', async () => {
    const live = await watchLive(server, ['incidents'], 'dispatcher');
    const pushed: Incident[] = [];
    live.socket.on('incidents', (incidents) => pushed.push(...incidents));
    try {
      // Through the helper: a server behind on its ticks (CI under load) answers 202 with a token first.
      const reportId = await fileReport(server, { service_code: 'safety-hazard', lat: String(stop.point[1]), long: String(stop.point[0]), description: '广告牌松动' });
      const fromReport = await seen(() => pushed.find((incident) => incident.source === 'report'));
      expect(fromReport).toMatchObject({ sourceRef: reportId, category: 'safety-hazard', status: 'registered', severity: 3, agency: 'police', description: '广告牌松动', version: 1 });

      const camera = karamay.cameras[10]!;
      await server.feed('/ingest/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ cameraId: camera.id, type: 'accident', severity: 3, description: '两车相撞' }] }) });
      const fromCamera = await seen(() => pushed.find((incident) => incident.source === 'camera'));
      expect(fromCamera).toMatchObject({ category: 'accident', categoryZh: '交通事故', status: 'reported', agency: 'police' });

      const queue = (await (await (await server.as('dispatcher')).fetch('/api/incidents')).json()) as Incident[];
      expect(queue.map((incident) => incident.id), 'same severity: the accident is due sooner').toEqual([fromCamera.id, fromReport.id]);
    } finally {
      live.socket.close();
    }
  });

  it('takes a report from registered to closed by a dispatcher, step by step, pushed, audited, and followed by Open311', async () => {
    const dispatcher = await server.as('dispatcher');
    const [incident] = ((await (await dispatcher.fetch('/api/incidents')).json()) as Incident[]).filter((i) => i.source === 'report');
    const live = await watchLive(server, ['incidents', 'alerts'], 'operator');
    const versions: number[] = [];
    const reports: ServiceRequest[] = [];
    live.socket.on('incidents', (incidents) => versions.push(...incidents.filter((i) => i.id === incident!.id).map((i) => i.version)));
    live.socket.on('service-requests', (requests) => reports.push(...requests));
    const step = (to: string, note?: string, who = dispatcher) =>
      who.fetch(`/api/incidents/${incident!.id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to, note }) });
    try {
      expect((await step('dispatched', 'by operator', await server.as('operator'))).status, 'an operator watches; a dispatcher dispatches').toBe(403);
      for (const [to, note] of [['dispatched', '批转公安局'], ['handling', '民警已到场'], ['answered', '已加固并回复市民']]) expect((await step(to!, note)).status, to).toBe(200);
      const skipped = await step('registered');
      expect([skipped.status, (await skipped.json()).error]).toEqual([409, 'a answered incident can go to closed or handling, not registered; reload it if someone else moved it']);
      const closed = (await (await step('closed', '市民满意')).json()) as Incident;
      expect([closed.status, closed.version]).toEqual(['closed', 5]);
      await seen(() => (versions.includes(5) ? true : undefined));
      expect(versions).toEqual([2, 3, 4, 5]);
      await seen(() => reports.find((report) => report.status === 'closed'));
      const [open311] = (await (await server.feed(`/open311/v2/requests/${incident!.sourceRef}.json`)).json()) as [{ status: string; status_notes: string; lifecycle_status: string }];
      expect(open311).toMatchObject({ status: 'closed', status_notes: '市民满意', lifecycle_status: 'closed' });

      const detail = (await (await dispatcher.fetch(`/api/incidents/${incident!.id}`)).json()) as { history: { actor: string; toStatus: string; note: string }[] };
      expect(detail.history.map((entry) => `${entry.actor}:${entry.toStatus}`)).toEqual(['system:registered', 'dispatcher:dispatched', 'dispatcher:handling', 'dispatcher:answered', 'dispatcher:closed']);
      const audit = await listAudit(server.db, { action: 'incident-transition', limit: 10 });
      expect(audit.every((entry) => entry.actor === 'dispatcher')).toBe(true);
      expect(audit.filter((entry) => entry.objectId === String(incident!.id)).map((entry) => [(entry.before as { status: string }).status, (entry.after as { status: string }).status])).toEqual([
        ['answered', 'closed'],
        ['handling', 'answered'],
        ['dispatched', 'handling'],
        ['registered', 'dispatched'],
      ]);
    } finally {
      live.socket.close();
    }
  });

  it('proposes a second report of the same problem as a duplicate, merges it, and tells an official what else happened near a case without police units', async () => {
    const dispatcher = await server.as('dispatcher');
    const post = () => server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams({ service_code: 'street-light', lat: String(stop.point[1]), long: String(stop.point[0]) }) });
    await post();
    await post();
    const [second, first] = ((await (await dispatcher.fetch('/api/incidents')).json()) as Incident[]).filter((incident) => incident.category === 'street-light').sort((a, b) => b.id - a.id);
    expect(second!.possibleDuplicateOf).toBe(first!.id);
    const mergeInto = (into: number) => dispatcher.fetch(`/api/incidents/${second!.id}/merge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ into }) });
    expect((await mergeInto(second!.id)).status).toBe(400);
    const merged = (await (await mergeInto(first!.id)).json()) as Incident;
    expect([merged.status, merged.duplicateOf, merged.statusNote]).toEqual(['cancelled', first!.id, `duplicate of #${first!.id}`]);
    expect((await listAudit(server.db, { action: 'incident-merged', limit: 1 }))[0]).toMatchObject({ actor: 'dispatcher', objectId: String(second!.id), after: { status: 'cancelled', duplicateOf: first!.id } });

    // A police car drives past the spot; an official without the grant sees the incidents, not the car.
    const fix = await fetch(`${server.osmandUrl}?id=pc-0011&lat=${stop.point[1]}&lon=${stop.point[0] + 0.0003}&timestamp=${Math.floor(Date.now() / 1000)}`, { method: 'POST' });
    expect(fix.status).toBe(200);
    const nearbyAs = async (role: string) => (await (await (await server.as(role)).fetch(`/api/incidents/${first!.id}/nearby?radius=300&minutes=30`)).json()) as { incidents: { id: number }[]; units: { id: string; distanceM: number }[] };
    const forDispatcher = await seen(async () => {
      const nearby = await nearbyAs('dispatcher');
      return nearby.units.some((unit) => unit.id === 'pc-0011') ? nearby : undefined;
    });
    expect(forDispatcher.units.find((unit) => unit.id === 'pc-0011')!.distanceM).toBeLessThan(40);
    expect(forDispatcher.incidents.map((incident) => incident.id)).toContain(second!.id);
    const forOfficial = await nearbyAs('official');
    expect(forOfficial.incidents.map((incident) => incident.id)).toContain(second!.id);
    expect(forOfficial.units.filter((unit) => unit.id.startsWith('pc-'))).toEqual([]);
    expect((await (await server.as('official')).fetch(`/api/incidents/${first!.id}/nearby?radius=50000`)).status).toBe(400);
  });

  it('raises a case that passes its SLA to the wall and the dispatcher, once (督办)', async () => {
    const live = await watchLive(server, ['incidents'], 'operator');
    const pushed: Incident[] = [];
    live.socket.on('incidents', (incidents) => pushed.push(...incidents));
    try {
      const [open, later] = ((await (await server.api('/api/incidents')).json()) as Incident[]).filter((incident) => !incident.supervisedAt);
      const overdue = (id: number) => server.db.query(`UPDATE incidents SET due_at = now() - interval '1 minute' WHERE id = $1`, [id]);
      await overdue(open!.id);
      const raised = await seen(() => pushed.find((incident) => incident.id === open!.id && incident.supervisedAt));
      expect(raised.version).toBe(open!.version + 1);
      // A case that falls overdue afterwards is raised by a later check: by then the first had its chance to be raised again.
      await overdue(later!.id);
      await seen(() => pushed.find((incident) => incident.id === later!.id && incident.supervisedAt));
      expect(pushed.filter((incident) => incident.id === open!.id), 'once').toHaveLength(1);
      expect(await (await server.api('/metrics')).text()).toMatch(/onescreen_incidents_overdue_total [1-9]/);
    } finally {
      live.socket.close();
    }
  });

  it('opens registered incidents from 110 and 119 alarms, once per case number, for police and the fire brigade', async () => {
    const live = await watchLive(server, ['incidents'], 'dispatcher');
    const pushed: Incident[] = [];
    live.socket.on('incidents', (incidents) => pushed.push(...incidents));
    const at = karamay.busStops[60]!.point;
    const alarms = [
      { id: 'JJ-0001', line: '110', category: 'crime', lat: at[1], lon: at[0], address: '世纪大道 12 号', description: '有人持刀伤人' },
      { id: 'HJ-0001', line: '119', category: 'fire', lat: at[1], lon: at[0], description: '居民楼冒烟' },
      { id: 'JJ-0002', line: '119', category: 'crime', lat: at[1], lon: at[0] },
    ];
    const post = (body: unknown, headers: Record<string, string> = {}) => server.feed('/ingest/alarms', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    try {
      expect((await post({ alarms }, { 'x-api-key': server.keys.cameras })).status, 'a camera key is not an alarm key').toBe(401);
      const answer = await post({ alarms });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { accepted: { id: string; incidentId: number | null }[]; rejected: { item: string; message: string }[] };
      expect(body.rejected).toEqual([{ item: 'alarms[2]', reason: 'malformed', message: 'category: a 119 call is fire or rescue, not "crime"' }]);
      expect(body.accepted.every((alarm) => alarm.incidentId !== null)).toBe(true);
      const police = await seen(() => pushed.find((incident) => incident.sourceRef === '110:JJ-0001'));
      expect(police).toMatchObject({ source: 'alarm', category: 'alarm-crime', agency: 'police', departmentId: 'public-security', severity: 4, status: 'registered', description: '世纪大道 12 号 · 有人持刀伤人' });
      expect(Date.parse(police.dueAt) - Date.parse(police.reportedAt)).toBe(15 * 60_000);
      const fire = await seen(() => pushed.find((incident) => incident.sourceRef === '119:HJ-0001'));
      expect(fire).toMatchObject({ agency: 'fire', departmentId: 'fire-rescue', categoryZh: '火灾' });
      const again = (await (await post({ alarms: alarms.slice(0, 1) })).json()) as typeof body;
      expect(again.accepted, 'the same case number again answers its incident').toEqual([{ id: 'JJ-0001', line: '110', incidentId: police.id }]);
      const opened = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE source_ref = '110:JJ-0001'`);
      expect(opened, 'and opens nothing new').toEqual([{ n: 1 }]);
      const dispatcher = await server.as('dispatcher');
      const forFire = (await (await dispatcher.fetch(`/api/incidents/${fire.id}/candidates`)).json()) as { kinds: string[]; candidates: unknown[] };
      expect(forFire, 'the fire brigade has no units tracked here').toEqual({ kinds: [], candidates: [] });
      expect(await (await server.api('/metrics')).text()).toMatch(/onescreen_ingest_rejected_total\{reason="malformed",source="alarms"\} 1/);
    } finally {
      live.socket.close();
    }
  });
  it('opens a case from a phone call, for a dispatcher with the session and for a hotline system with a key, once per call', async () => {
    const dispatcher = await server.as('dispatcher');
    const crossing = karamay.roadSegments[40]!.line[0]!;
    const call = { callId: 'console-0001', line: '110', callerPhone: '13812345678', category: 'accident', severity: 4, lon: crossing[0], lat: crossing[1], place: '世纪大道与友谊路交叉口', description: '两车相撞，一人受伤' };
    const post = (body: unknown, who: { fetch: typeof dispatcher.fetch } = dispatcher) => who.fetch('/api/incidents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const opened = await post(call);
    expect(opened.status).toBe(201);
    const incident = (await opened.json()) as Incident;
    expect(incident).toMatchObject({ source: 'call', sourceRef: 'console:console-0001', category: 'accident', severity: 4, status: 'registered', agency: 'police', description: '世纪大道与友谊路交叉口 · 两车相撞，一人受伤' });
    expect(Date.parse(incident.dueAt) - Date.parse(incident.reportedAt), 'the accident SLA').toBe(15 * 60_000);
    const again = await post(call);
    expect([again.status, ((await again.json()) as Incident).id], 'the same call again answers its case').toEqual([201, incident.id]);
    expect(await server.db.query(`SELECT count(*)::int AS n FROM incidents WHERE source = 'call'`)).toEqual([{ n: 1 }]);

    const detail = (await (await dispatcher.fetch(`/api/incidents/${incident.id}`)).json()) as { call: { callerPhone: string; takenBy: string; line: string }; history: { actor: string; note: string }[] };
    expect(detail.call).toMatchObject({ callerPhone: '13812345678', takenBy: 'dispatcher', line: '110' });
    expect(detail.history[0]).toMatchObject({ actor: 'dispatcher', note: 'registered from a phone call' });
    const asOfficial = (await (await (await server.as('official')).fetch(`/api/incidents/${incident.id}`)).json()) as typeof detail;
    expect(asOfficial.call.callerPhone, 'others see that there was a call, not who').toBe('138****5678');
    const audit = await listAudit(server.db, { action: 'incident-from-call', limit: 10 });
    const entry = expect.objectContaining({ actor: 'dispatcher', objectId: String(incident.id), after: expect.objectContaining({ callerPhone: '13812345678', category: 'accident' }) });
    expect(audit, 'each time the call was entered').toEqual([entry, entry]);

    for (const [body, error] of [
      [{ ...call, callId: 'console-0002', category: 'alien-landing' }, /^category: no category "alien-landing"; GET \/api\/incident-categories lists them$/],
      [{ ...call, callId: 'console-0003', callerPhone: 'call me' }, /^callerPhone: is a phone number/],
      [{ ...call, callId: 'console-0004', severity: 7 }, /^severity: /],
      [{ ...call, callId: undefined }, /^callId: /],
    ] as const) {
      const refused = await post(body);
      expect([refused.status, ((await refused.json()) as { error: string }).error], JSON.stringify(body)).toEqual([400, expect.stringMatching(error)]);
    }
    expect((await post({ ...call, callId: 'console-0005' }, await server.as('operator'))).status, 'an operator watches; a dispatcher takes calls').toBe(403);

    const hotline = (key: string) => fetch(new URL('/api/incidents', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ ...call, callId: 'HL-20261203-0001', line: '12345', category: 'noise', severity: undefined, place: undefined }) });
    expect((await hotline(server.keys.cameras)).status, 'a camera key is not a call key').toBe(401);
    const fromHotline = await hotline(server.keys.alarms);
    expect(fromHotline.status).toBe(201);
    expect(await fromHotline.json()).toMatchObject({ source: 'call', sourceRef: 'hotline:HL-20261203-0001', category: 'noise', severity: 1, agency: 'city' });
    // Unreadable JSON is a 400 that says what to send, by either way in; the keyed one is counted.
    const unreadable = await dispatcher.fetch('/api/incidents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"callId": ' });
    expect([unreadable.status, ((await unreadable.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/; send JSON \(16 KB at most\); see \/api\/openapi.json/)]);
    const unreadableKeyed = await fetch(new URL('/api/incidents', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': server.keys.alarms }, body: '{' });
    expect([unreadableKeyed.status, ((await unreadableKeyed.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/; send a call as JSON/)]);
    expect(await (await server.api('/metrics')).text()).toMatch(/onescreen_ingest_rejected_total\{reason="malformed",source="calls"\} 3/);
    const categories = (await (await dispatcher.fetch('/api/incident-categories')).json()) as { code: string; slaMinutes: number }[];
    expect(categories).toContainEqual(expect.objectContaining({ code: 'accident', slaMinutes: 15, nameZh: '交通事故' }));
  });
});
