import type { Request, RequestHandler, Response } from 'express';
import { findFeedKey, type Database, type FeedKey, type KeyedFeed } from '../geo/index.ts';
import { hashToken } from './auth.ts';
import type { Metrics } from './metrics.ts';
import type { Limits } from './shared-limits.ts';

// Requests per key per minute: a camera gateway posts a batch every few seconds, an Open311 app per report.
const requestsPerKeyPerMinute = 600;
// A key checked good is trusted this long, ms, so a busy gateway costs no query per batch; a
// disabled key is refused within this time.
const trustedForMs = 30_000;

/** The key a request carries: the `x-api-key` header, or `api_key` in the query or a form body (GeoReport v2's way). */
function keyOf(req: Request): string | undefined {
  const candidates = [req.get('x-api-key'), req.query.api_key, (req.body as Record<string, unknown> | undefined)?.api_key];
  return candidates.find((value): value is string => typeof value === 'string' && value.length > 0 && value.length <= 128);
}

/** Answers a request the key guard refuses, in the feed's own error shape. */
export type KeyRefusal = (res: Response, status: 401 | 429 | 503, message: string) => void;
/** A feed's key check, answering refusals through the feed's `refuse`. */
export type RequireKey = (refuse: KeyRefusal) => RequestHandler;

// When a key cannot be checked (the database is not answering) and was never seen, the sender tries again after this long, s.
const retryUncheckedAfterS = 5;

/**
 * Guards the pushed feeds: each request needs an enabled key issued for its feed (an admin makes
 * them with POST /api/feed-keys). A refusal is counted under the feed's source and answered in
 * the feed's own error shape. While the database does not answer, a key checked good before
 * stays good, so reports and alarms keep landing in the ingest log through an outage.
 */
export function feedKeyGuard(db: () => Database, metrics: Metrics, limits: Limits) {
  const trusted = new Map<string, { feed: KeyedFeed; until: number }>();
  const perKey = limits('feed-key', requestsPerKeyPerMinute, 60_000);
  return (feed: KeyedFeed, source: string, refuse: KeyRefusal): RequestHandler =>
    async (req, res, next) => {
      const key = keyOf(req);
      const hash = key ? hashToken(key) : undefined;
      const now = Date.now();
      let known = hash ? trusted.get(hash) : undefined;
      if (hash && (!known || known.until < now)) {
        let found: Pick<FeedKey, 'feed'> | undefined;
        try {
          found = await findFeedKey(db(), hash);
        } catch {
          if (!known) {
            res.set('Retry-After', String(retryUncheckedAfterS));
            return refuse(res, 503, `the key cannot be checked now (the database is not answering); send again in ${retryUncheckedAfterS} s`);
          }
          found = known;
        }
        known = found ? { feed: found.feed, until: now + trustedForMs } : undefined;
        if (known) trusted.set(hash, known);
        else trusted.delete(hash);
      }
      if (known?.feed === feed) {
        const allowed = await perKey.take(hash!);
        if (allowed.ok) return next();
        metrics.count('onescreen_ingest_rejected_total', { source, reason: 'rate-limited' });
        res.set('Retry-After', String(allowed.retryAfterS));
        return refuse(res, 429, `this key sent more than ${requestsPerKeyPerMinute} requests in a minute; send batches, or ask for a key per gateway`);
      }
      metrics.count('onescreen_ingest_rejected_total', { source, reason: key ? 'bad-key' : 'no-key' });
      refuse(res, 401, key ? `this key is not an enabled ${feed} key; ask an administrator for one (POST /api/feed-keys)` : `no key: send the ${feed} feed's key as the x-api-key header or api_key; an administrator issues keys with POST /api/feed-keys`);
    };
}
export type FeedKeyGuard = ReturnType<typeof feedKeyGuard>;
