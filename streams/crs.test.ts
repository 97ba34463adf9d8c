import { describe, expect, it } from 'vitest';
import { bd09ToGcj02, bd09ToWgs84, fromWgs84, gcj02ToBd09, gcj02ToWgs84, toWgs84, wgs84ToBd09, wgs84ToGcj02 } from './crs.ts';
import { distanceMetres, type LonLat } from '../geo/index.ts';

// The published table of wandergis/coordtransform (test/app.js), all from the point (116.404, 39.915)
// in Beijing: the forward conversions are exact formulas, so they must match to the last digits.
const published = {
  wgs84ToGcj02: [116.41024449916938, 39.91640428150164],
  gcj02ToBd09: [116.41036949371029, 39.92133699351021],
  // Its one-step inverses (the shift at the shifted point, subtracted): what this module improves on.
  oneStepGcj02ToWgs84: [116.39775550083061, 39.91359571849836],
  oneStepBd09ToGcj02: [116.39762729119315, 39.90865673957631],
};
const beijing: LonLat = [116.404, 39.915];

// Places across China, WGS-84: Karamay, Beijing, Shanghai, Guangzhou, Lhasa, Harbin, Sanya.
const places: LonLat[] = [[84.8892, 45.5798], beijing, [121.4737, 31.2304], [113.2644, 23.1291], [91.1322, 29.6604], [126.5349, 45.8038], [109.5119, 18.2528]];

describe('coordinate systems', () => {
  it('shifts WGS-84 to GCJ-02 and GCJ-02 to BD-09 as the published table does', () => {
    expect(wgs84ToGcj02(beijing)[0]).toBeCloseTo(published.wgs84ToGcj02[0]!, 11);
    expect(wgs84ToGcj02(beijing)[1]).toBeCloseTo(published.wgs84ToGcj02[1]!, 11);
    expect(gcj02ToBd09(beijing)[0]).toBeCloseTo(published.gcj02ToBd09[0]!, 11);
    expect(gcj02ToBd09(beijing)[1]).toBeCloseTo(published.gcj02ToBd09[1]!, 11);
  });

  it('inverts both within 0.01 m on a round trip, where the one-step inverse is off by metres', () => {
    for (const place of places) {
      expect(distanceMetres(gcj02ToWgs84(wgs84ToGcj02(place)), place), `GCJ-02 round trip at ${place}`).toBeLessThan(0.01);
      expect(distanceMetres(bd09ToWgs84(wgs84ToBd09(place)), place), `BD-09 round trip at ${place}`).toBeLessThan(0.01);
      expect(distanceMetres(bd09ToGcj02(gcj02ToBd09(place)), place), `BD-09 → GCJ-02 at ${place}`).toBeLessThan(0.01);
    }
    // The common one-step inverse (the shift at the shifted point, subtracted), as published for
    // Beijing: centimetres off there, metres off in the north (Mohe), where the exact one is not.
    const oneStep = (gcj: LonLat): LonLat => {
      const shifted = wgs84ToGcj02(gcj);
      return [2 * gcj[0] - shifted[0], 2 * gcj[1] - shifted[1]];
    };
    expect(oneStep(beijing)[0]).toBeCloseTo(published.oneStepGcj02ToWgs84[0]!, 11);
    expect(oneStep(beijing)[1]).toBeCloseTo(published.oneStepGcj02ToWgs84[1]!, 11);
    const [bdLon, bdLat] = published.oneStepBd09ToGcj02;
    expect(distanceMetres(bd09ToGcj02(beijing), [bdLon!, bdLat!])).toBeLessThan(1);
    const mohe: LonLat = [122.53, 52.97];
    // 2.6 m here; up to 4.7 m seen on a 3° grid over China.
    expect(distanceMetres(oneStep(wgs84ToGcj02(mohe)), mohe)).toBeGreaterThan(2);
    expect(distanceMetres(gcj02ToWgs84(wgs84ToGcj02(mohe)), mohe)).toBeLessThan(0.01);
  });

  it('leaves points outside China as they are, and converts by name', () => {
    const berlin: LonLat = [13.511, 52.365];
    expect(wgs84ToGcj02(berlin)).toEqual(berlin);
    expect(gcj02ToWgs84(berlin)).toEqual(berlin);
    expect(toWgs84('wgs84', beijing)).toEqual(beijing);
    expect(distanceMetres(toWgs84('gcj02', fromWgs84('gcj02', beijing)), beijing)).toBeLessThan(0.01);
    expect(distanceMetres(toWgs84('bd09', fromWgs84('bd09', beijing)), beijing)).toBeLessThan(0.01);
    // GCJ-02 moves Beijing by a few hundred metres; BD-09 by about a kilometre more.
    expect(distanceMetres(fromWgs84('gcj02', beijing), beijing)).toBeGreaterThan(100);
    expect(distanceMetres(fromWgs84('bd09', beijing), beijing)).toBeGreaterThan(distanceMetres(fromWgs84('gcj02', beijing), beijing));
  });
});
