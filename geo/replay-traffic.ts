// The roads' congestion and the cameras' events as the screens saw them at a moment (issue 21):
// from the detector records and events the server had received by then. A segment's traffic at a
// moment is its cameras' latest records received in the 15 minutes before (as routing counts a
// measurement live), weighted as the live join weighs one tick's records.
import { joinedEventColumns, segmentReadingsAggregate, segmentTrafficColumns, toJoinedEvent, toSegmentTraffic, type JoinedCameraEvent, type SegmentTraffic, type SegmentTrafficRow } from './cameras.ts';
import { epochMs, fromEpochMs } from './columns.ts';
import type { Queryable } from './database.ts';
import type { Past } from './replay-reads.ts';
import { routingSpeeds } from './road-routing.ts';

// Records are partitioned by the start of their period: a record received more than this long
// after its period began is not replayed (keeps each read to a few partitions).
const lateRecordMs = 2 * 3_600_000;
// As the live alert list: the latest this many camera events.
const listedEvents = 200;

// Detector records received after the moment given as parameter `fromParam` up to the one in the
// next parameter (epoch ms), with the segment their camera watches.
const receivedRecords = (fromParam: number) => {
  const [from, to] = [fromEpochMs(`$${fromParam}`), fromEpochMs(`$${fromParam + 1}`)];
  return `SELECT c.segment_id, r.volume, r.occupancy_pct, r.mean_speed_kmh, r.camera_id, r.period_start, r.received_at,
         r.period_start + make_interval(secs => r.period_s) AS period_end
    FROM camera_readings r JOIN cameras c ON c.id = r.camera_id
   WHERE c.segment_id IS NOT NULL AND r.received_at > ${from} AND r.received_at <= ${to}
     AND r.period_start > ${from} - make_interval(secs => ${lateRecordMs / 1000}) AND r.period_start <= ${to}`;
};

// Per segment (and whatever else `groupBy` adds) from records `r`, as segment_traffic's columns.
const segmentsOf = (records: string, groupBy = '') => `SELECT r.segment_id, s.speed_limit_kmh AS free_flow_kmh, max(r.period_end) AS updated_at, max(r.received_at) AS received_at,
         ${segmentReadingsAggregate}
    FROM (${records}) r JOIN road_segments s ON s.id = r.segment_id GROUP BY r.segment_id, s.speed_limit_kmh${groupBy}`;

/**
 * SQL for each segment's traffic (segment_traffic's columns) at a moment: its cameras' latest
 * records received in the live window before it. Parameters `fromParam` and the next: the
 * window's start and the moment (epoch ms).
 */
export const segmentTrafficAtSql = (fromParam: number) =>
  segmentsOf(`SELECT DISTINCT ON (camera_id) * FROM (${receivedRecords(fromParam)}) l ORDER BY camera_id, period_start DESC`);

/** Each segment's traffic at `atMs`. */
export async function trafficAt(db: Queryable, atMs: number): Promise<SegmentTraffic[]> {
  const rows = await db.query<SegmentTrafficRow>(`SELECT ${segmentTrafficColumns} FROM (${segmentTrafficAtSql(1)}) t ORDER BY t.segment_id`, [atMs - routingSpeeds.liveForMs, atMs]);
  return rows.map(toSegmentTraffic);
}

/** Each segment's traffic as it changed after `fromMs` up to `toMs`: the records of one received second taken together, as one live tick. */
export async function trafficChanges(db: Queryable, fromMs: number, toMs: number): Promise<Past<SegmentTraffic>[]> {
  const rows = await db.query<SegmentTrafficRow & { seenMs: number }>(
    `SELECT ${segmentTrafficColumns}, ${epochMs('t.received_at')} AS "seenMs" FROM (${segmentsOf(receivedRecords(1), ", date_trunc('second', r.received_at)")}) t ORDER BY t.received_at, t.segment_id`,
    [fromMs, toMs],
  );
  return rows.map(({ seenMs, ...row }) => ({ at: seenMs, value: toSegmentTraffic(row) }));
}

/** The latest camera events at `atMs`, newest first, as the live list shows them. */
export async function cameraEventsAt(db: Queryable, atMs: number, sinceMs: number): Promise<JoinedCameraEvent[]> {
  return (await cameraEventsBetween(db, sinceMs, atMs, 'DESC')).map(toJoinedEvent);
}

/** Camera events after `fromMs` up to `toMs`, oldest first. */
export async function cameraEventChanges(db: Queryable, fromMs: number, toMs: number): Promise<Past<JoinedCameraEvent>[]> {
  return (await cameraEventsBetween(db, fromMs, toMs, 'ASC')).map((row) => {
    const event = toJoinedEvent(row);
    return { at: event.eventTime, value: event };
  });
}

function cameraEventsBetween(db: Queryable, fromMs: number, toMs: number, order: 'ASC' | 'DESC'): Promise<JoinedCameraEvent[]> {
  return db.query<JoinedCameraEvent>(
    `SELECT ${joinedEventColumns} FROM camera_events s JOIN cameras c ON c.id = s.camera_id
      WHERE s.event_time > ${fromEpochMs('$1')} AND s.event_time <= ${fromEpochMs('$2')} ORDER BY s.event_time ${order}, s.id ${order} LIMIT ${order === 'DESC' ? listedEvents : 'ALL'}`,
    [fromMs, toMs],
  );
}
