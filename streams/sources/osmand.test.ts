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
