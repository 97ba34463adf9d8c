import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../streams/index.ts';
import { actionLine } from './action-log.ts';

const entry = (action: string, objectType: string, objectId: string, after: unknown): AuditRecord => ({ id: 1, at: '2026-12-05T06:05:09.000Z', actor: 'dispatcher', action, objectType, objectId, after });

describe('a line of the replayed action log', () => {
  it('says when, who, what, to which object and the outcome, in the screen’s language', () => {
    const time = new Date('2026-12-05T06:05:09.000Z').toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    expect(actionLine(entry('unit-assigned', 'incident', '12', { status: 'dispatched', unitId: 'insp-0001' }), 'en')).toBe(`${time} dispatcher · sent a unit to #12 · insp-0001`);
    expect(actionLine(entry('incident-transition', 'incident', '12', { status: 'closed' }), 'zh-CN')).toMatch(/ dispatcher · 案件流转 案件 12 · 已结案$/);
    expect(actionLine(entry('warning-issued', 'warning', '3', { message: '暴雨红色预警' }), 'en')).toMatch(/ · issued warning #3 · 暴雨红色预警$/);
    expect(actionLine(entry('something-new', 'thing', '9', null), 'en'), 'an action it has no word for: as logged').toMatch(/ · something-new thing 9$/);
  });
});
