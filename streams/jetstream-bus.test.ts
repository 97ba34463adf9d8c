import { afterEach, describe, expect, it } from 'vitest';
import type { PositionEvent } from './events.ts';
import type { LogRecord } from './ingest-log.ts';
import { openJetStreamIngest, partitionOf, type JetStreamIngest } from './jetstream-bus.ts';
import { deleteStream, natsPresent, natsTestUrl, testStreamName } from './test-nats.ts';

const present = await natsPresent('the JetStream ingest bus test');

const fix = (unit: number, n: number): PositionEvent => ({ type: 'position', sourceId: 'test', entityId: `car-${unit}`, lon: 84.87, lat: 45.59, headingDeg: null, speedKmh: null, eventTime: 1_000 + n, receivedAt: 1_000 + n });
const limits = { maxBacklogEvents: 1_000_000, maxBacklogSeconds: 3_600 };

const opened: { ingest: JetStreamIngest; stream: string }[] = [];
afterEach(async () => {
  for (const { ingest, stream } of opened.splice(0)) {
    await ingest.close();
    await deleteStream(natsTestUrl, stream);
  }
});
const open = async (partitions: number) => {
  const stream = testStreamName();
  const ingest = await openJetStreamIngest({ servers: natsTestUrl, stream, partitions, ...limits });
  opened.push({ ingest, stream });
  return ingest;
};
/** Every record the partitions hand on, acknowledging as they come, until `count` are in. */
const consumeAll = async (ingest: JetStreamIngest, count: number, afterSeq = (_p: number) => 0) => {
  const seen = new Map<number, LogRecord<PositionEvent>[]>();
  const buses = Array.from({ length: ingest.partitions }, (_, p) => ingest.partition(p));
  await new Promise<void>((resolve, reject) => {
    let total = 0;
    buses.forEach((bus, p) =>
      bus.events(afterSeq(p)).subscribe({
        next: (record) => {
          seen.set(p, [...(seen.get(p) ?? []), record as LogRecord<PositionEvent>]);
          bus.acknowledge(record.seq);
          if (++total === count) resolve();
        },
        error: reject,
      }),
    );
  });
  return { seen, buses };
};

describe.skipIf(!present)('the ingest bus on NATS JetStream', () => {
  it('hands each unit’s fixes to one partition, once each and in order, a resent fix included', async () => {
    const ingest = await open(3);
    const units = 30;
    const sent = Array.from({ length: 10 }, (_, n) => Array.from({ length: units }, (_, unit) => fix(unit, n))).flat();
    await ingest.publish(sent);
    // A sender that was not answered sends again: the same events, the same message ids.
    await ingest.publish(sent.slice(0, 50));
    const { seen, buses } = await consumeAll(ingest, sent.length);
    const all = [...seen.values()].flat();
    expect(all).toHaveLength(sent.length);
    expect(new Set(all.map(({ value }) => `${value.entityId}@${value.eventTime}`)).size).toBe(sent.length);
    for (const [p, records] of seen) {
      for (const { value } of records) expect(partitionOf(value, 3), value.entityId).toBe(p);
      const times = new Map<string, number[]>();
      for (const { value } of records) times.set(value.entityId, [...(times.get(value.entityId) ?? []), value.eventTime]);
      for (const [unit, each] of times) expect(each, unit).toEqual([...each].sort((a, b) => a - b));
    }
    expect(seen.size, 'every partition got units').toBe(3);
    // Everything acknowledged: the backlog, read each second, goes to nothing.
    await expect.poll(() => ingest.backlogEvents(), { timeout: 10_000 }).toBe(0);
    buses.forEach((bus) => bus.stop());
  });

  it('starts a partition after what the database says it applied', async () => {
    const ingest = await open(1);
    await ingest.publish(Array.from({ length: 20 }, (_, n) => fix(1, n)));
    const first = await consumeAll(ingest, 20);
    first.buses[0]!.stop();
    const applied = first.seen.get(0)![11]!.seq;
    await ingest.publish(Array.from({ length: 5 }, (_, n) => fix(1, 20 + n)));
    // Taken again (another node, or this one after a restart): from the 13th on, 8 + 5 of them.
    const again = await consumeAll(ingest, 13, () => applied);
    expect(again.seen.get(0)!.map(({ value }) => value.eventTime)).toEqual(Array.from({ length: 13 }, (_, i) => 1_012 + i));
    again.buses[0]!.stop();
  });

  it('refuses new events while the partitions are too far behind', async () => {
    const stream = testStreamName();
    const ingest = await openJetStreamIngest({ servers: natsTestUrl, stream, partitions: 1, maxBacklogEvents: 10, maxBacklogSeconds: 3_600 });
    opened.push({ ingest, stream });
    const bus = ingest.partition(0);
    // A consumer that takes nothing: the backlog is counted once a node has the partition.
    const subscription = bus.events(0).subscribe(() => {});
    await ingest.publish(Array.from({ length: 10 }, (_, n) => fix(1, n)));
    await expect.poll(() => ingest.backlogEvents(), { timeout: 10_000 }).toBe(10);
    // How long the partition's oldest waiting event has waited: since this test published it.
    await expect.poll(() => ingest.backlogSeconds(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(ingest.backlogSeconds()).toBeLessThan(30);
    await expect(ingest.publish([fix(1, 99)])).rejects.toMatchObject({ reason: 'overloaded' });
    subscription.unsubscribe();
  });
});
