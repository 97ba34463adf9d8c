import { z } from 'zod';
import { alarmEvent, alarmLines, type AlarmEvent } from '../events.ts';
import { firstIssue, rejected, type Parsed } from '../rejections.ts';
import { parseTimestamp } from './osmand.ts';

// The wire payload: what a 110 / 119 call centre's system posts for each call it registers.
export const alarmPayload = z.object({
  id: z.string().describe("the call centre's case number; sending it again opens nothing new"),
  line: z.enum(['110', '122', '119']).describe('110 police, 122 traffic police, 119 fire and rescue'),
  category: z.string().describe('110: crime, help or traffic; 122: traffic; 119: fire or rescue'),
  lat: z.number(),
  lon: z.number(),
  address: z.string().optional(),
  description: z.string().optional(),
  time: z.union([z.string(), z.number()]).optional().describe('when the call came in: ISO 8601, or seconds/ms since 1970; default now'),
});
export const alarmBatchPayload = z.object({ alarms: z.array(alarmPayload).min(1).max(500) });

/** One alarm from the payload; the caller checks it lies in the city. */
export function parseAlarm(payload: unknown, receivedAt: number, sourceId: string): Parsed<AlarmEvent> {
  const wire = alarmPayload.strict().safeParse(payload);
  if (!wire.success) return rejected('malformed', firstIssue(wire.error));
  const { id, line, category, time, address, description, ...at } = wire.data;
  if (!(alarmLines[line] as readonly string[]).includes(category)) return rejected('malformed', `category: a ${line} call is ${alarmLines[line].join(' or ')}, not "${category}"`);
  const eventTime = parseTimestamp(time === undefined ? undefined : String(time), receivedAt);
  if (eventTime === undefined) return rejected('malformed', `time "${time}" is not a time`);
  const alarm = alarmEvent.safeParse({ type: 'alarm', sourceId, alarmId: id, line, category, ...at, address: address ?? null, description: description ?? '', eventTime, receivedAt });
  return alarm.success ? { ok: true, value: alarm.data } : rejected('out-of-range', firstIssue(alarm.error));
}

/** A batch: each alarm stands alone, so one bad call does not cost the rest. */
export function parseAlarmBatch(body: unknown, receivedAt: number, sourceId: string): Parsed<{ accepted: AlarmEvent[]; rejected: { item: string; reason: string; message: string }[] }> {
  const batch = z.object({ alarms: z.array(z.unknown()).min(1).max(500) }).strict().safeParse(body);
  if (!batch.success) return rejected('malformed', `expected {"alarms": [...]} with 1 to 500 alarms: ${firstIssue(batch.error)}`);
  const result = { accepted: [] as AlarmEvent[], rejected: [] as { item: string; reason: string; message: string }[] };
  batch.data.alarms.forEach((entry, i) => {
    const parsed = parseAlarm(entry, receivedAt, sourceId);
    if (parsed.ok) result.accepted.push(parsed.value);
    else result.rejected.push({ item: `alarms[${i}]`, reason: parsed.reason, message: parsed.message });
  });
  return { ok: true, value: result };
}
