import { describe, expect, it } from 'vitest';
import { easeEta, type ShownEta } from './live-eta.ts';

const route = ['1,1', '2,2', '3,3', '4,4'];

describe('easeEta', () => {
  it('counts down steadily through the router’s jitter on the same route (the seen 46→39→34→41→49→56→27→20 s)', () => {
    let shown: ShownEta | undefined;
    const seen: number[] = [];
    [46, 39, 34, 41, 49, 56, 27, 20].forEach((etaS, i) => {
      shown = easeEta(shown, { etaS, crossings: route.slice(Math.min(i >> 1, 3)) }, i * 5_000);
      seen.push(Math.round(shown.etaS));
    });
    expect(seen[0]).toBe(46);
    for (let i = 1; i < seen.length; i++) expect(seen[i], `${seen.join('→')}`).toBeLessThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBeLessThan(25);
  });

  it('shows a new route as routed, and a unit plainly held up as it is', () => {
    const shown = easeEta(undefined, { etaS: 120, crossings: route }, 0);
    expect(easeEta(shown, { etaS: 300, crossings: ['9,9', '4,4'] }, 5_000).etaS, 'a different road').toBe(300);
    expect(easeEta(shown, { etaS: 160, crossings: route.slice(1) }, 5_000).etaS, 'over by 40 s and a third: held up').toBe(160);
    expect(easeEta(shown, { etaS: 140, crossings: route.slice(1) }, 5_000).etaS, 'over by 20 s: eased, not up').toBeLessThanOrEqual(120);
    expect(easeEta(shown, { etaS: 0, crossings: [] }, 200_000).etaS).toBe(0);
  });
});
