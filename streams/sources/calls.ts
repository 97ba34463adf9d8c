import { z } from 'zod';
import { callEvent, callLines, type CallEvent } from '../events.ts';
import { firstIssue, rejected, type Parsed } from '../rejections.ts';
import { parseTimestamp } from './osmand.ts';

// The wire payload of POST /api/incidents: a case from a phone call.
export const callPayload = z.object({
  callId: z.string().describe("the call's number where it was taken (a console form makes one); sending it again opens nothing new"),
  line: z.enum(callLines).optional().describe('the line the call came in on: 110, 122, 119 or the 12345 hotline'),
  callerPhone: z.string().describe("the caller's number"),
  category: z.string().describe('an incident category code (GET /api/city lists them)'),
  severity: z.number().int().optional().describe("1 (low) to 4 (critical); default the category's"),
  lat: z.number(),
  lon: z.number(),
  place: z.string().optional().describe('the place as the caller named it'),
  description: z.string().optional(),
  time: z.union([z.string(), z.number()]).optional().describe('when the call came in: ISO 8601, or seconds/ms since 1970; default now'),
});

/** One call from the payload; the caller checks its category is one the city has. */
export function parseCall(payload: unknown, receivedAt: number, sourceId: string, takenBy: string): Parsed<CallEvent> {
  const wire = callPayload.strict().safeParse(payload);
  if (!wire.success) return rejected('malformed', firstIssue(wire.error));
  const { callId, line, time, place, description, severity, ...rest } = wire.data;
  const eventTime = parseTimestamp(time === undefined ? undefined : String(time), receivedAt);
  if (eventTime === undefined) return rejected('malformed', `time "${time}" is not a time`);
  const call = callEvent.safeParse({
    type: 'call',
    sourceId,
    callId,
    line: line ?? null,
    ...rest,
    callerPhone: rest.callerPhone.trim(),
    severity: severity ?? null,
    place: place?.trim() || null,
    description: description?.trim() ?? '',
    takenBy,
    eventTime,
    receivedAt,
  });
  return call.success ? { ok: true, value: call.data } : rejected('out-of-range', firstIssue(call.error));
}
