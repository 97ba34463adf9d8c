// The server's rounds that no input starts: old history pruned, cases past their SLA raised, and
// geofence dwell limits that run out while nothing moves.
import { checkGeofences, pruneHistory, superviseOverdue, type Database } from '../geo/index.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { attachRealtime } from './realtime.ts';

// How often old position history is pruned, ms.
const pruneEveryMs = 10 * 60_000;

/** Starts the rounds; `stop` ends them. */
export function startHousekeeping(database: Database, config: Pick<Config, 'historyRetentionHours' | 'slaCheckMs'>, realtime: ReturnType<typeof attachRealtime>, metrics: Metrics, dbLog: Logger) {
  const pruneTimer = setInterval(() => {
    pruneHistory(database, config.historyRetentionHours).then(
      (removed) => removed > 0 && dbLog.info('old position history pruned', { removed, retentionHours: config.historyRetentionHours }),
      (error) => dbLog.warn('pruning position history failed', { error }),
    );
  }, pruneEveryMs).unref();
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
      clearInterval(pruneTimer);
      clearInterval(slaTimer);
    },
  };
}
