// The OpenAPI paths of the ingest endpoints: OsmAnd, cameras, alarms and Open311.
import { alarmBatchPayload, cameraBatchPayload, open311RequestForm, open311RequestsQuery, osmandParameters, traccarClientBody, apiErrorSchema } from '../streams/index.ts';
import { json, jsonSchema, notTakenNow, open311Error, pathParameter, queryParameters, starting, text } from './openapi-parts.ts';

export function ingestPaths() {
  const osmand = {
    summary: 'A position from an OsmAnd tracker or Traccar Client (any method)',
    parameters: queryParameters(osmandParameters),
    requestBody: {
      required: false,
      content: {
        'application/x-www-form-urlencoded': { schema: jsonSchema(osmandParameters) },
        'application/json': { schema: jsonSchema(traccarClientBody) },
      },
    },
    responses: {
      200: { description: 'taken: on disk in the ingest log (empty body)' },
      400: text('malformed, or an unknown device; the reason'),
      429: text('more than 30 fixes in 10 s from one device'),
      ...starting,
      503: notTakenNow('text'),
    },
  };
  return {
    '/ingest/osmand': { get: osmand, post: osmand },
    '/ingest/cameras': {
      post: {
        summary: 'Camera detector records and events, in a batch',
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(cameraBatchPayload) } } },
        responses: {
          200: { description: 'at least one item taken, on disk in the ingest log: {accepted, rejected: [{item, reason, message}]}' },
          400: { description: 'nothing taken, or not a batch; each reason' },
          401: json(apiErrorSchema, 'no cameras feed key, or not an enabled one'),
          ...starting,
          503: notTakenNow('json'),
        },
      },
    },
    '/ingest/alarms': {
      post: {
        summary: 'Calls to 110, 122 and 119 as the call centre registered them, in a batch: each opens a registered incident (police, traffic police, or fire brigade); a 2xx means the alarms are on disk; a case number sent again opens nothing new',
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(alarmBatchPayload) } } },
        responses: {
          200: { description: 'at least one alarm taken and its incident open: {accepted: [{id, line, incidentId}], rejected: [{item, reason, message}]}' },
          202: { description: 'taken and on disk, the server behind: incidents open once it applies them (incidentId null until then)' },
          400: { description: 'nothing taken, or not a batch; each reason' },
          401: json(apiErrorSchema, 'no alarms feed key, or not an enabled one'),
          ...starting,
          503: notTakenNow('json'),
        },
      },
    },
    '/open311/v2/services.json': { get: { summary: 'Open311: what can be reported (lang=en for English)', responses: { 200: { description: 'services' }, ...starting } } },
    '/open311/v2/services/{service_code}.json': {
      get: { summary: 'Open311: a service definition', parameters: [pathParameter('service_code', 'from services.json')], responses: { 200: { description: 'definition' }, 404: open311Error('unknown service') } },
    },
    '/open311/v2/requests.json': {
      get: { summary: 'Open311: service requests', parameters: queryParameters(open311RequestsQuery), responses: { 200: { description: 'requests, newest first' }, 400: open311Error('a bad filter'), 401: open311Error('no open311 api_key, or not an enabled one') } },
      post: {
        summary: 'Open311: report a problem',
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: jsonSchema(open311RequestForm) } } },
        responses: {
          201: { description: 'on disk and registered: [{service_request_id, token, service_notice, account_id}]' },
          202: { description: 'on disk, the server behind: [{token, service_notice, account_id}]; tokens/{token}.json gives the service_request_id once registered' },
          400: open311Error('what is wrong with the report'),
          401: open311Error('no open311 api_key, or not an enabled one'),
          ...starting,
          503: notTakenNow('open311'),
        },
      },
    },
    '/open311/v2/tokens/{token}.json': {
      get: {
        summary: 'Open311: the service request a token (from a POST answered 202) was registered as',
        parameters: [pathParameter('token', 'as given on POST')],
        responses: { 200: { description: '[{service_request_id, token}]' }, 401: open311Error('no open311 api_key, or not an enabled one'), 404: open311Error('not registered (yet, or refused)') },
      },
    },
    '/open311/v2/requests/{service_request_id}.json': {
      get: { summary: 'Open311: one service request', parameters: [pathParameter('service_request_id', 'as given on POST')], responses: { 200: { description: '[request]' }, 401: open311Error('no open311 api_key, or not an enabled one'), 404: open311Error('not found') } },
    },
  };
}
