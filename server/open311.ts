import express from 'express';
import { findServiceRequestByToken, listServiceRequests, listServices, type Database, type ServiceRequest } from '../geo/index.ts';
import { parseOpen311Filters, parseOpen311Request, type GridEvent, type ReportRefusal } from '../streams/index.ts';
import { answerWithinMs, type CaseAnswers } from './case-answers.ts';
import { answerNotTaken, type Publish } from './ingest-refusals.ts';
import type { RequireKey } from './feed-keys.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export interface Open311Options {
  db: () => Database;
  /** Checks the request's `api_key`; citizens' reports and their words are read and written only with a key. */
  requireKey: RequireKey;
  isInspector: (id: string) => boolean;
  publish: Publish;
  /** Where a report's tick tells its outcome. */
  answers: CaseAnswers;
  metrics: Metrics;
  log: Logger;
}

type Language = 'zh-CN' | 'en';
const languageOf = (req: express.Request): Language => (req.query.lang === 'en' ? 'en' : 'zh-CN');
// Answers to a filtered listing are capped, as the spec allows.
const maxListed = 1_000;

/** A request in GeoReport v2's shape, with the city's own placement as extra fields. */
function asOpen311(request: ServiceRequest, language: Language) {
  const en = language === 'en';
  return {
    service_request_id: String(request.id),
    status: request.status === 'closed' ? 'closed' : 'open',
    status_notes: request.statusNotes,
    service_name: en ? request.serviceNameEn : request.serviceNameZh,
    service_code: request.serviceCode,
    description: request.description,
    agency_responsible: en ? request.departmentEn : request.departmentZh,
    service_notice: null,
    requested_datetime: request.requestedAt,
    updated_datetime: request.updatedAt,
    expected_datetime: null,
    address: request.address,
    address_id: null,
    zipcode: null,
    lat: request.lat,
    long: request.lon,
    media_url: request.mediaUrl,
    district_id: request.districtId,
    grid_cell_id: request.cellId,
    lifecycle_status: request.status,
  };
}

const refusals: Record<ReportRefusal, { reason: 'malformed' | 'out-of-range'; say: (event: GridEvent) => string }> = {
  'unknown-service': { reason: 'malformed', say: (event) => `service_code "${event.serviceCode}" not found; see services.json` },
  'outside-city': { reason: 'out-of-range', say: (event) => `the location ${event.lat}, ${event.lon} is outside this city's districts` },
  'unknown-address': { reason: 'malformed', say: (event) => `address_string "${event.address}" is not a crossing, stop or road of this city; send lat and long instead` },
};
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Open311 GeoReport v2 under /open311/v2: services, and service requests to post and read. A
 * posted report goes through the ingest bus: once on disk it is either registered within
 * moments (201 with its service_request_id) or, when the server is behind, answered 202 with a
 * token to look it up by (tokens/{token}.json), as the spec allows.
 */
export function open311Router({ db, requireKey, isInspector, publish, answers, metrics, log }: Open311Options): express.Router {
  const router = express.Router();
  const fail = (res: express.Response, code: number, description: string, reason?: string) => {
    if (reason) metrics.count('onescreen_ingest_rejected_total', { source: 'open311', reason });
    res.status(code).json([{ code, description }]);
  };
  const keyed = requireKey((res, code, description) => fail(res, code, description));

  router.get('/services.json', async (req, res) => {
    const en = languageOf(req) === 'en';
    const services = await listServices(db());
    res.json(
      services.map((s) => ({
        service_code: s.code,
        service_name: en ? s.nameEn : s.nameZh,
        description: en ? s.descriptionEn : s.descriptionZh,
        metadata: false,
        type: 'realtime',
        keywords: s.keywords,
        group: en ? s.groupEn : s.groupZh,
      })),
    );
  });
  router.get('/services/:code.json', async (req, res) => {
    const known = (await listServices(db())).some((s) => s.code === req.params.code);
    if (!known) return fail(res, 404, `service_code "${req.params.code}" not found; see services.json`);
    res.json({ service_code: req.params.code, attributes: [] });
  });

  router.post('/requests.json', express.urlencoded({ extended: false, limit: '64kb' }), express.json({ limit: '64kb' }), keyed, async (req, res) => {
    const parsed = parseOpen311Request(req.body, Date.now(), isInspector);
    if (!parsed.ok) return fail(res, 400, parsed.message, parsed.reason);
    const event = parsed.value;
    const answer = answers.reports.wait(event.token, answerWithinMs);
    try {
      await publish([event]);
    } catch (error) {
      answer.cancel();
      return answerNotTaken(res, error, 'open311', metrics, log, 'open311');
    }
    const outcome = await answer.outcome;
    if (typeof outcome === 'string') return fail(res, 400, refusals[outcome].say(event), refusals[outcome].reason);
    metrics.accepted('open311');
    const en = languageOf(req) === 'en';
    if (!outcome) {
      return res.status(202).json([
        {
          token: event.token,
          service_notice: en ? 'Received and stored; it will be registered shortly: look its number up at tokens/{token}.json.' : '已收到并保存，稍后登记；可凭 token 在 tokens/{token}.json 查询受理编号。',
          account_id: null,
        },
      ]);
    }
    res.status(201).json([
      {
        service_request_id: String(outcome.id),
        token: event.token,
        service_notice: en ? `Registered; passed to the ${outcome.departmentEn}.` : `已登记，转交${outcome.departmentZh}办理。`,
        account_id: null,
      },
    ]);
  });
  router.get('/tokens/:token.json', keyed, async (req, res) => {
    const token = String(req.params.token);
    const found = uuid.test(token) ? await findServiceRequestByToken(db(), token) : undefined;
    if (!found) {
      return fail(res, 404, `no service request is registered under token "${token}": it is still waiting to be applied, or it was refused; post it again to see why`);
    }
    res.json([{ service_request_id: String(found.id), token }]);
  });

  router.get('/requests.json', keyed, async (req, res) => {
    const filters = parseOpen311Filters(req.query, Date.now());
    if (!filters.ok) return fail(res, 400, filters.message);
    const language = languageOf(req);
    res.json((await listServiceRequests(db(), { ...filters.value, limit: maxListed })).map((r) => asOpen311(r, language)));
  });
  router.get('/requests/:id.json', keyed, async (req, res) => {
    const id = String(req.params.id);
    if (!/^\d{1,15}$/.test(id)) return fail(res, 404, `service request "${id}" not found`);
    const [found] = await listServiceRequests(db(), { ids: [Number(id)], serviceCodes: null, start: 0, end: Date.now(), statuses: null, limit: 1 });
    if (!found) return fail(res, 404, `service request ${id} not found`);
    res.json([asOpen311(found, languageOf(req))]);
  });

  router.use((req, res) => fail(res, 404, `no Open311 resource ${req.method} ${req.path}; GeoReport v2 is served as .json: services.json, requests.json, requests/{id}.json, tokens/{token}.json`));
  router.use((error: { status?: number; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!error.status || error.status >= 500) return next(error);
    fail(res, error.status, `${error.message ?? 'unreadable request'}; post a form (application/x-www-form-urlencoded)`, 'malformed');
  });
  return router;
}
