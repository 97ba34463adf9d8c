import type express from 'express';
import { isIngestRefused, type CityEvent } from '../streams/index.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

/** Hands accepted events to the ingest bus; resolves once they are durable. */
export type Publish = (events: readonly CityEvent[]) => Promise<void>;

// When the log itself failed (a disk error), a sender tries again after this long, s.
const retryAfterFailureS = 5;

/**
 * Why input the bus did not take was refused, counted by source: the sender tries again after
 * `retryAfterS`. Nothing was stored, so nothing is stored twice.
 */
export function notTaken(error: unknown, source: string, metrics: Metrics, log: Logger): { retryAfterS: number; message: string } {
  const refused = isIngestRefused(error);
  metrics.count('onescreen_ingest_shed_total', { source, reason: refused ? error.reason : 'log-failed' });
  if (!refused) log.error('the ingest log could not store input (answered 503; the sender tries again): check the disk under INGEST_LOG_DIR (space, permissions)', { source, error });
  return refused ? { retryAfterS: error.retryAfterS, message: error.message } : { retryAfterS: retryAfterFailureS, message: 'the server could not store this input (its ingest log failed); send it again shortly' };
}

/** Answers a request whose input the bus did not take: 503 with Retry-After (trackers and gateways send again). */
export function answerNotTaken(res: express.Response, error: unknown, source: string, metrics: Metrics, log: Logger, format: 'json' | 'open311'): void {
  const { retryAfterS, message } = notTaken(error, source, metrics, log);
  res.status(503).set('Retry-After', String(retryAfterS));
  if (format === 'json') res.json({ error: message });
  else res.json([{ code: 503, description: message }]);
}
