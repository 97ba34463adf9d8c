// `npm start`'s simulated crews drive where the dispatcher sends them: they hear the assignment
// from the dispatch push, as a unit's terminal would, and their trackers put them on scene.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveAssignment, LiveEntity, UnitCandidate } from '../streams/index.ts';
import { seen } from '../server/test-server.ts';
import { startLauncher } from './test-launcher.ts';

describe('npm start’s crews', () => {
  let launched: Awaited<ReturnType<typeof startLauncher>>;
  beforeAll(async () => {
    launched = await startLauncher();
  }, 200_000);
  afterAll(() => launched?.cleanUp());

  it('drive to the case they are sent to and arrive', { timeout: 400_000 }, async () => {
    const [admin, dispatcher] = [await launched.as('admin'), await launched.as('dispatcher')];
    const issued = await admin.fetch('/api/feed-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'crews test', feed: 'alarms' }) });
    const { key } = (await issued.json()) as { key: string };
    // A call where a police car is now, moved ~400 m on: the nearest candidate is a drive of a minute or two.
    const cars = await seen(async () => {
      const all = (await (await dispatcher.fetch('/api/entities?kind=police-car')).json()) as LiveEntity[];
      const reported = all.filter((car) => car.updatedAt !== null && Date.now() - Date.parse(car.updatedAt) < 30_000);
      return reported.length > 50 ? reported : undefined;
    }, 60_000);
    const near = cars[0]!;
    const at = [near.lon + 0.004, near.lat + 0.002];
    const alarm = { alarms: [{ id: `crews-${Date.now()}`, line: '110', category: 'help', lon: at[0], lat: at[1], description: 'test' }] };
    const called = await fetch(new URL('/ingest/alarms', launched.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(alarm) });
    const { incidentId } = ((await called.json()) as { accepted: { incidentId: number }[] }).accepted[0]!;
    const { candidates } = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/candidates`)).json()) as { candidates: UnitCandidate[] };
    const best = candidates.find((candidate) => candidate.kind === 'police-car')!;
    const sent = await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unitId: best.id }) });
    expect(sent.status).toBe(201);
    // A roaming car would not find one point of the city; a crew told where to go arrives within a few ETAs.
    let arrived: LiveAssignment | undefined;
    for (const started = Date.now(); !arrived && Date.now() - started < 3 * best.etaS * 1000 + 120_000; await new Promise((resolve) => setTimeout(resolve, 2_000))) {
      const assignments = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`)).json()) as LiveAssignment[];
      arrived = assignments.find((assignment) => assignment.unitId === best.id && assignment.arrivedAt !== null);
    }
    expect(arrived?.status, `${best.id} sent ${best.distanceM} m (ETA ${best.etaS} s) never arrived`).toBe('on-scene');
  });
});
