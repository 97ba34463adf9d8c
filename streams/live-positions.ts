import { asyncScheduler, defer, retry, timer, type Observable, type SchedulerLike } from 'rxjs';
import { persistPositionBatch, updateBusProgress, type Database, type LiveEntity } from '../geo/index.ts';
import type { PositionEvent } from './events.ts';
import { batchPerTick, coalesceWhileBusy } from './operators.ts';
import { checkPositions, defaultPositionChecks, type PositionCheckOptions } from './position-checks.ts';

export interface LivePositionsOptions {
  tickMs: number;
  /** Traccar-style filters; their defaults apply where not given. */
  checks: Partial<Omit<PositionCheckOptions, 'onReject' | 'onLate'>> & Pick<PositionCheckOptions, 'onReject' | 'onLate'>;
  /** Told of each failed write before it is retried; the batch is kept, never dropped. */
  onWriteFailure?: (error: unknown, attempt: number) => void;
  scheduler?: SchedulerLike;
}

const maxRetryDelayMs = 30_000;

/**
 * The position path: checks each fix, batches positions per tick, joins each batch to grid cell and district in
 * PostGIS with one set-based query, upserts live state and history, and emits the entities
 * whose live state moved. A failing database is retried with back-off while new positions keep
 * collecting; they are written together once it answers.
 */
export function livePositions(db: Pick<Database, 'transaction'>, positions: Observable<PositionEvent>, options: LivePositionsOptions): Observable<LiveEntity[]> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return positions.pipe(
    checkPositions({ ...defaultPositionChecks, ...options.checks }, scheduler),
    batchPerTick(options.tickMs, scheduler),
    coalesceWhileBusy((batch) =>
      defer(() =>
        db.transaction(async (tx) => {
          const moved = await persistPositionBatch(tx, batch);
          await updateBusProgress(tx, moved.filter((entity) => entity.kind === 'bus').map((entity) => entity.id));
          return moved;
        }),
      ).pipe(
        retry({
          delay: (error, attempt) => {
            options.onWriteFailure?.(error, attempt);
            return timer(Math.min(250 * 2 ** (attempt - 1), maxRetryDelayMs), scheduler);
          },
        }),
      ),
    ),
  );
}
