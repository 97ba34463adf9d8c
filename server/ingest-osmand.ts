import express from 'express';
import { parseOsmand } from '../streams/index.ts';
import { answerNotTaken, type Publish } from './ingest-refusals.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';

export interface OsmandIngestOptions {
  isKnownDevice: (id: string) => boolean;
  publish: Publish;
  metrics: Metrics;
  log: Logger;
}

const source = 'osmand';
// A tracker reports every second or slower; more than this per device is a fault or an attack.
const fixesPerDevice = { limit: 30, windowMs: 10_000 };

/**
 * The OsmAnd endpoint as Traccar serves it: any path and method, parameters in the query string,
 * a form body or Traccar Client's JSON. 200 with an empty body once the fix is durable; 400 with
 * the reason otherwise, including for a device nobody registered; 503 with Retry-After when the
 * server is behind (Traccar Client keeps the fix and sends it again).
 */
export function osmandIngest({ isKnownDevice, publish, metrics, log }: OsmandIngestOptions): express.Router {
  const router = express.Router();
  const perDevice = new RateLimiter(fixesPerDevice.limit, fixesPerDevice.windowMs);
  router.use(express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' }));
  router.use(async (req, res) => {
    const parsed = parseOsmand({ query: req.query as Record<string, unknown>, body: req.body }, Date.now());
    const refuse = (reason: string, message: string) => {
      metrics.count('onescreen_ingest_rejected_total', { source, reason });
      res.status(400).type('text/plain').send(`${message}\n`);
    };
    if (!parsed.ok) return refuse(parsed.reason, parsed.message);
    if (!isKnownDevice(parsed.value.entityId)) {
      return refuse('unknown-device', `unknown device "${parsed.value.entityId}": register the unit first; a unit's device id is its id in /api/entities`);
    }
    const allowed = perDevice.take(parsed.value.entityId);
    if (!allowed.ok) {
      metrics.count('onescreen_ingest_rejected_total', { source, reason: 'rate-limited' });
      return void res
        .status(429)
        .set('Retry-After', String(allowed.retryAfterS))
        .type('text/plain')
        .send(`device "${parsed.value.entityId}" sent more than ${fixesPerDevice.limit} fixes in ${fixesPerDevice.windowMs / 1000} s; set its interval to 1 s or more\n`);
    }
    try {
      await publish([parsed.value]);
    } catch (error) {
      return answerNotTaken(res, error, source, metrics, log, 'text');
    }
    metrics.accepted(source);
    res.status(200).end();
  });
  // Unreadable or oversized bodies, from the body parsers above.
  router.use((error: { status?: number; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!error.status || error.status >= 500) return next(error);
    metrics.count('onescreen_ingest_rejected_total', { source, reason: 'malformed' });
    res.status(error.status).type('text/plain').send(`${error.message ?? 'unreadable request'}; send OsmAnd parameters or Traccar Client JSON\n`);
  });
  return router;
}
