import { asyncScheduler, defer, map, tap, type Observable } from 'rxjs';
import {
  checkGeofences,
  detectArrivals,
  openIncidentsFromCameraEvents,
  persistCameraEvents,
  persistCameraReadings,
  persistPositionBatch,
  PlaceIndex,
  recordAppliedSeq,
  reviewBusIncidents,
  updateBusProgress,
  type Assignment,
  type Database,
  type GeofenceAlert,
  type Incident,
  type JoinedCameraEvent,
  type LivePosition,
  type Queryable,
  type SegmentTraffic,
} from '../geo/index.ts';
import { applyCaseIntake, type CaseTick } from './case-intake.ts';
import type { AlarmEvent, CallEvent, CameraEvent, CameraReading, CityEvent, GridEvent, PositionEvent } from './events.ts';
import type { ConsumedBus } from './ingest-bus.ts';
import type { LogRecord } from './ingest-log.ts';
import { writePerTick, type WritePerTickOptions } from './operators.ts';
import { defaultPositionChecks, positionChecker, type PositionCheckOptions } from './position-checks.ts';

/** What one tick changed in the city: positions joined and their rules, camera traffic and events. */
export interface CityTick {
  /** The last ingest record the tick applied. */
  seq: number;
  /** How long its transaction took, ms. */
  writeMs: number;
  /** Entities whose live state moved. */
  moved: LivePosition[];
  /** Units that reached the case they were sent to, and the cases that are now being handled. */
  arrivals: { assignments: Assignment[]; incidents: Incident[] };
  /** Entities that crossed a geofence or stayed in one too long. */
  geofenceAlerts: GeofenceAlert[];
  /** Bus cases opened (late, bunched) or cancelled (back on time, apart). */
  busIncidents: Incident[];
  camera: CameraTick;
  /** Reports, alarms and calls: their outcomes and the cases they opened. */
  cases: CaseTick;
}

export interface CameraTick {
  /** Segments whose live traffic changed. */
  segments: SegmentTraffic[];
  /** Camera events, placed at their site's segment, district and grid cell. */
  events: JoinedCameraEvent[];
  /** Incidents the events opened (accidents, wrong-way drivers, stopped vehicles). */
  incidents: Incident[];
}

/** One record as a tick takes it: `take` false when the checks refused it (it still counts as applied). */
export interface TickItem {
  seq: number;
  event: CityEvent;
  take: boolean;
}

export interface CityPipelineOptions extends Omit<WritePerTickOptions<TickItem>, 'onSetAside'> {
  /** The last record the database has applied: the pipeline goes on from the next. */
  afterSeq: number;
  /** Whose progress this is in ingest_progress. */
  consumer: string;
  /** Traccar-style filters; their defaults apply where not given. */
  checks: Partial<Omit<PositionCheckOptions, 'onReject' | 'onLate'>> & Pick<PositionCheckOptions, 'onReject' | 'onLate'>;
  /** An item the database refused as data, kept aside by the caller; the rest of its tick is written. */
  onSetAside?: (item: TickItem, error: unknown) => void;
}

/**
 * The live core: takes the bus's events in order, checks them, and per tick joins positions to cell
 * and district, updates live state and history, runs the rules (bus progress, bus cases, arrivals,
 * geofences), stores camera traffic and events with the cases they open, and registers reports
 * and alarms with theirs — in one transaction
 * that also notes how far the log is applied. Emits what each tick changed and acknowledges it.
 */
export function cityPipeline(db: Pick<Database, 'transaction'>, bus: ConsumedBus, options: CityPipelineOptions): Observable<CityTick> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return defer(() => {
    const passes = positionChecker({ ...defaultPositionChecks, ...options.checks }, scheduler);
    const places = new PlaceIndex();
    return bus.events(options.afterSeq).pipe(
      map(({ seq, value }: LogRecord<CityEvent>): TickItem => ({ seq, event: value, take: value.type !== 'position' || passes(value) })),
      writePerTick(async (items) => {
        const started = performance.now();
        bus.writeStarted(items.length);
        const tick = await db.transaction((tx) => applyTick(tx, items, options.consumer, places));
        return { ...tick, writeMs: performance.now() - started };
      }, {
        ...options,
        // A report, an alarm or a call has its sender waiting for the outcome: its tick goes at once.
        flushNow: (item) => item.event.type === 'grid-event' || item.event.type === 'alarm' || item.event.type === 'call',
        onWriteFailure: (error, attempt) => {
          bus.consumerFailed();
          options.onWriteFailure?.(error, attempt);
        },
        onSetAside: (item, error) => {
          options.onSetAside?.(item, error);
          bus.acknowledge(item.seq);
        },
      }),
      tap((tick) => bus.acknowledge(tick.seq, tick.writeMs)),
    );
  });
}

const taken = <T extends CityEvent['type']>(items: readonly TickItem[], type: T) =>
  items.filter((item) => item.take && item.event.type === type).map((item) => item.event as Extract<CityEvent, { type: T }>);

async function applyTick(tx: Queryable, items: readonly TickItem[], consumer: string, places: PlaceIndex): Promise<Omit<CityTick, 'writeMs'>> {
  const moved = await persistPositionBatch(tx, taken(items, 'position') satisfies PositionEvent[], places);
  const buses = moved.filter((entity) => entity.kind === 'bus').map((entity) => entity.id);
  await updateBusProgress(tx, buses);
  const busIncidents = await reviewBusIncidents(tx, buses);
  const arrivals = await detectArrivals(tx, moved.filter((entity) => entity.kind !== 'bus').map((entity) => entity.id));
  const geofenceAlerts = await checkGeofences(tx, moved.map((entity) => entity.id));
  const segments = await persistCameraReadings(tx, taken(items, 'camera-reading') satisfies CameraReading[]);
  const events = await persistCameraEvents(tx, taken(items, 'camera-event') satisfies CameraEvent[]);
  const incidents = await openIncidentsFromCameraEvents(tx, events.map((event) => event.id));
  const cases = await applyCaseIntake(tx, taken(items, 'grid-event') satisfies GridEvent[], taken(items, 'alarm') satisfies AlarmEvent[], taken(items, 'call') satisfies CallEvent[]);
  const seq = items.at(-1)!.seq;
  await recordAppliedSeq(tx, consumer, seq);
  return { seq, moved, busIncidents, arrivals, geofenceAlerts, camera: { segments, events, incidents }, cases };
}
