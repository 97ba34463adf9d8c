import type { Observable } from 'rxjs';
import { persistCameraEvents, persistCameraReadings, type Database, type JoinedCameraEvent, type SegmentTraffic } from '../geo/index.ts';
import type { CameraEvent, CameraReading } from './events.ts';
import { writePerTick, type WritePerTickOptions } from './operators.ts';

export interface CameraTick {
  /** Segments whose live traffic changed. */
  segments: SegmentTraffic[];
  /** Camera events, placed at their site's segment, district and grid cell. */
  events: JoinedCameraEvent[];
}

/**
 * The camera path: per tick, stores detector records and updates segment traffic, and stores
 * camera events placed in the city, in one transaction; emits what changed.
 */
export function liveCameras(db: Pick<Database, 'transaction'>, input: Observable<CameraReading | CameraEvent>, options: WritePerTickOptions): Observable<CameraTick> {
  return input.pipe(
    writePerTick(
      (batch) =>
        db.transaction(async (tx) => ({
          segments: await persistCameraReadings(tx, batch.filter((item): item is CameraReading => item.type === 'camera-reading')),
          events: await persistCameraEvents(tx, batch.filter((item): item is CameraEvent => item.type === 'camera-event')),
        })),
      options,
    ),
  );
}
