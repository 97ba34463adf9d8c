// The event model, the RxJS pipelines, and the socket contract shared by server and client.
export { positionEvent, cityEvent } from './events.ts';
export type { PositionEvent, CityEvent } from './events.ts';
export { batchPerTick, coalesceWhileBusy } from './operators.ts';
export { livePositions } from './live-positions.ts';
export type { LivePositionsOptions } from './live-positions.ts';
export type { PositionsUpdate, ServerToClientEvents, ClientToServerEvents } from './socket-contract.ts';
export type { LiveEntity, EntityKind, CitySummary } from '../geo/index.ts';
export { entityKinds } from '../geo/index.ts';
export { checkPositions, defaultPositionChecks } from './position-checks.ts';
export type { PositionCheckOptions } from './position-checks.ts';
export { rejectReasons } from './rejections.ts';
export type { RejectReason, Parsed } from './rejections.ts';
export { parseOsmand } from './sources/osmand.ts';
export type { OsmandRequest } from './sources/osmand.ts';
export { decodeVehiclePositions, encodeVehiclePositions, pollVehiclePositions } from './sources/gtfs-rt.ts';
export type { GtfsRtPollOptions, GtfsRtRejection } from './sources/gtfs-rt.ts';
