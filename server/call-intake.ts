import express, { type RequestHandler, type Response } from 'express';
import { appendAudit, callSourceRef, listIncidentCategories, listIncidents, type Database, type Incident } from '../geo/index.ts';
import { parseCall, type CallEvent } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import { answerWithinMs, type CaseAnswers } from './case-answers.ts';
import type { RequireKey } from './feed-keys.ts';
import { answerNotTaken, type Publish } from './ingest-refusals.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { refusedBody } from './request-checks.ts';

export interface CallIntakeOptions {
  db: () => Database;
  auth: Auth;
  publish: Publish;
  answers: CaseAnswers;
  metrics: Metrics;
  log: Logger;
}

// The categories change only with a migration or an import: read them once a minute at most.
const categoriesForMs = 60_000;
const source = 'calls';

/**
 * `POST /api/incidents`: a case from a phone call. A dispatcher's console posts it with the
 * session; a CAD or 12345 hotline system posts the same body with a key issued for the alarms
 * feed (`keyed`). The call goes through the ingest bus like an alarm, so a 2xx means it is on
 * disk; 201 with the registered case once its tick opened it, 202 while the server is behind.
 * The call's number keys it: sent again, it answers the case it opened.
 */
export function callIntake({ db, auth, publish, answers, metrics, log }: CallIntakeOptions) {
  let categories: { codes: Promise<Set<string>>; until: number } | undefined;
  const knownCategories = () => {
    if (!categories || categories.until < Date.now()) {
      const codes = listIncidentCategories(db()).then((rows) => new Set(rows.map((row) => row.code)));
      categories = { codes, until: Date.now() + categoriesForMs };
      codes.catch(() => (categories = undefined));
    }
    return categories.codes;
  };
  const refuse = (res: Response, status: number, reason: string, error: string) => {
    metrics.count('onescreen_ingest_rejected_total', { source, reason });
    res.status(status).json({ error });
  };

  const take = async (req: express.Request, res: Response, sourceId: string, takenBy: string, client: string) => {
    const parsed = parseCall(req.body, Date.now(), sourceId, takenBy);
    if (!parsed.ok) return refuse(res, 400, parsed.reason, `${parsed.message}; see /api/openapi.json for a call's fields`);
    const call = parsed.value;
    const codes = await knownCategories();
    if (!codes.has(call.category)) return refuse(res, 400, 'malformed', `category: no category "${call.category}"; GET /api/incident-categories lists them`);
    const wait = answers.calls.wait(callSourceRef(call), answerWithinMs);
    try {
      await publish([call]);
    } catch (error) {
      wait.cancel();
      return answerNotTaken(res, error, source, metrics, log, 'json');
    }
    metrics.accepted(source);
    const incidentId = await wait.outcome;
    if (incidentId === undefined || incidentId === null) {
      return void res.status(202).json({ callId: call.callId, incidentId: null, message: 'the call is stored and its case opens shortly: look for it in the queue' });
    }
    const [incident] = await listIncidents(db(), { ids: [incidentId], limit: 1 });
    await appendAudit(db(), { actor: takenBy, action: 'incident-from-call', objectType: 'incident', objectId: String(incidentId), after: auditedCall(call, incident!), client });
    res.status(201).json(incident);
  };

  /** With a dispatcher's session (the route table's guard has checked it). */
  const fromConsole: RequestHandler = (req, res) => take(req, res, 'console', auth.signedInOf(res)!.session.user.id, auth.clientOf(req));

  /** With a key: answers only requests that carry one, and leaves the rest to the session route. */
  const keyed = (requireKey: RequireKey): express.Router => {
    const router = express.Router();
    const guard = requireKey((res, status, error) => void res.status(status).json({ error }));
    router.post('/', (req, res, next) => (req.get('x-api-key') ? next() : next('router')), guard, express.json({ limit: '16kb' }), (req, res) =>
      take(req, res, 'hotline', 'hotline', auth.clientOf(req)),
    );
    router.use(refusedBody('send a call as JSON; see /api/openapi.json', () => metrics.count('onescreen_ingest_rejected_total', { source, reason: 'malformed' })));
    return router;
  };
  return { fromConsole, keyed };
}

// The audit keeps what was taken, with the caller's number: the log is for admins only.
const auditedCall = (call: CallEvent, incident: Incident) => ({
  callId: call.callId,
  line: call.line,
  callerPhone: call.callerPhone,
  category: incident.category,
  severity: incident.severity,
  place: call.place,
  lon: call.lon,
  lat: call.lat,
  status: incident.status,
  dueAt: incident.dueAt,
});
