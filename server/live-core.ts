import { join } from 'node:path';
import { readAppliedSeq, type Database } from '../geo/index.ts';
import { openLocalIngestBus } from '../streams/index.ts';
import type { Config } from './config.ts';
import { startJetStreamCore } from './jetstream-core.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { feedUnjoinedFixes, liveFallbackS, runPipeline, watchProcess, within, type LiveCore, type LiveCoreOutputs } from './pipeline-run.ts';

export type { LiveCore, LiveCoreOutputs } from './pipeline-run.ts';

// Whose progress the embedded log's consumer notes in ingest_progress.
const consumer = 'local-log';
// How often the log drops what the database has made durable, ms.
const releaseEveryMs = 60_000;
// A flush of the embedded database longer than this is worth a warning, ms.
const slowFlushMs = 2_000;

/**
 * Runs the city pipeline from the ingest bus, handing each tick on; while the pipeline lags, screens
 * get positions straight from the bus. The bus is NATS JetStream when NATS_URL is set (several
 * nodes), otherwise a log on local disk. Measures the core on /metrics.
 */
export async function startLiveCore(db: Database, config: Config, metrics: Metrics, log: Logger, outputs: LiveCoreOutputs): Promise<LiveCore> {
  if (config.natsUrl) return startJetStreamCore(db, { ...config, natsUrl: config.natsUrl }, metrics, log, outputs);
  const afterSeq = await readAppliedSeq(db, consumer);
  const bus = await openLocalIngestBus({
    dir: config.ingestLogDir ?? join(config.dataDir, 'ingest-log'),
    appliedSeq: afterSeq,
    maxBacklogEvents: config.ingestMaxBacklogEvents,
    maxBacklogSeconds: config.ingestMaxBacklogSeconds,
    maxLogBytes: config.ingestMaxLogBytes,
  });
  // A tick waits up to TICK_MS before it is applied: a bound of fewer seconds refuses input between ticks.
  if (config.ingestMaxBacklogSeconds * 1000 < 3 * config.tickMs) {
    log.warn('INGEST_MAX_BACKLOG_SECONDS is under three ticks (TICK_MS): input will be refused with 503 between ticks; raise it or shorten TICK_MS', {
      ingestMaxBacklogSeconds: config.ingestMaxBacklogSeconds,
      tickMs: config.tickMs,
    });
  }
  const waiting = bus.status().lastSeq - afterSeq;
  if (waiting > 0) log.info('applying the ingest log’s unapplied tail before taking input', { events: waiting, fromSeq: afterSeq + 1 });

  const { ticks, done } = runPipeline(db, bus, { afterSeq, consumer }, config, metrics, log, outputs);
  const lagging = () => {
    const status = bus.status();
    return status.outage || status.backlogSeconds > liveFallbackS;
  };
  const unapplied = <T extends { seq: number }>(records: readonly T[]) => {
    const { appliedSeq } = bus.status();
    return records.filter((record) => record.seq > appliedSeq);
  };
  ticks.add(feedUnjoinedFixes(bus.live(), lagging, unapplied, config.tickMs, outputs.onUnjoinedFixes));

  const stopWatching = watchProcess(metrics);
  metrics.onRender(() => {
    const status = bus.status();
    metrics.set('onescreen_ingest_backlog_events', {}, status.backlogEvents);
    metrics.set('onescreen_ingest_backlog_seconds', {}, status.backlogSeconds);
    metrics.set('onescreen_ingest_log_bytes', {}, status.logBytes);
    metrics.set('onescreen_ingest_log_fsyncs_total', {}, status.fsyncs.count);
    metrics.set('onescreen_ingest_log_fsync_seconds_total', {}, status.fsyncs.totalMs / 1000);
  });

  // The embedded database does not fsync its commits: the log keeps what it applied until it is flushed.
  const release = async () => {
    const { appliedSeq } = bus.status();
    const started = performance.now();
    await db.flushToDisk();
    // The embedded database flushes in this process: a long flush holds every request meanwhile.
    const flushMs = Math.round(performance.now() - started);
    if (flushMs > slowFlushMs) log.warn('flushing the embedded database to disk held the server', { flushMs });
    await bus.release(appliedSeq);
  };
  const releaseTimer = setInterval(() => release().catch((error: unknown) => log.warn('trimming the ingest log failed; trying again later', { error })), releaseEveryMs).unref();

  return {
    publish: (events) => bus.publish(events),
    status: () => bus.status(),
    caughtUp: () => bus.caughtUp(),
    async stop(timeoutMs) {
      clearInterval(releaseTimer);
      // Closed, the bus hands on what it holds and completes: the last tick is written at once.
      await bus.close();
      const drained = await within(done, timeoutMs);
      ticks.unsubscribe();
      stopWatching();
      return drained;
    },
  };
}
