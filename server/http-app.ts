import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isStatementTimeout, searchCity, listBusProgress, listCameraEvents, listLiveEntities, listSegmentTraffic, listServiceRequests, readCitySummary, type Database, type GeofenceAlert } from '../geo/index.ts';
import { type FeedStatus, type Incident, type ServiceRequest } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { apiRouteAccess, askedKinds, policeKinds, visibleKinds, type Access, type ApiRoute } from './permissions.ts';
import { refusedBody } from './request-checks.ts';
import { adminApi } from './admin-api.ts';
import { basemapApi, type BaseMap } from './basemap-api.ts';
import { devicesApi, type DeviceRegistryHooks } from './devices-api.ts';
import type { Publish } from './ingest-refusals.ts';
import type { OsmandHandler } from './ingest-osmand.ts';
import type { Dispatch } from './dispatch.ts';
import { geofencesApi } from './geofences-api.ts';
import { historyApi } from './history-api.ts';
import { incidentsApi } from './incidents-api.ts';
import { postureApi } from './posture-api.ts';
import type { Posture } from './posture.ts';
import type { Warnings } from './warnings.ts';

/** Where start-up has got to; the API answers 503 with this until the city is loaded. */
export interface Readiness {
  db: Database | undefined;
  step: string;
  /** Set when the live core has stopped applying input: /readyz says so until a restart. */
  coreStopped?: string;
}

export interface HttpAppOptions {
  readiness: Readiness;
  clientDir: string;
  log: Logger;
  metrics: Metrics;
  /** Ingest endpoints by path, e.g. /ingest/osmand or /open311/v2. */
  ingest: Record<string, express.Router | OsmandHandler>;
  /** POST /api/incidents with a dispatcher's session: a case from a phone call. */
  callIntake: RequestHandler;
  /** Hands events to the ingest bus (an item set aside, replayed). */
  publish: Publish;
  /** Tells the ingest which trackers the registry takes. */
  deviceHooks: DeviceRegistryHooks;
  version: string;
  feeds: () => FeedStatus[];
  auth: Auth;
  /** A user's sessions were ended (disabled, new password, new role): close their connections. */
  onSessionsEnded: (userId: string) => void;
  /** Incidents (and the reports they follow) changed by a person: push them to the screens. */
  incidentsChanged: (incidents: Incident[], reports: ServiceRequest[]) => void;
  dispatch: Dispatch;
  /** Geofence alerts changed by a person: push them to the screens. */
  geofenceAlertsChanged: (alerts: GeofenceAlert[]) => void;
  warnings: Warnings;
  posture: Posture;
  baseMap: BaseMap;
}

/** Answers 503 until the city is loaded: clients and trackers retry, nothing is refused for good. */
function requireReady(readiness: Readiness): express.RequestHandler {
  return (_req, res, next) => {
    if (readiness.db) return next();
    res.status(503).set('Retry-After', '5').json({ error: `the server is starting (${readiness.step}); retry in a few seconds` });
  };
}

// How long /readyz waits for the database to answer, ms.
const readyTimeoutMs = 2_000;

// Single-page views: each is the client's index.html, which routes by path.
const clientViews = ['/', '/login', '/wall', '/dispatch', '/posture', '/admin'];

