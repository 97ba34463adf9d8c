import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRoadRouter,
  demoPassword,
  demoUsers,
  listCameraIds,
  listEntityKinds,
  listLivePositions,
  listSegmentTraffic,
  makeHistoryPartitions,
  migrate,
  openDatabase,
  readLoadedCity,
  readRoadGraph,
  type Database,
  type EntityKind,
  type RoadRouter,
} from '../geo/index.ts';
import { eventsInWgs84, IngestRefused, type CrsFeed, type Incident, type ServiceRequest } from '../streams/index.ts';
import { ensureAccounts } from './accounts.ts';
import { createAuth } from './auth.ts';
import { createDispatch } from './dispatch.ts';
import { createWarnings } from './warnings.ts';
import { ConfigError, type Config } from './config.ts';
import { loadBaseMap } from './basemap-api.ts';
import { defaultStaleAfterMs, feedStatus, sharedFeedClock } from './feed-status.ts';
import { feedKeyGuard } from './feed-keys.ts';
import { startFeeds } from './feeds.ts';
import { createHttpApp, type Readiness } from './http-app.ts';
import { partitionRetention, startHousekeeping } from './housekeeping.ts';
import { CaseAnswers } from './case-answers.ts';
import { alarmIngest } from './ingest-alarms.ts';
import { callIntake } from './call-intake.ts';
import { cameraIngest } from './ingest-cameras.ts';
import { osmandIngest } from './ingest-osmand.ts';
import type { Publish } from './ingest-refusals.ts';
import { startLiveCore, type LiveCore } from './live-core.ts';
import { open311Router } from './open311.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { createPosture } from './posture.ts';
import { attachPosturePush } from './posture-push.ts';
import { attachRealtime } from './realtime.ts';
import { attachReplay } from './replay.ts';
import { connectRedis } from './redis.ts';
import { localLimits, redisLimits } from './shared-limits.ts';

export interface RunningServer {
  url: string;
  port: number;
  osmandPort: number;
  db: Database;
  close(): Promise<void>;
}

// How often screens are told how fresh each feed is, ms.
const feedsEveryMs = 5_000;
// How long a stop waits for the last batch to be written, ms.
const drainTimeoutMs = 10_000;

