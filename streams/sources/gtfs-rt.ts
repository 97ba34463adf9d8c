import { setImmediate } from 'node:timers/promises';
import GtfsRealtimeBindings from 'gtfs-realtime-bindings';
import { asyncScheduler, catchError, defer, EMPTY, exhaustMap, filter, from, timer, type Observable, type SchedulerLike } from 'rxjs';
import { positionEvent, type PositionEvent } from '../events.ts';
import type { RejectReason } from '../rejections.ts';

const { transit_realtime: rt } = GtfsRealtimeBindings;

export interface GtfsRtRejection {
  reason: RejectReason;
  message: string;
}

// GTFS-RT carries coordinates as 32-bit floats (~0.4 m); 6 decimals (~0.1 m) says what is known.
const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
// Decoded messages show defaults (0) for fields the feed left out; only own properties were sent.
const sent = (message: object, field: string) => Object.prototype.hasOwnProperty.call(message, field);

type FeedEntity = ReturnType<typeof rt.FeedMessage.decode>['entity'][number];
interface Decoded {
  events: PositionEvent[];
  rejections: GtfsRtRejection[];
  headerMs?: number;
}

// Vehicles read between turns of the event loop. Reading 20,000 at once held the loop ~230 ms a
// poll (npm run load, GTFS-RT at 20,000/s: event-loop lag max 438 ms, /healthz p99 338 ms).
const vehiclesPerSlice = 1_000;

/**
 * Reads a GTFS-Realtime VehiclePositions feed into position events: vehicle, trip, route,
 * position, bearing, speed (m/s → km/h), current stop and status; the vehicle id is the unit id.
 * A vehicle without what a position needs is refused with a reason; the rest of the feed is kept.
 * A large feed is read a slice at a time, giving the event loop back between slices.
 */
export async function decodeVehiclePositions(bytes: Uint8Array, receivedAt: number, sourceId: string): Promise<Decoded> {
  let feed: ReturnType<typeof rt.FeedMessage.decode>;
  try {
    feed = rt.FeedMessage.decode(bytes);
  } catch (error) {
    return { events: [], rejections: [{ reason: 'malformed', message: `not a GTFS-Realtime feed: ${(error as Error).message}` }] };
  }
  const headerMs = Number(feed.header?.timestamp ?? 0) * 1000 || undefined;
  const decoded: Decoded = { events: [], rejections: [], headerMs };
  for (let start = 0; start < feed.entity.length; start += vehiclesPerSlice) {
    if (start > 0) await setImmediate();
    for (const entity of feed.entity.slice(start, start + vehiclesPerSlice)) readVehicle(entity, headerMs ?? receivedAt, receivedAt, sourceId, decoded);
  }
  return decoded;
}

/** One feed entity into `into`: its position event, its refusal, or nothing (not a vehicle). */
function readVehicle(entity: FeedEntity, feedTime: number, receivedAt: number, sourceId: string, into: Decoded): void {
  const vehicle = entity.vehicle;
  if (!vehicle) return; // trip updates and alerts travel in other feeds
  const id = vehicle.vehicle?.id || entity.id;
  const position = vehicle.position;
  if (!position) {
    into.rejections.push({ reason: 'malformed', message: `vehicle ${id}: no position` });
    return;
  }
  const attributes: Record<string, string | number> = {};
  if (vehicle.trip?.tripId) attributes.tripId = vehicle.trip.tripId;
  if (vehicle.trip?.routeId) attributes.routeId = vehicle.trip.routeId;
  // The service day and, for a trip run by frequency, its start: what its delay is measured from.
  if (vehicle.trip?.startDate) attributes.startDate = vehicle.trip.startDate;
  if (vehicle.trip?.startTime) attributes.startTime = vehicle.trip.startTime;
  // A trip not run as the timetable has it (ADDED, DUPLICATED, CANCELED): said, so it is not checked against the timetable.
  const relationship = vehicle.trip && sent(vehicle.trip, 'scheduleRelationship') ? vehicle.trip.scheduleRelationship! : rt.TripDescriptor.ScheduleRelationship.SCHEDULED;
  if (relationship !== rt.TripDescriptor.ScheduleRelationship.SCHEDULED) attributes.tripRelationship = rt.TripDescriptor.ScheduleRelationship[relationship]!;
  if (vehicle.vehicle?.label) attributes.label = vehicle.vehicle.label;
  if (vehicle.stopId) attributes.stopId = vehicle.stopId;
  if (sent(vehicle, 'currentStopSequence')) attributes.stopSequence = vehicle.currentStopSequence!;
  if (sent(vehicle, 'currentStatus')) attributes.stopStatus = rt.VehiclePosition.VehicleStopStatus[vehicle.currentStatus!]!;
  const candidate: PositionEvent = {
    type: 'position',
    sourceId,
    entityId: id,
    lon: round6(position.longitude),
    lat: round6(position.latitude),
    headingDeg: sent(position, 'bearing') ? position.bearing! % 360 : null,
    speedKmh: sent(position, 'speed') ? Math.round(position.speed! * 36) / 10 : null,
    eventTime: sent(vehicle, 'timestamp') ? Number(vehicle.timestamp) * 1000 : feedTime,
    receivedAt,
    attributes,
  };
  const checked = positionEvent.safeParse(candidate);
  if (checked.success) into.events.push(checked.data);
  else into.rejections.push({ reason: 'out-of-range', message: `vehicle ${id}: ${checked.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` });
}

