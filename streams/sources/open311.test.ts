import { describe, expect, it } from 'vitest';
import { badOpen311Forms, goodOpen311Forms, open311ReceivedAt } from '../../fixtures/index.ts';
import { parseOpen311Filters, parseOpen311Request } from './open311.ts';

const isInspector = (id: string) => id === 'insp-0001';

describe('the Open311 adapter', () => {
  it.each(goodOpen311Forms)('reads $name', ({ form, expect: expected }) => {
    expect(parseOpen311Request(form, open311ReceivedAt, isInspector)).toMatchObject({
      ok: true,
      value: { type: 'grid-event', sourceId: 'open311', eventTime: open311ReceivedAt, ...expected },
    });
  });

  it.each(badOpen311Forms)('refuses $name as $reason, saying why', ({ form, reason, message }) => {
    const parsed = parseOpen311Request(form, open311ReceivedAt, isInspector);
    expect(parsed).toMatchObject({ ok: false, reason });
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });

  it('reads the filters of requests.json, 90 days back by default', () => {
    const now = Date.parse('2026-11-21T08:00:00Z');
    expect(parseOpen311Filters({}, now)).toEqual({ ok: true, value: { ids: null, serviceCodes: null, start: now - 90 * 86_400_000, end: now, statuses: null } });
    expect(parseOpen311Filters({ service_request_id: '1001,1002', status: 'open', service_code: 'garbage,noise', start_date: '2026-11-01T00:00:00Z' }, now)).toMatchObject({
      ok: true,
      value: { ids: [1001, 1002], statuses: ['open'], serviceCodes: ['garbage', 'noise'], start: Date.parse('2026-11-01T00:00:00Z') },
    });
    expect(parseOpen311Filters({ status: 'pending' }, now)).toMatchObject({ ok: false, message: 'status: open, closed, or both' });
    expect(parseOpen311Filters({ end_date: 'tomorrow' }, now)).toMatchObject({ ok: false, message: 'end_date "tomorrow" is not an ISO 8601 date' });
    expect(parseOpen311Filters({ service_request_id: '1; DROP TABLE' }, now)).toMatchObject({ ok: false });
  });
});