/**
 * Starts the product: listens at once (so /healthz can say "starting"), opens and migrates the
 * database, reads the city loaded into it, then runs the live pipeline and the feeds it is told of.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const readiness: Readiness = { db: undefined, step: 'opening the database' };
  const metrics = createMetrics();
  const devices = new Map<string, EntityKind>();
  const cameraIds = new Set<string>();
  let core: LiveCore | undefined;
  // Every feed's input goes to the ingest bus; nothing reaches the pipeline another way.
  const publish: Publish = (events) => (core ? core.publish(events) : Promise.reject(new IngestRefused('stopped', 'the server is starting; send again in a few seconds', 5)));
  // Each feed's coordinates in WGS-84 before anything else sees them (FEED_CRS).
  const publishFrom = (feed: CrsFeed): Publish => (config.feedCrs[feed] === 'wgs84' ? publish : (events) => publish(eventsInWgs84(config.feedCrs[feed], events)));
  const ingestLog = log.child({ module: 'ingest' });
  const caseAnswers = new CaseAnswers();
  // Several nodes (REDIS_URL): screens, rate limits and feed times are shared through Redis.
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : undefined;
  const limits = redis ? redisLimits(redis, config.redisKeyPrefix, log) : localLimits;
  const osmand = osmandIngest({ isKnownDevice: (id) => devices.has(id), publish: publishFrom('osmand'), metrics, log: ingestLog, limits }, () => (readiness.db ? undefined : readiness.step));
  const cameraOptions = { isKnownCamera: (id: string) => cameraIds.has(id), publish: publishFrom('cameras'), metrics, log: ingestLog };
  const staleAfter = config.feedStaleAfterMs;
  const feedClock = redis && sharedFeedClock(redis, config.redisKeyPrefix, metrics);
  const currentFeeds = () => feedStatus(metrics, staleAfter === undefined ? defaultStaleAfterMs : { trackers: staleAfter, buses: staleAfter, cameras: staleAfter, reports: staleAfter }, feedClock?.lastAcceptedS);
  const requireFeedKey = feedKeyGuard(() => readiness.db!, metrics, limits);
  // Incidents and the reports they follow go to the screens together.
  const pushCaseChanges = (incidents: Incident[], reports: ServiceRequest[]) => {
    realtime.broadcastIncidents(incidents);
    for (const report of reports) realtime.broadcastServiceRequest(report);
  };
  const ingest = {
    '/ingest/osmand': osmand,
    '/ingest/cameras': cameraIngest({ ...cameraOptions, requireKey: (refuse) => requireFeedKey('cameras', 'http-cameras', refuse) }),
    '/ingest/alarms': alarmIngest({ requireKey: (refuse) => requireFeedKey('alarms', 'alarms', refuse), publish: publishFrom('alarms'), answers: caseAnswers, metrics, log: ingestLog }),
    '/open311/v2': open311Router({
      db: () => readiness.db!,
      requireKey: (refuse) => requireFeedKey('open311', 'open311', refuse),
      isInspector: (id) => devices.get(id) === 'inspector',
      publish: publishFrom('open311'),
      answers: caseAnswers,
      metrics,
      log: ingestLog,
    }),
  };

  const auth = createAuth({
    db: () => readiness.db!,
    sessionTtlMs: config.sessionTtlMs,
    allowedOrigins: config.allowedOrigins,
    demo: config.demo ? { users: demoUsers, password: demoPassword } : undefined,
    metrics,
    onSessionEnded: (ended) => realtime.endSessions(ended),
    limits,
  });
  const calls = callIntake({ db: () => readiness.db!, auth, publish, answers: caseAnswers, metrics, log: ingestLog });
  let router: RoadRouter | undefined;
  const dispatch = createDispatch(() => db!, () => router!, auth, {
    incidents: (incidents, reports) => pushCaseChanges(incidents, reports),
    assignments: (assignments) => realtime.broadcastAssignments(assignments),
  });
  const warnings = createWarnings({
    db: () => db!,
    auth,
    webhookUrl: config.warningWebhookUrl,
    push: (warning) => realtime.broadcastWarning(warning),
    metrics,
    log: log.child({ module: 'warnings' }),
  });
  const baseMap = await loadBaseMap(config);
  const posture = createPosture({ db: () => db!, router: () => router!, feeds: currentFeeds, metrics, log: log.child({ module: 'posture' }) });
  const http = createServer(
    createHttpApp({
      readiness,
      clientDir: config.clientDir,
      log: log.child({ module: 'http' }),
      metrics,
      // A CAD or hotline system posts calls to the API's route with a key instead of a session.
      ingest: { ...ingest, '/api/incidents': calls.keyed((refuse) => requireFeedKey('alarms', 'calls', refuse)) },
      callIntake: calls.fromConsole,
      publish,
      deviceHooks: {
        registered: (units) => units.forEach((unit) => devices.set(unit.id, unit.kind)),
        retired: (id) => devices.delete(id),
      },
      version: config.version,
      feeds: currentFeeds,
      auth,
      onSessionsEnded: (userId) => realtime.endSessions({ userId }),
      incidentsChanged: (incidents, reports) => pushCaseChanges(incidents, reports),
      dispatch,
      geofenceAlertsChanged: (alerts) => realtime.broadcastGeofenceAlerts(alerts),
      warnings,
      posture,
      baseMap,
    }),
  );
  const osmandHttp = createServer(osmand);
  const realtime = attachRealtime(http, metrics, auth, config.socketRecoveryMs, redis && { client: redis, keyPrefix: config.redisKeyPrefix });
  realtime.onCasesFromOtherNodes((cases) => caseAnswers.settle(cases));
  const posturePush = attachPosturePush(realtime, posture, metrics, log.child({ module: 'posture' }));
  let db: Database | undefined;
  attachReplay(realtime, () => db, posture, auth, metrics, log.child({ module: 'replay' }));
  let housekeeping: ReturnType<typeof startHousekeeping> | undefined;
  let feedsTimer: NodeJS.Timeout | undefined;
  let stopFeeds = async () => {};
  // Stops taking input, then lets the pipelines write what they took before the database closes.
  const close = async () => {
    housekeeping?.stop();
    clearInterval(feedsTimer);
    warnings.stop();
    posture.stop();
    posturePush.stop();
    readiness.db = undefined;
    readiness.step = 'stopping';
    await stopFeeds();
    if (core && !(await core.stop(drainTimeoutMs))) {
      log.warn('stopping before every accepted event was applied: the database did not answer; they wait in the ingest log for the next start', { waitedMs: drainTimeoutMs });
    }
    await realtime.close();
    for (const server of [http, osmandHttp]) server.closeAllConnections();
    osmandHttp.close();
    await baseMap.archive?.close();
    await db?.close();
  };

  try {
    const port = await listen(http, config.port, config.host, 'PORT');
    const osmandPort = await listen(osmandHttp, config.osmandPort, config.host, 'OSMAND_PORT');
    const url = `http://localhost:${port}/`;
    const dbLog = log.child({ module: 'geo' });
    if (config.databaseUrl) {
      db = await openDatabase({ backend: 'server', url: config.databaseUrl, statementTimeoutMs: config.statementTimeoutMs });
    } else {
      // Booting the WASM PostgreSQL with PostGIS is the slowest step of a start; say so.
      dbLog.info('opening the embedded PostGIS database (a few seconds)', { location: config.dataDir });
      // On a thread of its own: a tick's statement must not hold the event loop (it held it 1.5–22 s).
      db = await openDatabase({ backend: 'embedded', dataDir: config.dataDir, worker: true });
    }
    dbLog.info('database open', { backend: db.backend, location: db.location });
    readiness.step = 'migrating the database';
    const applied = await migrate(db);
    if (applied.length > 0) dbLog.info('migrations applied', { versions: applied });
    // Before the ingest log is applied: its fixes go to this hour's partition, not the default one.
    const partitions = await makeHistoryPartitions(db, partitionRetention(config.retention));
    if (partitions.length > 0) dbLog.info('history partitions made', { partitions });

    readiness.step = 'reading the city';
    const city = await readLoadedCity(db);
    if (!city) throw new NoCityError(db.location);
    dbLog.info('city', { city: city.profile });
    readiness.step = 'checking accounts';
    await ensureAccounts(db, { demo: config.demo, adminPassword: config.adminPassword }, log.child({ module: 'accounts' }));
    for (const [id, kind] of await listEntityKinds(db)) devices.set(id, kind);

    for (const id of await listCameraIds(db)) cameraIds.add(id);
    realtime.seedPositions(await listLivePositions(db));
    // The routing graph is built once from the streets; live camera speeds re-price it as they come.
    router = createRoadRouter(await readRoadGraph(db));
    router.updateSpeeds(await listSegmentTraffic(db));
    await warnings.resume();
    posture.start();
    readiness.step = 'applying the ingest log';
    core = await startLiveCore(db, config, metrics, log.child({ module: 'streams' }), {
      onTick: (tick) => {
        realtime.broadcastPositions(tick.moved);
        realtime.broadcastGeofenceAlerts(tick.geofenceAlerts);
        realtime.broadcastIncidents(tick.busIncidents);
        realtime.broadcastCameras(tick.camera);
        pushCaseChanges(tick.cases.incidents, tick.cases.reports.map(({ request }) => request));
        caseAnswers.settle(tick.cases);
        realtime.shareCases(tick.cases);
        dispatch.onTraffic(tick.camera.segments);
        dispatch.onPositions(tick).catch((error: unknown) => log.warn('following units en route failed; their ETA updates at their next fix', { error }));
      },
      onUnjoinedFixes: (fixes) => realtime.broadcastUnjoinedFixes(fixes),
      onStopped: (problem) => (readiness.coreStopped = problem),
    });
    // What was accepted before a crash is applied before anything new is taken.
    await core.caughtUp();
    housekeeping = startHousekeeping(db, config, realtime, metrics, dbLog);
    readiness.db = db;
    const coreStatus = () => {
      const { backlogSeconds, outage } = core!.status();
      return { behindS: Math.floor(backlogSeconds), outage };
    };
    // With Redis, each round first merges every node's feed times (Redis down: this node's own).
    const pushFeeds = async () => {
      await feedClock?.sync().catch(() => {});
      realtime.broadcastFeeds(currentFeeds(), coreStatus());
    };
    feedsTimer = setInterval(() => void pushFeeds(), feedsEveryMs).unref();

    stopFeeds = await startFeeds({ db, config, publish: publishFrom('gtfs-rt'), devices, cameraOptions, metrics, log: log.child({ module: 'feeds' }) });
    return { url, port, osmandPort, db, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Listens, turning the usual failures into a line that says which setting to change. */
async function listen(server: Server, port: number, host: string, setting: string): Promise<number> {
  // Idle keep-alive connections outlive a load balancer's (commonly 60 s) and a busy client's
  // timers: with Node's 5 s default, a client reusing a socket just as the server drops it gets
  // ECONNRESET (seen in CI, after the embedded database held the event loop for seconds).
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError(`port ${port} (${setting}) is already in use; stop the other process or set ${setting} to a free port`);
    if (code === 'EACCES') throw new ConfigError(`port ${port} (${setting}) needs more privileges; set ${setting} to 1024 or above`);
    throw error;
  }
  return (server.address() as AddressInfo).port;
}

/** The database holds no city: nothing to show. The launcher (`npm start`) or `npm run city` loads one. */
export class NoCityError extends Error {
  override name = 'NoCityError';
  constructor(location: string) {
    super(`the database at ${location} holds no city yet: load one with \`npm run city -- karamay\` (or start the demo with \`npm start\`, which loads it)`);
  }
}
