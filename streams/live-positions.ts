import type { Observable } from 'rxjs';
import { checkGeofences, detectArrivals, persistPositionBatch, reviewBusIncidents, updateBusProgress, type Assignment, type Database, type GeofenceAlert, type Incident, type LivePosition } from '../geo/index.ts';
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
  /** Entities that crossed a geofence or stayed in one too long. */
  geofenceAlerts: GeofenceAlert[];
  /** Bus cases opened (late, bunched) or cancelled (back on time, apart). */
  busIncidents: Incident[];
}

/**
 * The position path: checks each fix, batches positions per tick, joins each batch to grid cell and
 * district in PostGIS with one set-based query, upserts live state and history, updates bus route
 * progress and its late or bunched buses' cases, finds units arriving at their case and geofences crossed, all in one transaction per tick, and emits
 * what changed.
 */
export function livePositions(db: Pick<Database, 'transaction'>, positions: Observable<PositionEvent>, options: LivePositionsOptions): Observable<PositionTick> {
  return positions.pipe(
    checkPositions({ ...defaultPositionChecks, ...options.checks }, options.scheduler),
    writePerTick(
      (batch) =>
        db.transaction(async (tx) => {
          const moved = await persistPositionBatch(tx, batch);
          const buses = moved.filter((entity) => entity.kind === 'bus').map((entity) => entity.id);
          await updateBusProgress(tx, buses);
          const busIncidents = await reviewBusIncidents(tx, buses);
          const arrivals = await detectArrivals(tx, moved.filter((entity) => entity.kind !== 'bus').map((entity) => entity.id));
          const geofenceAlerts = await checkGeofences(tx, moved.map((entity) => entity.id));
          return { moved, arrivals, geofenceAlerts, busIncidents };
        }),
      options,
    ),
  );
}
