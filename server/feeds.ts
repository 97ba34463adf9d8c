import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { concatMap, from, merge, type Observable } from 'rxjs';
import { startCitySimulators, type UnitOrder } from '../fixtures/index.ts';
import { subscribeCameraTopics, type CameraIngestOptions } from './ingest-cameras.ts';
import { deleteFeedKeysNamed, listEntityKinds, registerBuses, type Database, type EntityKind, type KeyedFeed } from '../geo/index.ts';
import { isIngestRefused, pollVehiclePositions, type PositionEvent } from '../streams/index.ts';
import type { Config } from './config.ts';
import { issueFeedKey } from './feed-keys.ts';
import type { Publish } from './ingest-refusals.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export interface FeedContext {
  db: Database;
  config: Config;
  /** Where every polled source's events go: resolves once they are durable. */
  publish: Publish;
  /** Registered units by id, as the ingest endpoints check them. */
  devices: Map<string, EntityKind>;
  cameraOptions: CameraIngestOptions;
  metrics: Metrics;
  log: Logger;
  osmandPort: number;
  port: number;
  /** Where units are sent, for the simulated crews to drive there. */
  orders: Observable<UnitOrder>;
}

/**
 * Starts the subscribed and polled feeds (MQTT cameras, GTFS-RT) and, when simulating, the
 * simulators that drive every feed over its protocol. Returns how to stop them.
 */
export async function startFeeds({ db, config, publish, devices, cameraOptions, metrics, log, osmandPort, port, orders }: FeedContext): Promise<() => Promise<void>> {
  const mqtt = config.mqttUrl ? await subscribeCameraTopics(config.mqttUrl, mqttClientId(config), cameraOptions, log) : undefined;
  const simulators = config.simulate
    ? await startCitySimulators(
        db,
        {
          osmandUrl: `http://127.0.0.1:${osmandPort}/`,
          camerasUrl: `http://127.0.0.1:${port}/ingest/cameras?api_key=${await simulatorKey(db, 'cameras')}`,
          mqttUrl: config.mqttUrl,
          open311RequestsUrl: `http://127.0.0.1:${port}/open311/v2/requests.json?api_key=${await simulatorKey(db, 'open311')}`,
          alarmsUrl: `http://127.0.0.1:${port}/ingest/alarms?api_key=${await simulatorKey(db, 'alarms')}`,
          orders,
        },
        onlyFirst((error) => log.warn('a simulated device could not report', { error })),
      )
    : undefined;
  const feedUrls = [...config.gtfsRtUrls, ...(simulators ? [simulators.vehiclePositionsUrl] : [])];
  const source = 'gtfs-rt';
  const polling = merge(
    ...feedUrls.map((url) =>
      pollVehiclePositions({
        url,
        intervalMs: config.gtfsRtIntervalMs,
        sourceId: source,
        onRejection: ({ reason, message }) => {
          metrics.count('onescreen_ingest_rejected_total', { source, reason });
          log.debug('GTFS-RT vehicle refused', { url, message });
        },
        onPollError: (error) => log.warn('polling a GTFS-RT feed failed; trying again next interval', { url, error }),
      }),
    ),
  )
    .pipe(
      // An agency's feed is trusted as a whole: buses it shows that the city lacks are registered.
      // A poll the bus cannot take now is skipped, counted: the next poll has newer positions.
      concatMap((events) =>
        from(
          registerUnknownBuses(db, events, devices)
            .then(() => publish(events))
            .then(
              () => metrics.accepted(source, events.length),
              (error: unknown) => {
                metrics.count('onescreen_ingest_shed_total', { source, reason: isIngestRefused(error) ? error.reason : 'log-failed' }, events.length);
                log.warn('a GTFS-RT poll was skipped: the server could not take it now', { events: events.length, error });
              },
            ),
        ),
      ),
    )
    .subscribe();
  if (feedUrls.length > 0) log.info('polling GTFS-RT feeds', { feeds: feedUrls, intervalMs: config.gtfsRtIntervalMs });
  return async () => {
    polling.unsubscribe();
    await simulators?.stop();
    await mqtt?.stop();
  };
}

async function registerUnknownBuses(db: Database, events: PositionEvent[], devices: Map<string, EntityKind>): Promise<void> {
  const unknown = events.filter((event) => !devices.has(event.entityId));
  if (unknown.length === 0) return;
  const attribute = (event: PositionEvent, name: string) => (typeof event.attributes?.[name] === 'string' ? (event.attributes[name] as string) : null);
  await registerBuses(db, unknown.map((event) => ({ id: event.entityId, label: attribute(event, 'label'), routeId: attribute(event, 'routeId') })));
  // Known now, whether registered here or already in the database under another kind.
  for (const [id, kind] of await listEntityKinds(db)) devices.set(id, kind);
}

/** The same MQTT client id at every start of this installation: the broker keeps its session, and what arrived meanwhile. */
function mqttClientId(config: Config): string {
  return `onescreen-${createHash('sha256').update(`${hostname()}:${resolve(config.dataDir)}`).digest('hex').slice(0, 16)}`;
}

/** A fresh key per start for the built-in simulators, the last start's removed: they are clients like any other. */
async function simulatorKey(db: Database, feed: KeyedFeed): Promise<string> {
  const name = `built-in ${feed} simulator`;
  await deleteFeedKeysNamed(db, name, 'system');
  return (await issueFeedKey(db, { name, feed, createdBy: 'system' })).key;
}

/** Calls `report` for the first failure only: a simulator that cannot reach its server is one line, not one per fix. */
function onlyFirst(report: (error: unknown) => void): (error: unknown) => void {
  let reported = false;
  return (error) => {
    if (!reported) report(error);
    reported = true;
  };
}
