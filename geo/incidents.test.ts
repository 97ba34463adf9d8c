import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import {
  createServiceRequest,
  findNearby,
  mergeIncident,
  superviseOverdue,
  listIncidents,
  listServiceRequests,
  openIncidentsFromCameraEvents,
  openIncidentsFromReports,
  persistCameraEvents,
  persistPositionBatch,
  reviewBusIncidents,
  busLateness,
  readIncidentHistory,
  transitionIncident,
  type Database,
  type ServiceRequest,
} from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const stop = city.busStops[0]!;
// Long enough ago that every SLA has run out by the time the tests run.
const requestedAt = Date.parse('2026-11-01T08:00:00Z');

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

  it('proposes a repeat of an open case nearby as its duplicate, and merges it on request', async () => {
    const [first] = await listIncidents(db, { open: true, limit: 50 }).then((queue) => queue.filter((incident) => incident.category === 'manhole'));
    const again = await report('manhole');
    const [repeat] = await openIncidentsFromReports(db, [again.id]);
    expect(repeat!.possibleDuplicateOf).toBe(first!.id);
    const far = city.busStops.find((other) => Math.hypot(other.point[0] - stop.point[0], other.point[1] - stop.point[1]) > 0.01)!;
    const elsewhere = (await createServiceRequest(db, { serviceCode: 'manhole', description: '', mediaUrl: null, address: null, reporter: 'citizen', reporterId: null, contact: {}, sourceId: 'open311', at: far.point, requestedAt })) as ServiceRequest;
    const [unrelated] = await openIncidentsFromReports(db, [elsewhere.id]);
    expect(unrelated!.possibleDuplicateOf, 'over 200 m away: another case').toBeNull();

    expect(await db.transaction((tx) => mergeIncident(tx, repeat!.id, repeat!.id, 'dispatcher'))).toEqual({ ok: false, reason: 'same-incident' });
    const merged = await db.transaction((tx) => mergeIncident(tx, repeat!.id, first!.id, 'dispatcher'));
    expect(merged.ok && [merged.after.status, merged.after.statusNote, merged.after.duplicateOf]).toEqual(['cancelled', `duplicate of #${first!.id}`, first!.id]);
    const [stored] = await listIncidents(db, { ids: [repeat!.id], limit: 1 });
    expect(stored!.duplicateOf).toBe(first!.id);
  });

  it('answers what else happened near a case: incidents, camera events and the units that passed', async () => {
    const [manhole] = (await listIncidents(db, { open: true, limit: 50 })).filter((incident) => incident.category === 'manhole');
    const car = city.entities.find((entity) => entity.kind === 'police-car')!;
    const bus = city.entities.find((entity) => entity.kind === 'bus')!;
    for (const [unit, metres] of [[car, 40], [bus, 2_000]] as const) {
      await db.query(
        `INSERT INTO position_history (entity_id, event_time, received_at, geom) VALUES ($1, to_timestamp($2 / 1000.0), to_timestamp($2 / 1000.0), ST_SetSRID(ST_MakePoint($3, $4), 4326))`,
        [unit.id, requestedAt + 5 * 60_000, stop.point[0] + metres / 80_000, stop.point[1]],
      );
    }
    const reported = Date.parse(manhole!.reportedAt);
    const around = { lon: manhole!.lon, lat: manhole!.lat, from: reported - 3_600_000, to: reported + 3_600_000, radiusM: 300, excludeIncident: manhole!.id };
    const nearby = await findNearby(db, { ...around, kinds: ['police-car', 'bus'] });
    // At the same stop: the reopened garbage case and the merged repeat, whatever their state; not the case asked about.
    expect(nearby.incidents.map((incident) => `${incident.category}:${incident.status}`)).toEqual(['garbage:registered', 'manhole:cancelled']);
    expect(nearby.incidents[0]!.distanceM).toBeLessThan(1);
    expect(nearby.units.map((unit) => unit.id)).toEqual([car.id]);
    expect(nearby.units[0]!.distanceM).toBeGreaterThan(25);
    expect(nearby.units[0]!.distanceM).toBeLessThan(45);
    expect((await findNearby(db, { ...around, kinds: ['bus'] })).units, 'units the asker may not see are left out').toEqual([]);
    expect((await findNearby(db, { ...around, from: requestedAt + 5 * 60_000 + 1, kinds: ['police-car'] })).units, 'after its fix').toEqual([]);
    expect((await findNearby(db, { ...around, to: requestedAt + 5 * 60_000, kinds: ['police-car'] })).units.map((unit) => unit.id), 'up to and with the end').toEqual([car.id]);
  });

  it('raises each open case past its SLA for supervision once, and leaves answered and finished ones alone', async () => {
    // Every case of this test was reported at 08:00 on a fixed day: all past due now, except as their status says.
    const marked = await superviseOverdue(db);
    const open = (await listIncidents(db, { open: true, limit: 50 })).filter((incident) => incident.status !== 'answered');
    expect(marked.map((incident) => incident.id).sort()).toEqual(open.map((incident) => incident.id).sort());
    expect(marked.every((incident) => incident.supervisedAt !== null)).toBe(true);
    expect(await superviseOverdue(db), 'once each').toEqual([]);
    const history = await readIncidentHistory(db, marked[0]!.id);
    expect(history.at(-1)).toMatchObject({ actor: 'system', note: 'overdue: raised for supervision (督办)' });
  });

  it('opens a case for a bus running late or bunched, once per trip, and cancels it when the bus is back on time or apart', async () => {
    const [bus, other] = city.entities.filter((e) => e.kind === 'bus' && e.routeId === city.busRoutes[0]!.id);
    const now = Date.now();
    await persistPositionBatch(db, [bus!, other!].map((b, i) => ({ entityId: b.id, lon: b.point[0], lat: b.point[1], headingDeg: null, speedKmh: null, eventTime: now + i, receivedAt: now, sourceId: 'test' })));
    const progress = (id: string, trip: string, delayS: number, bunchedWith: string | null) =>
      db.query(
        // Bunched for five minutes already: long enough to be a case.
        `INSERT INTO bus_progress (entity_id, route_id, trip_id, progress, delay_s, bunched_with, bunched_since, updated_at)
         VALUES ($1, $2, $3, 0.5, $4, $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() - interval '5 minutes' END, now())
         ON CONFLICT (entity_id) DO UPDATE SET trip_id = $3, delay_s = $4, bunched_with = $5, bunched_since = excluded.bunched_since`,
        [id, city.busRoutes[0]!.id, trip, delayS, bunchedWith],
      );
    const review = () => db.transaction((tx) => reviewBusIncidents(tx, [bus!.id, other!.id]));
    await progress(bus!.id, 'r1:out:0700', busLateness.openAboveS + 60, other!.id);
    await progress(other!.id, 'r1:out:0710', 0, bus!.id);
    const opened = await review();
    expect(opened.map((i) => [i.category, i.status, i.sourceRef, i.agency, i.departmentId])).toEqual([
      ['bus-delay', 'reported', 'delay:r1:out:0700', 'transit', 'public-transport'],
      ['bus-bunching', 'reported', 'bunching:r1:out:0700|r1:out:0710', 'transit', 'public-transport'],
    ]);
    expect(opened[0]!.description).toBe(`${bus!.label} 晚点 16 分钟 · 16 min late`);
    expect(await review(), 'once per trip').toEqual([]);
    await progress(bus!.id, 'r1:out:0700', busLateness.clearBelowS + 60, null);
    await progress(other!.id, 'r1:out:0710', 0, null);
    expect((await review()).map((i) => [i.category, i.status]), 'between the limits the late case stays; the bunching is over').toEqual([['bus-bunching', 'cancelled']]);
    await progress(bus!.id, 'r1:out:0700', 120, null);
    expect((await review()).map((i) => [i.category, i.status, i.statusNote])).toEqual([['bus-delay', 'cancelled', 'cleared by itself: the bus is back on time, apart, or off that trip']]);
  });
});
