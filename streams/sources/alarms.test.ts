import { describe, expect, it } from 'vitest';
import { parseAlarm, parseAlarmBatch } from '../index.ts';

const now = Date.parse('2026-11-22T08:00:00Z');
const call = { id: 'JJ20261122-0042', line: '110', category: 'crime', lat: 45.59, lon: 84.87, address: '世纪大道 12 号', description: '有人持刀伤人' };

describe('the alarm feed (110 / 122 / 119)', () => {
  it('takes a call as the call centre registered it', () => {
    expect(parseAlarm({ ...call, time: '2026-11-22T07:59:30+08:00' }, now, 'alarms')).toEqual({
      ok: true,
      value: { type: 'alarm', sourceId: 'alarms', alarmId: call.id, line: '110', category: 'crime', lon: 84.87, lat: 45.59, address: call.address, description: call.description, eventTime: Date.parse('2026-11-21T23:59:30Z'), receivedAt: now },
    });
    expect(parseAlarm({ id: 'F-7', line: '119', category: 'fire', lat: 45.6, lon: 84.9 }, now, 'alarms')).toMatchObject({ ok: true, value: { address: null, description: '', eventTime: now } });
  });

  it('refuses what a line does not take, and what the world does not allow, with the reason', () => {
    expect(parseAlarm({ ...call, line: '119' }, now, 'alarms')).toEqual({ ok: false, reason: 'malformed', message: 'category: a 119 call is fire or rescue, not "crime"' });
    expect(parseAlarm({ ...call, lat: 91 }, now, 'alarms')).toMatchObject({ ok: false, reason: 'out-of-range', message: expect.stringMatching(/^lat: /) });
    expect(parseAlarm({ ...call, description: 'a\u0000b' }, now, 'alarms')).toMatchObject({ ok: false, reason: 'out-of-range', message: expect.stringMatching(/NUL/) });
    expect(parseAlarm({ ...call, time: 'yesterday' }, now, 'alarms')).toEqual({ ok: false, reason: 'malformed', message: 'time "yesterday" is not a time' });
    expect(parseAlarm({ ...call, caller: '13800000000' }, now, 'alarms')).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('takes each alarm of a batch on its own', () => {
    const parsed = parseAlarmBatch({ alarms: [call, { ...call, line: '122', category: 'fire' }] }, now, 'alarms');
    expect(parsed.ok && [parsed.value.accepted.map((a) => a.alarmId), parsed.value.rejected.map((r) => r.item)]).toEqual([[call.id], ['alarms[1]']]);
    expect(parseAlarmBatch({ alarms: [] }, now, 'alarms')).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