export function createHttpApp({ readiness, clientDir, log, metrics, ingest, callIntake, publish, deviceHooks, version, feeds, auth, onSessionsEnded, incidentsChanged, dispatch, geofenceAlertsChanged, warnings, posture, baseMap }: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(baseMap.styleOrigin));

  app.get('/healthz', (_req, res) => {
    if (readiness.db) res.json({ status: 'ok', backend: readiness.db.backend });
    else res.status(503).json({ status: 'starting', step: readiness.step });
  });

  // Ready: started, the ingest log's tail applied, and the database answering now.
  app.get('/readyz', async (_req, res) => {
    const db = readiness.db;
    if (!db) return void res.status(503).set('Retry-After', '5').json({ status: 'starting', step: readiness.step });
    if (readiness.coreStopped) return void res.status(503).json({ status: 'core-stopped', error: readiness.coreStopped });
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([db.query('SELECT 1').then(() => true, () => false), new Promise<false>((resolve) => (timer = setTimeout(resolve, readyTimeoutMs, false)))]);
    clearTimeout(timer);
    if (answered) res.json({ status: 'ready', backend: db.backend });
    else res.status(503).set('Retry-After', '5').json({ status: 'database-unavailable', error: `the database did not answer within ${readyTimeoutMs} ms; accepted input waits in the ingest log until it does — check the database` });
  });

  app.get('/metrics', (_req, res) => void res.type('text/plain; version=0.0.4').send(metrics.render()));
  for (const [path, router] of Object.entries(ingest)) app.use(path, requireReady(readiness), router);

  const api = express.Router();
  const openApi = openApiDocument(version);
  // Registers a route with the guard its line in apiRouteAccess names: there is no other way in.
  const route = (key: ApiRoute, ...handlers: RequestHandler[]) => {
    const [method, path] = key.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE', string];
    const access = apiRouteAccess[key] as Access;
    const guards = access === 'public' ? [] : [requireReady(readiness), auth.allow(access)];
    api[method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](path.slice('/api'.length), ...guards, ...handlers);
  };
  api.use(express.json({ limit: '16kb' }), auth.authenticateWhenReady(readiness), auth.guardOrigin, auth.limitRate);
  route('GET /api/openapi.json', (_req, res) => void res.json(openApi));
  route('POST /api/session', requireReady(readiness), auth.signIn);
  route('GET /api/session', requireReady(readiness), auth.whoAmI);
  route('DELETE /api/session', auth.signOut);
  const basemap = basemapApi(baseMap, () => readiness.db!);
  route('GET /api/city', async (_req, res) => {
    const city = await readCitySummary(readiness.db!);
    res.json(city && { ...city, baseMap: baseMap.source, tiledLayers: await basemap.tiledLayers() });
  });
  route('GET /api/entities', async (req, res) => {
    const kinds = askedKinds(req.query.kind, auth.signedInOf(res)!.session.user);
    if ('error' in kinds) return void res.status(kinds.status).json({ error: kinds.error });
    const entities = await listLiveEntities(readiness.db!, kinds.kinds);
    await auth.auditPoliceReads(req, res, entities.filter((entity) => policeKinds.includes(entity.kind)).map((entity) => entity.id), 'GET /api/entities');
    res.json(entities);
  });
  route('GET /api/buses', async (_req, res) => {
    res.json(await listBusProgress(readiness.db!));
  });
  route('GET /api/feeds', (_req, res) => void res.json(feeds()));
  route('GET /api/traffic', async (_req, res) => {
    res.json(await listSegmentTraffic(readiness.db!));
  });
  route('GET /api/camera-events', async (_req, res) => {
    res.json(await listCameraEvents(readiness.db!));
  });
  // Open reports of the last 90 days, in the shape the socket pushes new ones.
  route('GET /api/reports', async (_req, res) => {
    const now = Date.now();
    res.json(await listServiceRequests(readiness.db!, { ids: null, serviceCodes: null, start: now - 90 * 86_400_000, end: now, statuses: ['open'], limit: 1_000 }));
  });
  route('GET /api/search', async (req, res) => {
    const term = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (term.length === 0 || term.length > maxSearchLength) {
      return void res.status(400).json({ error: `give q, 1 to ${maxSearchLength} characters: a unit id or plate, a camera id, or a place name` });
    }
    // Units the user may not see are not found either.
    const visible: readonly string[] = visibleKinds(auth.signedInOf(res)!.session.user);
    const hits = (await searchCity(readiness.db!, term)).filter((hit) => hit.kind !== 'entity' || visible.includes(hit.detail));
    await auth.auditPoliceReads(req, res, hits.filter((hit) => hit.kind === 'entity' && (policeKinds as readonly string[]).includes(hit.detail)).map((hit) => hit.id), 'GET /api/search');
    res.json(hits);
  });
  const incidents = incidentsApi(() => readiness.db!, auth, incidentsChanged, dispatch);
  route('GET /api/incidents', incidents.queue);
  route('POST /api/incidents', callIntake);
  route('GET /api/incident-categories', incidents.categories);
  route('GET /api/incidents/:id', incidents.one);
  route('POST /api/incidents/:id/transitions', incidents.transition);
  route('POST /api/incidents/:id/merge', incidents.merge);
  route('GET /api/incidents/:id/nearby', incidents.nearby);
  route('GET /api/incidents/:id/candidates', dispatch.api.candidates);
  route('GET /api/incidents/:id/assignments', dispatch.api.assignments);
  route('GET /api/incidents/:id/fleet', dispatch.api.fleet);
  route('POST /api/incidents/:id/assignments', dispatch.api.assign);
  route('GET /api/force', dispatch.api.force);
  const history = historyApi(() => readiness.db!, auth);
  route('GET /api/history/positions', history.positions);
  route('GET /api/history/units/:id/track', history.track);
  route('GET /api/history/nearby', history.nearby);
  const geofences = geofencesApi(() => readiness.db!, auth, geofenceAlertsChanged);
  route('GET /api/geofences', geofences.list);
  route('POST /api/geofences', geofences.create);
  route('DELETE /api/geofences/:id', geofences.remove);
  route('GET /api/geofence-alerts', geofences.alerts);
  route('POST /api/geofence-alerts/clear', geofences.clearAlerts);
  route('POST /api/geofence-alerts/:id', geofences.changeAlert);
  route('GET /api/warnings', warnings.api.list);
  route('POST /api/warnings', warnings.api.issue);
  const postureRoutes = postureApi(posture);
  route('GET /api/posture', postureRoutes.all);
  route('GET /api/posture/:board', postureRoutes.board);
  const admin = adminApi(() => readiness.db!, auth, onSessionsEnded, publish);
  route('GET /api/users', admin.listUsers);
  route('POST /api/users', admin.createUser);
  route('PATCH /api/users/:id', admin.changeUser);
  route('GET /api/feed-keys', admin.listFeedKeys);
  route('POST /api/feed-keys', admin.createFeedKey);
  route('PATCH /api/feed-keys/:id', admin.changeFeedKey);
  route('GET /api/set-aside', admin.setAside);
  route('POST /api/set-aside/:id/replay', admin.replaySetAside);
  route('GET /api/audit', admin.audit);
  route('GET /api/audit.csv', admin.auditCsv);
  const devices = devicesApi(() => readiness.db!, auth, deviceHooks);
  route('GET /api/devices', devices.list);
  route('POST /api/devices', devices.register);
  route('POST /api/devices/import', ...devices.import);
  route('POST /api/devices/:id/retire', devices.retire);
  route('GET /api/basemap/tiles/:z/:x/:y', basemap.tile);
  route('GET /api/basemap/city-tiles/:layer/:z/:x/:y', basemap.cityTile);
  route('GET /api/basemap/:layer', basemap.layer);
  api.use((req, res) => void res.status(404).json({ error: `no API route ${req.method} ${req.path}; see README.md for the routes` }));
  api.use(refusedBody('send JSON (16 KB at most); see /api/openapi.json for each route’s body'));
  app.use('/api', api);

  const indexHtml = join(clientDir, 'index.html');
  app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
  app.get(clientViews, (req, res) => {
    // A page asked for with a password in its address (a form some browser submitted natively)
    // is sent on without it, so it leaves the address bar; nothing here reads or logs it.
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    if (query.has('password')) {
      query.delete('password');
      return void res.redirect(303, `${req.path}${query.size > 0 ? `?${query}` : ''}`);
    }
    if (existsSync(indexHtml)) res.sendFile(indexHtml, { headers: { 'Cache-Control': 'no-cache' } });
    else res.status(503).type('text/plain').send('The map client is not built. Run `npm run build` (npm install does this), then reload.');
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isStatementTimeout(error)) {
      log.warn('a query ran past STATEMENT_TIMEOUT_MS and was stopped', { method: req.method, path: req.path });
      return void res.status(503).set('Retry-After', '5').json({ error: 'the database took too long and the query was stopped; try again, or ask for less' });
    }
    log.error('request failed', { method: req.method, path: req.path, error });
    res.status(500).json({ error: 'internal error; the server log has the details' });
  });
  return app;
}

/**
 * Headers every answer carries. The client loads everything from this server (it must work on
 * isolated networks), so the policy allows this origin only: an injected script or a page that
 * frames the wall gets nowhere. Workers and images also come as blob: and data: (MapLibre's).
 */
const contentSecurityPolicy = (styleOrigin: string | undefined) => [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  // A base map's style on the city's own network (BASE_MAP) is fetched from there, with its tiles.
  `connect-src 'self' data:${styleOrigin ? ` ${styleOrigin}` : ''}`,
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  // No form in the client submits natively (each posts JSON): one that tried would leak its fields.
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const securityHeaders = (styleOrigin: string | undefined): RequestHandler => {
  const policy = contentSecurityPolicy(styleOrigin);
  return (_req, res, next) => {
  res.set({
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  });
  next();
  };
};

// Ids, plates and place names are short; a longer term is a mistake or an attack.
const maxSearchLength = 64;
