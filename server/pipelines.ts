import { Subscription, type Observable } from 'rxjs';
import type { Database } from '../geo/index.ts';
import { liveCameras, livePositions, type CameraEvent, type CameraReading, type PositionEvent } from '../streams/index.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { attachRealtime } from './realtime.ts';

export interface PipelineInputs {
  positions: Observable<PositionEvent>;
  cameras: Observable<CameraReading | CameraEvent>;
}

/** Runs the live pipelines from their inputs to the database and the connected screens. */
export function startPipelines(db: Database, inputs: PipelineInputs, tickMs: number, metrics: Metrics, realtime: ReturnType<typeof attachRealtime>, log: Logger): Subscription {
  const onWriteFailure = (what: string) => (error: unknown, attempt: number) => {
    metrics.count('onescreen_position_write_failures_total');
    log.warn(`writing ${what} failed; retrying with the batch kept`, { attempt, error });
  };
  const stopped = (what: string) => (error: unknown) => log.error(`the ${what} pipeline stopped`, { error });
  const running = new Subscription();
  running.add(
    livePositions(db, inputs.positions, {
      tickMs,
      checks: {
        onReject: (reason, event) => metrics.count('onescreen_ingest_rejected_total', { source: event.sourceId, reason }),
        onLate: (event) => metrics.count('onescreen_positions_late_total', { source: event.sourceId }),
      },
      onWriteFailure: onWriteFailure('positions'),
    }).subscribe({
      next: (moved) => {
        metrics.count('onescreen_positions_joined_total', {}, moved.length);
        realtime.broadcastPositions(moved);
      },
      error: stopped('position'),
    }),
  );
  running.add(liveCameras(db, inputs.cameras, { tickMs, onWriteFailure: onWriteFailure('camera records') }).subscribe({ next: realtime.broadcastCameras, error: stopped('camera') }));
  return running;
}
