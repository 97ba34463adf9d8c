// `npm run load -- --rate 2000 --seconds 60 --protocol osmand|gtfs-rt|mqtt --clients 20 [--contend N] [--nodes N]`:
// offers load over the real protocols to a server process on fresh data (PostgreSQL when
// DATABASE_URL is set; with --nodes, that many server processes on NATS JetStream at NATS_URL or
// 127.0.0.1:4222 and Redis at REDIS_URL or 127.0.0.1:6379, the feed and the clients on the first), keeps its own log of every acknowledged fix or detector record, and at the
// end compares it with the database and with what its socket clients saw. Prints one line of figures.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { offeredPerSecond } from '../fixtures/index.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { Database } from '../geo/index.ts';
import { connectClientsInOwnProcess } from './load-client-process.ts';
import { AckLog, offerGtfsRt, offerMqtt, offerOsmand } from './load-senders.ts';
import { startLoadServer } from './load-server.ts';
import { deleteStream } from '../streams/test-nats.ts';
import { contendForCpu, watchServer } from './load-watch.ts';

const city = generateCity(cityProfiles.karamay);
// Karamay's own rate: each unit reporting as its device does (cars 5 s, phones 10–15 s, buses 15 s)…
const karamayRate = Math.round(offeredPerSecond(city.entities.map((entity) => entity.kind)));
// …and each camera a detector record a minute.
const karamayCameraRate = Math.round(city.cameras.length / 60);
const protocols = ['osmand', 'gtfs-rt', 'mqtt'] as const;
type Protocol = (typeof protocols)[number];

