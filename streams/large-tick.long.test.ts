// One tick of 500,000 events: a gateway that lost its link flushes what it buffered, and flushes
// it again and again while it gets no answer, all landing between two ticks. Once ~125,000 events
// in one tick crashed the server with a stack overflow; now the bus takes them whole, refuses what
// comes next while it is behind (shed, counted by the sender), the pipeline takes them in ticks of
// bounded size, and each fix is stored once (the re-sent copies refused as duplicates, counted).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppliedSeq, type Database } from '../geo/index.ts';
import { openWithCity, testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { cityPipeline, isIngestRefused, openLocalIngestBus, type IngestBus, type PositionEvent } from './index.ts';

const eventCount = 500_000;
// Each unit's fixes in the gateway's buffer, a second apart: fewer than the checks remember per unit.
const fixesPerUnit = 20;
const city = generateCity(cityProfiles.karamay);
// The deployment a city of this size runs: PostgreSQL when DATABASE_URL is set.
const backend = testBackends().at(-1)!;

/** The gateway's buffer (every unit's last `fixesPerUnit` fixes, standing still), flushed over and over: `eventCount` events. */
function flushedBuffer(): { events: PositionEvent[]; distinct: number } {
  const units = city.entities;
  const t0 = Date.now() - fixesPerUnit * 1_000;
  const buffer = Array.from({ length: units.length * fixesPerUnit }, (_, i): PositionEvent => {
    const unit = units[i % units.length]!;
    const eventTime = t0 + Math.floor(i / units.length) * 1_000;
    return { type: 'position', sourceId: 'gateway', entityId: unit.id, lon: unit.point[0], lat: unit.point[1], headingDeg: null, speedKmh: 0, eventTime, receivedAt: eventTime };
  });
  return { events: Array.from({ length: eventCount }, (_, i) => buffer[i % buffer.length]!), distinct: buffer.length };
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

  it('takes them whole, sheds what follows while behind, and applies them in bounded ticks, each fix once', { timeout: 600_000 }, async () => {
    const tickSizes: number[] = [];
    let lastSeq = 0;
    let refusedAs = '';
    const rejected = new Map<string, number>();
    const applied = cityPipeline(db, bus, { afterSeq: 0, consumer: 'test', tickMs: 1_000, checks: { onReject: (reason) => rejected.set(reason, (rejected.get(reason) ?? 0) + 1) } }).subscribe((tick) => {
      tickSizes.push(tick.seq - lastSeq);
      lastSeq = tick.seq;
    });
    const historyRows = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM position_history'))[0]!.n;
    const rowsBefore = await historyRows();
    const { events, distinct } = flushedBuffer();
    try {
      await bus.publish(events);
      expect(bus.status().lastSeq).toBe(eventCount);
      // The next sender is told to come back later, nothing taken.
      await bus.publish(events.slice(0, 1)).catch((error: unknown) => void (refusedAs = isIngestRefused(error) ? error.reason : String(error)));
      expect(refusedAs).toBe('overloaded');
      await bus.caughtUp();
    } finally {
      applied.unsubscribe();
    }

    expect(Object.fromEntries(rejected)).toEqual({ duplicate: eventCount - distinct });
    expect(tickSizes.reduce((sum, size) => sum + size, 0)).toBe(eventCount);
    expect(Math.max(...tickSizes), 'no tick larger than a write takes').toBeLessThanOrEqual(10_000);
    expect(await readAppliedSeq(db, 'test')).toBe(eventCount);
    expect((await historyRows()) - rowsBefore, 'each fix stored once').toBe(distinct);
  });
});
