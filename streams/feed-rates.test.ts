import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { trailingFeedRates, type FeedCount } from './index.ts';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
// Each count says when it was received, in frames, as the metrics stamp it in ms.
const counts = {
  a: { source: 'osmand', outcome: 'accepted', receivedAt: 1, count: 2 },
  b: { source: 'osmand', outcome: 'bad-coordinates', receivedAt: 5, count: 1 },
  c: { source: 'mqtt', outcome: 'accepted', receivedAt: 25, count: 3 },
};
// A 60-frame window read every 20 frames: a count in it counts 1,000 times a "minute" of 60,000.
const rate = (source: string, acceptedPerMin: number, rejectedPerMin: number) => ({ source, acceptedPerMin, rejectedPerMin });

describe('trailingFeedRates', () => {
  it('emits every tick the rates over the trailing window, per source, and forgets what fell out of it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a 3ms b 19ms c 64ms |', counts);
      const expected = '   20ms w 19ms x 19ms y 19ms z 9ms |';
      expectObservable(source.pipe(trailingFeedRates(60, 20))).toBe(expected, {
        w: [rate('osmand', 2_000, 1_000)],
        x: [rate('mqtt', 3_000, 0), rate('osmand', 2_000, 1_000)],
        y: [rate('mqtt', 3_000, 0), rate('osmand', 2_000, 1_000)],
        z: [rate('mqtt', 3_000, 0)],
      });
    });
  });

  it('emits empty rates while nothing comes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<FeedCount>('50ms |').pipe(trailingFeedRates(60, 20))).toBe('20ms a 19ms b 9ms |', { a: [], b: [] });
    });
  });

  it('passes errors on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', counts).pipe(trailingFeedRates(60, 20))).toBe('---#');
    });
  });

  it('stops its timer and its input when unsubscribed early', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-', counts);
      expectObservable(source.pipe(trailingFeedRates(60, 20)), '^ 29ms !').toBe('20ms w', { w: [rate('osmand', 2_000, 1_000)] });
      expectSubscriptions(source.subscriptions).toBe('^ 29ms !');
    });
  });
});
