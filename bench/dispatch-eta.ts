// Quoted against actual: the ETA a dispatcher is offered when sending a unit, against when its GPS
// put it on scene, with the built-in simulators driving and walking the city. Police calls (110,
// cars and officers) and citizens' reports (inspectors on foot) at random places, a few at a time.
// Baseline, same units at the same moments: the ETA as it was priced before people walked (every
// unit at the road's driving speed).
import { createRandom, createRoadRouter, readRoadGraph, testBackends, travelModeOf, type EntityKind, type LonLat } from '../geo/index.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { seen, startTestServer, type TestServer } from '../server/test-server.ts';
import type { LiveAssignment, UnitCandidate } from '../streams/index.ts';
import { percentile } from './timing.ts';

const rounds = 4;
const casesPerRound = 6;
// A unit farther than this is not a fair test of an ETA (the simulator's crews are on patrol), m.
const nearEnoughM = 2_500;

interface Sent {
  kind: EntityKind;
  quotedS: number;
  baselineS: number;
  actualS: number;
}

export async function benchDispatchEta(): Promise<string[]> {
  const server = await startTestServer(testBackends()[0]!, { SIMULATE: '1', TICK_MS: '1000' });
  try {
    const city = generateCity(cityProfiles.karamay);
    const random = createRandom(3);
    const drivingEverywhere = createRoadRouter(await readRoadGraph(server.db));
    const sent: Sent[] = [];
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all(
        Array.from({ length: casesPerRound }, async (_, i) => {
          const stop = city.busStops[Math.floor(random.between(0, city.busStops.length))]!;
          return sendAndWait(server, stop.point, i % 2 === 0 ? 'alarm' : 'report', `${round}-${i}`, drivingEverywhere);
        }),
      );
      sent.push(...results.flatMap((result) => (result ? [result] : [])));
    }
    return [...['drive', 'walk'].map((mode) => summarise(sent.filter((s) => travelModeOf(s.kind) === mode), mode)), `  (${sent.length} units sent and arrived; the README's figures come from this line)`];
  } finally {
    await server.close();
  }
}

/** Opens a case at `at`, sends the best candidate, and waits until its GPS puts it on scene. */
async function sendAndWait(server: TestServer, at: LonLat, how: 'alarm' | 'report', tag: string, drivingEverywhere: ReturnType<typeof createRoadRouter>): Promise<Sent | undefined> {
  const dispatcher = await server.as('dispatcher');
  const incidentId = how === 'alarm' ? await callIn(server, at, tag) : await report(server, at, tag);
  if (incidentId === undefined) return undefined;
  const { candidates } = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/candidates`)).json()) as { candidates: UnitCandidate[] };
  const best = candidates.find((candidate) => candidate.distanceM <= nearEnoughM);
  if (!best) return undefined;
  const baselineS = drivingEverywhere.routesTo(at, [[best.lon, best.lat]], 'drive')[0]?.seconds ?? NaN;
  const answer = await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unitId: best.id }) });
  if (!answer.ok) return undefined;
  const assignment = (await answer.json()) as LiveAssignment;
  const arrived = await seen(async () => {
    const all = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`)).json()) as LiveAssignment[];
    return all.find((a) => a.id === assignment.id && a.arrivedAt);
  }, 3 * best.etaS * 1000 + 120_000).catch(() => undefined);
  if (!arrived) return undefined;
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

function summarise(sent: Sent[], mode: string): string {
  if (sent.length === 0) return `  ${mode}: no unit of this mode was sent and arrived`;
  const error = (pick: (s: Sent) => number) => sent.map((s) => Math.abs(s.actualS - pick(s)));
  const line = (pick: (s: Sent) => number) => `median ${percentile(error(pick), 50).toFixed(0)} s, p90 ${percentile(error(pick), 90).toFixed(0)} s`;
  const actual = sent.map((s) => s.actualS);
  return `  ${mode} (${sent.length} units, actual median ${percentile(actual, 50).toFixed(0)} s): |actual − quoted| ${line((s) => s.quotedS)}; baseline, priced as driving: ${line((s) => s.baselineS)}`;
}
