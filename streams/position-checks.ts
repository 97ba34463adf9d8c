import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { distanceMetres } from '../geo/index.ts';
import type { PositionEvent } from './events.ts';
import type { RejectReason } from './rejections.ts';

export interface PositionCheckOptions {
  /** Furthest a fix may be ahead of this server's clock, ms (tracker clocks drift). */
  maxFutureMs: number;
  /** Fixes less precise than this are dropped, m. */
  maxAccuracyM: number;
  /** Faster than this between two fixes of one entity is a GPS jump, not travel, km/h. */
  maxSpeedKmh: number;
  onReject: (reason: RejectReason, event: PositionEvent) => void;
  /** A fix older than the entity's latest: kept for history; live state will not move back. */
  onLate?: (event: PositionEvent) => void;
}

export const defaultPositionChecks = { maxFutureMs: 10 * 60_000, maxAccuracyM: 1_000, maxSpeedKmh: 300 } as const;

// How many recent fix times per entity are remembered to spot a re-sent one.
const rememberedTimes = 32;

/**
 * Traccar's filters: drops (0, 0) fixes, fixes from the future, imprecise fixes, re-sent fixes and
 * jumps no vehicle could make, telling `onReject` why. Late fixes pass (history wants them) and are
 * reported to `onLate`. Returns whether a fix passes; each checker keeps its own memory of fixes.
 */
export function positionChecker(options: PositionCheckOptions, scheduler: SchedulerLike = asyncScheduler): (event: PositionEvent) => boolean {
  const latest = new Map<string, PositionEvent>();
  const recentTimes = new Map<string, number[]>();
  const reject = (reason: RejectReason, event: PositionEvent) => (options.onReject(reason, event), false);
  return (event) => {
    if (event.lat === 0 && event.lon === 0) return reject('zero-position', event);
    if (event.eventTime > scheduler.now() + options.maxFutureMs) return reject('future-timestamp', event);
    if ((event.accuracyM ?? 0) > options.maxAccuracyM) return reject('poor-accuracy', event);
    const times = recentTimes.get(event.entityId) ?? [];
    if (times.includes(event.eventTime)) return reject('duplicate', event);
    const previous = latest.get(event.entityId);
    if (previous && event.eventTime > previous.eventTime) {
      const hours = (event.eventTime - previous.eventTime) / 3_600_000;
      const km = distanceMetres([previous.lon, previous.lat], [event.lon, event.lat]) / 1000;
      if (km / hours > options.maxSpeedKmh) return reject('impossible-speed', event);
    }
    recentTimes.set(event.entityId, [...times.slice(1 - rememberedTimes), event.eventTime]);
    if (previous && event.eventTime < previous.eventTime) options.onLate?.(event);
    else latest.set(event.entityId, event);
    return true;
  };
}
