import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import {
  assignUnit,
  createRoadRouter,
  createServiceRequest,
  cumulativeLengths,
  detectArrivals,
  dispatchRules,
  findCandidates,
  listSegmentTraffic,
  nearestAvailableUnits,
  openIncidentsFromReports,
  persistPositionBatch,
  readForceDistribution,
  readIncidentHistory,
  readRoadGraph,
  releaseAssignments,
  travelModeOf,
  unitKindsOf,
  type Database,
  type Incident,
  type LonLat,
  type RoadRouter,
  type ServiceRequest,
} from './index.ts';
import { openWithCity, shortestRoadSeconds, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const unitKinds = [...unitKindsOf.police, ...unitKindsOf.city];

describe.each(testBackends())('dispatch on the $name database', (backend) => {
  let db: Database;
  let router: RoadRouter;
  let report = 0;
  const openCase = async (serviceCode: string, at: LonLat): Promise<Incident> => {
    const request = (await createServiceRequest(db, { serviceCode, description: `case ${++report}`, mediaUrl: null, address: null, reporter: 'citizen', reporterId: null, contact: {}, sourceId: 'open311', at, requestedAt: Date.now() })) as ServiceRequest;
    return (await openIncidentsFromReports(db, [request.id]))[0]!;
  };
  const fix = (entityId: string, at: LonLat, eventTime = Date.now()) => ({ entityId, lon: at[0], lat: at[1], headingDeg: null, speedKmh: null, eventTime, receivedAt: eventTime, sourceId: 'test' });
  beforeAll(async () => {
    db = await openWithCity(backend, city);
    // Every unit reported a minute ago, where the city placed it, except one silent for an hour.
    await db.query(`UPDATE entities SET updated_at = now() - interval '1 minute' WHERE kind = ANY($1::text[])`, [unitKinds]);
    await db.query(`UPDATE entities SET updated_at = now() - interval '1 hour' WHERE id = 'pc-0001'`);
    // Jams on every fifth segment, as cameras measured them.
    await db.query(
      `INSERT INTO segment_traffic (segment_id, speed_kmh, free_flow_kmh, volume, occupancy_pct, updated_at)
       SELECT id, 4 + (row_number() OVER (ORDER BY id)) % 20, speed_limit_kmh, 30, 60, now() FROM road_segments WHERE abs(hashtext(id)) % 5 = 0`,
    );
    router = createRoadRouter(await readRoadGraph(db));
    router.updateSpeeds(await listSegmentTraffic(db));
  });
  afterAll(() => db.close());

  it('finds the nearest available units by KNN as a full scan would, leaving out the silent and the wrong kind', async () => {
    const scene = city.busStops[3]!.point;
    const knn = await nearestAvailableUnits(db, scene, unitKindsOf.police, dispatchRules.pool);
    const scan = await db.query<{ id: string }>(
      `SELECT id FROM entities WHERE duty = 'available' AND kind = ANY($3::text[]) AND updated_at > now() - interval '10 minutes'
        ORDER BY ST_Distance(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT $4`,
      [scene[0], scene[1], unitKindsOf.police, dispatchRules.pool],
    );
    expect(knn.map((unit) => unit.id)).toEqual(scan.map((unit) => unit.id));
    expect(knn).toHaveLength(dispatchRules.pool);
    expect(new Set(knn.map((unit) => unit.kind))).toEqual(new Set(unitKindsOf.police));
    expect(knn.map((unit) => unit.id)).not.toContain('pc-0001');
  });

  it('ranks candidates by road ETA on live speeds, each equal to an independent shortest path', async () => {
    const incident = await openCase('safety-hazard', city.busStops[7]!.point);
    const candidates = await findCandidates(db, router, incident);
    expect(candidates).toHaveLength(dispatchRules.count);
    // Each unit in its own way: cars by the live road speeds, officers on foot.
    const byMode = { drive: await shortestRoadSeconds(db, [incident.lon, incident.lat], 'drive'), walk: await shortestRoadSeconds(db, [incident.lon, incident.lat], 'walk') };
    const independent = (unit: { kind: Parameters<typeof travelModeOf>[0]; lon: number; lat: number }) => byMode[travelModeOf(unit.kind)]([unit.lon, unit.lat]);
    for (const candidate of candidates) {
      expect(unitKindsOf.police).toContain(candidate.kind);
      expect(Math.abs(candidate.etaS - independent(candidate)), candidate.id).toBeLessThanOrEqual(1);
      // On foot: no faster than a walk along the road it measured.
      if (candidate.kind === 'police-officer') expect(candidate.etaS, candidate.id).toBeGreaterThanOrEqual(candidate.roadM / (5 / 3.6) - 1);
      expect(candidate.route[0]).toEqual([candidate.lon, candidate.lat]);
      expect(candidate.route.at(-1)).toEqual([incident.lon, incident.lat]);
      expect(candidate.roadM).toBeGreaterThanOrEqual(candidate.distanceM - 1);
      // The line drawn is the road measured: its length is the distance the ETA was priced on.
      expect(Math.abs(cumulativeLengths(candidate.route).at(-1)! - candidate.roadM), candidate.id).toBeLessThan(2 + candidate.roadM * 0.01);
    }
    expect(candidates.map((c) => c.etaS)).toEqual([...candidates.map((c) => c.etaS)].sort((a, b) => a - b));
    // The rest of the pool is no faster than the last one kept.
    const pool = await nearestAvailableUnits(db, [incident.lon, incident.lat], unitKindsOf.police, dispatchRules.pool);
    const slowestKept = candidates.at(-1)!.etaS;
    for (const unit of pool.filter((u) => !candidates.some((c) => c.id === u.id))) expect(Math.round(independent(unit))).toBeGreaterThanOrEqual(slowestKept - 1);
    // A jam re-prices the road: the same unit, all its segments crawling, takes longer.
    const best = candidates.find((c) => c.etaS > 10 && c.kind === 'police-car')!;
    const slower = createRoadRouter(await readRoadGraph(db));
    slower.updateSpeeds((await readRoadGraph(db)).map((edge) => ({ segmentId: edge.id, speedKmh: 6, freeFlowKmh: 60, volume: 1, occupancyPct: 90, level: 'congested', updatedAt: new Date().toISOString() })));
    expect(slower.routesTo([incident.lon, incident.lat], [[best.lon, best.lat]])[0]!.seconds).toBeGreaterThan(best.etaS);
  });

  it('draws a route through the crossing a unit and its case share, as long as the road it priced', async () => {
    const crossing = city.roadSegments[40]!.line[0]!;
    const metre = 1 / 111_320;
    const scene: LonLat = [crossing[0] + (30 * metre) / Math.cos((crossing[1] * Math.PI) / 180), crossing[1]];
    const unit: LonLat = [crossing[0], crossing[1] + 30 * metre];
    const [route] = router.routesTo(scene, [unit]);
    expect(route!.line).toEqual([unit, crossing, scene]);
    expect(Math.abs(cumulativeLengths(route!.line).at(-1)! - route!.metres)).toBeLessThan(1);
  });

  it('sends a unit, puts it on scene when its GPS reaches the case, and frees it when the case is done', async () => {
    const incident = await openCase('garbage', city.busStops[11]!.point);
    const [inspector] = await findCandidates(db, router, incident);
    expect(inspector!.kind).toBe('inspector');
    // An inspector walks: the ETA offered is the walk, not the drive (0.6 km was once offered as 87 s).
    const [route] = router.routesTo([incident.lon, incident.lat], [[inspector!.lon, inspector!.lat]], 'walk');
    expect(inspector!.etaS).toBe(Math.round(route!.seconds));
    expect(inspector!.etaS).toBeGreaterThan(router.routesTo([incident.lon, incident.lat], [[inspector!.lon, inspector!.lat]], 'drive')[0]!.seconds * 2);
    const sent = await db.transaction((tx) => assignUnit(tx, incident.id, inspector!.id, 'dispatcher', route!));
    expect(sent).toMatchObject({ ok: true, assignment: { unitId: inspector!.id, status: 'en-route', etaS: Math.round(route!.seconds) }, incident: { after: { status: 'dispatched' } } });
    expect(await db.transaction((tx) => assignUnit(tx, incident.id, inspector!.id, 'dispatcher', route!))).toEqual({ ok: false, reason: 'unit-busy', detail: 'en-route' });
    expect(await db.transaction((tx) => assignUnit(tx, incident.id, 'pc-0002', 'dispatcher', route!))).toEqual({ ok: false, reason: 'wrong-kind', detail: 'inspector' });
    expect((await findCandidates(db, router, incident)).map((c) => c.id)).not.toContain(inspector!.id);

    // 200 m away: still en route. 20 m away: on scene, and the case is being handled.
    const scene: LonLat = [incident.lon, incident.lat];
    const away = (metres: number): LonLat => [scene[0], scene[1] + metres / 111_320];
    const arrive = (at: LonLat, time: number) => db.transaction(async (tx) => detectArrivals(tx, (await persistPositionBatch(tx, [fix(inspector!.id, at, time)])).map((e) => e.id)));
    expect(await arrive(away(200), Date.now() - 2_000)).toEqual({ assignments: [], incidents: [] });
    const arrived = await arrive(away(20), Date.now() - 1_000);
    expect(arrived.assignments).toMatchObject([{ unitId: inspector!.id, status: 'on-scene', arrivedAt: expect.any(String) }]);
    expect(arrived.incidents).toMatchObject([{ id: incident.id, status: 'handling' }]);
    expect((await readIncidentHistory(db, incident.id)).at(-1)).toMatchObject({ actor: 'gps', fromStatus: 'dispatched', toStatus: 'handling', note: `${inspector!.label} 到场` });
    const duty = async () => (await db.query<{ duty: string }>('SELECT duty FROM entities WHERE id = $1', [inspector!.id]))[0]!.duty;
    expect(await duty()).toBe('on-scene');

    const released = await db.transaction((tx) => releaseAssignments(tx, incident.id));
    expect(released).toMatchObject([{ unitId: inspector!.id, status: 'released', releasedAt: expect.any(String) }]);
    expect(await duty()).toBe('available');
  });

  it('counts the force per district: available, busy, and silent units as off duty', async () => {
    const force = await readForceDistribution(db);
    const total = (filter: (row: (typeof force)[number]) => boolean) => force.filter(filter).reduce((sum, row) => sum + row.units, 0);
    expect(total(() => true)).toBe(city.entities.filter((e) => unitKinds.includes(e.kind)).length);
    expect(total((row) => row.agency === 'police' && row.duty === 'off-duty')).toBe(1);
    expect(total((row) => row.agency === 'city')).toBe(city.entities.filter((e) => e.kind === 'inspector').length);
  });
});
