import express from 'express';
import { alarmSourceRef } from '../geo/index.ts';
import { parseAlarmBatch } from '../streams/index.ts';
import { answerWithinMs, type CaseAnswers } from './case-answers.ts';
import { answerNotTaken, type Publish } from './ingest-refusals.ts';
import type { RequireKey } from './feed-keys.ts';
import { refusedBody } from './request-checks.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export interface AlarmIngestOptions {
  requireKey: RequireKey;
  publish: Publish;
  /** Where an alarm's tick tells the incident it opened. */
  answers: CaseAnswers;
  metrics: Metrics;
  log: Logger;
}

/**
 * `POST /ingest/alarms`: calls to 110, 122 and 119 as the call centre registered them. Each
 * alarm stands alone; the good ones go through the ingest bus, so an alarm answered 2xx is on
 * disk and never lost. 200 once their incidents are open (each alarm with its incident id);
 * 202 when the server is behind and they are not yet (incidentId null). A case number sent again
 * opens nothing new and answers the incident it opened.
 */
export function alarmIngest({ requireKey, publish, answers, metrics, log }: AlarmIngestOptions): express.Router {
  const router = express.Router();
  router.use(requireKey((res, status, error) => void res.status(status).json({ error })));
  router.post('/', express.json({ limit: '1mb' }), async (req, res) => {
    const parsed = parseAlarmBatch(req.body, Date.now(), 'alarms');
    if (!parsed.ok) {
      metrics.count('onescreen_ingest_rejected_total', { source: 'alarms', reason: parsed.reason });
      return void res.status(400).json({ error: `${parsed.message}; see /api/openapi.json for the alarm fields` });
    }
    const { accepted, rejected } = parsed.value;
    for (const { reason } of rejected) metrics.count('onescreen_ingest_rejected_total', { source: 'alarms', reason });
    if (accepted.length === 0) return void res.status(400).json({ accepted: [], rejected });
    const waits = accepted.map((alarm) => answers.alarms.wait(alarmSourceRef(alarm), answerWithinMs));
    try {
      await publish(accepted);
    } catch (error) {
      waits.forEach((wait) => wait.cancel());
      return answerNotTaken(res, error, 'alarms', metrics, log, 'json');
    }
    metrics.accepted('alarms', accepted.length);
    const incidents = await Promise.all(waits.map((wait) => wait.outcome));
    res.status(incidents.includes(undefined) ? 202 : 200).json({
      accepted: accepted.map((alarm, i) => ({ id: alarm.alarmId, line: alarm.line, incidentId: incidents[i] ?? null })),
      rejected,
    });
  });
  router.use(refusedBody('send {"alarms": [...]} as JSON', () => metrics.count('onescreen_ingest_rejected_total', { source: 'alarms', reason: 'malformed' })));
  return router;
}
