import express from 'express';
import { createServiceRequest, listServiceRequests, listServices, locateAddress, openIncidentsFromReports, type Database, type Incident, type ServiceRequest } from '../geo/index.ts';
import { parseOpen311Filters, parseOpen311Request } from '../streams/index.ts';
import type { Metrics } from './metrics.ts';

export interface Open311Options {
  db: () => Database;
  /** Checks the request's `api_key`; citizens' reports and their words are read and written only with a key. */
  requireKey: (refuse: (res: express.Response, status: 401 | 429, message: string) => void) => express.RequestHandler;
  isInspector: (id: string) => boolean;
  metrics: Metrics;
  /** Told of each new request and the incident it opened, to push them to the screens. */
  onCreated: (request: ServiceRequest, incidents: Incident[]) => void;
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

/** Open311 GeoReport v2 under /open311/v2: services, and service requests to post and read. */
export function open311Router({ db, requireKey, isInspector, metrics, onCreated }: Open311Options): express.Router {
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
    const now = Date.now();
    const parsed = parseOpen311Request(req.body, now, isInspector);
    if (!parsed.ok) return fail(res, 400, parsed.message, parsed.reason);
    const event = parsed.value;
    const at = event.lon !== null && event.lat !== null ? ([event.lon, event.lat] as [number, number]) : await locateAddress(db(), event.address!);
    if (!at) return fail(res, 400, `address_string "${event.address}" is not a crossing, stop or road of this city; send lat and long instead`, 'malformed');
    // The report and its incident are one transaction: no report without its case.
    const result = await db().transaction(async (tx) => {
      const request = await createServiceRequest(tx, { ...event, at, requestedAt: event.eventTime });
      return typeof request === 'string' ? request : { request, incidents: await openIncidentsFromReports(tx, [request.id]) };
    });
    if (result === 'unknown-service') return fail(res, 400, `service_code "${event.serviceCode}" not found; see services.json`, 'malformed');
    if (result === 'outside-city') return fail(res, 400, `the location ${at[1]}, ${at[0]} is outside this city's districts`, 'out-of-range');
    const created = result.request;
    metrics.accepted('open311');
    onCreated(created, result.incidents);
    const en = languageOf(req) === 'en';
    res.status(201).json([
      {
        service_request_id: String(created.id),
        service_notice: en ? `Registered; passed to the ${created.departmentEn}.` : `已登记，转交${created.departmentZh}办理。`,
        account_id: null,
      },
    ]);
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

  router.use((req, res) => fail(res, 404, `no Open311 resource ${req.method} ${req.path}; GeoReport v2 is served as .json: services.json, requests.json, requests/{id}.json`));
  router.use((error: { status?: number; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!error.status || error.status >= 500) return next(error);
    fail(res, error.status, `${error.message ?? 'unreadable request'}; post a form (application/x-www-form-urlencoded)`, 'malformed');
  });
  return router;
}
