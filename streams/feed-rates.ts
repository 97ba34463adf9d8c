import { asyncScheduler, defer, endWith, filter, ignoreElements, interval, map, merge, scan, share, takeUntil, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { FeedCount } from '../geo/index.ts';
import type { FeedRate } from './posture-snapshot.ts';

type Counts = Map<string, { accepted: number; rejected: number }>;
interface RateState {
  /** Counts per source in buckets of one tick, by bucket number (epoch ms / tick). */
  buckets: Map<number, Counts>;
  /** Set on a tick: the rates to emit. */
  rates: FeedRate[] | undefined;
}

/** Adds one count to its bucket (by the time it was received). */
export function addFeedCount(state: RateState, count: FeedCount, everyMs: number): RateState {
  const bucket = Math.floor(count.receivedAt / everyMs);
  const counts = state.buckets.get(bucket) ?? state.buckets.set(bucket, new Map()).get(bucket)!;
  const source = counts.get(count.source) ?? counts.set(count.source, { accepted: 0, rejected: 0 }).get(count.source)!;
  if (count.outcome === 'accepted') source.accepted += count.count;
  // A quality issue is input taken, counted apart on the feeds board: not a refusal.
  else if (!count.outcome.startsWith('quality:')) source.rejected += count.count;
  return { buckets: state.buckets, rates: undefined };
}

/** Forgets buckets older than the window ending `now` and sums the rest, per minute, per source (by name). */
export function feedRatesAt(state: RateState, now: number, windowMs: number, everyMs: number): RateState {
  // Ticks come at bucket boundaries: the window is the buckets just before the one starting now.
  const oldest = Math.floor(now / everyMs) - Math.ceil(windowMs / everyMs);
  const totals: Counts = new Map();
  for (const [bucket, counts] of state.buckets) {
    if (bucket < oldest) {
      state.buckets.delete(bucket);
      continue;
    }
    for (const [source, { accepted, rejected }] of counts) {
      const total = totals.get(source) ?? totals.set(source, { accepted: 0, rejected: 0 }).get(source)!;
      total.accepted += accepted;
      total.rejected += rejected;
    }
  }
  const perMinute = 60_000 / windowMs;
  const rates = [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, { accepted, rejected }]) => ({ source, acceptedPerMin: accepted * perMinute, rejectedPerMin: rejected * perMinute }));
  return { buckets: state.buckets, rates };
}

/**
 * Live input rates per ingest source over the trailing `windowMs`, emitted every `everyMs`
 * whether or not anything came: counts fall into buckets of one tick, so a rate is exact to a tick.
 */
export function trailingFeedRates(windowMs: number, everyMs: number, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<FeedCount, FeedRate[]> {
  return (counts) =>
    defer(() => {
      const input = counts.pipe(share());
      // The ticks stop when the counts do.
      const done = input.pipe(ignoreElements(), endWith(true));
      return merge(
        input.pipe(map((count) => ({ count }))),
        interval(everyMs, scheduler).pipe(
          takeUntil(done),
          map(() => ({ now: scheduler.now() })),
        ),
      ).pipe(
        scan(
          (state: RateState, next: { count: FeedCount } | { now: number }) => ('count' in next ? addFeedCount(state, next.count, everyMs) : feedRatesAt(state, next.now, windowMs, everyMs)),
          { buckets: new Map(), rates: undefined },
        ),
        map((state) => state.rates),
        filter((rates): rates is FeedRate[] => rates !== undefined),
      );
    });
}