const { values } = parseArgs({
  options: {
    rate: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    protocol: { type: 'string', default: 'osmand' },
    clients: { type: 'string', default: '20' },
    contend: { type: 'string', default: '0' },
    // Server processes sharing the processing over NATS JetStream (0: one on the local ingest log).
    nodes: { type: 'string', default: '0' },
    // Where to write the run's figures as JSON too (`npm run bench load` reads them).
    json: { type: 'string' },
  },
});
const protocol = values.protocol as Protocol;
const rate = Number(values.rate ?? (protocol === 'mqtt' ? karamayCameraRate : karamayRate));
const seconds = Number(values.seconds);
const clientCount = Number(values.clients);
const busyProcesses = Number(values.contend);
const nodes = Number(values.nodes);
const mqttUrl = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
if (!protocols.includes(protocol) || !(rate > 0) || !(seconds > 0) || !(busyProcesses >= 0) || !(nodes >= 0) || (nodes > 0 && !process.env.DATABASE_URL)) {
  process.stderr.write(
    'usage: npm run load -- [--rate N] [--seconds N] [--protocol osmand|gtfs-rt|mqtt] [--clients N] [--contend N busy processes] [--nodes N on JetStream; needs DATABASE_URL]\n' +
      `  defaults: Karamay's rate (${karamayRate}/s positions; ${karamayCameraRate}/s detector records over MQTT at MQTT_URL or ${mqttUrl}), 60 s, 20 clients\n`,
  );
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`${line}\n`);
const log = new AckLog();
const feed = protocol === 'gtfs-rt' ? await offerGtfsRt(rate, log, city.busStops[0]!.point) : undefined;
// Several nodes: one stream and one Redis meeting place per run.
const scaleOut = nodes > 0 ? { NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', NATS_STREAM: `LOAD_${process.pid}`, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `load-${process.pid}` } : {};
const serverEnv = { ...scaleOut, ...(feed ? { GTFS_RT_URLS: feed.url, GTFS_RT_INTERVAL_MS: '1000' } : protocol === 'mqtt' ? { MQTT_URL: mqttUrl } : {}) };
const server = await startLoadServer(serverEnv, say);
for (let node = 2; node <= nodes; node++) await server.addNode(scaleOut);
const camerasBySegment = new Map<string, string[]>();
for (const camera of city.cameras) camerasBySegment.set(camera.segmentId, [...(camerasBySegment.get(camera.segmentId) ?? []), camera.id]);
let clients: Awaited<ReturnType<typeof connectClientsInOwnProcess>> | undefined;
try {
  clients = await connectClientsInOwnProcess(server.url, clientCount, log, camerasBySegment);
  const watch = watchServer(server, say, () => `acknowledged ${log.acknowledged}, shed ${log.shed}`);
  const contention = contendForCpu(busyProcesses);
  say(`offering ${rate}/s over ${protocol} for ${seconds} s to the ${server.backend} server, ${clientCount} clients watching${busyProcesses ? `, ${busyProcesses} busy processes contending for the CPU` : ''}…`);
  try {
    await offer(protocol);
  } finally {
    contention.stop();
  }
  const loadEnded = Date.now();
  while ((await watch.backlog()) > 0 && Date.now() - loadEnded < 300_000) await new Promise((resolve) => setTimeout(resolve, 250));
  const drainS = (Date.now() - loadEnded) / 1000;
  await new Promise((resolve) => setTimeout(resolve, protocol === 'mqtt' ? 5_000 : 2_000)); // the last tick's frames (traffic: the next camera tick)
  if (feed) log.shed = (await watch.scrape())('onescreen_ingest_shed_total{reason="overloaded",source="gtfs-rt"}');
  const watched = await watch.stop();
  const seen = await clients.finish();
  const { lost, duplicated } = await compareWithDatabase(await server.stop());
  const p = (ms: number | null) => (ms === null ? 'n/a' : `${ms} ms`);
  if (values.json) {
    const run = { protocol, rate, seconds, nodes, backend: server.backend, clients: clientCount, offered: log.offered, acknowledged: log.acknowledged, shed: log.shed, errors: log.errors, lost, duplicated, p50Ms: seen.p50Ms, p99Ms: seen.p99Ms, drainS, ...watched.figures };
    writeFileSync(values.json, `${JSON.stringify(run)}\n`);
  }
  process.stdout.write(
    `load ${protocol} ${rate}/s × ${seconds} s on ${server.backend}${nodes > 0 ? ` (${nodes} node${nodes > 1 ? 's' : ''} on JetStream)` : ''}, ${clientCount} clients${busyProcesses ? `, ${busyProcesses} busy processes` : ''}: offered ${log.offered}, acknowledged ${log.acknowledged} ` +
      `(${Math.round(log.acknowledged / seconds)}/s), shed ${log.shed}, errors ${log.errors}; lost ${lost}, duplicated ${duplicated}; ` +
      `ingest→client p50 ${p(seen.p50Ms)} p99 ${p(seen.p99Ms)} (${seen.sightings} sightings, ${seen.gaps} gaps); backlog drained ${drainS.toFixed(1)} s after the load; ${watched.text}\n`,
  );
} catch (error) {
  say(`the load run failed: ${(error as Error).stack ?? String(error)}\nserver output:\n${server.output().slice(-4_000)}`);
  process.exitCode = 1;
} finally {
  clients?.kill();
  await feed?.close();
  await server.remove();
  if (scaleOut.NATS_URL) await deleteStream(scaleOut.NATS_URL, scaleOut.NATS_STREAM);
}

function offer(protocol: Protocol): Promise<void> {
  if (protocol === 'gtfs-rt') return feed!.run(seconds);
  if (protocol === 'mqtt') return offerMqtt(mqttUrl, city.cameras.map((camera) => camera.id), rate, seconds, log);
  return offerOsmand(server.osmandUrl, city.entities.filter((entity) => entity.kind !== 'bus'), rate, seconds, log);
}

/** What was acknowledged and is not stored (lost), and what is stored more than once (duplicated). */
async function compareWithDatabase(db: Database) {
  // Positions are kept per fix time, detector records per period start.
  const stored = await db.query<{ key: string; copies: number }>(
    protocol === 'mqtt'
      ? `SELECT camera_id || '@' || round(extract(epoch FROM period_start) * 1000)::bigint AS key, count(*)::int AS copies FROM camera_readings WHERE camera_id = ANY($1) GROUP BY 1`
      : `SELECT entity_id || '@' || round(extract(epoch FROM event_time) * 1000)::bigint AS key, count(*)::int AS copies FROM position_history WHERE entity_id = ANY($1) GROUP BY 1`,
    [[...log.byEntity.keys()]],
  );
  await db.close();
  const storedKeys = new Set(stored.map((row) => row.key));
  const missing = log.keys().filter((key) => !storedKeys.has(key)).length;
  // A skipped GTFS-RT poll is shed, not lost: its reports are missing by design.
  return { lost: feed ? Math.max(0, missing - log.shed) : missing, duplicated: stored.reduce((sum, row) => sum + row.copies - 1, 0) };
}
