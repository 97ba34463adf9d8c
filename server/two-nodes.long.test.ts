// Two server nodes on one database, one JetStream ingest bus and Redis: they share the partitions,
// and when one is killed mid-stream (SIGKILL) the other takes its partitions, its trackers and its
// consoles; every fix acknowledged by either is in the database once, no console misses a change.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueFeedKey, openDatabase, partitionsHeldBy, type Database } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, defaultCity, generateCity } from '../seeds/index.ts';
import { partitionOf, type Incident, type LiveAssignment, type PositionEvent } from '../streams/index.ts';
import { deleteStream, natsPresent, natsTestUrl, servicePresent, testStreamName } from '../streams/test-nats.ts';
import { consoleThrough } from './test-console.ts';
import { startTcpProxy } from './test-network.ts';
import { startServerOnFreePorts } from './test-process.ts';
import { driveAlong, readMetric, seen, signIn, watchLive, type TestSession } from './test-server.ts';
import { compareWithHistory, historyTimes, totalAcknowledged, trackers } from './test-trackers.ts';

const present = await natsPresent('the two-node test');
const redisTestUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const redisPresent = await servicePresent(redisTestUrl, 'REDIS_TEST_URL', 'the two-node screens test', 'start Redis there: redis-server');
const serverBackend = testBackends().find((backend) => backend.name === 'server');
if (!serverBackend) process.stderr.write('\nDATABASE_URL is not set: the two-node test, whose nodes share a PostgreSQL database, is skipped\n');

const city = generateCity(cityProfiles[defaultCity]);
const units = city.entities.filter((entity) => entity.kind === 'police-car').slice(0, 40);
// About 2,000 fixes/s: 900 trackers, a fix each 350 ms and the answer's wait, for about half a minute.
const fleet = city.entities.filter((entity) => entity.kind !== 'bus').slice(0, 900);
const fixesEach = 60;
const partitions = 4;

