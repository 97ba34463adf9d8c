import { monitorEventLoopDelay } from 'node:perf_hooks';
import { delay, filter, map, merge, share, type Observable, type Subscription } from 'rxjs';
import { setAsideItem, type Database } from '../geo/index.ts';
import { batchPerTick, cityPipeline, type CityEvent, type CityTick, type ConsumedBus, type LogRecord, type PositionEvent } from '../streams/index.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

// Behind by more than this (or the database failing), screens get fixes before their join, s…
export const liveFallbackS = 3;
// …and any fix its join has not reached this long after it was taken goes to the screens unjoined, ms:
// a fix taken just before the core fell behind does not wait on a slow join either.
const unjoinedAfterMs = 1_500;

/** What every live core offers the server, whichever bus it runs on. */
export interface LiveCore {
  /** Resolves once the events are durable on the bus; rejects with `IngestRefused` when they must be sent again. */
  publish(events: readonly CityEvent[]): Promise<void>;
  /** How far behind processing is, s, and whether it is riding out a database outage. */
  status(): { backlogSeconds: number; outage: boolean };
  /** Resolves once everything on the bus when called is applied (the tail a crash left, on start). */
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

/** Runs the city pipeline on one bus (the local log, or one partition of JetStream), handing each tick on; `done` resolves when it completes or stops. */
export function runPipeline(db: Database, bus: ConsumedBus, where: { afterSeq: number; consumer: string }, config: Config, metrics: Metrics, log: Logger, { onTick, onStopped }: Pick<LiveCoreOutputs, 'onTick' | 'onStopped'>) {
  let finished = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const ticks: Subscription = cityPipeline(db, bus, {
    ...where,
    tickMs: config.tickMs,
    checks: {
      onReject: (reason, event) => metrics.count('onescreen_ingest_rejected_total', { source: event.sourceId, reason }),
      onLate: (event) => metrics.count('onescreen_positions_late_total', { source: event.sourceId }),
    },
    onWriteFailure: (error, attempt) => {
      metrics.count('onescreen_write_failures_total');
      log.warn('writing a tick failed; retrying with the events kept on the ingest bus', { attempt, error });
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
        log.error(`could not keep a refused ${event.type} event in set_aside_items; it is only on the ingest bus`, { event, error: failure }),
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
      const problem = 'the city pipeline stopped; restart the server (accepted events wait on the ingest bus)';
      log.error(problem, { error, consumer: where.consumer });
      onStopped(`${problem}: ${(error as Error).message}`);
      finished();
    },
    complete: () => finished(),
  });
  return { ticks, done };
}

/**
 * Fixes for the screens ahead of their join: each group judged once, as it is taken: while
 * `lagging`, it goes now; otherwise after a while, if `unapplied` says it is still unjoined.
 */
export function feedUnjoinedFixes(live: Observable<readonly LogRecord<CityEvent>[]>, lagging: () => boolean, unapplied: (records: readonly LogRecord<CityEvent>[]) => readonly LogRecord<CityEvent>[], tickMs: number, onUnjoinedFixes: (fixes: PositionEvent[]) => void): Subscription {
  const groups = live.pipe(map((records) => ({ records, now: lagging() })), share());
  return merge(
    groups.pipe(filter((group) => group.now), map((group) => group.records)),
    groups.pipe(filter((group) => !group.now), delay(unjoinedAfterMs), map((group) => unapplied(group.records))),
  )
    .pipe(
      map((records) => records.flatMap(({ value }) => (value.type === 'position' ? [value] : []))),
      filter((fixes) => fixes.length > 0),
      batchPerTick(tickMs),
      map((batches) => batches.flat()),
    )
    .subscribe((fixes) => onUnjoinedFixes(fixes));
}

/** The process's event-loop lag and memory on /metrics; returns what stops watching. */
export function watchProcess(metrics: Metrics): () => void {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  metrics.onRender(() => {
    metrics.set('onescreen_event_loop_lag_seconds', { quantile: '0.99' }, loopDelay.percentile(99) / 1e9);
    metrics.set('onescreen_event_loop_lag_seconds', { quantile: '1' }, loopDelay.max / 1e9);
    loopDelay.reset();
    const memory = process.memoryUsage();
    const kinds = { rss: memory.rss, 'heap-used': memory.heapUsed, 'heap-total': memory.heapTotal, external: memory.external, 'array-buffers': memory.arrayBuffers };
    for (const [kind, bytes] of Object.entries(kinds)) metrics.set('onescreen_process_memory_bytes', { kind }, bytes);
  });
  return () => loopDelay.disable();
}

/** Waits for `done` at most `timeoutMs`: false when it gave up. */
export async function within(done: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([done.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)))]);
  clearTimeout(timer);
  return drained;
}
