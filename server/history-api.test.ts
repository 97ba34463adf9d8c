import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, type LonLat, type NearbyActivity, type PastPosition, type UnitTrack } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { driveAlong, startTestServer, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const car = karamay.entities.find((entity) => entity.kind === 'police-car')!;
const taxi = karamay.entities.find((entity) => entity.kind === 'taxi')!;
// 1.2 km east from its home point: four fixes 20 s apart.
const route: LonLat[] = [car.point, [car.point[0] + 0.015, car.point[1]]];

// One back end: this is about the routes, roles and audit; geo/history-reads.test.ts reads both.
describe.each(testBackends().slice(0, 1))('the city\'s past over HTTP, on the $name database', (backend) => {
  let server: TestServer;
  let fixTimes: number[];
  beforeAll(async () => {
    server = await startTestServer(backend);
    const statuses = await driveAlong(server.osmandUrl, server.db, car.id, route);
    expect(statuses.every((status) => status === 200)).toBe(true);
    fixTimes = (await server.db.query<{ ms: string }>(`SELECT (extract(epoch FROM event_time) * 1000)::bigint::text AS ms FROM position_history WHERE entity_id = $1 ORDER BY 1`, [car.id])).map((row) => Number(row.ms));
    expect(fixTimes).toHaveLength(statuses.length);
  });
  afterAll(() => server?.close());

  const positionsAt = async (who: string, at: number | string, kind = '') => {
    const response = await (await server.as(who)).fetch(`/api/history/positions?at=${encodeURIComponent(String(at))}${kind && `&kind=${kind}`}`);
    return { status: response.status, body: (await response.json()) as { positions: PastPosition[]; error?: string } };
  };

  it('shows every unit where it was at a moment, to the roles that may see it live', async () => {
    const [first, second] = [fixTimes[0]!, fixTimes[1]!];
    const atFirst = await positionsAt('operator', new Date(first + 5_000).toISOString(), 'police-car');
    expect(atFirst.status).toBe(200);
    expect(atFirst.body.positions.find((p) => p.id === car.id)).toMatchObject({ kind: 'police-car', fixTime: first });
    expect((await positionsAt('dispatcher', second)).body.positions.find((p) => p.id === car.id), 'at the second fix, as epoch ms').toMatchObject({ fixTime: second });
    expect((await positionsAt('operator', first - 1_000, 'police-car')).body.positions, 'before its first fix').toEqual([]);

    const official = await positionsAt('official', second);
    expect(official.status).toBe(200);
    expect(official.body.positions.filter((p) => p.kind.startsWith('police')), 'an official sees no police unit without the grant').toEqual([]);
    expect((await positionsAt('official', second, 'police-car')).status).toBe(403);
    expect((await positionsAt('operator', 'yesterday')).body.error).toMatch(/give at, the moment/);
    expect((await positionsAt('operator', second, 'spaceship')).status).toBe(400);
  });

  it('answers who was within a radius of a place between two moments, to the roles that may see them', async () => {
    const [lon, lat] = route[1]!;
    const near = async (who: string, query: string) => {
      const response = await (await server.as(who)).fetch(`/api/history/nearby?${query}`);
      return { status: response.status, body: (await response.json()) as NearbyActivity & { error?: string } };
    };
    const during = `from=${fixTimes[0]! - 1_000}&to=${fixTimes.at(-1)! + 1_000}`;
    const seen = await near('dispatcher', `lon=${lon}&lat=${lat}&radius=200&${during}`);
    expect(seen.status).toBe(200);
    expect(seen.body.units.map((unit) => unit.id)).toEqual([car.id]);
    expect(seen.body.units[0]!.distanceM, 'its closest fix: the last, at the place').toBeLessThan(5);
    expect((await near('dispatcher', `lon=${lon}&lat=${lat}&radius=200&from=${fixTimes[0]! - 60_000}&to=${fixTimes[0]! - 1_000}`)).body.units, 'before it drove there').toEqual([]);
    expect((await near('official', `lon=${lon}&lat=${lat}&radius=200&${during}`)).body.units, 'an official sees no police unit without the grant').toEqual([]);
    expect((await near('dispatcher', `lon=${lon}&lat=${lat}&radius=99999&${during}`)).body.error).toMatch(/radius, 10–5000 m/);
    expect((await near('dispatcher', `lon=${lon}&lat=${lat}&from=0&to=${Date.now()}`)).body.error).toMatch(/at most 24 h apart/);
  });

  it('gives one unit\'s track with its speed, refuses a kind the role may not see, and audits an official\'s reads once granted', async () => {
    const window = `from=${fixTimes[0]! - 1_000}&to=${new Date(fixTimes.at(-1)! + 1_000).toISOString()}`;
    const track = (await (await (await server.as('dispatcher')).fetch(`/api/history/units/${car.id}/track?${window}`)).json()) as UnitTrack;
    expect(track.unit).toEqual({ id: car.id, kind: 'police-car', label: car.label });
    expect(track.points.map((p) => p.at)).toEqual(fixTimes);
    expect(track.points.every((p) => p.speedKmh !== null && p.speedKmh > 0)).toBe(true);
    expect(track.stops).toEqual([]);
    // Its first fix a quarter of the way along: three quarters of the 0.015° east (1,169 m there), fix to fix.
    expect(track.distanceM).toBeGreaterThan(860);
    expect(track.distanceM).toBeLessThan(890);

    const official = await server.as('official');
    const refused = await official.fetch(`/api/history/units/${car.id}/track?${window}`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/may not see where police-car units are/);
    expect((await official.fetch(`/api/history/units/${taxi.id}/track?${window}`)).status, 'a taxi: allowed, no fixes').toBe(200);
    expect((await official.fetch(`/api/history/units/no-such-unit/track?${window}`)).status).toBe(404);
    expect((await official.fetch(`/api/history/units/${taxi.id}/track?from=0&to=${Date.now()}`)).status, 'longer than a day').toBe(400);

    const granted = await (await server.as('admin')).fetch('/api/users/official', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grants: ['police-positions'] }) });
    expect(granted.status).toBe(200);
    const seen = (await (await (await server.as('official')).fetch(`/api/history/units/${car.id}/track?${window}`)).json()) as UnitTrack;
    expect(seen.points).toHaveLength(fixTimes.length);
    await positionsAt('official', fixTimes[1]!, 'police-car');
    const reads = await listAudit(server.db, { actor: 'official', action: 'police-positions-read', limit: 10 });
    expect(reads.map((entry) => (entry.after as { via: string }).via)).toEqual(['GET /api/history/positions', 'GET /api/history/units/:id/track']);
    expect(await listAudit(server.db, { actor: 'dispatcher', action: 'police-positions-read', limit: 10 }), 'a dispatcher reading police history: their job').toEqual([]);
  });
});
