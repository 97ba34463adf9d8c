import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { delay, filter, map, merge, share, Subscription } from 'rxjs';
import { readAppliedSeq, setAsideItem, type Database } from '../geo/index.ts';
import { batchPerTick, cityPipeline, openLocalIngestBus, type CityEvent, type CityTick, type IngestBus, type LogRecord, type PositionEvent } from '../streams/index.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

// Whose progress the embedded log's consumer notes in ingest_progress.
const consumer = 'local-log';
// How often the log drops what the database has made durable, ms.
const releaseEveryMs = 60_000;
// A flush of the embedded database longer than this is worth a warning, ms.
const slowFlushMs = 2_000;
// Behind by more than this (or the database failing), screens get fixes before their join, s…
const liveFallbackS = 3;
// …and any fix its join has not reached this long after it was taken, ms: a fix taken just before
// the core fell behind does not wait on a slow join either.
const unjoinedAfterMs = 1_500;

export interface LiveCore {
  bus: IngestBus;
  /** Resolves once everything in the log when called is applied (the tail a crash left, on start). */
  caughtUp(): Promise<void>;
  /** Refuses new input, waits up to `timeoutMs` for what was accepted to be applied, then stops; false when it gave up. */
  stop(timeoutMs: number): Promise<boolean>;
}

export interface LiveCoreOutputs {
  /** Each tick applied: to the screens and dispatch. */
  onTick: (tick: CityTick) => void;
  /**
   * Fixes not yet joined, once per tick, for the screens to keep moving: all of them while the core
   * is behind or its database down, and any the join has not reached soon after they were taken.
   */
  onUnjoinedFixes: (fixes: PositionEvent[]) => void;
  /** The pipeline stopped on an error it cannot retry: what to tell the operator. */
  onStopped: (problem: string) => void;
}

/**
 * Opens the ingest bus on the local log and runs the city pipeline from it, handing each tick on;
 * while the pipeline lags, screens get positions straight from the bus. Measures the core on /metrics.
 */
export async function startLiveCore(db: Database, config: Config, metrics: Metrics, log: Logger, { onTick, onUnjoinedFixes, onStopped }: LiveCoreOutputs): Promise<LiveCore> {
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

  let finished = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const ticks: Subscription = cityPipeline(db, bus, {
    afterSeq,
    consumer,
    tickMs: config.tickMs,
    checks: {
      onReject: (reason, event) => metrics.count('onescreen_ingest_rejected_total', { source: event.sourceId, reason }),
      onLate: (event) => metrics.count('onescreen_positions_late_total', { source: event.sourceId }),
    },
    onWriteFailure: (error, attempt) => {
      metrics.count('onescreen_write_failures_total');
      log.warn('writing a tick failed; retrying with the events kept in the ingest log', { attempt, error });
    },
    onWriteTimedOut: (error, items) => {
      metrics.count('onescreen_write_timeouts_total');
      log.warn(`writing a tick of ${items} events ran past STATEMENT_TIMEOUT_MS; writing it in halves, and smaller ticks until the database is faster again (raise the timeout if this repeats)`, { error });
    },
    // One refused item must not hold the pipeline: it is kept aside, counted and logged, and the rest of its tick is written.
    onSetAside: ({ event }, error) => {
      metrics.count('onescreen_ingest_set_aside_total', { pipeline: event.type });
      log.error(`the database refused an accepted ${event.type} event; it is kept in set_aside_items and the rest of its tick was written`, { event, error });
      setAsideItem(db, event.type, event, error).catch((failure: unknown) =>
        log.error(`could not keep a refused ${event.type} event in set_aside_items; it is only in this log`, { event, error: failure }),
      );
    },
  }).subscribe({
    next: (tick) => {
      metrics.count('onescreen_ticks_total');
      metrics.count('onescreen_tick_seconds_total', {}, tick.writeMs / 1000);
      metrics.count('onescreen_positions_joined_total', {}, tick.moved.length);
      onTick(tick);
    },
    error: (error) => {
      const problem = 'the city pipeline stopped; restart the server (accepted events wait in the ingest log)';
      log.error(problem, { error });
      onStopped(`${problem}: ${(error as Error).message}`);
      finished();
    },
    complete: () => finished(),
  });

  const lagging = () => {
    const status = bus.status();
    return status.outage || status.backlogSeconds > liveFallbackS;
  };
  const unapplied = (records: readonly LogRecord<CityEvent>[]) => {
    const { appliedSeq } = bus.status();
    return records.filter((record) => record.seq > appliedSeq);
  };
  // Each group judged once, as it is taken: behind, it goes now; otherwise later, if still unjoined.
  const groups = bus.live().pipe(map((records) => ({ records, now: lagging() })), share());
  ticks.add(
    merge(
      groups.pipe(filter((group) => group.now), map((group) => group.records)),
      groups.pipe(filter((group) => !group.now), delay(unjoinedAfterMs), map((group) => unapplied(group.records))),
    )
      .pipe(
        map((records) => records.flatMap(({ value }) => (value.type === 'position' ? [value] : []))),
        filter((fixes) => fixes.length > 0),
        batchPerTick(config.tickMs),
        map((batches) => batches.flat()),
      )
      .subscribe((fixes) => onUnjoinedFixes(fixes)),
  );

  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  metrics.onRender(() => {
    const status = bus.status();
    metrics.set('onescreen_ingest_backlog_events', {}, status.backlogEvents);
    metrics.set('onescreen_ingest_backlog_seconds', {}, status.backlogSeconds);
    metrics.set('onescreen_ingest_log_bytes', {}, status.logBytes);
    metrics.set('onescreen_ingest_log_fsyncs_total', {}, status.fsyncs.count);
    metrics.set('onescreen_ingest_log_fsync_seconds_total', {}, status.fsyncs.totalMs / 1000);
    metrics.set('onescreen_event_loop_lag_seconds', { quantile: '0.99' }, loopDelay.percentile(99) / 1e9);
    metrics.set('onescreen_event_loop_lag_seconds', { quantile: '1' }, loopDelay.max / 1e9);
    loopDelay.reset();
    const memory = process.memoryUsage();
    const kinds = { rss: memory.rss, 'heap-used': memory.heapUsed, 'heap-total': memory.heapTotal, external: memory.external, 'array-buffers': memory.arrayBuffers };
    for (const [kind, bytes] of Object.entries(kinds)) metrics.set('onescreen_process_memory_bytes', { kind }, bytes);
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
    bus,
    caughtUp: () => bus.caughtUp(),
    async stop(timeoutMs) {
      clearInterval(releaseTimer);
      // Closed, the bus hands on what it holds and completes: the last tick is written at once.
      await bus.close();
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([done.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)))]);
      clearTimeout(timer);
      ticks.unsubscribe();
      loopDelay.disable();
      return drained;
    },
  };
}