/** A node: a server process of its own, on its own ports and data directory. */
async function startNode(env: NodeJS.ProcessEnv) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-node-'));
  const { child, output, port, osmandPort } = await startServerOnFreePorts({ ...env, DATA_DIR: dataDir, HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  const sessions = new Map<string, Promise<TestSession>>();
  return {
    child,
    output,
    url,
    /** A session per demo account on this node, signed in once. */
    as: (user = 'operator') => sessions.get(user) ?? sessions.set(user, signIn(url, user)).get(user)!,
    osmandUrl: `http://127.0.0.1:${osmandPort}/`,
    held: () => readMetric(url, 'onescreen_ingest_partitions_held'),
    async stop(signal: NodeJS.Signals) {
      // A killed process has no exit code, only its signal.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await once(child, 'exit');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Node = Awaited<ReturnType<typeof startNode>>;

/** Two nodes over a fresh copy of the city, sharing their partitions half and half, for `body`; ended whatever happens. */
async function withTwoNodes(extraEnv: NodeJS.ProcessEnv, body: (a: Node, b: Node, db: Database) => Promise<void>) {
  const settings = await serverBackend!.openSettings({ dataDir: '', withCity: true });
  const stream = testStreamName();
  const env = { DATABASE_URL: settings.databaseUrl!, NATS_URL: natsTestUrl, NATS_STREAM: stream, NATS_PARTITIONS: String(partitions), TICK_MS: '200', ...extraEnv };
  const nodes: Node[] = [];
  const db = await openDatabase({ backend: 'server', url: settings.databaseUrl! });
  try {
    const a = await startNode(env);
    nodes.push(a);
    const b = await startNode(env);
    nodes.push(b);
    // The second node's arrival halves the first's share.
    await seen(async () => ((await a.held()) === partitions / 2 && (await b.held()) === partitions / 2 ? true : undefined), 30_000);
    await body(a, b, db);
  } finally {
    for (const node of nodes) await node.stop('SIGKILL');
    await db.close();
    await deleteStream(natsTestUrl, stream);
    await settings.dispose();
  }
}

/**
 * Cases opened and dispatched one after another through `url` (a load balancer) until `stop`
 * resolves, each request sent again until a node answers it: a case whose alarm or step got no
 * answer (its node killed) is sent again, the same alarm time keeping it one case.
 */
async function changeCases(url: string, key: string, dispatcher: TestSession, stop: Promise<unknown>) {
  let stopping = false;
  void stop.then(() => (stopping = true));
  const ids: number[] = [];
  const answered = async (send: () => Promise<Response>) => {
    for (;;) {
      const answer = await send().catch(() => undefined);
      if (answer?.status === 200 || answer?.status === 202) return answer;
      expect([undefined, 503], await answer?.text()).toContain(answer?.status);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  for (let i = 0; !stopping; i++) {
    const at = city.busStops[i % city.busStops.length]!.point;
    const alarm = { id: `JJ-KILL-${i}`, line: '110', category: 'crime', lat: at[1], lon: at[0], description: `case ${i}`, time: new Date().toISOString() };
    const opened = await answered(() => fetch(new URL('/ingest/alarms', url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ alarms: [alarm] }) }));
    // 202: taken, and registered after the sender stopped waiting (its partition moving to B).
    const incidentId =
      ((await opened.json()) as { accepted: { incidentId: number | null }[] }).accepted[0]!.incidentId ??
      (await seen(async () => ((await (await dispatcher.fetch('/api/incidents?limit=500')).json()) as Incident[]).find((one) => one.sourceRef === `110:${alarm.id}`)?.id, 30_000));
    ids.push(incidentId);
    // Sent again after a lost answer, the step finds the case dispatched already: 409, and done.
    for (;;) {
      const moved = await dispatcher.fetch(`/api/incidents/${incidentId}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'dispatched' }) }).catch(() => undefined);
      if (moved?.status === 200 || moved?.status === 409) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return ids;
}

describe.skipIf(!present || !serverBackend)('two nodes on one JetStream ingest bus', () => {
  it.skipIf(!redisPresent)('share the partitions; with one killed mid-stream, the other takes its partitions, trackers and consoles: every acknowledged fix stored once, no case change missed', { timeout: 300_000 }, async () => {
    await withTwoNodes({ REDIS_URL: redisTestUrl, REDIS_KEY_PREFIX: testStreamName(), DEMO: '1' }, async (a, b, db) => {
      // A load balancer in front of both: each connection goes to A while it lives, then to B.
      const balancer = await startTcpProxy('127.0.0.1', Number(new URL(a.url).port), Number(new URL(b.url).port));
      const viaBalancer = balancer.through(a.url);
      const dispatcher = await signIn(viaBalancer, 'dispatcher');
      const desks = Array.from({ length: 3 }, () => consoleThrough(viaBalancer, dispatcher));
      const key = (await issueFeedKey(db, { name: 'tests', feed: 'alarms', createdBy: 'tests' })).key;
      try {
        await seen(() => (desks.every((desk) => desk.resumed() === 1) ? true : undefined), 20_000);
        // Trackers at about 2,000 fixes/s, half to each node and to the other when theirs does not answer.
        const sending = trackers(fleet, fixesEach, (unit) => (fleet.indexOf(unit as never) % 2 === 0 ? [a.osmandUrl, b.osmandUrl] : [b.osmandUrl, a.osmandUrl]));
        const sendingStarted = Date.now();
        const cases = changeCases(viaBalancer, key, dispatcher, sending.done);
        await seen(() => (totalAcknowledged(sending.acknowledged) >= fleet.length * 10 ? true : undefined), 60_000);
        await a.stop('SIGKILL');
        const killedAt = Date.now();
        const beforeKill = totalAcknowledged(sending.acknowledged);
        const rateBeforeKill = Math.round(beforeKill / ((killedAt - sendingStarted) / 1000));
        // Its database connection gone, its partitions are free: the survivor takes them all.
        await seen(async () => ((await b.held()) === partitions ? true : undefined), 30_000);
        const takenAfterMs = Date.now() - killedAt;
        let sent = false;
        void sending.done.then(() => (sent = true));
        await seen(() => (sent ? true : undefined), 180_000).catch((error: Error) => {
          throw new Error(`${error.message}: the trackers did not finish (${totalAcknowledged(sending.acknowledged)} acknowledged, answers ${JSON.stringify(sending.answered)}); node B said:\n${b.output().slice(-3_000)}`);
        });
        const sendingS = (Date.now() - sendingStarted) / 1000;
        const ids = await cases;
        // The backlog is read each second: wait until history holds what was acknowledged, then compare.
        const expected = totalAcknowledged(sending.acknowledged);
        const stored = await seen(async () => {
          const rows = await db.query<{ entity_id: string; ms: string }>(`${historyTimes} WHERE entity_id = ANY($1)`, [fleet.map((unit) => unit.id)]);
          return rows.length >= expected ? rows : undefined;
        }, 60_000);
        const compared = compareWithHistory(sending.acknowledged, stored);
        // Every console moved to B and ends where the database is, having taken no version twice or out of order.
        // From the database: more cases than one page of the API may have been opened.
        const latest = new Map((await db.query<{ id: number; version: number }>('SELECT id::int AS id, version FROM incidents WHERE id = ANY($1)', [ids])).map((row) => [row.id, row.version]));
        const behind = (desk: (typeof desks)[number]) => ids.filter((id) => desk.store.getState().incidents.get(id)?.version !== latest.get(id));
        await seen(() => (desks.every((desk) => behind(desk).length === 0) ? true : undefined), 30_000).catch((error: Error) => {
          throw new Error(`${error.message}: consoles behind on ${desks.map((desk) => behind(desk).length).join(', ')} of ${ids.length} cases; connections (recovered?) ${desks.map((desk) => JSON.stringify(desk.connections)).join(' ')}`);
        });
        console.log(
          `two nodes: ${expected} fixes acknowledged in ${sendingS.toFixed(0)} s (${Math.round(expected / sendingS)}/s; ${beforeKill} before node A was killed, ${rateBeforeKill}/s; answers ${JSON.stringify(sending.answered)}), ` +
            `${compared.missing} missing, ${compared.duplicated} duplicated; node B held all ${partitions} partitions ${takenAfterMs} ms after the kill; ` +
            `${ids.length} cases opened and dispatched, consoles' connections (recovered?) ${desks.map((desk) => JSON.stringify(desk.connections)).join(' ')}`,
        );
        expect(compared).toEqual({ missing: 0, duplicated: 0, stored: expected });
        for (const desk of desks) {
          expect(desk.connections.length, 'each console connected again, to node B').toBeGreaterThanOrEqual(2);
          for (const id of ids) {
            const versions = desk.taken.get(id) ?? [];
            expect(versions.every((version, i) => i === 0 || version > versions[i - 1]!), `incident ${id}: ${versions}`).toBe(true);
            if (desk.connections.every((recovered, i) => i === 0 || recovered)) expect(versions, `incident ${id}, every connection recovered`).toEqual([1, 2]);
          }
        }
      } finally {
        desks.forEach((desk) => desk.socket.close());
        await balancer.close();
      }
    });
  });

  it.skipIf(!redisPresent)('with Redis, show each node’s fixes, case changes, units en route and feeds on the other node’s screens, and posture rounds once', { timeout: 300_000 }, async () => {
    await withTwoNodes({ REDIS_URL: redisTestUrl, REDIS_KEY_PREFIX: testStreamName(), DEMO: '1' }, async (a, b, db) => {
      const [onA, onB] = await Promise.all([watchLive(a, ['police-car', 'incidents']), watchLive(b, ['police-car', 'incidents'])]);
      try {
        // Fixes sent to node A, for units in partitions either node processes: every screen on B shows them.
        // Half an hour old: the unit sent below then drives its route with fixes from after this one.
        const sentS = Math.floor(Date.now() / 1000) - 1_800;
        const some = units.slice(0, 12);
        for (const unit of some) {
          const answer = await fetch(`${a.osmandUrl}?id=${unit.id}&lat=${unit.point[1]}&lon=${unit.point[0]}&timestamp=${sentS}`, { method: 'POST' });
          expect(answer.status).toBe(200);
        }
        for (const unit of some) {
          expect(await onB.waitFor(unit.id, (row) => row.fixTime === sentS * 1000), `${unit.id} on node B`).toBeDefined();
          expect(await onA.waitFor(unit.id, (row) => row.fixTime === sentS * 1000), `${unit.id} on node A`).toBeDefined();
        }
        // A case opened through node B and dispatched there: node A's screen gets each version.
        const versionsOnA = new Map<string, number[]>();
        onA.socket.on('incidents', (incidents) => incidents.forEach((incident) => versionsOnA.set(incident.sourceRef ?? '', [...(versionsOnA.get(incident.sourceRef ?? '') ?? []), incident.version])));
        const key = (await issueFeedKey(db, { name: 'tests', feed: 'alarms', createdBy: 'tests' })).key;
        const at = city.busStops[0]!.point;
        const opened = await fetch(new URL('/ingest/alarms', b.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ alarms: [{ id: 'JJ-2NODE', line: '110', category: 'crime', lat: at[1], lon: at[0], description: 'two nodes' }] }) });
        expect(opened.status).toBe(200);
        // Registered by whichever node holds partition 0; B's dispatcher finds it in the queue.
        const dispatcher = await b.as('dispatcher');
        const incident = await seen(async () => ((await (await dispatcher.fetch('/api/incidents?limit=500')).json()) as Incident[]).find((one) => one.sourceRef === '110:JJ-2NODE'), 10_000);
        const moved = await dispatcher.fetch(`/api/incidents/${incident.id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'dispatched' }) });
        expect(moved.status).toBe(200);
        await seen(() => (versionsOnA.get('110:JJ-2NODE')?.includes(2) ? true : undefined), 10_000);
        expect(versionsOnA.get('110:JJ-2NODE')).toEqual([1, 2]);

        // A unit sent from node A's console, whose fixes node B applies: B follows it, and its
        // console shows the live ETA counting down as the unit drives (its tracker reporting to A).
        const heldByB = await partitionsHeldBy(db, b.child.pid!);
        const unit = some.find((one) => heldByB.includes(partitionOf({ type: 'position', entityId: one.id } as PositionEvent, partitions)));
        expect(unit, `one of ${some.length} units in node B's partitions ${heldByB.join()}`).toBeDefined();
        const consoleOnB = await watchLive(b, ['dispatch'], 'dispatcher');
        const etasOnB: number[] = [];
        consoleOnB.socket.on('assignments', (pushed) => pushed.forEach((one) => one.unitId === unit!.id && one.status === 'en-route' && one.liveEtaS !== null && etasOnB.push(one.liveEtaS)));
        try {
          const answer = await (await a.as('dispatcher')).fetch(`/api/incidents/${incident.id}/assignments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unitId: unit!.id }) });
          expect(answer.status).toBe(201);
          const sent = (await answer.json()) as LiveAssignment;
          // The first part of its way (a tracker takes 30 fixes in 10 s: a whole cross-city route is more).
          const firstPart = sent.route.slice(0, Math.max(2, Math.ceil(sent.route.length / 3)));
          for (const status of await driveAlong(a.osmandUrl, db, unit!.id, firstPart)) expect(status).toBe(200);
          await seen(() => (etasOnB.some((etaS) => etaS < sent.etaS) ? true : undefined), 10_000).catch(() => {
            throw new Error(`node B's console got ETAs ${etasOnB.join(', ')} for ${unit!.id}, none under the ${sent.etaS} s it was sent with`);
          });
        } finally {
          consoleOnB.socket.close();
        }

        // The posture boards on both nodes: each watcher gets each round once (not once per node),
        // and node B's feed board shows the trackers fresh though every fix went to node A.
        const rounds = new Map<string, { ms: number; trackersAt: string | null }[]>([['A', []], ['B', []]]);
        for (const [name, live] of [['A', onA], ['B', onB]] as const) {
          live.socket.on('posture', (snapshot) => rounds.get(name)!.push({ ms: Date.now(), trackersAt: snapshot.feeds?.status.find((feed) => feed.feed === 'trackers')?.lastAcceptedAt ?? null }));
          expect(await live.socket.timeout(10_000).emitWithAck('watch-posture', { range: 'live', boards: ['feeds'] })).toHaveProperty('query');
        }
        await seen(() => ([...rounds.values()].every((pushes) => pushes.length >= 4) ? true : undefined), 30_000);
        for (const [name, pushes] of rounds) {
          // After the snapshot a watch gets at once, a round every 5 s: two rounds on take 10 s.
          // Were each node's rounds pushed to every node's watchers, they would take 5.
          expect(pushes[3]!.ms - pushes[1]!.ms, `node ${name}'s pushes at ${pushes.map((push) => push.ms - pushes[0]!.ms).join(', ')} ms`).toBeGreaterThan(7_500);
        }
        expect(rounds.get('B')!.at(-1)!.trackersAt, "node A's trackers fresh on node B").not.toBeNull();

        // Password guesses spread over both nodes meet one limit: 5 failures a user, then 429 on either.
        const guess = (node: Node) => fetch(new URL('/api/session', node.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'dispatcher', password: 'wrong guess' }) });
        const guesses = [];
        for (const node of [a, b, a, b, a, b]) guesses.push((await guess(node)).status);
        expect(guesses).toEqual([401, 401, 401, 401, 401, 429]);
      } finally {
        onA.socket.close();
        onB.socket.close();
      }
    });
  });
});
