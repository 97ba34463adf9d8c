import { filter } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { PositionEvent } from './events.ts';
import { defaultPositionChecks, positionChecker } from './position-checks.ts';
import type { RejectReason } from './rejections.ts';

// Fixes 100 m apart at Karamay, in virtual time (frame = ms since 0).
const fix = (entityId: string, eventTime: number, metresEast = 0, extra: Partial<PositionEvent> = {}): PositionEvent => ({
  type: 'position',
  sourceId: 'test',
  entityId,
  lon: 84.87 + metresEast / 78_000,
  lat: 45.59,
  headingDeg: null,
  speedKmh: null,
  eventTime,
  receivedAt: eventTime,
  ...extra,
});

function run(marbles: string, values: Record<string, PositionEvent>, expected: string) {
  const rejections: [RejectReason, string][] = [];
  const late: string[] = [];
  const scheduler = new TestScheduler((actual, wanted) => expect(actual).toEqual(wanted));
  scheduler.run(({ cold, expectObservable }) => {
    const passes = positionChecker({ ...defaultPositionChecks, onReject: (reason, event) => rejections.push([reason, event.entityId]), onLate: (event) => late.push(event.entityId) }, scheduler);
    const checked = cold(marbles, values).pipe(filter(passes));
    expectObservable(checked).toBe(expected, values);
  });
  return { rejections, late };
}

describe('positionChecker', () => {
  it('passes sane fixes and reports nothing', () => {
    expect(run('a-b-c|', { a: fix('car', 0), b: fix('car', 1_000, 10), c: fix('bus', 1_000) }, 'a-b-c|')).toEqual({ rejections: [], late: [] });
  });

  it('drops (0, 0), future, imprecise and re-sent fixes, and jumps, naming each reason', () => {
    const values = {
      a: fix('car', 0),
      z: { ...fix('car', 1_000), lat: 0, lon: 0 },
      f: fix('car', 11 * 60_000),
      p: fix('car', 2_000, 0, { accuracyM: 5_000 }),
      d: fix('car', 0),
      j: fix('car', 3_000, 1_000), // 1 km in 3 s = 1,200 km/h
      b: fix('car', 4_000, 20),
    };
    const { rejections } = run('a-z-f-p-d-j-b|', values, 'a-----------b|');
    expect(rejections).toEqual([
      ['zero-position', 'car'],
      ['future-timestamp', 'car'],
      ['poor-accuracy', 'car'],
      ['duplicate', 'car'],
      ['impossible-speed', 'car'],
    ]);
  });

  it('lets a late fix through for history and reports it, without it becoming the latest', () => {
    const values = { a: fix('car', 10_000), l: fix('car', 5_000, 5), b: fix('car', 11_000, 10), r: fix('car', 5_000, 5) };
    const { rejections, late } = run('a-l-b-r|', values, 'a-l-b--|');
    expect(late).toEqual(['car']);
    expect(rejections).toEqual([['duplicate', 'car']]);
  });

  it('keeps state per subscription', () => {
    const values = { a: fix('car', 0) };
    expect(run('a|', values, 'a|').rejections).toEqual([]);
    expect(run('a|', values, 'a|').rejections).toEqual([]);
  });
});
