import { describe, expect, it } from 'vitest';
import { feedHeaderRules } from './gtfs-rt-quality.ts';

describe('a GTFS-RT feed header over successive polls', () => {
  it('is W007 when it moves on by more than 35 s or stands still longer, and W008 when over 65 s old', () => {
    const check = feedHeaderRules();
    const url = 'http://agency.example/vp.pb';
    const t0 = Date.parse('2026-12-04T08:00:00Z');
    expect(check(url, t0 - 5_000, t0)).toEqual([]);
    expect(check(url, t0 + 10_000, t0 + 15_000), 'refreshed every 15 s').toEqual([]);
    expect(check(url, t0 + 10_000, t0 + 40_000), 'unchanged for 25 s').toEqual([]);
    expect(check(url, t0 + 10_000, t0 + 55_000), 'unchanged for 40 s').toEqual(['W007']);
    expect(check(url, t0 + 60_000, t0 + 61_000), 'moved on by 50 s at once').toEqual(['W007']);
    expect(check(url, t0 + 70_000, t0 + 75_000)).toEqual([]);
    expect(check(url, t0 + 70_000, t0 + 140_000), 'a header 70 s old, unchanged for 65 s').toEqual(['W007', 'W008']);
    // A feed without a header time is not judged by it; another feed is followed on its own.
    expect(check(url, undefined, t0 + 200_000)).toEqual([]);
    expect(check('http://other.example/vp.pb', t0 + 190_000, t0 + 200_000)).toEqual([]);
  });
});
