// Quoted against actual: the ETA a dispatcher is offered when sending a unit, against when its GPS
// put it on scene, with the built-in simulators driving and walking the city. Police calls (110,
// cars and officers) and citizens' reports (inspectors on foot) at random places, a few at a time.
// Baseline, same units at the same moments: the ETA as it was priced before people walked (every
// unit at the road's driving speed).
import { createRandom, createRoadRouter, readRoadGraph, travelModeOf, type EntityKind, type LonLat } from '../geo/index.ts';
import { ordersFromAssignments } from '../fixtures/index.ts';
import { simulatorsForTests } from '../fixtures/test-simulators.ts';
import { createTestTemplates, testBackends } from '../geo/test-support.ts';
import { dispatchedAssignments } from '../launch/index.ts';
import { cityProfiles, defaultCity, generateCity, loadCity } from '../seeds/index.ts';
import { startTestServer, type TestServer } from '../server/test-server.ts';
import type { LiveAssignment, UnitCandidate } from '../streams/index.ts';
import type { BenchOutput, Figure } from './report.ts';
import { percentile } from './timing.ts';

// All at once, so the run takes as long as its longest walk (a quarter of an hour at most).
const cases = 16;
// A unit farther than this is not sent (a case that far is another agency's), m: on foot, a 10-minute walk.
const nearEnoughM = { drive: 2_500, walk: 800 };

interface Sent {
  kind: EntityKind;
  quotedS: number;
  baselineS: number;
  actualS: number;
}

export async function benchDispatchEta(): Promise<BenchOutput> {
  // The test server starts from a copy of a template with the city loaded, as in `npm test`.
  const removeTemplates = await createTestTemplates(defaultCity, (db) => loadCity(db, defaultCity));
  const simulators = await simulatorsForTests();
  let opened: TestServer | undefined;
  try {
    const server = (opened = await startTestServer(testBackends()[0]!, { ...simulators.env, TICK_MS: '1000' }));
    // The crews drive where they are sent, heard as their terminals would (the dispatch push).
    await simulators.start(server, { orders: ordersFromAssignments(dispatchedAssignments(server.url, (error) => console.error(error))) });
    const city = generateCity(cityProfiles.karamay);
    const random = createRandom(3);
    const drivingEverywhere = createRoadRouter(await readRoadGraph(server.db));
    // The simulated crews are on duty once their trackers have reported.
    const operator = await server.as('operator');
    await pollEvery(1_000, 60_000, async () => {
      const force = (await (await operator.fetch('/api/force')).json()) as { agency: string; duty: string; units: number }[];
      const available = (agency: string) => force.filter((row) => row.agency === agency && row.duty === 'available').reduce((sum, row) => sum + row.units, 0);
      return available('police') > 100 && available('city') > 50 ? true : undefined;
    });
    const results = await Promise.all(
      Array.from({ length: cases }, async (_, i) => {
        // A case every 2 s, as calls come in.
        await new Promise((resolve) => setTimeout(resolve, i * 2_000));
        const stop = city.busStops[Math.floor(random.between(0, city.busStops.length))]!;
        return sendAndWait(server, stop.point, i % 2 === 0 ? 'alarm' : 'report', String(i), drivingEverywhere);
      }),
    );
    const sent = results.flatMap((result) => (result ? [result] : []));
    return [...['drive', 'walk'].map((mode) => summarise(sent.filter((s) => travelModeOf(s.kind) === mode), mode)), `  (${sent.length} units sent and arrived)`];
  } finally {
    await simulators.stop();
    await opened?.close();
    await removeTemplates();
  }
}

