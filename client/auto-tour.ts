import type { Alert } from './alert-list.ts';

/** Where a touring wall looks: the whole city, one district (by index), or a new severe alert. */
export type TourStop = { kind: 'city' } | { kind: 'district'; index: number } | { kind: 'alert'; alert: Alert };

export interface TourTimings {
  /** How long the city and each district are shown, ms. */
  dwellMs: number;
  /** How long a new severe alert holds the wall before the tour goes on, ms. */
  alertDwellMs: number;
  /** How long the tour waits after an operator touches the map, ms. */
  pauseMs: number;
}

export const defaultTourTimings: TourTimings = { dwellMs: 20_000, alertDwellMs: 30_000, pauseMs: 120_000 };
/** `?tour=off` stops the tour; `?tour=45` shows each stop for 45 s (a severe alert for half as long again). */
export function tourFromQuery(search: string): TourTimings | null {
  const asked = new URLSearchParams(search).get('tour');
  if (asked === 'off') return null;
  const seconds = Number(asked);
  if (!asked || !Number.isFinite(seconds) || seconds < 1) return defaultTourTimings;
  return { ...defaultTourTimings, dwellMs: seconds * 1000, alertDwellMs: 1.5 * seconds * 1000 };
}

// From this severity an alert is worth taking the wall for (the same level that pulses).
const severeFrom = 3;

/**
 * The wall's auto-tour: the whole city, then each district in turn, round and round. A severe
 * alert that appears while touring takes the wall at once, and the tour then picks up where it
 * was. Alerts already on the wall when the tour starts are not news, so they do not take it. An
 * operator who touches the map pauses the tour for a while.
 */
export class AutoTour {
  private cycle = 0;
  private stop: TourStop = { kind: 'city' };
  private since = Number.NaN;
  private pausedUntil = 0;
  /** The severe alerts on the wall at the last update: only the ones not among them are news. */
  private seen = new Set<string>();

  constructor(
    private readonly districtCount: number,
    readonly timings: TourTimings = defaultTourTimings,
  ) {}

  /** Where the wall is looking, or was last sent. */
  get current(): TourStop {
    return this.stop;
  }

  /**
   * Where to look now, when it changes; undefined while the wall should stay where it is. The
   * first call takes the alerts it is given as already seen: call it once they are all read.
   */
  update(now: number, alerts: readonly Alert[]): TourStop | undefined {
    const severe = alerts.filter((alert) => alert.severity >= severeFrom);
    const fresh = severe.filter((alert) => !this.seen.has(alert.id));
    // Only what is on the wall now is remembered, so a wall running for months holds no history,
    // and an alert that cleared and comes back is news again.
    this.seen = new Set(severe.map((alert) => alert.id));
    if (Number.isNaN(this.since)) {
      this.since = now;
      return this.stop;
    }
    if (now < this.pausedUntil) return undefined;
    const newest = fresh.reduce<Alert | undefined>((latest, alert) => (!latest || alert.at > latest.at ? alert : latest), undefined);
    if (newest) return this.goTo({ kind: 'alert', alert: newest }, now);
    const dwell = this.stop.kind === 'alert' ? this.timings.alertDwellMs : this.timings.dwellMs;
    if (now - this.since < dwell) return undefined;
    // Back from an alert to the stop the tour was on; otherwise on to the next stop.
    if (this.stop.kind !== 'alert') this.cycle = (this.cycle + 1) % (this.districtCount + 1);
    return this.goTo(this.cycle === 0 ? { kind: 'city' } : { kind: 'district', index: this.cycle - 1 }, now);
  }

  /** An operator took over: the tour holds still, then goes on by itself. */
  pause(now: number): void {
    this.pausedUntil = now + this.timings.pauseMs;
    this.since = now;
  }

  private goTo(stop: TourStop, now: number): TourStop {
    this.stop = stop;
    this.since = now;
    return stop;
  }
}