/** Encodes vehicle positions as a GTFS-Realtime feed (for simulators and tests). */
export function encodeVehiclePositions(timestampS: number, vehicles: Record<string, unknown>[]): Uint8Array {
  return rt.FeedMessage.encode(
    rt.FeedMessage.fromObject({
      header: { gtfsRealtimeVersion: '2.0', incrementality: 'FULL_DATASET', timestamp: timestampS },
      entity: vehicles.map((vehicle) => ({ id: String((vehicle.vehicle as { id?: string } | undefined)?.id ?? ''), vehicle })),
    }),
  ).finish();
}

export interface GtfsRtPollOptions {
  url: string;
  intervalMs: number;
  sourceId: string;
  onRejection: (rejection: GtfsRtRejection) => void;
  /** A poll that failed (network, HTTP status); polling goes on. */
  onPollError: (error: Error) => void;
  /** After each poll that answered: the feed header's time (an unchanged feed's, again), for the feed's quality. */
  onHeader?: (headerMs: number | undefined, polledAt: number) => void;
  scheduler?: SchedulerLike;
}

/**
 * Polls a VehiclePositions feed with If-Modified-Since and emits, per poll, the vehicles whose
 * report changed since the last one; an unchanged feed (304) emits nothing.
 */
export function pollVehiclePositions(options: GtfsRtPollOptions): Observable<PositionEvent[]> {
  return defer(() => {
    let lastModified: string | undefined;
    let lastHeaderMs: number | undefined;
    const lastReport = new Map<string, number>();
    const poll = async (): Promise<PositionEvent[]> => {
      const response = await fetch(options.url, { headers: lastModified ? { 'if-modified-since': lastModified } : {} });
      if (response.status === 304) {
        options.onHeader?.(lastHeaderMs, Date.now());
        return [];
      }
      if (!response.ok) throw new Error(`GTFS-RT feed ${options.url} answered HTTP ${response.status}`);
      lastModified = response.headers.get('last-modified') ?? undefined;
      const { events, rejections, headerMs } = await decodeVehiclePositions(new Uint8Array(await response.arrayBuffer()), Date.now(), options.sourceId);
      lastHeaderMs = headerMs;
      options.onHeader?.(headerMs, Date.now());
      rejections.forEach(options.onRejection);
      const changed = events.filter((event) => lastReport.get(event.entityId) !== event.eventTime);
      for (const event of changed) lastReport.set(event.entityId, event.eventTime);
      return changed;
    };
    return timer(0, options.intervalMs, options.scheduler ?? asyncScheduler).pipe(
      // A slow feed is not polled again until it has answered.
      exhaustMap(() => from(poll()).pipe(catchError((error: Error) => (options.onPollError(error), EMPTY)))),
      filter((events) => events.length > 0),
    );
  });
}
