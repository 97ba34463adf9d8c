import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import {
  changeGeofenceAlert,
  checkGeofences,
  cityAt,
  cityChanges,
  clearGeofenceAlerts,
  createGeofence,
  createServiceRequest,
  forceOf,
  issueWarning,
  makeHistoryPartitions,
  persistCameraEvents,
  persistCameraReadings,
  persistPositionBatch,
  pastUnits,
  type Database,
  type LonLat,
} from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const minute = 60_000;
const t0 = Math.floor(Date.now() / minute) * minute - 30 * minute;
const inspector = city.entities.find((e) => e.kind === 'inspector')!;
const car = city.entities.find((e) => e.kind === 'police-car')!;
const [lon, lat] = inspector.point;
const iso = (ms: number) => new Date(ms).toISOString();
const camera = city.cameras[0]!;
// A detector record of the minute starting at `start`, received a minute later (as a camera sends it).
const record = (start: number, meanSpeedKmh: number) => ({ cameraId: camera.id, eventTime: start, receivedAt: start + minute, sourceId: 'test', periodS: 60, volume: 6, occupancyPct: 20, meanSpeedKmh });

describe.each(testBackends())('the city at a moment and what changed, read from its history, on the $name database', (backend) => {
  let db: Database;
  let incidentId: number;
  let callCase: number;
  let unitsInsideWhenIssued: Record<string, number>;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
    await makeHistoryPartitions(db, 24, t0 - 60 * minute);
    // A citizen's report at t0+1: its case sent an inspector at +2 who arrived at +5, answered at +8 and closed at +9.
    const report = await createServiceRequest(db, { serviceCode: 'garbage', description: '垃圾满溢', mediaUrl: null, address: null, reporter: 'citizen', reporterId: null, contact: {}, sourceId: 'test', at: [lon, lat], requestedAt: t0 + minute });
    if (typeof report === 'string') throw new Error(report);
    [{ id: incidentId }] = (await db.query<{ id: number }>(
      `INSERT INTO incidents (source, source_ref, category, severity, status, geom, reported_at, due_at, updated_at)
       VALUES ('report', $4, 'garbage', 1, 'closed', ST_SetSRID(ST_MakePoint($1, $2), 4326), $3, $3::timestamptz + interval '1 day', $3) RETURNING id::int AS id`,
      [lon, lat, iso(t0 + minute), String(report.id)],
    )) as [{ id: number }];
    // A call's case beside it: its case number is no report's id (the reports' join once cast it to one).
    [{ id: callCase }] = (await db.query<{ id: number }>(
      `INSERT INTO incidents (source, source_ref, category, severity, status, geom, reported_at, due_at, updated_at)
       VALUES ('call', '110-20261205-0001', 'garbage', 1, 'registered', ST_SetSRID(ST_MakePoint($1, $2), 4326), $3, $3::timestamptz + interval '1 day', $3) RETURNING id::int AS id`,
      [lon, lat, iso(t0 + 3 * minute)],
    )) as [{ id: number }];
    await db.query(`INSERT INTO incident_history (incident_id, at, actor, from_status, to_status) VALUES ($1, $2, 'dispatcher', NULL, 'registered')`, [callCase, iso(t0 + 3 * minute)]);
    const steps: [number, string | null, string, string | null][] = [[1, null, 'registered', null], [2, 'registered', 'dispatched', null], [5, 'dispatched', 'handling', '到场'], [8, 'handling', 'answered', '已清运'], [9, 'answered', 'closed', null]];
    for (const [at, from, to, note] of steps) {
      await db.query('INSERT INTO incident_history (incident_id, at, actor, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)', [incidentId, iso(t0 + at * minute), 'dispatcher', from, to, note]);
    }
    await db.query(
      `INSERT INTO incident_assignments (incident_id, unit_id, status, assigned_by, assigned_at, eta_s, route, arrived_at, released_at)
       VALUES ($1, $2, 'released', 'dispatcher', $3, 240, ST_SetSRID(ST_MakeLine(ST_MakePoint($4, $5), ST_MakePoint($4 + 0.01, $5)), 4326), $6, $7)`,
      [incidentId, inspector.id, iso(t0 + 2 * minute), lon, lat, iso(t0 + 5 * minute), iso(t0 + 8 * minute)],
    );
    const issued = await issueWarning(db, { message: '暴雨红色预警', severity: 4, area: { center: [lon, lat], radiusM: 1_000 }, issuedBy: 'dispatcher', delivery: 'not-configured' });
    if (!issued.ok) throw new Error(issued.problem);
    await db.query('UPDATE warnings SET issued_at = $1', [iso(t0 + 6 * minute)]);
    unitsInsideWhenIssued = issued.warning.unitsInside;
    // Every unit leaves the area afterwards: a replay still says who was inside when it was issued.
    await db.query('UPDATE entities SET geom = ST_Translate(geom, 1, 0)');
    // The dispatcher's sending, as the audit log has it.
    await db.query(`INSERT INTO audit_log (at, actor, action, object_type, object_id, after) VALUES ($1, 'dispatcher', 'unit-assigned', 'incident', $2, $3)`, [iso(t0 + 2 * minute), String(incidentId), JSON.stringify({ unitId: inspector.id })]);
    // The camera's road: 10 km/h in the minute from t0 (received at +1), 50 km/h the next (received at +2); an event at +3.
    for (const [start, kmh] of [[t0, 10], [t0 + minute, 50]] as const) await persistCameraReadings(db, [record(start, kmh)]);
    await persistCameraEvents(db, [{ cameraId: camera.id, eventTime: t0 + 3 * minute, receivedAt: t0 + 3 * minute, sourceId: 'test', kind: 'accident', severity: 3, description: '追尾' }]);
    await persistPositionBatch(db, [3, 4, 5].flatMap((at) => [inspector, car].map((unit) => ({ entityId: unit.id, lon: unit.point[0] + at * 0.001, lat: unit.point[1], headingDeg: 90, speedKmh: 20, eventTime: t0 + at * minute, receivedAt: t0 + at * minute, sourceId: 'test' }))));
  });
  afterAll(() => db.close());

  it("gives each unit's duty at a moment from its assignments and its fixes: sent, on scene, free again, silent; and the force by district then", async () => {
    const both = [inspector.id, car.id];
    const dutyAt = async (at: number) => Object.fromEntries((await pastUnits(db, at, ['inspector', 'police-car'])).filter((unit) => both.includes(unit.id)).map((unit) => [unit.id, unit.duty]));
    expect(await dutyAt(t0 + 2.5 * minute), 'sent at +2; the car not yet heard from').toEqual({ [inspector.id]: 'en-route', [car.id]: 'off-duty' });
    expect(await dutyAt(t0 + 4 * minute)).toEqual({ [inspector.id]: 'en-route', [car.id]: 'available' });
    expect(await dutyAt(t0 + 6 * minute), 'arrived at +5').toEqual({ [inspector.id]: 'on-scene', [car.id]: 'available' });
    expect(await dutyAt(t0 + 9 * minute), 'released at +8, heard from at +5').toEqual({ [inspector.id]: 'available', [car.id]: 'available' });
    expect(await dutyAt(t0 + 16 * minute), 'silent 11 minutes').toEqual({ [inspector.id]: 'off-duty', [car.id]: 'off-duty' });

    const [{ districtId }] = (await db.query<{ districtId: string }>('SELECT district_id AS "districtId" FROM position_history WHERE entity_id = $1 AND event_time = $2', [car.id, iso(t0 + 5 * minute)])) as [{ districtId: string }];
    const carThen = async (at: number) => (await pastUnits(db, at, ['police-car'])).find((unit) => unit.id === car.id);
    expect(await carThen(t0 + 16 * minute), 'silent: where it last reported').toMatchObject({ districtId, lon: null, duty: 'off-duty' });
    expect(await carThen(t0 + 4 * minute)).toMatchObject({ districtId, lon: expect.closeTo(car.point[0] + 0.004, 9), duty: 'available' });
    const force = forceOf(await pastUnits(db, t0 + 6 * minute, ['inspector', 'police-car']));
    const moving = force.filter((row) => row.duty !== 'off-duty');
    expect(moving).toHaveLength(2);
    expect(moving).toEqual(expect.arrayContaining([{ districtId, agency: 'police', duty: 'available', units: 1 }, { districtId: expect.any(String), agency: 'city', duty: 'on-scene', units: 1 }]));
    expect(force.reduce((sum, row) => sum + row.units, 0), 'every unit once').toBe(city.entities.filter((e) => e.kind === 'inspector' || e.kind === 'police-car').length);

    // A unit retired is on no board from then on.
    const retiring = city.entities.find((e) => e.kind === 'police-car' && e.id !== car.id)!;
    await db.query('UPDATE entities SET retired_at = $2 WHERE id = $1', [retiring.id, iso(t0 + 3 * minute)]);
    try {
      expect((await pastUnits(db, t0 + 2 * minute, ['police-car'])).map((unit) => unit.id)).toContain(retiring.id);
      expect((await pastUnits(db, t0 + 4 * minute, ['police-car'])).map((unit) => unit.id)).not.toContain(retiring.id);
    } finally {
      await db.query('UPDATE entities SET retired_at = NULL WHERE id = $1', [retiring.id]);
    }
  });

  it('gives every change between two moments in order: fixes, each transition of a case as it stood after it, the unit sent, arrived and released, the warning as issued', async () => {
    const changes = await cityChanges(db, t0, t0 + 10 * minute, ['inspector']);
    expect(changes.fixes.map((fix) => [fix.id, fix.fixTime, fix.status])).toEqual([3, 4, 5].map((at) => [inspector.id, t0 + at * minute, inspector.status]));
    expect(changes.incidents.map(({ at, value }) => [at - t0, value.source, value.status, value.version, value.statusNote])).toEqual([
      [minute, 'report', 'registered', 1, null], [2 * minute, 'report', 'dispatched', 2, null], [3 * minute, 'call', 'registered', 1, null], [5 * minute, 'report', 'handling', 3, '到场'],
      [8 * minute, 'report', 'answered', 4, '已清运'], [9 * minute, 'report', 'closed', 5, null],
    ]);
    expect(changes.reports.map(({ at, value }) => [at - t0, value.status, value.statusNotes, value.updatedAt])).toEqual([
      [minute, 'registered', null, iso(t0 + minute)], [2 * minute, 'dispatched', null, iso(t0 + 2 * minute)], [5 * minute, 'handled', '到场', iso(t0 + 5 * minute)],
      [8 * minute, 'answered', '已清运', iso(t0 + 8 * minute)], [9 * minute, 'closed', null, iso(t0 + 9 * minute)],
    ]);
    expect(changes.reports[0]!.value).toMatchObject({ serviceCode: 'garbage', description: '垃圾满溢', departmentId: expect.any(String) });
    expect(changes.incidents[3]!.value).toMatchObject({ id: incidentId, category: 'garbage', updatedAt: iso(t0 + 5 * minute), lon: expect.closeTo(lon, 9) });
    expect(changes.assignments.map(({ at, value }) => [at - t0, value.status, value.arrivedAt, value.releasedAt])).toEqual([
      [2 * minute, 'en-route', null, null], [5 * minute, 'on-scene', iso(t0 + 5 * minute), null], [8 * minute, 'released', iso(t0 + 5 * minute), iso(t0 + 8 * minute)],
    ]);
    expect(changes.assignments[0]!.value).toMatchObject({ unitId: inspector.id, etaS: 240, route: [[expect.closeTo(lon, 6), expect.closeTo(lat, 6)], [expect.closeTo(lon + 0.01, 6), expect.closeTo(lat, 6)]] });
    expect(changes.warnings.map(({ at, value }) => [at - t0, value.message, value.unitsInside])).toEqual([[6 * minute, '暴雨红色预警', unitsInsideWhenIssued]]);
    expect(unitsInsideWhenIssued.inspector).toBeGreaterThan(0);
    const between = await cityChanges(db, t0 + 4 * minute, t0 + 5 * minute, ['inspector', 'police-car']);
    expect(between.fixes.map((fix) => [fix.id, fix.fixTime! - t0]).sort(), 'after the first moment, up to and with the second').toEqual([[car.id, 5 * minute], [inspector.id, 5 * minute]].sort());
    expect(between.incidents.map((past) => past.value.status)).toEqual(['handling']);
  });

  it('gives the city at a moment: units where they last reported, the case and the unit sent as they stood then', async () => {
    const at = await cityAt(db, t0 + 4 * minute + 30_000, ['inspector']);
    expect(at.positions.map((unit) => [unit.id, unit.fixTime! - t0, unit.lon, unit.status])).toEqual([[inspector.id, 4 * minute, expect.closeTo(inspector.point[0] + 0.004, 9), inspector.status]]);
    expect(at.incidents.map((incident) => [incident.id, incident.status, incident.version])).toEqual([[incidentId, 'dispatched', 2], [callCase, 'registered', 1]]);
    expect(at.reports.map((request) => request.status)).toEqual(['dispatched']);
    expect(at.assignments.map((assignment) => [assignment.status, assignment.arrivedAt])).toEqual([['en-route', null]]);
    expect(at.warnings).toEqual([]);
    const later = await cityAt(db, t0 + 20 * minute, ['inspector']);
    expect(later.incidents.map((incident) => [incident.source, incident.status]), 'closed within the day: still on the screen').toEqual([['call', 'registered'], ['report', 'closed']]);
    expect(later.assignments, 'released').toEqual([]);
    expect(later.warnings.map((warning) => warning.message)).toEqual(['暴雨红色预警']);
    expect((await cityAt(db, t0, ['inspector'])).incidents, 'before it was reported').toEqual([]);
  });

  it("gives the roads' congestion, the cameras' events and the audit log as the screens had them: from what was received by then, traffic stale after 15 minutes", async () => {
    const traffic = (segments: { segmentId: string; speedKmh: number | null; updatedAt: string }[]) => segments.map((s) => [s.segmentId, s.speedKmh, s.updatedAt]);
    expect(traffic((await cityAt(db, t0 + minute - 1, [])).traffic), 'the first record not received yet').toEqual([]);
    expect(traffic((await cityAt(db, t0 + 90_000, [])).traffic)).toEqual([[camera.segmentId, 10, iso(t0 + minute)]]);
    expect(traffic((await cityAt(db, t0 + 10 * minute, [])).traffic)).toEqual([[camera.segmentId, 50, iso(t0 + 2 * minute)]]);
    expect((await cityAt(db, t0 + 18 * minute, [])).traffic, 'no record in the 15 minutes before').toEqual([]);
    const changes = await cityChanges(db, t0, t0 + 10 * minute, []);
    expect(changes.traffic.map(({ at, value }) => [at - t0, value.segmentId, value.speedKmh, value.level])).toEqual([
      [minute, camera.segmentId, 10, expect.stringMatching(/slow|congested/)],
      [2 * minute, camera.segmentId, 50, expect.any(String)],
    ]);
    expect(changes.audit.map(({ at, value }) => [at - t0, value.actor, value.action, value.after])).toEqual([[2 * minute, 'dispatcher', 'unit-assigned', { unitId: inspector.id }]]);
    expect((await cityAt(db, t0 + 2 * minute - 1, [])).audit.filter((entry) => entry.action === 'unit-assigned'), 'not yet').toEqual([]);
    expect((await cityAt(db, t0 + 4 * minute, [])).audit.filter((entry) => entry.action === 'unit-assigned').map((entry) => entry.objectId)).toEqual([String(incidentId)]);
    expect(changes.cameraEvents.map(({ at, value }) => [at - t0, value.cameraId, value.kind, value.description])).toEqual([[3 * minute, camera.id, 'accident', '追尾']]);
    expect((await cityAt(db, t0 + 3 * minute - 1, [])).cameraEvents).toEqual([]);
    expect((await cityAt(db, t0 + 4 * minute, [])).cameraEvents.map((event) => event.description)).toEqual(['追尾']);
  });

  it('gives each fence alert as it stood: raised when the taxi crossed, then acknowledged and cleared when the dispatcher did', async () => {
    const taxi = city.entities.find((e) => e.kind === 'taxi')!;
    const place: LonLat = [city.center[0] + 0.003, city.center[1] + 0.003];
    const move = (to: LonLat, atMs: number) =>
      db.transaction(async (tx) => checkGeofences(tx, (await persistPositionBatch(tx, [{ entityId: taxi.id, lon: to[0], lat: to[1], headingDeg: null, speedKmh: null, eventTime: atMs, receivedAt: atMs, sourceId: 'test' }])).map((e) => e.id)));
    await move([place[0] + 0.02, place[1]], t0 + 2 * minute);
    const d = 0.002;
    const fence = await db.transaction((tx) => createGeofence(tx, { name: '学校周边', kind: 'area', polygon: [[place[0] - d, place[1] - d], [place[0] + d, place[1] - d], [place[0] + d, place[1] + d], [place[0] - d, place[1] + d]], kinds: ['taxi'], severity: 2, createdBy: 'dispatcher' }));
    if (!fence.ok) throw new Error(fence.problem);
    const [raised] = await move(place, t0 + 3 * minute);
    expect(raised).toMatchObject({ event: 'enter', state: 'new' });
    await db.transaction((tx) => changeGeofenceAlert(tx, raised!.id, 'acknowledge', null));
    await db.transaction((tx) => clearGeofenceAlerts(tx, { geofenceId: fence.geofence.id }));
    const alertAt = async (ms: number) => (await cityAt(db, ms, [])).geofenceAlerts.filter((alert) => alert.id === raised!.id).map((alert) => [alert.state, alert.version]);
    expect(await alertAt(t0 + 3 * minute - 1), 'before the taxi crossed').toEqual([]);
    expect(await alertAt(t0 + 10 * minute), 'as raised, before the dispatcher saw it').toEqual([['new', 1]]);
    expect(await alertAt(Date.now() + 1_000)).toEqual([['cleared', 3]]);
    const changes = await cityChanges(db, t0, Date.now() + 1_000, []);
    expect(changes.geofenceAlerts.filter(({ value }) => value.id === raised!.id).map(({ at, value }) => [value.state, value.version, at === t0 + 3 * minute])).toEqual([
      ['new', 1, true],
      ['acknowledged', 2, false],
      ['cleared', 3, false],
    ]);
  });
});
