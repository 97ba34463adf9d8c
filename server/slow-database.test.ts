// A slow database is not a down one. The city pipeline writes to PostgreSQL through a TCP proxy
// that throttles the link, with a statement timeout that a tick of every unit in the city cannot
// meet there: PostgreSQL cancels it (57014), and the pipeline must write it in smaller ticks,
// applying each event once, without calling the database down (an outage would lift the backlog bound).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, readAppliedSeq } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { cityPipeline, openLocalIngestBus, type PositionEvent } from '../streams/index.ts';
import { startTcpProxy } from './test-network.ts';

const postgres = testBackends().find((backend) => backend.name === 'server');
const city = generateCity(cityProfiles.karamay);
// Bytes a second each way on the link, and how long PostgreSQL lets a statement run on it.
const linkBytesPerS = 64 * 1024;
const statementTimeoutMs = 1_000;

if (!postgres) process.stderr.write('slow-database.test.ts: SKIPPED — it throttles a link to PostgreSQL; set DATABASE_URL to run it\n');

describe.skipIf(!postgres)('the city pipeline on a PostgreSQL link too slow for its statement timeout', () => {
  it('writes what timed out in smaller ticks, each event once, and never calls the database down', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'onescreen-slow-db-'));
    const settings = await postgres!.openSettings({ dataDir, withCity: true });
    const url = new URL(settings.databaseUrl!);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    const db = await openDatabase({ backend: 'server', url: proxy.through(settings.databaseUrl!), statementTimeoutMs });
    const bus = await openLocalIngestBus({ dir: dataDir, appliedSeq: 0, maxBacklogEvents: 100_000, maxBacklogSeconds: 3_600, maxLogBytes: 1e9 });
    const timedOut: number[] = [];
    const failures: unknown[] = [];
    const written: number[] = [];
    let lastSeq = 0;
    const pipeline = cityPipeline(db, bus, {
      afterSeq: 0,
      consumer: 'test',
      tickMs: 200,
      checks: { onReject: (reason) => failures.push(reason) },
      onWriteTimedOut: (_, items) => timedOut.push(items),
      onWriteFailure: (error) => failures.push(error),
    }).subscribe((tick) => {
      written.push(tick.seq - lastSeq);
      lastSeq = tick.seq;
    });
    try {
      const now = Date.now();
      // Every unit of the city moves at once: one tick's worth, a few metres east.
      const fixes = city.entities.map(
        (unit): PositionEvent => ({ type: 'position', sourceId: 'test', entityId: unit.id, lon: unit.point[0] + 0.0001, lat: unit.point[1], headingDeg: 90, speedKmh: 20, eventTime: now, receivedAt: now }),
      );
      proxy.throttle(linkBytesPerS);
      await bus.publish(fixes);
      await bus.caughtUp();
      proxy.throttle(undefined);

      expect(failures, 'slow, never called down').toEqual([]);
      expect(bus.status().outage).toBe(false);
      expect(timedOut[0], 'the whole tick ran past the timeout').toBe(fixes.length);
      expect(Math.max(...written)).toBeLessThan(fixes.length);
      expect(written.reduce((sum, n) => sum + n, 0)).toBe(fixes.length);
      expect(await readAppliedSeq(db, 'test')).toBe(fixes.length);
      const [stored] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM position_history WHERE event_time > to_timestamp(($1::float8 - 1) / 1000)`, [now]);
      expect(stored!.n).toBe(fixes.length);
    } finally {
      pipeline.unsubscribe();
      await bus.close();
      await db.close();
      await proxy.close();
      await settings.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
