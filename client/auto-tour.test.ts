import { describe, expect, it } from 'vitest';
import type { Alert } from './alert-list.ts';
import { AutoTour, defaultTourTimings, tourFromQuery } from './auto-tour.ts';

const timings = { dwellMs: 20_000, alertDwellMs: 30_000, pauseMs: 120_000 };
const alert = (id: string, severity: number, at = 0): Alert => ({ id, source: 'camera', severity, lon: 84.9, lat: 45.6, title: id, description: '', at });
const stopName = (stop: ReturnType<AutoTour['update']>) => (stop === undefined ? '·' : stop.kind === 'district' ? `d${stop.index}` : stop.kind === 'alert' ? stop.alert.id : 'city');

describe('AutoTour', () => {
  it('shows the city, then each district in turn, round and round', () => {
    const tour = new AutoTour(2, timings);
    const seen = [0, 10_000, 20_000, 30_000, 40_000, 60_000, 80_000].map((now) => stopName(tour.update(now, [])));
    expect(seen).toEqual(['city', '·', 'd0', '·', 'd1', 'city', 'd0']);
  });

  it('jumps to a new severe alert, holds it, then goes back to the stop it was on', () => {
    const tour = new AutoTour(3, timings);
    const old = alert('camera-old-accident', 4);
    expect(stopName(tour.update(0, [old]))).toBe('city');
    expect(stopName(tour.update(20_000, [old]))).toBe('d0');
    const minor = alert('report-1', 1, 21_000);
    expect(stopName(tour.update(25_000, [old, minor])), 'a minor alert does not take the wall').toBe('·');
    const crash = alert('camera-crash', 3, 26_000);
    expect(stopName(tour.update(27_000, [old, minor, crash]))).toBe('camera-crash');
    expect(stopName(tour.update(50_000, [old, minor, crash]))).toBe('·');
    expect(stopName(tour.update(57_000, [old, minor, crash]))).toBe('d0');
    expect(stopName(tour.update(77_000, [old, minor, crash]))).toBe('d1');
    // The crash clears, and the same camera reports another one: that is news again.
    expect(stopName(tour.update(78_000, [old, minor]))).toBe('·');
    expect(stopName(tour.update(79_000, [old, minor, { ...crash, at: 78_500 }]))).toBe('camera-crash');
  });

  it('holds still for a while after an operator touches the map, and takes no alert meanwhile', () => {
    const tour = new AutoTour(2, timings);
    tour.update(0, []);
    tour.pause(5_000);
    expect(stopName(tour.update(100_000, [alert('camera-crash', 4, 90_000)]))).toBe('·');
    expect(stopName(tour.update(124_000, []))).toBe('·');
    expect(stopName(tour.update(125_000, []))).toBe('d0');
    expect(stopName(tour.update(145_000, []))).toBe('d1');
  });

  it('is set up from the address: off, a pace in seconds, or the default for anything else', () => {
    expect(tourFromQuery('?lang=en&tour=off')).toBeNull();
    expect(tourFromQuery('?tour=10')).toEqual({ ...defaultTourTimings, dwellMs: 10_000, alertDwellMs: 15_000 });
    expect(tourFromQuery('')).toEqual(defaultTourTimings);
    expect(tourFromQuery('?tour=fast')).toEqual(defaultTourTimings);
  });
});
