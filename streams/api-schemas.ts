import { z } from 'zod';
import type { BusProgress, JoinedCameraEvent, LiveEntity, SegmentTraffic } from '../geo/index.ts';
import { entityKinds } from '../geo/index.ts';
import { cameraEventKinds } from './events.ts';

// What the REST API answers, as zod schemas for the OpenAPI document. The geo layer's row types
// are the source of truth; the checks at the bottom fail the type check if the two drift apart.

const isoTime = z.string().describe('ISO 8601, UTC');

export const liveEntitySchema = z.object({
  id: z.string().describe('the unit id, also its tracker’s device id'),
  kind: z.enum(entityKinds),
  label: z.string().describe('plate, call sign or route label'),
  lon: z.number(),
  lat: z.number(),
  headingDeg: z.number().nullable(),
  speedKmh: z.number().nullable(),
  status: z.string(),
  districtId: z.string().nullable(),
  cellId: z.string().nullable().describe('grid-management cell'),
  updatedAt: isoTime.nullable(),
});

export const busProgressSchema = z.object({
  id: z.string(),
  routeId: z.string(),
  tripId: z.string().nullable(),
  stopId: z.string().nullable(),
  stopStatus: z.string().nullable().describe('GTFS-RT VehicleStopStatus'),
  progress: z.number().describe('share of the route’s length travelled, 0–1'),
  bunchedWith: z.string().nullable().describe('another bus of the route running within 250 m'),
  delayS: z.number().nullable().describe('seconds behind the timetable (negative: early); null for a trip not in it'),
  updatedAt: isoTime,
});

export const segmentTrafficSchema = z.object({
  segmentId: z.string(),
  speedKmh: z.number().nullable(),
  freeFlowKmh: z.number(),
  volume: z.number(),
  occupancyPct: z.number(),
  level: z.enum(['free', 'slow', 'congested']),
  updatedAt: isoTime,
});

export const joinedCameraEventSchema = z.object({
  id: z.number(),
  cameraId: z.string(),
  siteId: z.string(),
  kind: z.enum(cameraEventKinds),
  severity: z.number(),
  description: z.string(),
  sourceId: z.string(),
  eventTime: z.number().describe('epoch ms'),
  receivedAt: z.number().describe('epoch ms'),
  lon: z.number(),
  lat: z.number(),
  segmentId: z.string().nullable(),
  districtId: z.string().nullable(),
  cellId: z.string().nullable(),
});

export const apiErrorSchema = z.object({ error: z.string().describe('what went wrong and what to do') });
export const open311ErrorSchema = z.array(z.object({ code: z.number(), description: z.string() }));

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchRows: [
  Same<z.infer<typeof liveEntitySchema>, LiveEntity>,
  Same<z.infer<typeof busProgressSchema>, BusProgress>,
  Same<z.infer<typeof segmentTrafficSchema>, SegmentTraffic>,
  Same<Omit<z.infer<typeof joinedCameraEventSchema>, 'kind'>, Omit<JoinedCameraEvent, 'kind'>>,
] = [true, true, true, true];
void schemasMatchRows;
