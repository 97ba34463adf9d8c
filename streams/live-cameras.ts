import type { Observable } from 'rxjs';
import { openIncidentsFromCameraEvents, persistCameraEvents, persistCameraReadings, type Database, type Incident, type JoinedCameraEvent, type SegmentTraffic } from '../geo/index.ts';
import type { CameraEvent, CameraReading } from './events.ts';
import { writePerTick, type WritePerTickOptions } from './operators.ts';

export interface CameraTick {
  /** Segments whose live traffic changed. */
  segments: SegmentTraffic[];
  /** Camera events, placed at their site's segment, district and grid cell. */
  events: JoinedCameraEvent[];
  /** Incidents the events opened (accidents, wrong-way drivers, stopped vehicles). */
  incidents: Incident[];
}

/**
 * The camera path: per tick, stores detector records and updates segment traffic, and stores
 * camera events placed in the city, and opens the incidents they report, in one transaction;
 * emits what changed.
 */
export function liveCameras(db: Pick<Database, 'transaction'>, input: Observable<CameraReading | CameraEvent>, options: WritePerTickOptions<CameraReading | CameraEvent>): Observable<CameraTick> {
  return input.pipe(
    writePerTick(
      (batch) =>
        db.transaction(async (tx) => {
          const segments = await persistCameraReadings(tx, batch.filter((item): item is CameraReading => item.type === 'camera-reading'));
          const events = await persistCameraEvents(tx, batch.filter((item): item is CameraEvent => item.type === 'camera-event'));
          return { segments, events, incidents: await openIncidentsFromCameraEvents(tx, events.map((event) => event.id)) };
        }),
      options,
    ),
  );
}
