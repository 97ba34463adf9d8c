import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { concatMap, from, merge } from 'rxjs';
import { subscribeCameraTopics, type CameraIngestOptions } from './ingest-cameras.ts';
import { hasTimetable, listEntityKinds, registerBuses, type Database, type EntityKind } from '../geo/index.ts';
import { eventsInWgs84, isIngestRefused, pollVehiclePositions, type PositionEvent } from '../streams/index.ts';
import type { Config } from './config.ts';
import type { Publish } from './ingest-refusals.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { countVehicleQuality, feedHeaderRules } from './gtfs-rt-quality.ts';

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
}

/** Starts the subscribed and polled feeds (MQTT cameras, GTFS-RT). Returns how to stop them. */
export async function startFeeds({ db, config, publish, devices, cameraOptions, metrics, log }: FeedContext): Promise<() => Promise<void>> {
  const mqtt = config.mqttUrl ? await subscribeCameraTopics(config.mqttUrl, mqttClientId(config), cameraOptions, log) : undefined;
  const feedUrls = config.gtfsRtUrls;
  const source = 'gtfs-rt';
  const headerRules = feedHeaderRules();
  // Imports happen before a start: whether there is a timetable to check against is known now.
  const timetabled = await hasTimetable(db);
  // Quality is counted after the poll is published: a slow check never holds the buses back.
  const checkQuality = (events: PositionEvent[]) =>
    void countVehicleQuality(db, timetabled, eventsInWgs84(config.feedCrs['gtfs-rt'], events), metrics, source).catch((error: unknown) => log.warn('checking a GTFS-RT poll against the timetable failed', { error }));
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
        onHeader: (headerMs, polledAt) => headerRules(url, headerMs, polledAt).forEach((rule) => metrics.quality(source, rule)),
      }),
    ),
  )
    .pipe(
      // An agency's feed is trusted as a whole: buses it shows that the city lacks are registered.
      // A poll the bus cannot take now is skipped, counted: the next poll has newer positions.
      concatMap((events) => {
        const skipped = (reason: string, error: unknown) => {
          metrics.count('onescreen_ingest_shed_total', { source, reason }, events.length);
          log.warn('a GTFS-RT poll was skipped: the server could not take it now', { events: events.length, reason, error });
        };
        return from(
          registerUnknownBuses(db, events, devices).then(
            () =>
              publish(events).then(
                () => (metrics.accepted(source, events.length), checkQuality(events)),
                (error: unknown) => skipped(isIngestRefused(error) ? error.reason : 'log-failed', error),
              ),
            // New buses are registered in the database first: while it does not answer, a poll with any is skipped.
            (error: unknown) => skipped('database-unavailable', error),
          ),
        );
      }),
    )
    .subscribe();
  if (feedUrls.length > 0) log.info('polling GTFS-RT feeds', { feeds: feedUrls, intervalMs: config.gtfsRtIntervalMs });
  return async () => {
    polling.unsubscribe();
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
