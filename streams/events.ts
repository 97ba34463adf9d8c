import { z } from 'zod';

// The one event model. Every event names its source, when it happened (eventTime) and when this
// system received it (receivedAt), both in epoch ms. More event types join the union with the feeds.

/**
 * Text an event may carry, up to `max` characters. PostgreSQL cannot store a NUL character in
 * text or JSON, so one is refused here, with the sender told, rather than failing the write of
 * a whole tick later.
 */
const text = (max: number) => z.string().max(max).refine((value) => !value.includes('\u0000'), 'contains a NUL character (\\u0000), which no text may hold; remove it');
const id = text(64).pipe(z.string().min(1));

export const positionEvent = z.object({
  type: z.literal('position'),
  sourceId: id,
  entityId: id,
  lon: z.number().gte(-180).lte(180),
  lat: z.number().gte(-90).lte(90),
  /** Compass degrees, 0 = north, clockwise. */
  headingDeg: z.number().gte(0).lt(360).nullable(),
  speedKmh: z.number().gte(0).lte(400).nullable(),
  eventTime: z.number().int().positive(),
  receivedAt: z.number().int().positive(),
  /** Horizontal accuracy, m (a GPS fix's error radius). */
  // Bounded so it fits the history's float4 column: an unbounded one failed its tick's write.
  accuracyM: z.number().gte(0).lte(1_000_000).nullable().optional(),
  /** Everything else the device said (battery, altitude, odometer…), kept in history. */
  attributes: z.record(text(64), z.union([text(1_000), z.number(), z.boolean()])).optional(),
});
export type PositionEvent = z.infer<typeof positionEvent>;

const cameraId = id;

/** One camera's detector record for one period (NTCIP / DATEX II style): counts, occupancy, speed. */
export const cameraReading = z.object({
  type: z.literal('camera-reading'),
  sourceId: id,
  cameraId,
  /** Start of the counting period; `eventTime` of a reading. */
  eventTime: z.number().int().positive(),
  receivedAt: z.number().int().positive(),
  periodS: z.number().int().min(1).max(3_600),
  /** Vehicles counted in the period. */
  volume: z.number().int().min(0).max(100_000),
  /** Share of the period the detection zone was occupied, %. */
  occupancyPct: z.number().min(0).max(100),
  /** Mean speed of the vehicles counted, km/h; null when none passed. */
  meanSpeedKmh: z.number().min(0).max(300).nullable(),
});
export type CameraReading = z.infer<typeof cameraReading>;

export const cameraEventKinds = ['congestion', 'accident', 'wrong-way', 'stopped-vehicle', 'camera-offline', 'camera-online'] as const;

/** Something a camera's video analytics saw, or the camera's own state. */
export const cameraEvent = z.object({
  type: z.literal('camera-event'),
  sourceId: id,
  cameraId,
  eventTime: z.number().int().positive(),
  receivedAt: z.number().int().positive(),
  kind: z.enum(cameraEventKinds),
  /** 1 (minor) … 4 (critical). */
  severity: z.number().int().min(1).max(4),
  description: text(2_000).default(''),
});
export type CameraEvent = z.infer<typeof cameraEvent>;

/** A report in a grid cell: a citizen's complaint or an inspector's patrol finding (Open311 service request). */
export const gridEvent = z.object({
  type: z.literal('grid-event'),
  sourceId: id,
  /** The report's own id, given where it was taken: GeoReport v2's token, and what makes a replayed report register once. */
  token: z.uuid(),
  eventTime: z.number().int().positive(),
  receivedAt: z.number().int().positive(),
  serviceCode: id,
  description: text(4_000),
  /** Where, as a point, or as an address to find in the city. */
  lon: z.number().gte(-180).lte(180).nullable(),
  lat: z.number().gte(-90).lte(90).nullable(),
  address: text(500).nullable(),
  mediaUrl: z.url({ protocol: /^https?$/ }).max(2_000).nullable(),
  reporter: z.enum(['citizen', 'inspector']),
  /** An inspector's unit id, or the reporting app's device or account id. */
  reporterId: text(128).nullable(),
  contact: z.object({ firstName: text(100).optional(), lastName: text(100).optional(), email: z.email().max(254).optional(), phone: text(40).optional() }),
});
export type GridEvent = z.infer<typeof gridEvent>;

/** Which emergency line took the call: 110 police, 122 traffic police, 119 fire and rescue; and what each line's calls may be. */
export const alarmLines = { '110': ['crime', 'help', 'traffic'], '122': ['traffic'], '119': ['fire', 'rescue'] } as const;
export const alarmCategories = ['crime', 'help', 'traffic', 'fire', 'rescue'] as const;

/** A call to an emergency line, as the call centre's system registered it. */
export const alarmEvent = z.object({
  type: z.literal('alarm'),
  sourceId: id,
  /** The call centre's case number: the same number again is the same alarm. */
  alarmId: id,
  line: z.enum(['110', '122', '119']),
  category: z.enum(alarmCategories),
  lon: z.number().gte(-180).lte(180),
  lat: z.number().gte(-90).lte(90),
  address: text(500).nullable(),
  description: text(2_000),
  eventTime: z.number().int().positive(),
  receivedAt: z.number().int().positive(),
});
export type AlarmEvent = z.infer<typeof alarmEvent>;

/** The lines a call can come in on: the emergency lines, and the 12345 citizens' hotline. */
export const callLines = ['110', '122', '119', '12345'] as const;

/**
 * A phone call entered as a case: by a dispatcher at the console, or by a CAD or 12345 hotline
 * system. The category is an incident category's code (checked where the call is taken).
 */
export const callEvent = z.object({
  type: z.literal('call'),
  /** Where the call was taken: 'console', or the keyed system's feed. */
  sourceId: id,
  /** The call's number where it was taken: the same number again is the same call. */
  callId: id,
  line: z.enum(callLines).nullable(),
  callerPhone: z.string().regex(/^\+?[0-9][0-9 -]{2,30}$/, 'is a phone number: digits, spaces and dashes, an optional leading +'),
  category: id,
  /** 1 (low) to 4 (critical); null takes the category's. */
  severity: z.number().int().min(1).max(4).nullable(),
  lon: z.number().gte(-180).lte(180),
  lat: z.number().gte(-90).lte(90),
  /** The place as the caller named it, or the search hit the dispatcher picked. */
  place: text(500).nullable(),
  description: text(2_000),
  /** Who took the call: the dispatcher's user id, or the system's key name. */
  takenBy: id,
  eventTime: z.number().int().positive(),
  receivedAt: z.number().int().positive(),
});
export type CallEvent = z.infer<typeof callEvent>;

export const cityEvent = z.discriminatedUnion('type', [positionEvent, cameraReading, cameraEvent, gridEvent, alarmEvent, callEvent]);
export type CityEvent = z.infer<typeof cityEvent>;
