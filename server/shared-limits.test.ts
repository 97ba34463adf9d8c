import { afterAll, describe, expect, it } from 'vitest';
import { servicePresent, testStreamName } from '../streams/test-nats.ts';
import { createLogger } from './log.ts';
import { connectRedis } from './redis.ts';
import { redisLimits } from './shared-limits.ts';

const redisTestUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const present = await servicePresent(redisTestUrl, 'REDIS_TEST_URL', 'the shared rate limits test', 'start Redis there: redis-server');

describe.skipIf(!present)('rate limits counted in Redis', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', write: (line) => void lines.push(line) });
  const prefix = testStreamName();
  // Two nodes: each its own connection to Redis.
  const clients = Promise.all([connectRedis(redisTestUrl, log), connectRedis(redisTestUrl, log)]);
  afterAll(async () => {
    const [a, b] = await clients;
    for (const key of await a.keys(`${prefix}:*`)) await a.del(key);
    a.destroy();
    b.destroy();
  });

  it('are one count across nodes: a client spreading its requests over two meets the limit of one', async () => {
    const [a, b] = await clients;
    const [onA, onB] = [redisLimits(a, prefix, log)('requests', 3, 60_000), redisLimits(b, prefix, log)('requests', 3, 60_000)];
    const answers = [await onA.take('client'), await onB.take('client'), await onA.take('client'), await onB.take('client')];
    expect(answers.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(answers[3]).toMatchObject({ ok: false });
    expect((answers[3] as { retryAfterS: number }).retryAfterS).toBeGreaterThanOrEqual(1);
    expect((await onA.take('another client')).ok, 'each key has its own count').toBe(true);
  });

  it('count failures from every node, and forget them on any', async () => {
    const [a, b] = await clients;
    const [onA, onB] = [redisLimits(a, prefix, log)('failures', 2, 60_000), redisLimits(b, prefix, log)('failures', 2, 60_000)];
    await onA.record('user');
    expect(await onB.waitMs('user')).toBe(0);
    await onB.record('user');
    expect(await onA.waitMs('user')).toBeGreaterThan(0);
    await onB.forget('user');
    expect(await onA.waitMs('user')).toBe(0);
  });

  it('are counted by each node alone while Redis does not answer, and it says so once', async () => {
    const lost = await connectRedis(redisTestUrl, log);
    const limit = redisLimits(lost, prefix, log)('alone', 1, 60_000);
    lost.destroy();
    expect([(await limit.take('k')).ok, (await limit.take('k')).ok]).toEqual([true, false]);
    expect(lines.filter((line) => line.includes('counted on each node alone'))).toHaveLength(1);
  });
});
