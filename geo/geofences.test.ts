import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import {
  changeGeofenceAlert,
  checkGeofences,
  clearGeofenceAlerts,
  createGeofence,
  listGeofenceAlerts,
  persistPositionBatch,
  removeGeofence,
  type Database,
  type LonLat,
  type NewGeofence,
} from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const [taxi, otherTaxi] = city.entities.filter((e) => e.kind === 'taxi');
const car = city.entities.find((e) => e.kind === 'police-car')!;
const bus = city.entities.find((e) => e.kind === 'bus')!;
const centre = city.busStops[2]!.point;
// Metres to degrees near the city: good enough for placing test points.
const offset = ([lon, lat]: LonLat, eastM: number, northM: number): LonLat => [lon + eastM / (111_320 * Math.cos((lat * Math.PI) / 180)), lat + northM / 111_320];
const square = (at: LonLat, halfM: number): LonLat[] => [offset(at, -halfM, -halfM), offset(at, halfM, -halfM), offset(at, halfM, halfM), offset(at, -halfM, halfM)];

describe.each(testBackends())('geofences on the $name database', (backend) => {
  let db: Database;
  let clock = Date.now() - 20_000;
  /** Moves entities to places (each fix a second after the last) and runs the tick's geofence check. */
  const move = (...moves: [string, LonLat][]) =>
    db.transaction(async (tx) => {
      const moved = await persistPositionBatch(tx, moves.map(([entityId, [lon, lat]]) => ({ entityId, lon, lat, headingDeg: null, speedKmh: null, eventTime: ++clock, receivedAt: clock, sourceId: 'test' })));
      return checkGeofences(tx, moved.map((e) => e.id));
    });
  const create = (fence: Omit<NewGeofence, 'createdBy' | 'severity'> & { severity?: number }) => db.transaction((tx) => createGeofence(tx, { severity: 2, createdBy: 'dispatcher', ...fence }));
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('raises enter and exit for an area drawn on the map, and nothing for whoever was inside when it was drawn', async () => {
    await move([taxi!.id, offset(centre, 1_000, 0)], [otherTaxi!.id, offset(centre, 50, 0)]);
    const created = await create({ name: '学校周边', kind: 'area', polygon: square(centre, 300), kinds: ['taxi'] });
    expect(created).toMatchObject({ ok: true, geofence: { name: '学校周边', kind: 'area', shape: { type: 'Polygon' } } });
    expect(await move([otherTaxi!.id, offset(centre, 60, 0)]), 'already inside when drawn').toEqual([]);
    expect((await move([taxi!.id, offset(centre, 100, 0)])).map((a) => [a.entityId, a.event, a.geofenceName])).toEqual([[taxi!.id, 'enter', '学校周边']]);
    expect(await move([taxi!.id, offset(centre, 120, 0)]), 'still inside').toEqual([]);
    expect((await move([taxi!.id, offset(centre, 900, 0)])).map((a) => [a.entityId, a.event])).toEqual([[taxi!.id, 'exit']]);
    expect(await move([car.id, offset(centre, 0, 0)]), 'a kind it does not watch').toEqual([]);
    await db.transaction((tx) => removeGeofence(tx, created.ok ? created.geofence.id : 0));
    expect(await move([taxi!.id, offset(centre, 0, 0)]), 'a removed fence raises nothing').toEqual([]);
  });

  it('refuses shapes beyond the limits, with the reason', async () => {
    const problem = async (polygon: LonLat[]) => {
      const result = await create({ name: 'x', kind: 'area', polygon, kinds: ['taxi'] });
      return result.ok ? 'created' : result.problem;
    };
    const circle = Array.from({ length: 201 }, (_, i): LonLat => offset(centre, 200 * Math.cos((2 * Math.PI * i) / 201), 200 * Math.sin((2 * Math.PI * i) / 201)));
    expect(await problem(circle)).toBe('an area may have at most 200 corners; this one has 201');
    const [a, b, c, d] = square(centre, 300);
    expect(await problem([a!, c!, b!, d!])).toBe('the area crosses itself; draw it again without crossing lines');
    expect(await problem(square(centre, 5_000))).toMatch(/^an area may cover at most 50 km²; this one covers (99|100)\.\d km²$/);
    expect(await problem(square([0.5, 0.5], 100))).toBe('the area lies outside the city');
    expect(await problem([a!, b!])).toBe('an area needs at least 3 corners');
  });

  it('moves a radius with its unit: a taxi left behind leaves it', async () => {
    await move([car.id, offset(centre, -2_000, 0)], [taxi!.id, offset(centre, -2_050, 0)]);
    const created = await create({ name: '护卫', kind: 'unit-radius', unitId: car.id, radiusM: 200, kinds: ['taxi'] });
    expect(created.ok).toBe(true);
    expect((await move([car.id, offset(centre, -2_600, 0)])).map((a) => [a.entityId, a.event]), 'only the car moved').toEqual([[taxi!.id, 'exit']]);
    expect((await move([car.id, offset(centre, -2_100, 0)])).map((a) => [a.entityId, a.event])).toEqual([[taxi!.id, 'enter']]);
  });

  it('keeps buses in a corridor along their route, and raises dwelling once', async () => {
    const route = city.busRoutes.find((r) => r.id === bus.routeId)!;
    const onRoute = route.line[Math.floor(route.line.length / 2)]!;
    await move([bus.id, onRoute]);
    expect((await create({ name: '线路走廊', kind: 'route-corridor', routeId: route.id, radiusM: 60, kinds: [], dwellMinutes: 10 })).ok).toBe(true);
    expect((await move([bus.id, offset(onRoute, 0, 800)])).map((a) => [a.entityId, a.event])).toEqual([[bus.id, 'exit']]);
    expect((await move([bus.id, onRoute])).map((a) => a.event)).toEqual(['enter']);
    // Twenty minutes later, with no fix in between: dwelling past the limit is raised at the next check, once.
    // (A limit of minutes, not one: a slow machine must not reach it between the test's own steps.)
    await db.query(`UPDATE geofence_presence SET entered_at = now() - interval '20 minutes' WHERE entity_id = $1`, [bus.id]);
    expect((await db.transaction((tx) => checkGeofences(tx, []))).map((a) => [a.entityId, a.event])).toEqual([[bus.id, 'dwell']]);
    expect(await db.transaction((tx) => checkGeofences(tx, [])), 'raised once').toEqual([]);
  });

  it('lets people acknowledge, assign and clear an alert, each a new version', async () => {
    const [alert] = await listGeofenceAlerts(db);
    const step = (action: 'acknowledge' | 'assign' | 'clear', to: string | null = null) => db.transaction((tx) => changeGeofenceAlert(tx, alert!.id, action, to));
    expect(await step('acknowledge')).toMatchObject({ ok: true, before: { state: 'new' }, after: { state: 'acknowledged', version: 2 } });
    expect(await step('assign', 'dispatcher')).toMatchObject({ ok: true, after: { state: 'assigned', assignedTo: 'dispatcher', version: 3 } });
    expect(await step('clear')).toMatchObject({ ok: true, after: { state: 'cleared', version: 4 } });
    expect(await step('acknowledge')).toEqual({ ok: false, reason: 'cleared' });
    expect((await listGeofenceAlerts(db)).map((a) => a.id)).not.toContain(alert!.id);
  });

  it('counts a crossing repeated within the cool-down on its open alert, and raises it again after a quiet spell', async () => {
    const spot = offset(centre, 600, 0);
    await move([taxi!.id, offset(spot, 1_000, 0)]);
    const created = await create({ name: '路口', kind: 'area', polygon: square(spot, 100), kinds: ['taxi'] });
    expect(created.ok ? 'created' : created.problem).toBe('created');
    const fenceId = created.ok ? created.geofence.id : 0;
    const jitter = async (times: number) => {
      const raised = [];
      for (let i = 0; i < times; i++) raised.push(...(await move([taxi!.id, spot])), ...(await move([taxi!.id, offset(spot, 400, 0)])));
      return raised.filter((a) => a.geofenceId === fenceId);
    };
    const first = await jitter(5);
    expect(new Set(first.map((a) => a.id)).size, 'one alert for entering, one for leaving').toBe(2);
    const open = (await listGeofenceAlerts(db)).filter((a) => a.geofenceId === fenceId);
    expect(open.map((a) => [a.event, a.repeats]).sort()).toEqual([['enter', 4], ['exit', 4]]);
    expect(open.every((a) => a.version === 5 && Date.parse(a.lastAt) > Date.parse(a.at)), 'each repeat is a new version, with when it last happened').toBe(true);
    // Quiet for longer than the cool-down: the next crossing is news again.
    await db.query(`UPDATE geofence_alerts SET last_at = last_at - interval '11 minutes' WHERE geofence_id = $1`, [fenceId]);
    const later = await jitter(1);
    expect(later.every((a) => a.repeats === 0 && !open.some((o) => o.id === a.id))).toBe(true);

    // Clearing in bulk: by event, then the fence's remaining alerts go with the fence.
    const exits = await db.transaction((tx) => clearGeofenceAlerts(tx, { geofenceId: fenceId, event: 'exit' }));
    expect(exits.map((a) => [a.event, a.state])).toEqual([['exit', 'cleared'], ['exit', 'cleared']]);
    const removed = await db.transaction((tx) => removeGeofence(tx, fenceId));
    expect(removed!.cleared.map((a) => [a.event, a.state]).sort()).toEqual([['enter', 'cleared'], ['enter', 'cleared']]);
    expect((await listGeofenceAlerts(db)).filter((a) => a.geofenceId === fenceId)).toEqual([]);
  });

  it('refuses a fence that watches only kinds the city does not have', async () => {
    await db.query(`DELETE FROM geofence_presence`);
    const absent = (['truck', 'taxi', 'bus'] as const).filter((kind) => !city.entities.some((e) => e.kind === kind));
    const missing = absent[0] ?? (await db.query(`DELETE FROM geofence_alerts WHERE entity_id IN (SELECT id FROM entities WHERE kind = 'truck')`), await db.query(`DELETE FROM entities WHERE kind = 'truck'`), 'truck');
    const result = await create({ name: '货车', kind: 'area', polygon: square(centre, 300), kinds: [missing] });
    expect(result).toEqual({ ok: false, problem: expect.stringMatching(new RegExp(`^the city has no ${missing}, so the fence would watch nothing; watch one of .*taxi`)) });
  });
});
