import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { basemapLayers, searchCity, listBusProgress, listCameraEvents, listLiveEntities, listSegmentTraffic, listServiceRequests, readBasemapLayer, readCitySummary, type BasemapLayer, type Database } from '../geo/index.ts';
import { entityKinds, type EntityKind, type FeedStatus } from '../streams/index.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';

/** Where start-up has got to; the API answers 503 with this until the city is loaded. */
export interface Readiness {
  db: Database | undefined;
  step: string;
}

export interface HttpAppOptions {
  readiness: Readiness;
  clientDir: string;
  log: Logger;
  metrics: Metrics;
  /** Ingest endpoints by path, e.g. /ingest/osmand or /open311/v2. */
  ingest: Record<string, express.Router>;
  version: string;
  feeds: () => FeedStatus[];
}

/** Answers 503 until the city is loaded: clients and trackers retry, nothing is refused for good. */
export function requireReady(readiness: Readiness): express.RequestHandler {
  return (_req, res, next) => {
    if (readiness.db) return next();
    res.status(503).set('Retry-After', '5').json({ error: `the server is starting (${readiness.step}); retry in a few seconds` });
  };
}

// Single-page views: each is the client's index.html, which routes by path.
const clientViews = ['/', '/wall', '/dispatch', '/posture'];

export function createHttpApp({ readiness, clientDir, log, metrics, ingest, version, feeds }: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    if (readiness.db) res.json({ status: 'ok', backend: readiness.db.backend });
    else res.status(503).json({ status: 'starting', step: readiness.step });
  });

  app.get('/metrics', (_req, res) => void res.type('text/plain; version=0.0.4').send(metrics.render()));
  for (const [path, router] of Object.entries(ingest)) app.use(path, requireReady(readiness), router);

  const api = express.Router();
  const openApi = openApiDocument(version);
  api.get('/openapi.json', (_req, res) => void res.json(openApi));
  api.use(requireReady(readiness));
  api.get('/city', async (_req, res) => {
    res.json(await readCitySummary(readiness.db!));
  });
  api.get('/entities', async (req, res) => {
    const kinds = parseKinds(req.query.kind);
    if ('error' in kinds) return void res.status(400).json({ error: kinds.error });
    res.json(await listLiveEntities(readiness.db!, kinds.kinds));
  });
  api.get('/buses', async (_req, res) => {
    res.json(await listBusProgress(readiness.db!));
  });
  api.get('/feeds', (_req, res) => void res.json(feeds()));
  api.get('/traffic', async (_req, res) => {
    res.json(await listSegmentTraffic(readiness.db!));
  });
  api.get('/camera-events', async (_req, res) => {
    res.json(await listCameraEvents(readiness.db!));
  });
  // Open reports of the last 90 days, in the shape the socket pushes new ones.
  api.get('/reports', async (_req, res) => {
    const now = Date.now();
    res.json(await listServiceRequests(readiness.db!, { ids: null, serviceCodes: null, start: now - 90 * 86_400_000, end: now, statuses: ['open'], limit: 1_000 }));
  });
  api.get('/search', async (req, res) => {
    const term = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (term.length === 0 || term.length > maxSearchLength) {
      return void res.status(400).json({ error: `give q, 1 to ${maxSearchLength} characters: a unit id or plate, a camera id, or a place name` });
    }
    res.json(await searchCity(readiness.db!, term));
  });
  // Base-map layers never change while the server runs: build each once.
  const basemapCache = new Map<BasemapLayer, Promise<string>>();
  api.get('/basemap/:layer', async (req, res) => {
    const layer = String(req.params.layer).replace(/\.geojson$/, '') as BasemapLayer;
    if (!basemapLayers.includes(layer)) {
      return void res.status(404).json({ error: `no base-map layer "${layer}"; layers are ${basemapLayers.join(', ')}` });
    }
    if (!basemapCache.has(layer)) {
      // A failed read is not kept: the next request tries again.
      basemapCache.set(layer, readBasemapLayer(readiness.db!, layer).catch((error: unknown) => (basemapCache.delete(layer), Promise.reject(error))));
    }
    res.type('application/geo+json').send(await basemapCache.get(layer));
  });
  api.use((req, res) => void res.status(404).json({ error: `no API route ${req.method} ${req.path}; see README.md for the routes` }));
  app.use('/api', api);

  const indexHtml = join(clientDir, 'index.html');
  app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
  app.get(clientViews, (_req, res) => {
    if (existsSync(indexHtml)) res.sendFile(indexHtml, { headers: { 'Cache-Control': 'no-cache' } });
    else res.status(503).type('text/plain').send('The map client is not built. Run `npm run build` (npm install does this), then reload.');
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    log.error('request failed', { method: req.method, path: req.path, error });
    res.status(500).json({ error: 'internal error; the server log has the details' });
  });
  return app;
}

// Ids, plates and place names are short; a longer term is a mistake or an attack.
const maxSearchLength = 64;

function parseKinds(query: unknown): { kinds: EntityKind[] | undefined } | { error: string } {
  if (query === undefined) return { kinds: undefined };
  const names = (Array.isArray(query) ? query : [query]).flatMap((value) => String(value).split(',')).filter(Boolean);
  const unknown = names.filter((name) => !(entityKinds as readonly string[]).includes(name));
  if (unknown.length > 0) return { error: `unknown kind ${unknown.map((k) => `"${k}"`).join(', ')}; use one or more of ${entityKinds.join(', ')}` };
  return { kinds: names as EntityKind[] };
}
