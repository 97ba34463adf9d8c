import { createClient } from 'redis';
import type { Logger } from './log.ts';
import type { RedisClient } from './realtime.ts';

// How long start-up waits for Redis, ms.
const connectWithinMs = 10_000;

/** Connects to REDIS_URL, or says what to do; later drops are logged and retried by the client itself. */
export async function connectRedis(url: string, log: Logger): Promise<RedisClient> {
  // The client retries a lost connection by itself; while it is down, screens on other nodes miss this node's pushes.
  const client: RedisClient = createClient({ url, socket: { connectTimeout: 5_000 } });
  let warned = false;
  client.on('error', (error: Error) => {
    if (!warned) log.warn('Redis (REDIS_URL) is not answering: screens on other nodes miss this node’s pushes until it is back', { error: error.message });
    warned = true;
  });
  client.on('ready', () => (warned = false));
  // The client keeps retrying a first connection too: past this, start-up stops and says why.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.connect(), new Promise((_, reject) => (timer = setTimeout(reject, connectWithinMs, new Error(`no answer within ${connectWithinMs / 1000} s`))))]);
  } catch (error) {
    client.destroy();
    throw new Error(`REDIS_URL does not answer (${(error as Error).message}); start Redis there, or unset REDIS_URL to run one node`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return client;
}
