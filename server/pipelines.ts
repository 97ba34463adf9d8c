import { Subscription, type Observable } from 'rxjs';
import { setAsideItem, type Database } from '../geo/index.ts';
import { liveCameras, livePositions, type CameraEvent, type CameraReading, type PositionEvent } from '../streams/index.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { attachRealtime } from './realtime.ts';
import type { Dispatch } from './dispatch.ts';

export interface PipelineInputs {
  positions: Observable<PositionEvent>;
  cameras: Observable<CameraReading | CameraEvent>;
}

export interface RunningPipelines {
  /** Settles once every input has completed and its last batch is written. */
  drained: Promise<void>;
  /** Stops at once, dropping what is not written yet: only after `drained`, or when giving up on it. */
  stop(): void;
}

/** Runs the live pipelines from their inputs to the database and the connected screens. */
export function startPipelines(
  db: Database,
  inputs: PipelineInputs,
  tickMs: number,
  metrics: Metrics,
  realtime: ReturnType<typeof attachRealtime>,
  dispatch: Pick<Dispatch, 'onPositions' | 'onTraffic'>,
  log: Logger,
): RunningPipelines {
  const onWriteFailure = (what: string) => (error: unknown, attempt: number) => {
    metrics.count('onescreen_write_failures_total');
    log.warn(`writing ${what} failed; retrying with the batch kept`, { attempt, error });
  };
  // One refused item must not hold the pipeline: it is kept aside, counted and logged, and the rest of its tick is written.
  const onSetAside = (pipeline: string) => (item: unknown, error: unknown) => {
    metrics.count('onescreen_ingest_set_aside_total', { pipeline });
    log.error(`the database refused an accepted ${pipeline} item; it is kept in set_aside_items and the rest of its tick was written`, { item, error });
    setAsideItem(db, pipeline, item, error).catch((failure: unknown) =>
      log.error(`could not keep a refused ${pipeline} item in set_aside_items; it is only in this log`, { item, error: failure }),
    );
  };
  const running = new Subscription();
  const finished: Promise<void>[] = [];
  const run = <T>(what: string, pipeline: Observable<T>, next: (value: T) => void) =>
    finished.push(
      new Promise((resolve) => {
        running.add(pipeline.subscribe({ next, complete: resolve, error: (error) => (log.error(`the ${what} pipeline stopped`, { error }), resolve()) }));
      }),
    );
  run(
    'position',
    livePositions(db, inputs.positions, {
      tickMs,
      checks: {
        onReject: (reason, event) => metrics.count('onescreen_ingest_rejected_total', { source: event.sourceId, reason }),
        onLate: (event) => metrics.count('onescreen_positions_late_total', { source: event.sourceId }),
      },
      onWriteFailure: onWriteFailure('positions'),
      onSetAside: onSetAside('position'),
    }),
    (tick) => {
      metrics.count('onescreen_positions_joined_total', {}, tick.moved.length);
      realtime.broadcastPositions(tick.moved);
      realtime.broadcastGeofenceAlerts(tick.geofenceAlerts);
      realtime.broadcastIncidents(tick.busIncidents);
      dispatch.onPositions(tick).catch((error: unknown) => log.warn('following units en route failed; their ETA updates at their next fix', { error }));
    },
  );
  run('camera', liveCameras(db, inputs.cameras, { tickMs, onWriteFailure: onWriteFailure('camera records'), onSetAside: onSetAside('camera') }), (tick) => {
    realtime.broadcastCameras(tick);
    dispatch.onTraffic(tick.segments);
  });
  return { drained: Promise.all(finished).then(() => {}), stop: () => running.unsubscribe() };
}
