import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('lets `limit` events through per window and key, then says how long to wait', () => {
    const limiter = new RateLimiter(3, 10_000);
    const at = 1_000_000;
    expect([1, 2, 3].map((i) => limiter.take('a', at + i).ok)).toEqual([true, true, true]);
    expect(limiter.take('a', at + 4)).toEqual({ ok: false, retryAfterS: 10 });
    expect(limiter.take('b', at + 5).ok, 'another key has its own window').toBe(true);
    expect(limiter.waitMs('a', at + 9_001)).toBe(1_000);
    expect(limiter.take('a', at + 10_001).ok, 'a new window').toBe(true);
  });

  it('counts failures apart from attempts, and forgets a key', () => {
    const limiter = new RateLimiter(2, 60_000);
    expect(limiter.waitMs('user', 0)).toBe(0);
    limiter.record('user', 0);
    expect(limiter.record('user', 1)).toBe(59_999);
    limiter.forget('user');
    expect(limiter.waitMs('user', 2)).toBe(0);
  });

  it('drops finished windows once it holds many keys, so a flood of keys cannot grow it without end', () => {
    const limiter = new RateLimiter(1, 1_000);
    for (let i = 0; i < 10_001; i++) limiter.record(`k${i}`, 0);
    limiter.record('late', 5_000);
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
