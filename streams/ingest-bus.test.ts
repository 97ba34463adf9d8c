import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PositionEvent } from './events.ts';
import { openLocalIngestBus, type IngestBus, type LocalIngestBusOptions } from './ingest-bus.ts';
import type { LogRecord } from './ingest-log.ts';

let dir: string;
const open: IngestBus[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onescreen-bus-'));
});
afterEach(async () => {
  for (const bus of open.splice(0)) await bus.close();
  await rm(dir, { recursive: true, force: true });
});

const fix = (n: number): PositionEvent => ({ type: 'position', sourceId: 'test', entityId: `car-${n}`, lon: 84.87, lat: 45.59, headingDeg: null, speedKmh: null, eventTime: 1_000 + n, receivedAt: 1_000 + n });
const fixes = (from: number, count: number) => Array.from({ length: count }, (_, i) => fix(from + i));
const limits = { maxBacklogEvents: 1_000_000, maxBacklogSeconds: 3_600, maxLogBytes: 1e9 };
const bus = async (options: Partial<LocalIngestBusOptions> = {}) => {
  const opened = await openLocalIngestBus({ dir, appliedSeq: 0, ...limits, ...options });
  open.push(opened);
  return opened;
};
/** Collects what the bus hands on, acknowledging nothing by itself. */
const consume = (from: IngestBus, afterSeq = 0) => {
  const seen: LogRecord<PositionEvent>[] = [];
  const subscription = from.events(afterSeq).subscribe((record) => seen.push(record as LogRecord<PositionEvent>));
  return { seen, stop: () => subscription.unsubscribe() };
};
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('the local ingest bus', () => {
  it('hands events on in order, never more than its window unacknowledged; the rest wait on disk', async () => {
    const ingest = await bus({ window: 10 });
    const consumer = consume(ingest);
    await ingest.publish(fixes(0, 35));
    await until(() => consumer.seen.length === 10);
    expect(consumer.seen.map((record) => record.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    ingest.acknowledge(4);
    await until(() => consumer.seen.length === 14);
    ingest.acknowledge(14);
    ingest.acknowledge(24);
    ingest.acknowledge(34);
    await until(() => consumer.seen.length === 35);
    expect(consumer.seen.map((record) => record.value.entityId)).toEqual(fixes(0, 35).map((event) => event.entityId));
    expect(consumer.seen.map((record) => record.seq)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    consumer.stop();
  });

  it('refuses new events (overloaded, with a time to retry) while its backlog is at the bound, and takes them again once it drains', async () => {
    const ingest = await bus({ maxBacklogEvents: 100 });
    // One batch larger than the bound is taken whole when nothing waits: a big feed's poll is not split.
    await ingest.publish(fixes(0, 250));
    const refused = await ingest.publish(fixes(250, 1)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'IngestRefused', reason: 'overloaded' });
    expect((refused as { retryAfterS: number }).retryAfterS).toBeGreaterThanOrEqual(1);
    expect(ingest.status()).toMatchObject({ lastSeq: 250, appliedSeq: 0, backlogEvents: 250 });
    ingest.acknowledge(200);
    await ingest.publish(fixes(250, 1));
    expect(ingest.status()).toMatchObject({ lastSeq: 251, backlogEvents: 51 });
  });

  it('refuses while the oldest unapplied event has waited past the bound, saying how long to wait', async () => {
    let clock = 1_000_000;
    const ingest = await bus({ maxBacklogSeconds: 10, now: () => clock });
    await ingest.publish(fixes(0, 1));
    clock += 12_000;
    expect(ingest.status().backlogSeconds).toBe(12);
    await expect(ingest.publish(fixes(1, 1))).rejects.toMatchObject({ reason: 'overloaded', retryAfterS: 12 });
    ingest.acknowledge(1);
    expect(ingest.status().backlogSeconds).toBe(0);
    await ingest.publish(fixes(1, 1));
  });

  it('refuses while what waits would take past the bound to apply, at the speed of the consumer’s latest writes', async () => {
    const clock = 1_000_000;
    const ingest = await bus({ maxBacklogSeconds: 10, now: () => clock });
    await ingest.publish(fixes(0, 100));
    // A slow consumer: 100 events in a 1 s write.
    ingest.acknowledge(100, 1_000);
    await ingest.publish(fixes(100, 1_100));
    // Nothing has waited (the clock stands still), but 1,100 events take it 11 s.
    expect(ingest.status().backlogSeconds).toBeCloseTo(11, 6);
    await expect(ingest.publish(fixes(1_200, 1))).rejects.toMatchObject({ reason: 'overloaded', retryAfterS: 11 });
    // Faster writes since, and what is left takes less than the bound.
    ingest.acknowledge(1_100, 100);
    expect(ingest.status().backlogSeconds).toBeCloseTo((100 * 1_100) / 1_100 / 1000, 6);
    await ingest.publish(fixes(1_200, 1));
  });

  it('counts a first write that is still running: what waits behind it takes at least as long per event', async () => {
    let clock = 1_000_000;
    const ingest = await bus({ maxBacklogSeconds: 10, now: () => clock });
    await ingest.publish(fixes(0, 100));
    ingest.writeStarted(100);
    await ingest.publish(fixes(100, 400));
    // No write has ended, so no speed is known; the oldest event has waited 2 s.
    clock += 2_000;
    // The running write has taken 2 s for 100 events: the 400 behind it take at least 8 s.
    expect(ingest.status().backlogSeconds).toBeCloseTo(8, 6);
    clock += 1_000;
    expect(ingest.status().backlogSeconds).toBeCloseTo(12, 6);
    await expect(ingest.publish(fixes(500, 1))).rejects.toMatchObject({ reason: 'overloaded', retryAfterS: 12 });
    // It ended: the speed of the writes that ended counts, no longer the running one.
    ingest.acknowledge(100, 3_000);
    expect(ingest.status().backlogSeconds).toBeCloseTo(12, 6);
    ingest.writeStarted(400);
    expect(ingest.status().backlogSeconds).toBeCloseTo(12, 6);
  });

  it('rides out a failing consumer and its drain on disk: past its backlog bounds up to its disk cap, handing each group on live meanwhile', async () => {
    const ingest = await bus({ maxBacklogEvents: 10, maxLogBytes: 20_000 });
    const live: string[][] = [];
    const watching = ingest.live().subscribe((records) => live.push(records.map((record) => (record.value as PositionEvent).entityId)));
    await ingest.publish(fixes(0, 10));
    await expect(ingest.publish(fixes(10, 1))).rejects.toMatchObject({ reason: 'overloaded' });
    ingest.consumerFailed();
    for (let i = 10; i < 60; i += 10) await ingest.publish(fixes(i, 10));
    expect(ingest.status()).toMatchObject({ backlogEvents: 60, outage: true });
    expect(live.flat()).toEqual(fixes(0, 60).map((event) => event.entityId));
    let refused: unknown;
    while (!refused) refused = await ingest.publish(fixes(0, 10)).then(() => undefined, (error: unknown) => error);
    expect(refused).toMatchObject({ reason: 'log-full' });
    // Writing again, it drains; once within its bounds they hold again.
    ingest.acknowledge(30);
    expect(ingest.status().outage).toBe(true);
    ingest.acknowledge(ingest.status().lastSeq - 5);
    expect(ingest.status().outage).toBe(false);
    watching.unsubscribe();
  });

  it('refuses once the log holds its limit in bytes, and when stopping', async () => {
    const ingest = await bus({ maxLogBytes: 2_000 });
    await ingest.publish(fixes(0, 20));
    await expect(ingest.publish(fixes(20, 1))).rejects.toMatchObject({ reason: 'log-full', retryAfterS: 30 });
    await ingest.close();
    await expect(ingest.publish(fixes(20, 1))).rejects.toMatchObject({ reason: 'stopped' });
  });

  it('forgets, on release, only what was both applied and released, whole segments at a time', async () => {
    const ingest = await bus({ segmentBytes: 2_000 });
    for (let i = 0; i < 100; i += 10) await ingest.publish(fixes(i, 10));
    const bytes = ingest.status().logBytes;
    // Released past what was applied: only the applied part may go.
    ingest.acknowledge(40);
    await ingest.release(100);
    expect(ingest.status().logBytes).toBeLessThan(bytes);
    const consumer = consume(ingest, 40);
    await until(() => consumer.seen.length === 60);
    expect(consumer.seen[0]!.seq).toBe(41);
    consumer.stop();
  });

  it('after a restart hands on exactly what was not applied, numbered as before', async () => {
    const first = await bus();
    await first.publish(fixes(0, 30));
    await first.close();
    const reopened = await bus({ appliedSeq: 18 });
    expect(reopened.status()).toMatchObject({ lastSeq: 30, appliedSeq: 18, backlogEvents: 12 });
    const consumer = consume(reopened, 18);
    const caughtUp = reopened.caughtUp();
    await until(() => consumer.seen.length === 12);
    expect(consumer.seen.map((record) => [record.seq, record.value.entityId])).toEqual(fixes(18, 12).map((event, i) => [19 + i, event.entityId]));
    reopened.acknowledge(30);
    await caughtUp;
    await reopened.publish(fixes(30, 1));
    await until(() => consumer.seen.length === 13);
    expect(consumer.seen.at(-1)!.seq).toBe(31);
    consumer.stop();
  });
});
