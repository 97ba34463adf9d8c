import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import {
  createServiceRequest,
  listIncidents,
  listServiceRequests,
  openIncidentsFromCameraEvents,
  openIncidentsFromReports,
  openWithCity,
  persistCameraEvents,
  readIncidentHistory,
  testBackends,
  transitionIncident,
  type Database,
  type ServiceRequest,
} from './index.ts';

const city = generateCity(cityProfiles.dashiqiao);
const stop = city.busStops[0]!;
const requestedAt = Date.parse('2026-11-22T08:00:00Z');

describe.each(testBackends())('incidents on the $name database', (backend) => {
  let db: Database;
  const report = async (serviceCode: string) =>
    (await createServiceRequest(db, { serviceCode, description: '井盖没了', mediaUrl: null, address: null, reporter: 'citizen', reporterId: null, contact: {}, sourceId: 'open311', at: stop.point, requestedAt })) as ServiceRequest;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('registers a report as an incident once, due when its category’s SLA runs out', async () => {
    const manhole = await report('manhole');
    const [incident] = await openIncidentsFromReports(db, [manhole.id]);
    expect(incident).toMatchObject({ source: 'report', sourceRef: String(manhole.id), category: 'manhole', categoryEn: 'Missing manhole cover', agency: 'city', severity: 2, status: 'registered', districtId: manhole.districtId, cellId: manhole.cellId });
    expect(Date.parse(incident!.dueAt) - Date.parse(incident!.reportedAt)).toBe(120 * 60_000);
    expect([incident!.lon, incident!.lat]).toEqual([manhole.lon, manhole.lat]);
    expect(await openIncidentsFromReports(db, [manhole.id]), 'a second time opens nothing').toEqual([]);
    expect(await readIncidentHistory(db, incident!.id)).toEqual([{ at: expect.any(String), actor: 'system', fromStatus: null, toStatus: 'registered', note: 'registered on arrival' }]);
  });

  it('opens camera accidents and wrong-way drivers as reported incidents, and not congestion', async () => {
    const [camera] = city.cameras;
    const events = await persistCameraEvents(db, [
      { cameraId: camera!.id, eventTime: requestedAt, receivedAt: requestedAt, sourceId: 'mqtt', kind: 'accident', severity: 4, description: '追尾' },
      { cameraId: camera!.id, eventTime: requestedAt, receivedAt: requestedAt, sourceId: 'mqtt', kind: 'congestion', severity: 2, description: '' },
    ]);
    const opened = await openIncidentsFromCameraEvents(db, events.map((event) => event.id));
    expect(opened.map((incident) => [incident.category, incident.status, incident.severity, incident.agency])).toEqual([['accident', 'reported', 4, 'police']]);
    expect(Date.parse(opened[0]!.dueAt) - requestedAt).toBe(15 * 60_000);
  });

  it('moves a case through the 444 flow with history, refuses a step the flow does not have, and the report follows', async () => {
    const garbage = await report('garbage');
    const [incident] = await openIncidentsFromReports(db, [garbage.id]);
    const step = (to: Parameters<typeof transitionIncident>[2]['to'], note: string | null = null) => db.transaction((tx) => transitionIncident(tx, incident!.id, { to, actor: 'dispatcher', note }));
    for (const to of ['dispatched', 'handling', 'answered'] as const) expect((await step(to, `→ ${to}`)).ok).toBe(true);
    expect(await step('registered')).toEqual({ ok: false, reason: 'not-allowed', from: 'answered', allowed: ['closed', 'handling'] });
    const closed = await step('closed', '已清运，已回复市民');
    expect(closed.ok && [closed.before.status, closed.after.status, closed.after.version]).toEqual(['answered', 'closed', 5]);
    const [followed] = await listServiceRequests(db, { ids: [garbage.id], serviceCodes: null, start: 0, end: Date.now(), statuses: null, limit: 1 });
    expect([followed!.status, followed!.statusNotes]).toEqual(['closed', '已清运，已回复市民']);
    expect((await readIncidentHistory(db, incident!.id)).map((entry) => `${entry.fromStatus}→${entry.toStatus}`)).toEqual(['null→registered', 'registered→dispatched', 'dispatched→handling', 'handling→answered', 'answered→closed']);
    expect((await step('registered', '市民反映未清理干净')).ok, 'a closed case can be reopened').toBe(true);
    expect(await db.transaction((tx) => transitionIncident(tx, 999_999, { to: 'closed', actor: 'dispatcher', note: null }))).toEqual({ ok: false, reason: 'not-found' });
  });

  it('lists the open queue most severe first, then soonest due', async () => {
    const queue = await listIncidents(db, { open: true, limit: 50 });
    expect(queue.map((incident) => incident.category)).toEqual(['accident', 'manhole', 'garbage']);
    expect((await listIncidents(db, { open: false, limit: 50 })).map((incident) => incident.category)).toEqual([]);
  });
});
