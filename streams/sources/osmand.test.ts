import { describe, expect, it } from 'vitest';
import { badOsmandRequests, goodOsmandRequests, osmandReceivedAt } from '../../fixtures/index.ts';
import { parseOsmand } from './osmand.ts';

describe('the OsmAnd adapter', () => {
  it.each(goodOsmandRequests)('reads $name', ({ request, expect: expected }) => {
    const parsed = parseOsmand(request, osmandReceivedAt);
    expect(parsed).toMatchObject({ ok: true, value: { type: 'position', sourceId: 'osmand', receivedAt: osmandReceivedAt, ...expected } });
  });

  it.each(badOsmandRequests)('refuses $name as $reason, saying why', ({ request, reason, message }) => {
    const parsed = parseOsmand(request, osmandReceivedAt);
    expect(parsed).toMatchObject({ ok: false, reason });
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });
});

describe('OsmAnd accuracy', () => {
  it('refuses an accuracy no storage column holds, rather than failing its tick’s write later', () => {
    const parsed = parseOsmand({ query: { id: 'pc-0001', lat: '45.6', lon: '84.87', accuracy: '1e300' }, body: undefined }, Date.parse('2026-11-22T08:00:00Z'));
    expect(parsed.ok).toBe(false);
  });
});
