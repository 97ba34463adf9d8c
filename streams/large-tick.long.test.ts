// One tick of 500,000 events: a gateway flushing what it buffered while the link was down, or a
// city-wide feed, lands between two ticks. Once this size (~125,000) crashed the server with a stack
// overflow; now the bus takes it whole, refuses what comes next while it is behind (shed, counted by
// the sender), and the pipeline applies it in ticks of bounded size, each event once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppliedSeq, type Database } from '../geo/index.ts';
import { openWithCity, testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { cityPipeline, isIngestRefused, openLocalIngestBus, type IngestBus, type PositionEvent } from './index.ts';

const eventCount = 500_000;
const city = generateCity(cityProfiles.karamay);
// The deployment a city of this size runs: PostgreSQL when DATABASE_URL is set.
const backend = testBackends().at(-1)!;

/** `eventCount` fixes of the city's units, each unit's a second apart in the last minutes, standing still. */
function bufferedFixes(): PositionEvent[] {
  const units = city.entities;
  const perUnit = Math.ceil(eventCount / units.length);
  const t0 = Date.now() - perUnit * 1_000;
  return Array.from({ length: eventCount }, (_, i) => {
    const unit = units[i % units.length]!;
    const eventTime = t0 + Math.floor(i / units.length) * 1_000;
    return { type: 'position', sourceId: 'gateway', entityId: unit.id, lon: unit.point[0], lat: unit.point[1], headingDeg: null, speedKmh: 0, eventTime, receivedAt: eventTime };
  });
}

describe(`one tick of ${eventCount} events, on the ${backend.name} database`, () => {
  let db: Database;
  let dir: string;
  let bus: IngestBus;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
    dir = await mkdtemp(join(tmpdir(), 'onescreen-large-tick-'));
    // The server's default bounds (INGEST_MAX_BACKLOG_EVENTS, _SECONDS, _LOG_BYTES).
    bus = await openLocalIngestBus({ dir, appliedSeq: 0, maxBacklogEvents: 100_000, maxBacklogSeconds: 10, maxLogBytes: 2 * 1024 ** 3 });
  }, 300_000);
  afterAll(async () => {
    await bus?.close();
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes them whole, sheds what follows while behind, and applies each once in bounded ticks', { timeout: 900_000 }, async () => {
    const tickSizes: number[] = [];
    let lastSeq = 0;
    let refusedAs = '';
    const rejected: string[] = [];
    const applied = cityPipeline(db, bus, { afterSeq: 0, consumer: 'test', tickMs: 1_000, checks: { onReject: (reason) => rejected.push(reason) } }).subscribe((tick) => {
      tickSizes.push(tick.seq - lastSeq);
      lastSeq = tick.seq;
    });
    const historyRows = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM position_history'))[0]!.n;
    const rowsBefore = await historyRows();
    try {
      await bus.publish(bufferedFixes());
      expect(bus.status().lastSeq).toBe(eventCount);
      // The next sender is told to come back later, nothing taken.
      await bus.publish(bufferedFixes().slice(0, 1)).catch((error: unknown) => void (refusedAs = isIngestRefused(error) ? error.reason : String(error)));
      expect(refusedAs).toBe('overloaded');
      await bus.caughtUp();
    } finally {
      applied.unsubscribe();
    }

    expect(rejected).toEqual([]);
    expect(tickSizes.reduce((sum, size) => sum + size, 0)).toBe(eventCount);
    expect(Math.max(...tickSizes), 'no tick larger than a write takes').toBeLessThanOrEqual(10_000);
    expect(await readAppliedSeq(db, 'test')).toBe(eventCount);
    // History is unique per unit and fix time: each fix stored once.
    expect((await historyRows()) - rowsBefore).toBe(eventCount);
  });
});
