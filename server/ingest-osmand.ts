import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { parseOsmand } from '../streams/index.ts';
import { notTaken, type Publish } from './ingest-refusals.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Limits } from './shared-limits.ts';

export interface OsmandIngestOptions {
  isKnownDevice: (id: string) => boolean;
  publish: Publish;
  metrics: Metrics;
  log: Logger;
  /** Where each device's fixes are counted against its limit. */
  limits: Limits;
}

/** A handler on plain `node:http`: the tracker port's server, and a mount on the express app. */
export type OsmandHandler = (req: IncomingMessage, res: ServerResponse) => void;

const source = 'osmand';
// A tracker reports every second or slower; more than this per device is a fault or an attack.
const fixesPerDevice = { limit: 30, windowMs: 10_000 };
const maxBodyBytes = 16 * 1024;

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const answer = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text === '' ? '' : `${text}\n`);

// The body as express's urlencoded and json parsers would give it (the same limit, no body for
// other types), read here by hand: through express the endpoint answered 0.43× the requests a
// second of plain express with the same parsers (issue 19's profile).
async function readBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const json = type === 'application/json' || type.endsWith('+json');
  if (!json && type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBodyBytes) throw new BadRequest(413, 'request entity too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!json) return parseQuery(text);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadRequest(400, (error as Error).message);
  }
}

/**
 * The OsmAnd endpoint as Traccar serves it: any path and method, parameters in the query string,
 * a form body or Traccar Client's JSON. 200 with an empty body once the fix is durable; 400 with
 * the reason otherwise, including for a device nobody registered; 503 with Retry-After when the
 * server is behind or still starting (Traccar Client keeps the fix and sends it again).
 */
export function osmandIngest({ isKnownDevice, publish, metrics, log, limits }: OsmandIngestOptions, isReady: () => string | undefined = () => undefined): OsmandHandler {
  const perDevice = limits('osmand-device', fixesPerDevice.limit, fixesPerDevice.windowMs);
  const refuse = (res: ServerResponse, reason: string, message: string, status = 400) => {
    metrics.count('onescreen_ingest_rejected_total', { source, reason });
    answer(res, status, message);
  };
  const take = async (req: IncomingMessage, res: ServerResponse) => {
    const starting = isReady();
    if (starting !== undefined) return answer(res, 503, `the server is starting (${starting}); retry in a few seconds`, { 'retry-after': '5' });
    const body = await readBody(req).catch((error: unknown) => {
      if (!(error instanceof BadRequest)) throw error;
      refuse(res, 'malformed', `${error.message}; send OsmAnd parameters or Traccar Client JSON`, error.status);
      return error;
    });
    if (body instanceof BadRequest) return;
    const query = parseQuery((req.url ?? '').split('?')[1] ?? '');
    const parsed = parseOsmand({ query, body }, Date.now());
    if (!parsed.ok) return refuse(res, parsed.reason, parsed.message);
    const { entityId } = parsed.value;
    if (!isKnownDevice(entityId)) return refuse(res, 'unknown-device', `unknown device "${entityId}": register the unit first; a unit's device id is its id in /api/entities`);
    const allowed = await perDevice.take(entityId);
    if (!allowed.ok) {
      metrics.count('onescreen_ingest_rejected_total', { source, reason: 'rate-limited' });
      return answer(res, 429, `device "${entityId}" sent more than ${fixesPerDevice.limit} fixes in ${fixesPerDevice.windowMs / 1000} s; set its interval to 1 s or more`, { 'retry-after': String(allowed.retryAfterS) });
    }
    try {
      await publish([parsed.value]);
    } catch (error) {
      const { retryAfterS, message } = notTaken(error, source, metrics, log);
      return answer(res, 503, message, { 'retry-after': String(retryAfterS) });
    }
    metrics.accepted(source);
    answer(res, 200, '');
  };
  return (req, res) =>
    void take(req, res).catch((error: unknown) => {
      log.error('a tracker request failed inside the server (answered 500)', { error });
      if (!res.headersSent) answer(res, 500, 'the server failed on this request; send it again, and report it if it repeats');
    });
}
