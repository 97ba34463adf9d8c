import express from 'express';
import { alarmSourceRef, openIncidentsFromAlarms, type Database, type Incident } from '../geo/index.ts';
import { parseAlarmBatch } from '../streams/index.ts';
import type { Metrics } from './metrics.ts';

export interface AlarmIngestOptions {
  db: () => Database;
  requireKey: (refuse: (res: express.Response, status: 401 | 429, message: string) => void) => express.RequestHandler;
  metrics: Metrics;
  onOpened: (incidents: Incident[]) => void;
}

/**
 * `POST /ingest/alarms`: calls to 110, 122 and 119 as the call centre registered them. Each
 * alarm stands alone; the good ones open registered incidents in one transaction, before the
 * answer, so an alarm answered 200 is never lost. A case number sent again opens nothing new.
 */
export function alarmIngest({ db, requireKey, metrics, onOpened }: AlarmIngestOptions): express.Router {
  const router = express.Router();
  router.use(requireKey((res, status, error) => void res.status(status).json({ error })));
  router.post('/', express.json({ limit: '1mb' }), async (req, res, next) => {
    try {
      const parsed = parseAlarmBatch(req.body, Date.now(), 'alarms');
      if (!parsed.ok) {
        metrics.count('onescreen_ingest_rejected_total', { source: 'alarms', reason: parsed.reason });
        return void res.status(400).json({ error: `${parsed.message}; see /api/openapi.json for the alarm fields` });
      }
      const { accepted, rejected } = parsed.value;
      for (const { reason } of rejected) metrics.count('onescreen_ingest_rejected_total', { source: 'alarms', reason });
      const opened = await db().transaction((tx) => openIncidentsFromAlarms(tx, accepted));
      metrics.accepted('alarms', accepted.length);
      onOpened(opened);
      const incidentOf = new Map(opened.map((incident) => [incident.sourceRef, incident.id]));
      res.status(accepted.length > 0 ? 200 : 400).json({
        accepted: accepted.map((alarm) => ({ id: alarm.alarmId, line: alarm.line, incidentId: incidentOf.get(alarmSourceRef(alarm)) ?? null })),
        rejected,
      });
    } catch (error) {
      next(error);
    }
  });
  router.use((error: { status?: number; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!error.status || error.status >= 500) return next(error);
    metrics.count('onescreen_ingest_rejected_total', { source: 'alarms', reason: 'malformed' });
    res.status(error.status).json({ error: `${error.message ?? 'unreadable request'}; send {"alarms": [...]} as JSON` });
  });
  return router;
}
