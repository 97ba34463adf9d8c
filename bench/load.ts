// `npm run load -- --rate 2000 --seconds 60 --protocol osmand|gtfs-rt --clients 20`: offers load
// over the real protocols to a server process on fresh data (PostgreSQL when DATABASE_URL is set),
// keeps its own log of every acknowledged fix, and at the end compares it with the database and
// with what its socket clients saw. Prints one line of figures.
import { parseArgs } from 'node:util';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { connectClients } from './load-clients.ts';
import { AckLog, offerGtfsRt, offerOsmand } from './load-senders.ts';
import { readMetric } from '../server/test-server.ts';
import { startLoadServer } from './load-server.ts';
import { percentile } from './timing.ts';

const city = generateCity(cityProfiles.karamay);
// Karamay's own rate: each unit reporting as its device does (cars 5 s, phones 10–15 s, buses 15 s).
const reportEveryS: Record<string, number> = { 'police-car': 5, 'police-officer': 10, inspector: 15, taxi: 10, bus: 15 };
const karamayRate = Math.round(city.entities.reduce((sum, entity) => sum + 1 / reportEveryS[entity.kind]!, 0));

const { values } = parseArgs({
  options: { rate: { type: 'string', default: String(karamayRate) }, seconds: { type: 'string', default: '60' }, protocol: { type: 'string', default: 'osmand' }, clients: { type: 'string', default: '20' } },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const clientCount = Number(values.clients);
const protocol = values.protocol as 'osmand' | 'gtfs-rt';
if (!['osmand', 'gtfs-rt'].includes(protocol) || !(rate > 0) || !(seconds > 0)) {
  process.stderr.write('usage: npm run load -- [--rate N] [--seconds N] [--protocol osmand|gtfs-rt] [--clients N]\n');
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`${line}\n`);
const log = new AckLog();
const feed = protocol === 'gtfs-rt' ? await offerGtfsRt(rate, log, city.busStops[0]!.point) : undefined;
const server = await startLoadServer(feed ? { GTFS_RT_URLS: feed.url, GTFS_RT_INTERVAL_MS: '1000' } : {}, say);
try {
  const clients = await connectClients(server.url, clientCount, log);
  const rssBefore = server.rssMb();
  let rssMax = rssBefore;
  const healthMs: number[] = [];
  let watching = true;
  const watchStarted = Date.now();
  let nextReport = watchStarted + 10_000;
  const watch = (async () => {
    while (watching) {
      const started = performance.now();
      await fetch(`${server.url}/healthz`).then((response) => response.arrayBuffer(), () => undefined);
      healthMs.push(performance.now() - started);
      const rss = server.rssMb();
      rssMax = Math.max(rssMax, rss);
      // Long runs show their progress: every 10 s what was acknowledged and where memory stands.
      if (Date.now() >= nextReport) {
        nextReport += 10_000;
        say(`  ${Math.round((Date.now() - watchStarted) / 1000)} s: acknowledged ${log.acknowledged}, shed ${log.shed}, backlog ${await readMetric(server.url, 'onescreen_ingest_backlog_events')}, server RSS ${Math.round(rss)} MB`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  say(`offering ${rate}/s over ${protocol} for ${seconds} s to the ${server.backend} server, ${clientCount} clients watching…`);
  const devices = city.entities.filter((entity) => entity.kind !== 'bus');
  if (feed) await feed.run(seconds);
  else await offerOsmand(server.osmandUrl, devices, rate, seconds, log);
  const loadEnded = Date.now();
  while ((await readMetric(server.url, 'onescreen_ingest_backlog_events')) > 0 && Date.now() - loadEnded < 300_000) await new Promise((resolve) => setTimeout(resolve, 250));
  const drainS = (Date.now() - loadEnded) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // the last tick's frames
  if (feed) log.shed = await readMetric(server.url, 'onescreen_ingest_shed_total{reason="overloaded",source="gtfs-rt"}');
  watching = false;
  await watch;
  clients.close();
  const db = await server.stop();
  const stored = await db.query<{ key: string; copies: number }>(
    `SELECT entity_id || '@' || (extract(epoch FROM event_time) * 1000)::bigint AS key, count(*)::int AS copies FROM position_history WHERE entity_id = ANY($1) GROUP BY 1`,
    [[...log.byEntity.keys()]],
  );
  await db.close();
  const storedKeys = new Set(stored.map((row) => row.key));
  const missing = log.keys().filter((key) => !storedKeys.has(key)).length;
  // A skipped GTFS-RT poll is shed, not lost: its reports are missing by design.
  const lost = feed ? Math.max(0, missing - log.shed) : missing;
  const duplicated = stored.reduce((sum, row) => sum + row.copies - 1, 0);
  const p = (q: number) => (clients.latenciesMs.length > 0 ? `${Math.round(percentile(clients.latenciesMs, q))} ms` : 'n/a');
  process.stdout.write(
    `load ${protocol} ${rate}/s × ${seconds} s on ${server.backend}, ${clientCount} clients: offered ${log.offered}, acknowledged ${log.acknowledged} ` +
      `(${Math.round(log.acknowledged / seconds)}/s), shed ${log.shed}, errors ${log.errors}; lost ${lost}, duplicated ${duplicated}; ` +
      `ingest→client p50 ${p(50)} p99 ${p(99)} (${clients.latenciesMs.length} sightings, ${clients.gaps()} gaps); backlog drained ${drainS.toFixed(1)} s after the load; ` +
      `/healthz p99 ${Math.round(percentile(healthMs, 99))} ms; server RSS ${Math.round(rssBefore)} → max ${Math.round(rssMax)} MB\n`,
  );
} catch (error) {
  say(`the load run failed: ${(error as Error).stack ?? String(error)}\nserver output:\n${server.output().slice(-4_000)}`);
  process.exitCode = 1;
} finally {
  await feed?.close();
  await server.remove();
}
