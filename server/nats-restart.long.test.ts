// The ingest bus's NATS server restarted mid-stream: while JetStream cannot acknowledge, senders
// are answered 503 and send again; once it is back, everything acknowledged is in the database once.
import { describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, defaultCity, generateCity } from '../seeds/index.ts';
import { startOwnNats } from '../streams/test-nats.ts';
import { freePort } from './test-network.ts';
import { readMetric, seen, startTestServer } from './test-server.ts';
import { compareWithHistory, historyTimes, totalAcknowledged, trackers } from './test-trackers.ts';

const serverBackend = testBackends().find((backend) => backend.name === 'server');
if (!serverBackend) process.stderr.write('\nDATABASE_URL is not set: the NATS restart test (JetStream needs a shared database) is skipped\n');
const city = generateCity(cityProfiles[defaultCity]);
const units = city.entities.filter((entity) => entity.kind === 'police-car').slice(0, 30);

describe.skipIf(!serverBackend)('the ingest bus’s NATS server restarted mid-stream', () => {
  it('refuses with 503 while JetStream cannot acknowledge, and loses nothing it acknowledged', { timeout: 240_000 }, async () => {
    const nats = await startOwnNats(await freePort());
    const server = await startTestServer(serverBackend!, { NATS_URL: nats.url, NATS_PARTITIONS: '2', TICK_MS: '200' });
    try {
      const sending = trackers(units, 40, () => [server.osmandUrl]);
      await seen(() => (totalAcknowledged(sending.acknowledged) >= 150 ? true : undefined), 60_000);
      await nats.kill();
      const acknowledgedAtKill = totalAcknowledged(sending.acknowledged);
      // Refused while it is down: no sender is told its fix is kept when JetStream has not said so.
      await seen(() => (sending.answered.refused >= units.length ? true : undefined), 30_000);
      const acknowledgedWhileDown = totalAcknowledged(sending.acknowledged) - acknowledgedAtKill;
      await nats.start();
      await sending.done;
      const expected = totalAcknowledged(sending.acknowledged);
      const stored = await seen(async () => {
        const rows = await server.db.query<{ entity_id: string; ms: string }>(`${historyTimes} WHERE entity_id = ANY($1)`, [units.map((unit) => unit.id)]);
        return rows.length >= expected ? rows : undefined;
      }, 60_000);
      const compared = compareWithHistory(sending.acknowledged, stored);
      console.log(`NATS restart: ${expected} fixes acknowledged, ${acknowledgedWhileDown} of them while NATS was down (in flight at the kill); ${sending.answered.refused} answers 503; ${compared.missing} missing, ${compared.duplicated} duplicated; backlog ${await readMetric(server.url, 'onescreen_ingest_backlog_events')}`);
      expect(compared).toEqual({ missing: 0, duplicated: 0, stored: expected });
      expect(acknowledgedWhileDown, 'acknowledged while JetStream could not store: at most the publishes JetStream acknowledged as it died').toBeLessThanOrEqual(units.length);
    } finally {
      await server.close();
      await nats.close();
    }
  });
});
