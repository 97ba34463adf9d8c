import { z } from 'zod';
import { cameraEvent, cameraEventKinds, cameraReading, type CameraEvent, type CameraReading } from '../events.ts';
import { firstIssue, rejected, type Parsed } from '../rejections.ts';
import { parseTimestamp } from './osmand.ts';

// The wire payloads (MQTT message bodies and HTTP batch items): what a camera's analytics box sends.
const time = z.union([z.string(), z.number()]).optional();
export const cameraReadingPayload = z.object({
  periodStart: time.describe('start of the counting period: ISO 8601, or seconds/ms since 1970; default now'),
  periodS: z.number().describe('period length, s'),
  volume: z.number().describe('vehicles counted'),
  occupancyPct: z.number().describe('detection zone occupancy, %'),
  meanSpeedKmh: z.number().nullable().describe('mean speed, km/h; null when nothing passed'),
});
export const cameraEventPayload = z.object({
  type: z.enum(cameraEventKinds),
  severity: z.number().describe('1 minor … 4 critical'),
  time: time.describe('when it was seen; default now'),
  description: z.string().optional(),
});
export const cameraBatchPayload = z.object({
  readings: z.array(cameraReadingPayload.extend({ cameraId: z.string() })).max(10_000).default([]),
  events: z.array(cameraEventPayload.extend({ cameraId: z.string() })).max(10_000).default([]),
});

export const cameraTopics = { readings: 'city/cameras/+/readings', events: 'city/cameras/+/events' } as const;

/** `city/cameras/{cameraId}/readings|events` → its parts; undefined for any other topic. */
export function parseCameraTopic(topic: string): { cameraId: string; channel: 'readings' | 'events' } | undefined {
  const match = /^city\/cameras\/([^/]+)\/(readings|events)$/.exec(topic);
  return match ? { cameraId: match[1]!, channel: match[2] as 'readings' | 'events' } : undefined;
}

/** One reading payload from camera `cameraId`. */
export function parseCameraReading(cameraId: string, payload: unknown, receivedAt: number, sourceId: string): Parsed<CameraReading> {
  const wire = cameraReadingPayload.safeParse(payload);
  if (!wire.success) return rejected('malformed', firstIssue(wire.error));
  const eventTime = parseTimestamp(wire.data.periodStart === undefined ? undefined : String(wire.data.periodStart), receivedAt);
  if (eventTime === undefined) return rejected('malformed', `periodStart "${wire.data.periodStart}" is not a time`);
  const reading = cameraReading.safeParse({ type: 'camera-reading', sourceId, cameraId, eventTime, receivedAt, ...wire.data, periodStart: undefined });
  return reading.success ? { ok: true, value: reading.data } : rejected('out-of-range', firstIssue(reading.error));
}

/** One event payload from camera `cameraId`. */
export function parseCameraEvent(cameraId: string, payload: unknown, receivedAt: number, sourceId: string): Parsed<CameraEvent> {
  const wire = cameraEventPayload.safeParse(payload);
  if (!wire.success) return rejected('malformed', firstIssue(wire.error));
  const eventTime = parseTimestamp(wire.data.time === undefined ? undefined : String(wire.data.time), receivedAt);
  if (eventTime === undefined) return rejected('malformed', `time "${wire.data.time}" is not a time`);
  const { type: kind, time: _, ...rest } = wire.data;
  const event = cameraEvent.safeParse({ type: 'camera-event', sourceId, cameraId, eventTime, receivedAt, kind, ...rest });
  return event.success ? { ok: true, value: event.data } : rejected('out-of-range', firstIssue(event.error));
}

/** An MQTT message on a camera topic: JSON text to a reading or an event. */
export function parseCameraMessage(topic: string, message: Uint8Array, receivedAt: number): Parsed<CameraReading | CameraEvent> {
  const parts = parseCameraTopic(topic);
  if (!parts) return rejected('malformed', `topic ${topic} is not city/cameras/{cameraId}/readings or /events`);
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(message));
  } catch {
    return rejected('malformed', `${topic}: the message is not JSON`);
  }
  return parts.channel === 'readings' ? parseCameraReading(parts.cameraId, payload, receivedAt, 'mqtt') : parseCameraEvent(parts.cameraId, payload, receivedAt, 'mqtt');
}

export interface ParsedCameraBatch {
  accepted: (CameraReading | CameraEvent)[];
  rejected: { item: string; reason: string; message: string }[];
}

/** The HTTP batch: each item stands alone, so one bad reading does not cost the rest. */
export function parseCameraBatch(body: unknown, receivedAt: number): Parsed<ParsedCameraBatch> {
  const batch = z.object({ readings: z.array(z.unknown()).max(10_000).default([]), events: z.array(z.unknown()).max(10_000).default([]) }).strict().safeParse(body);
  if (!batch.success) return rejected('malformed', `expected {"readings": [...], "events": [...]}: ${firstIssue(batch.error)}`);
  const result: ParsedCameraBatch = { accepted: [], rejected: [] };
  const take = (item: string, parsed: Parsed<CameraReading | CameraEvent>) =>
    parsed.ok ? result.accepted.push(parsed.value) : result.rejected.push({ item, reason: parsed.reason, message: parsed.message });
  const withId = (entry: unknown) => (typeof entry === 'object' && entry !== null && typeof (entry as { cameraId?: unknown }).cameraId === 'string' ? (entry as { cameraId: string }).cameraId : undefined);
  batch.data.readings.forEach((entry, i) => {
    const id = withId(entry);
    take(`readings[${i}]`, id ? parseCameraReading(id, { ...(entry as object), cameraId: undefined }, receivedAt, 'http') : rejected('malformed', 'cameraId: missing'));
  });
  batch.data.events.forEach((entry, i) => {
    const id = withId(entry);
    take(`events[${i}]`, id ? parseCameraEvent(id, { ...(entry as object), cameraId: undefined }, receivedAt, 'http') : rejected('malformed', 'cameraId: missing'));
  });
  return { ok: true, value: result };
}