/** Opens a case at `at`, sends the best candidate, and waits until its GPS puts it on scene. */
async function sendAndWait(server: TestServer, at: LonLat, how: 'alarm' | 'report', tag: string, drivingEverywhere: ReturnType<typeof createRoadRouter>): Promise<Sent | undefined> {
  const dispatcher = await server.as('dispatcher');
  const incidentId = how === 'alarm' ? await callIn(server, at, tag) : await report(server, at, tag);
  if (incidentId === undefined) return skipped(`${how} ${tag}: no case opened`);
  const { candidates = [] } = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/candidates`)).json()) as { candidates?: UnitCandidate[] };
  const best = candidates.find((candidate) => candidate.distanceM <= nearEnoughM[travelModeOf(candidate.kind)]);
  if (!best) return skipped(`${how} ${tag}: no candidate near enough`);
  const baselineS = drivingEverywhere.routesTo(at, [[best.lon, best.lat]], 'drive')[0]?.seconds ?? NaN;
  const answer = await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unitId: best.id }) });
  if (!answer.ok) return skipped(`${how} ${tag}: sending refused, ${answer.status} ${await answer.text()}`);
  const assignment = (await answer.json()) as LiveAssignment;
  const arrived = await pollEvery(2_000, 3 * best.etaS * 1000 + 120_000, async () => {
    const all = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`)).json()) as LiveAssignment[];
    return all.find((a) => a.id === assignment.id && a.arrivedAt);
  });
  if (!arrived) return skipped(`${how} ${tag}: ${best.id} never arrived (quoted ${best.etaS} s)`);
  return { kind: best.kind, quotedS: assignment.etaS, baselineS, actualS: (Date.parse(arrived.arrivedAt!) - Date.parse(arrived.assignedAt)) / 1000 };
}

async function callIn(server: TestServer, at: LonLat, tag: string): Promise<number | undefined> {
  const body = { alarms: [{ id: `bench-${tag}-${Date.now()}`, line: '110', category: 'help', lon: at[0], lat: at[1], description: 'bench' }] };
  const answer = (await (await server.feed('/ingest/alarms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { accepted?: { incidentId: number | null }[] };
  return answer.accepted?.[0]?.incidentId ?? undefined;
}

async function report(server: TestServer, at: LonLat, tag: string): Promise<number | undefined> {
  const created = await server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams({ service_code: 'garbage', lat: String(at[1]), long: String(at[0]), description: `bench ${tag}` }) });
  if (!created.ok) return undefined;
  const [request] = (await created.json()) as { service_request_id: string }[];
  const incidents = (await (await (await server.as('dispatcher')).fetch('/api/incidents')).json()) as { id: number; sourceRef: string | null; source: string }[];
  return incidents.find((incident) => incident.sourceRef === request!.service_request_id)?.id;
}

/** Asks every `everyMs` (a session may make 600 API requests a minute) until `find` answers, or `timeoutMs` passes. */
async function pollEvery<T>(everyMs: number, timeoutMs: number, find: () => Promise<T | undefined>): Promise<T | undefined> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, everyMs))) {
    const found = await find().catch(() => undefined);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A case the bench could not measure, said on stderr so a run that measures little says why. */
function skipped(why: string): undefined {
  process.stderr.write(`  skipped: ${why}\n`);
  return undefined;
}

function summarise(sent: Sent[], mode: string): Figure | string {
  if (sent.length === 0) return `  ${mode}: no unit of this mode was sent and arrived`;
  const error = (pick: (s: Sent) => number) => sent.map((s) => Math.abs(s.actualS - pick(s)));
  const line = (pick: (s: Sent) => number) => `median ${percentile(error(pick), 50).toFixed(0)} s, p90 ${percentile(error(pick), 90).toFixed(0)} s`;
  const actual = sent.map((s) => s.actualS);
  return {
    figure: `dispatch ETA quoted against the GPS's arrival, ${mode === 'drive' ? 'cars' : 'on foot'} (${sent.length} units, actual median ${percentile(actual, 50).toFixed(0)} s; simulated Karamay)`,
    measured: `|actual − quoted| ${line((s) => s.quotedS)}`,
    baseline: `priced as driving: ${line((s) => s.baselineS)}`,
    ratio: `${(percentile(error((s) => s.baselineS), 50) / Math.max(1, percentile(error((s) => s.quotedS), 50))).toFixed(1)}× (median)`,
    target: '—',
  };
}
