import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EMPTY, type Subscription } from 'rxjs';
import { simulateVehicles } from '../fixtures/index.ts';
import { migrate, openDatabase, pruneHistory, readBusRoutes, readFleet, readRoadGraph, type Database } from '../geo/index.ts';
import { cityProfiles, loadCity } from '../seeds/index.ts';
import { livePositions } from '../streams/index.ts';
import { ConfigError, type Config } from './config.ts';
import { createHttpApp, type Readiness } from './http-app.ts';
import type { Logger } from './log.ts';
import { createProgressReporter } from './progress.ts';
import { attachRealtime } from './realtime.ts';

export interface RunningServer {
  url: string;
  port: number;
  db: Database;
  close(): Promise<void>;
}

// How often old position history is pruned, ms.
const pruneEveryMs = 10 * 60_000;

/**
 * Starts the product: listens at once (so /healthz can say "starting"), opens and migrates the
 * database, loads the city, starts the simulators and the live pipeline.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const readiness: Readiness = { db: undefined, step: 'opening the database' };
  const http = createServer(createHttpApp({ readiness, clientDir: config.clientDir, log: log.child({ module: 'http' }) }));
  const realtime = attachRealtime(http);
  http.listen(config.port, config.host);
  try {
    await once(http, 'listening');
  } catch (error) {
    realtime.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError(`port ${config.port} is already in use; stop the other process or set PORT to a free port`);
    if (code === 'EACCES') throw new ConfigError(`port ${config.port} needs more privileges; set PORT to 1024 or above`);
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  const url = `http://localhost:${port}/`;

  let db: Database | undefined;
  let pipeline: Subscription | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  const close = async () => {
    clearInterval(pruneTimer);
    pipeline?.unsubscribe();
    await new Promise<void>((resolve) => realtime.io.close(() => resolve()));
    http.closeAllConnections();
    await db?.close();
  };
  try {
    const dbLog = log.child({ module: 'geo' });
    if (config.databaseUrl) {
      db = await openDatabase({ backend: 'server', url: config.databaseUrl });
    } else {
      // Booting the WASM PostgreSQL with PostGIS is the slowest step of a start; say so.
      dbLog.info('opening the embedded PostGIS database (about 10 s)', { location: config.dataDir });
      db = await openDatabase({ backend: 'embedded', dataDir: config.dataDir });
    }
    dbLog.info('database open', { backend: db.backend, location: db.location });
    readiness.step = 'migrating the database';
    const applied = await migrate(db);
    if (applied.length > 0) dbLog.info('migrations applied', { versions: applied });

    readiness.step = `loading ${config.city}`;
    const progress = createProgressReporter(`loading ${cityProfiles[config.city].nameEn}`, log.child({ module: 'seeds' }));
    const loaded = await loadCity(db, config.city, (step) => {
      readiness.step = `loading ${config.city}: ${step.step}`;
      progress.update(step);
    });
    progress.finish(loaded === 'loaded' ? `city ${config.city} loaded` : `city ${config.city} already loaded`);

    const positions = config.simulate ? await simulatedPositions(db) : EMPTY;
    const pipelineLog = log.child({ module: 'streams' });
    pipeline = livePositions(db, positions, {
      tickMs: config.tickMs,
      onWriteFailure: (error, attempt) => pipelineLog.warn('writing positions failed; retrying with the batch kept', { attempt, error }),
    }).subscribe({
      next: (moved) => realtime.broadcastPositions(moved),
      error: (error) => pipelineLog.error('the position pipeline stopped', { error }),
    });
    const database = db;
    pruneTimer = setInterval(() => {
      pruneHistory(database, config.historyRetentionHours).then(
        (removed) => removed > 0 && dbLog.info('old position history pruned', { removed, retentionHours: config.historyRetentionHours }),
        (error) => dbLog.warn('pruning position history failed', { error }),
      );
    }, pruneEveryMs).unref();
    readiness.db = db;
    return { url, port, db, close };
  } catch (error) {
    await close();
    throw error;
  }
}

// Police cars report like Traccar clients (every 5 s); buses like AVL units (every 10 s).
async function simulatedPositions(db: Database) {
  const [graph, routes, fleet] = await Promise.all([readRoadGraph(db), readBusRoutes(db), readFleet(db, ['police-car', 'bus'])]);
  return simulateVehicles(graph, routes, fleet, { seed: 1, sourceId: 'simulator', reportEveryMs: { 'police-car': 5_000, bus: 10_000 } });
}
