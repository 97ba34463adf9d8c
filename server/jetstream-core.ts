import type { Subscription } from 'rxjs';
import { openPartitionLeases, readAppliedSeq, type Database, type PartitionLeases } from '../geo/index.ts';
import { openJetStreamIngest, partitionOf, type PartitionBus } from '../streams/index.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { feedUnjoinedFixes, liveFallbackS, runPipeline, watchProcess, within, type LiveCore, type LiveCoreOutputs } from './pipeline-run.ts';

// How often a node counts the live nodes and takes or gives partitions to hold its fair share, ms.
const balanceEveryMs = 2_000;
// A partition given to another node finishes its tick first, for at most this long, ms.
const handOverMs = 30_000;

const consumerOf = (partition: number) => `jetstream-p${partition}`;

interface RunningPartition {
  bus: PartitionBus;
  ticks: Subscription;
  done: Promise<void>;
}

/**
 * The live core across nodes: every node publishes what it accepts to NATS JetStream and processes
 * its fair share of the partitions, held as database leases; when a node dies its leases end with
 * its connection, and the survivors take its partitions from where the database says they were applied.
 */
export async function startJetStreamCore(db: Database, config: Config & { natsUrl: string; databaseUrl?: string }, metrics: Metrics, log: Logger, outputs: LiveCoreOutputs): Promise<LiveCore> {
  const partitions = config.natsPartitions;
  const ingest = await openJetStreamIngest({ servers: config.natsUrl, stream: config.natsStream, partitions, maxBacklogEvents: config.ingestMaxBacklogEvents, maxBacklogSeconds: config.ingestMaxBacklogSeconds });
  const running = new Map<number, RunningPartition>();
  let stopping = false;

  const startPartition = async (partition: number) => {
    const afterSeq = await readAppliedSeq(db, consumerOf(partition));
    const bus = ingest.partition(partition);
    const { ticks, done } = runPipeline(db, bus, { afterSeq, consumer: consumerOf(partition) }, config, metrics, log, outputs);
    running.set(partition, { bus, ticks, done });
    log.info('processing an ingest partition', { partition, fromSeq: afterSeq + 1 });
  };
  const stopPartition = async (partition: number, timeoutMs: number) => {
    const run = running.get(partition);
    if (!run) return true;
    running.delete(partition);
    run.bus.stop();
    const drained = await within(run.done, timeoutMs);
    run.ticks.unsubscribe();
    return drained;
  };

  let leases: PartitionLeases | undefined;
  const onLeasesLost = (error: Error) => {
    // Another node may take these partitions now: stop at once, whatever is in flight is applied once (its node's commit or the taker's).
    log.error('lost the database connection that holds this node’s ingest partitions; it stops processing them and takes them again once the database answers', { error });
    for (const partition of [...running.keys()]) void stopPartition(partition, 0);
    leases = undefined;
  };
  const balance = async () => {
    leases ??= await openPartitionLeases(config.databaseUrl!, onLeasesLost);
    const share = Math.ceil(partitions / (await leases.liveNodes()));
    for (const partition of [...running.keys()].slice(share)) {
      await stopPartition(partition, handOverMs);
      await leases.give(partition);
      log.info('gave an ingest partition to another node', { partition });
    }
    // Each node starts looking at a different partition, so two nodes starting together do not contend for the same ones.
    const offset = process.pid % partitions;
    for (let i = 0; i < partitions && running.size < share && !stopping; i++) {
      const partition = (offset + i) % partitions;
      if (running.has(partition) || !(await leases.tryTake(partition))) continue;
      // Advisory locks count: a lock taken for a partition that did not start is given back, or a later give would leave it held.
      await startPartition(partition).catch(async (error: unknown) => {
        await leases?.give(partition);
        throw error;
      });
    }
  };
  let balancing = balance();
  await balancing;
  const balanceTimer = setInterval(() => {
    balancing = balancing
      .then(() => (stopping ? undefined : balance()))
      .catch((error: unknown) => log.warn('taking this node’s share of the ingest partitions failed; trying again shortly', { error }));
  }, balanceEveryMs).unref();

  const lagging = () => ingest.backlogSeconds() > liveFallbackS;
  // A fix in a partition this node processes is unjoined while past its pipeline's progress; one processed elsewhere, always.
  const unapplied = <T extends { seq: number; value: Parameters<typeof partitionOf>[0] }>(records: readonly T[]) =>
    records.filter((record) => record.seq > (running.get(partitionOf(record.value, partitions))?.bus.appliedSeq() ?? 0));
  const unjoined = feedUnjoinedFixes(ingest.live(), lagging, unapplied, config.tickMs, outputs.onUnjoinedFixes);

  const stopWatching = watchProcess(metrics);
  metrics.onRender(() => {
    metrics.set('onescreen_ingest_backlog_events', {}, ingest.backlogEvents());
    metrics.set('onescreen_ingest_backlog_seconds', {}, ingest.backlogSeconds());
    metrics.set('onescreen_ingest_partitions_held', {}, running.size);
  });

  return {
    publish: (events) => ingest.publish(events),
    status: () => ({ backlogSeconds: ingest.backlogSeconds(), outage: false }),
    // What the bus holds is applied by whichever node holds its partition: this node waits for nothing at start.
    caughtUp: async () => {},
    async stop(timeoutMs) {
      stopping = true;
      clearInterval(balanceTimer);
      await balancing.catch(() => {});
      const drained = (await Promise.all([...running.keys()].map((partition) => stopPartition(partition, timeoutMs)))).every(Boolean);
      unjoined.unsubscribe();
      await ingest.close();
      await leases?.close();
      stopWatching();
      return drained;
    },
  };
}
