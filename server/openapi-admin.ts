// The OpenAPI paths of the administrator's routes: users, feed keys, items set aside, the audit log and the device registry.
import { entityKinds, apiErrorSchema } from '../streams/index.ts';
import { json, notTakenNow, pathParameter, text } from './openapi-parts.ts';

export function adminPaths() {
  return {
    '/api/users': {
      get: { summary: 'Every user: id, display name, role, grants, disabled', responses: { 200: { description: 'users' } } },
      post: {
        summary: 'Add a user {id, displayName, role, grants?, password}; audited',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['id', 'displayName', 'role', 'password'] } } } },
        responses: { 201: { description: 'the user' }, 400: json(apiErrorSchema, 'what is wrong with the user or the password'), 409: json(apiErrorSchema, 'the id is taken') },
      },
    },
    '/api/users/{id}': {
      patch: {
        summary: 'Change a user (displayName, role, grants, disabled, password); a new role or password, or disabling, ends their sessions; audited',
        parameters: [pathParameter('id', 'the user id')],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: { 200: { description: 'the user after the change' }, 400: json(apiErrorSchema, 'what is wrong with the change'), 404: json(apiErrorSchema, 'no such user') },
      },
    },
    '/api/feed-keys': {
      get: { summary: 'Keys for the feeds that push over HTTP (camera gateways, Open311 apps); never the keys themselves', responses: { 200: { description: '[{id, name, feed, createdBy, createdAt, disabled}]' } } },
      post: {
        summary: 'Issue a key {name, feed: cameras | open311}; the answer is the only time the key is shown; audited',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'feed'] } } } },
        responses: { 201: { description: '{id, name, feed, key, …}' }, 400: json(apiErrorSchema, 'what is wrong') },
      },
    },
    '/api/feed-keys/{id}': {
      patch: {
        summary: 'Disable or enable a key {disabled}; audited',
        parameters: [pathParameter('id', 'the key id (fk-…)')],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['disabled'] } } } },
        responses: { 200: { description: 'the key after the change' }, 400: json(apiErrorSchema, 'not {disabled}'), 404: json(apiErrorSchema, 'no such key') },
      },
    },
    '/api/set-aside': {
      get: {
        summary: 'Accepted feed items the database refused as data, newest first (up to 100): each was left out of its tick so the rest could be written; fix the sender, then replay the item',
        responses: { 200: { description: '[{id, pipeline, item (JSON text), errorCode (SQLSTATE), error, setAsideAt}]' } },
      },
    },
    '/api/set-aside/{id}/replay': {
      post: {
        summary: 'Send an item set aside through the ingest bus again, once its sender or the database is fixed; marked replayed (once) and audited. Refused again, it is set aside again',
        parameters: [pathParameter('id', 'the item id')],
        responses: {
          200: { description: 'the item, with replayedAt and replayedBy' },
          404: json(apiErrorSchema, 'not an item id'),
          409: json(apiErrorSchema, 'no such item, or replayed already'),
          422: json(apiErrorSchema, 'not an event this version reads'),
          503: notTakenNow('json'),
        },
      },
    },
    '/api/audit.csv': {
      get: {
        summary: 'The audit log as CSV (UTF-8 with BOM, for a spreadsheet), with the same filters: one line per entry, before and after as JSON',
        parameters: ['actor', 'action', 'since', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
        responses: { 200: text('id,at,actor,action,object type,object id,before,after,client'), 400: json(apiErrorSchema, 'a bad filter') },
      },
    },
    '/api/devices': {
      get: {
        summary: 'The device registry: units with id, kind, label, agency, home district, who registered them and when, retired, last fix; newest registrations first',
        parameters: [
          { name: 'kind', in: 'query', required: false, schema: { type: 'string', enum: [...entityKinds] } },
          { name: 'q', in: 'query', required: false, description: 'part of an id, label or agency', schema: { type: 'string' } },
          { name: 'retired', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        ],
        responses: { 200: { description: '{total, devices: [{id, kind, label, agency, districtId, registeredAt, registeredBy, retiredAt, lastFixAt}]}' }, 400: json(apiErrorSchema, 'a bad filter') },
      },
      post: {
        summary: 'Register a unit {id (its tracker’s device id), kind, label, agency?, district? (id or name)}: its OsmAnd tracker is taken from then on; registering it again updates it (a retired one returns to service); audited',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['id', 'kind', 'label'] } } } },
        responses: { 201: { description: 'the unit as registered' }, 400: json(apiErrorSchema, 'each problem, by field ({error, problems})') },
      },
    },
    '/api/devices/import': {
      post: {
        summary: 'Import units from CSV (the body, text/csv): a header line id,kind,label[,agency][,district], one unit per line. All or nothing, in one transaction; importing the same file again changes nothing; audited',
        requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
        responses: {
          200: { description: '{registered: the number of units}' },
          400: json(apiErrorSchema, 'unreadable CSV, or each bad row by line and field ({error, problems: [{line, field, message}]}); nothing registered'),
          413: json(apiErrorSchema, 'more than 20,000 units in one file'),
          415: json(apiErrorSchema, 'not sent as text/csv'),
        },
      },
    },
    '/api/devices/{id}/retire': {
      post: {
        summary: 'Retire a unit: off the map, the counts and dispatch, its tracker refused; its history stays; audited',
        parameters: [pathParameter('id', 'the unit id')],
        responses: { 200: { description: 'the unit, with retiredAt' }, 404: json(apiErrorSchema, 'no such unit') },
      },
    },
    '/api/audit': {
      get: {
        summary: 'The audit log, newest first: sign-ins, user changes, reads of police positions by non-police roles',
        parameters: ['actor', 'action', 'since', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
        responses: { 200: { description: '[{id, at, actor, action, objectType, objectId, before, after, client}]' }, 400: json(apiErrorSchema, 'a bad filter') },
      },
    },
  };
}
