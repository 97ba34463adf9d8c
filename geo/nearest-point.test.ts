import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distanceMetres, type LonLat } from './index.ts';
import { nearestPointIndex } from './nearest-point.ts';

// Points around Karamay, up to ~20 km out, and queries anywhere up to ~60 km from them.
const near = (spread: number) => fc.tuple(fc.double({ min: 84.87 - spread, max: 84.87 + spread, noNaN: true }), fc.double({ min: 45.6 - spread, max: 45.6 + spread, noNaN: true })) as fc.Arbitrary<LonLat>;

describe('nearestPointIndex', () => {
  it('finds the same nearest point as measuring every one, for points and queries anywhere around a city', () => {
    fc.assert(
      fc.property(fc.array(near(0.2), { minLength: 1, maxLength: 300 }), fc.array(near(0.6), { minLength: 1, maxLength: 20 }), (points, queries) => {
        const nearest = nearestPointIndex(points);
        for (const query of queries) {
          const { metres } = nearest(query);
          const brute = Math.min(...points.map((point) => distanceMetres(point, query)));
          expect(metres).toBeCloseTo(brute, 6);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('answers a query from anywhere on Earth, as measuring every point does, without searching the empty world between', () => {
    // A tracker may report from the far side of the world: once this searched ring after empty ring and blocked the server for minutes.
    const anywhere = fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })) as fc.Arbitrary<LonLat>;
    fc.assert(
      fc.property(fc.array(near(0.2), { minLength: 1, maxLength: 300 }), fc.array(fc.oneof(anywhere, near(1)), { minLength: 1, maxLength: 20 }), (points, queries) => {
        const nearest = nearestPointIndex(points);
        for (const query of queries) expect(nearest(query).metres).toBeCloseTo(Math.min(...points.map((point) => distanceMetres(point, query))), 6);
      }),
      { numRuns: 100 },
    );
  });

  it('answers nothing for no points', () => {
    expect(nearestPointIndex([])([84.87, 45.6])).toEqual({ index: -1, metres: Infinity });
  });
});
