import type { Observable } from 'rxjs';
import { detectArrivals, persistPositionBatch, updateBusProgress, type Assignment, type Database, type Incident, type LivePosition } from '../geo/index.ts';
import type { PositionEvent } from './events.ts';
import { writePerTick, type WritePerTickOptions } from './operators.ts';
import { checkPositions, defaultPositionChecks, type PositionCheckOptions } from './position-checks.ts';

export interface LivePositionsOptions extends WritePerTickOptions<PositionEvent> {
  /** Traccar-style filters; their defaults apply where not given. */
  checks: Partial<Omit<PositionCheckOptions, 'onReject' | 'onLate'>> & Pick<PositionCheckOptions, 'onReject' | 'onLate'>;
}

export interface PositionTick {
  /** Entities whose live state moved. */
  moved: LivePosition[];
  /** Units that reached the case they were sent to, and the cases that are now being handled. */
  arrivals: { assignments: Assignment[]; incidents: Incident[] };
}

/**
 * The position path: checks each fix, batches positions per tick, joins each batch to grid cell and
 * district in PostGIS with one set-based query, upserts live state and history, updates bus route
 * progress and finds units arriving at their case, all in one transaction per tick, and emits
 * what changed.
 */
export function livePositions(db: Pick<Database, 'transaction'>, positions: Observable<PositionEvent>, options: LivePositionsOptions): Observable<PositionTick> {
  return positions.pipe(
    checkPositions({ ...defaultPositionChecks, ...options.checks }, options.scheduler),
    writePerTick(
      (batch) =>
        db.transaction(async (tx) => {
          const moved = await persistPositionBatch(tx, batch);
          await updateBusProgress(tx, moved.filter((entity) => entity.kind === 'bus').map((entity) => entity.id));
          const arrivals = await detectArrivals(tx, moved.filter((entity) => entity.kind !== 'bus').map((entity) => entity.id));
          return { moved, arrivals };
        }),
      options,
    ),
  );
}
