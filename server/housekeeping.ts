// The server's rounds that no input starts: old history pruned, a keyframe of every unit's position
// each minute (a replay's seek starts from it), each closed partition readied for reading, cases
// past their SLA raised, and geofence dwell limits that run out while nothing moves.
import {
  checkGeofences,
  keyframeEveryMs,
  lastSeenWithinMs,
  makeHistoryPartitions,
  pruneEventLogs,
  pruneHistory,
  superviseOverdue,
  tendHistory,
  writePositionKeyframe,
  type Database,
  type HistoryRetention,
} from '../geo/index.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { attachRealtime } from './realtime.ts';

// How often history's partitions are made ahead and the expired ones dropped, ms.
const historyEveryMs = 10 * 60_000;

/** Each partitioned table's retention, hours, from the settings. */
export const partitionRetention = ({ positionHours, detectorHours }: Config['retention']): HistoryRetention => ({ position_history: positionHours, camera_readings: detectorHours });

async function keepHistory(database: Database, retention: Config['retention'], dbLog: Logger): Promise<void> {
  const made = await makeHistoryPartitions(database, partitionRetention(retention));
  const { partitions, rowsOutsidePartitions } = await pruneHistory(database, partitionRetention(retention));
  const events = await pruneEventLogs(database, retention.eventDays);
  if (made.length > 0) dbLog.info('history partitions made', { partitions: made });
  if (partitions.length > 0 || rowsOutsidePartitions > 0 || events.cameraEvents > 0 || events.geofenceAlerts > 0) {
    dbLog.info('history past its retention dropped', { partitions, rowsOutsidePartitions, ...events, retention });
  }
}

/** Starts the rounds; `stop` ends them. */
export function startHousekeeping(database: Database, config: Pick<Config, 'retention' | 'slaCheckMs'>, realtime: ReturnType<typeof attachRealtime>, metrics: Metrics, dbLog: Logger) {
  const historyTimer = setInterval(() => {
    keepHistory(database, config.retention, dbLog).catch((error: unknown) =>
      dbLog.warn('keeping history partitions failed; trying again in 10 minutes (a table lock held by a long query is the usual cause)', { error }),
    );
  }, historyEveryMs).unref();
  let tending: Promise<unknown> | undefined;
  const keyframeTimer = setInterval(() => {
    writePositionKeyframe(database, lastSeenWithinMs).catch((error: unknown) =>
      dbLog.warn("keeping a keyframe of the units' positions failed; a replay's seek near this minute reads its fixes instead (slower); trying again in a minute", { error }),
    );
    // One round at a time: a megacity's hour takes minutes to index and vacuum.
    tending ??= tendHistory(database)
      .catch((error: unknown) =>
        dbLog.warn("readying history's partitions for reads failed (index, vacuum, or summarising the time index); replays and tracks read more pages until it succeeds; trying again in a minute", { error }),
      )
      .finally(() => (tending = undefined));
  }, keyframeEveryMs).unref();
  // 督办: cases past their SLA are raised to the wall and the dispatcher, once each; and geofence dwell limits.
  const slaTimer = setInterval(() => {
    superviseOverdue(database).then(
      (overdue) => {
        if (overdue.length === 0) return;
        metrics.count('onescreen_incidents_overdue_total', {}, overdue.length);
        realtime.broadcastIncidents(overdue);
      },
      (error) => dbLog.warn('checking incidents against their SLA failed; trying again at the next check', { error }),
    );
    // Dwell limits run out without anyone moving: a stopped vehicle inside a fence sends no ticks.
    database.transaction((tx) => checkGeofences(tx, [])).then(
      (alerts) => realtime.broadcastGeofenceAlerts(alerts),
      (error) => dbLog.warn('checking geofence dwell limits failed; trying again at the next check', { error }),
    );
  }, config.slaCheckMs).unref();
  return {
    stop(): void {
      clearInterval(historyTimer);
      clearInterval(keyframeTimer);
      clearInterval(slaTimer);
    },
  };
}
