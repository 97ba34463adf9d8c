// Rate limits every node counts together (REDIS_URL): a client spreading its sign-in guesses or
// its requests over the nodes behind a load balancer meets the same limit as on one node.
import type { Logger } from './log.ts';
import { RateLimiter } from './rate-limit.ts';
import type { RedisClient } from './realtime.ts';

export type Allowed = { ok: true } | { ok: false; retryAfterS: number };

/** At most `limit` events per key in each window of `windowMs`. */
export interface Limit {
  /** Counts one event and says whether it is within the limit. */
  take(key: string): Promise<Allowed>;
  /** How long until `key` may go on, ms; 0 when it may now. */
  waitMs(key: string): Promise<number>;
  /** Counts one event (a failure) without asking. */
  record(key: string): Promise<void>;
  forget(key: string): Promise<void>;
}

/** Makes the limit called `name` (its keys apart from other limits'). */
export type Limits = (name: string, limit: number, windowMs: number) => Limit;

/** Limits this process counts alone: one node. */
export const localLimits: Limits = (_name, limit, windowMs) => {
  const limiter = new RateLimiter(limit, windowMs);
  return {
    take: async (key) => limiter.take(key),
    waitMs: async (key) => limiter.waitMs(key),
    record: async (key) => void limiter.record(key),
    forget: async (key) => limiter.forget(key),
  };
};

// One round trip per event: count it in its window, and give the window its expiry the first time.
const countScript = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

/**
 * Limits counted in Redis, in fixed windows every node shares (a window's key ends with its
 * number, so all nodes agree on when it starts). While Redis does not answer, each node counts
 * alone again rather than refuse or hold up the request.
 */
export function redisLimits(client: RedisClient, keyPrefix: string, log: Logger): Limits {
  let warned = false;
  return (name, limit, windowMs) => {
    const alone = localLimits(name, limit, windowMs);
    const windowAt = (now: number) => Math.floor(now / windowMs);
    const keyOf = (key: string, window: number) => `${keyPrefix}:limit:${name}:${key}:${window}`;
    const leftMs = (now: number) => (windowAt(now) + 1) * windowMs - now;
    const shared = async <T>(inRedis: () => Promise<T>, inProcess: () => Promise<T>): Promise<T> => {
      let error = 'not connected';
      if (client.isReady) {
        try {
          const answer = await inRedis();
          warned = false;
          return answer;
        } catch (failed) {
          error = (failed as Error).message;
        }
      }
      if (!warned) log.warn('rate limits are counted on each node alone while Redis (REDIS_URL) does not answer; they are shared again once it does', { error });
      warned = true;
      return inProcess();
    };
    const count = async (key: string) => {
      const now = Date.now();
      const n = Number(await client.eval(countScript, { keys: [keyOf(key, windowAt(now))], arguments: [String(windowMs)] }));
      return { n, leftMs: leftMs(now) };
    };
    return {
      take: (key) =>
        shared(
          async () => {
            const { n, leftMs } = await count(key);
            return n <= limit ? { ok: true } : { ok: false, retryAfterS: Math.ceil(leftMs / 1000) };
          },
          () => alone.take(key),
        ),
      waitMs: (key) =>
        shared(
          async () => {
            const now = Date.now();
            return Number((await client.get(keyOf(key, windowAt(now)))) ?? 0) >= limit ? leftMs(now) : 0;
          },
          () => alone.waitMs(key),
        ),
      record: (key) => shared(async () => void (await count(key)), () => alone.record(key)),
      forget: (key) => shared(async () => void (await client.del(keyOf(key, windowAt(Date.now())))), () => alone.forget(key)),
    };
  };
}
