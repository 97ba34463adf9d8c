// Two server nodes on one database and one JetStream ingest bus: they share the partitions, and
// when one is killed mid-stream (SIGKILL) the other takes its partitions and its trackers; every
// fix acknowledged by either is in the database once.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, defaultCity, generateCity } from '../seeds/index.ts';
import { deleteStream, natsPresent, natsTestUrl, testStreamName } from '../streams/test-nats.ts';
import { freePort } from './test-network.ts';
import { startServerProcess } from './test-process.ts';
import { readMetric, seen } from './test-server.ts';
import { compareWithHistory, historyTimes, totalAcknowledged, trackers } from './test-trackers.ts';

const present = await natsPresent('the two-node test');
const serverBackend = testBackends().find((backend) => backend.name === 'server');
if (!serverBackend) process.stderr.write('\nDATABASE_URL is not set: the two-node test, whose nodes share a PostgreSQL database, is skipped\n');

const city = generateCity(cityProfiles[defaultCity]);
const units = city.entities.filter((entity) => entity.kind === 'police-car').slice(0, 40);
const partitions = 4;

/** A node: a server process of its own, on its own ports and data directory. */
async function startNode(env: NodeJS.ProcessEnv) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-node-'));
  const [port, osmandPort] = [await freePort(), await freePort()];
  const { child, output } = await startServerProcess({ ...env, DATA_DIR: dataDir, PORT: String(port), OSMAND_PORT: String(osmandPort), HOST: '127.0.0.1' });
  return {
    child,
    output,
    url: `http://127.0.0.1:${port}`,
    osmandUrl: `http://127.0.0.1:${osmandPort}/`,
    held: () => readMetric(`http://127.0.0.1:${port}`, 'onescreen_ingest_partitions_held'),
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

describe.skipIf(!present || !serverBackend)('two nodes on one JetStream ingest bus', () => {
  it('share the partitions; with one killed mid-stream, the other takes its partitions and trackers, and every acknowledged fix is stored once', { timeout: 300_000 }, async () => {
    const settings = await serverBackend!.openSettings({ dataDir: '', withCity: true });
    const stream = testStreamName();
    const env = { DATABASE_URL: settings.databaseUrl!, NATS_URL: natsTestUrl, NATS_STREAM: stream, NATS_PARTITIONS: String(partitions), TICK_MS: '200' };
    const nodes: Awaited<ReturnType<typeof startNode>>[] = [];
    try {
      const a = await startNode(env);
      nodes.push(a);
      const b = await startNode(env);
      nodes.push(b);
      // The second node's arrival halves the first's share.
      await seen(async () => ((await a.held()) === partitions / 2 && (await b.held()) === partitions / 2 ? true : undefined), 30_000);

      // Half the trackers report to each node, and to the other when theirs does not answer.
      const sending = trackers(units, 40, (unit) => (units.indexOf(unit as never) % 2 === 0 ? [a.osmandUrl, b.osmandUrl] : [b.osmandUrl, a.osmandUrl]));
      await seen(() => (totalAcknowledged(sending.acknowledged) >= 300 ? true : undefined), 60_000);
      await a.stop('SIGKILL');
      const killedAt = Date.now();
      const beforeKill = totalAcknowledged(sending.acknowledged);
      // Its database connection gone, its partitions are free: the survivor takes them all.
      await seen(async () => ((await b.held()) === partitions ? true : undefined), 30_000);
      const takenAfterMs = Date.now() - killedAt;
      let sent = false;
      void sending.done.then(() => (sent = true));
      await seen(() => (sent ? true : undefined), 120_000).catch((error: Error) => {
        throw new Error(`${error.message}: the trackers did not finish (${totalAcknowledged(sending.acknowledged)} acknowledged, answers ${JSON.stringify(sending.answered)}); node B said:\n${b.output().slice(-3_000)}`);
      });
      await seen(async () => ((await readMetric(b.url, 'onescreen_ingest_backlog_events')) === 0 ? true : undefined), 60_000);

      const db = await openDatabase({ backend: 'server', url: settings.databaseUrl! });
      try {
        // The backlog is read each second: wait until history holds what was acknowledged, then compare.
        const expected = totalAcknowledged(sending.acknowledged);
        const stored = await seen(async () => {
          const rows = await db.query<{ entity_id: string; ms: string }>(`${historyTimes} WHERE entity_id = ANY($1)`, [units.map((unit) => unit.id)]);
          return rows.length >= expected ? rows : undefined;
        }, 30_000);
        const compared = compareWithHistory(sending.acknowledged, stored);
        console.log(`two nodes: ${expected} fixes acknowledged (${beforeKill} before node A was killed), ${compared.missing} missing, ${compared.duplicated} duplicated; node B held all ${partitions} partitions ${takenAfterMs} ms after the kill`);
        expect(compared).toEqual({ missing: 0, duplicated: 0, stored: expected });
      } finally {
        await db.close();
      }
    } finally {
      for (const node of nodes) await node.stop('SIGKILL');
      await settings.dispose();
      await deleteStream(natsTestUrl, stream);
    }
  });
});
