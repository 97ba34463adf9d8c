import { z } from 'zod';

// The one event model. Every event names its source, when it happened (eventTime) and when this
// system received it (receivedAt), both in epoch ms. More event types join the union with the feeds.

export const positionEvent = z.object({
  type: z.literal('position'),
  sourceId: z.string().min(1).max(64),
  entityId: z.string().min(1).max(64),
  lon: z.number().gte(-180).lte(180),
  lat: z.number().gte(-90).lte(90),
  /** Compass degrees, 0 = north, clockwise. */
  headingDeg: z.number().gte(0).lt(360).nullable(),
  speedKmh: z.number().gte(0).lte(400).nullable(),
  eventTime: z.number().int().positive(),
  receivedAt: z.number().int().positive(),
  /** Horizontal accuracy, m (a GPS fix's error radius). */
  accuracyM: z.number().gte(0).nullable().optional(),
  /** Everything else the device said (battery, altitude, odometer…), kept in history. */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type PositionEvent = z.infer<typeof positionEvent>;

export const cityEvent = z.discriminatedUnion('type', [positionEvent]);
export type CityEvent = z.infer<typeof cityEvent>;
