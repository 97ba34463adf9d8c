/**
 * Counts events per key in fixed windows: "at most `limit` per `windowMs`". In memory, per
 * process: a limit protects this process; several nodes each enforce their own.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private nextSweepAt = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** How long until `key` may go on, ms; 0 when it may now. */
  waitMs(key: string, now = Date.now()): number {
    const window = this.windows.get(key);
    return window && window.endsAt > now && window.count >= this.limit ? window.endsAt - now : 0;
  }

  /** Counts one event for `key`; returns how long it must wait now, ms (0: within its limit). */
  record(key: string, now = Date.now()): number {
    // Old windows go when the map grows, so a flood of distinct keys cannot hold memory; at most
    // once a window, or a city of 50,000 trackers pays a scan of them all on every request.
    if (this.windows.size > 10_000 && now >= this.nextSweepAt) {
      for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
      this.nextSweepAt = now + this.windowMs;
    }
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) this.windows.set(key, (window = { count: 0, endsAt: now + this.windowMs }));
    window.count += 1;
    return this.waitMs(key, now);
  }

  /** Counts one event and says whether it is within the limit. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterS: number } {
    const waitMs = this.record(key, now);
    const window = this.windows.get(key)!;
    return window.count <= this.limit ? { ok: true } : { ok: false, retryAfterS: Math.ceil(waitMs / 1000) };
  }

  forget(key: string): void {
    this.windows.delete(key);
  }
}
