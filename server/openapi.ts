import { basemapLayers, tiledLayers, dispatchRules, geofenceLimits, warningRadiusM } from '../geo/index.ts';
import {
  apiErrorSchema,
  callPayload,
  busProgressSchema,
  entityKinds,
  joinedCameraEventSchema,
  liveEntitySchema,
  postureBoards,
  postureQuerySchema,
  segmentTrafficSchema,
} from '../streams/index.ts';
import { adminPaths } from './openapi-admin.ts';
import { historyPaths } from './openapi-history.ts';
import { ingestPaths } from './openapi-ingest.ts';
import { crsParameter, json, jsonSchema, listOf, notTakenNow, pathParameter, queryParameters, starting, text, type Operation } from './openapi-parts.ts';
import { apiRouteAccess, type Access, type ApiRoute } from './permissions.ts';
import { pastMomentHelp } from './posture-api.ts';

/** The OpenAPI 3.1 document of every REST route, ingest included, generated from the zod schemas that validate them. */
const pastMomentParameter = { name: 'at', in: 'query', required: false, description: pastMomentHelp, schema: { type: 'string' } };

export function openApiDocument(version: string) {
  const document = {
    openapi: '3.1.0',
    info: { title: 'onescreen city brain', version, description: 'Live city data in and out: ingest for the standard protocols, and the API the screens read.' },
    paths: {
      '/healthz': { get: { summary: 'Alive; "starting" (503) until the database is migrated and the city loaded', responses: { 200: { description: 'running' }, 503: { description: 'starting; the body says which step' } } } },
      '/readyz': {
        get: {
          summary: 'Ready: started, the ingest log applied, and the database answering within 2 s',
          responses: { 200: { description: '{status: "ready", backend}' }, 503: { description: 'starting, database-unavailable or core-stopped, with the reason; Retry-After' } },
        },
      },
      '/metrics': { get: { summary: 'Prometheus counters', responses: { 200: text('text exposition format') } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/api/session': {
        post: {
          summary: 'Sign in: sets the session cookie (HttpOnly, SameSite=Strict) and answers with the CSRF token for changes and the socket handshake',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['user', 'password'], properties: { user: { type: 'string' }, password: { type: 'string' } } } } } },
          responses: { 200: { description: '{user, csrf, expiresAt}' }, 400: json(apiErrorSchema, 'not {user, password}'), 401: json(apiErrorSchema, 'wrong user id or password, or a disabled account'), 429: json(apiErrorSchema, 'too many failed sign-ins; Retry-After says when to try again'), ...starting },
        },
        get: { summary: 'Who is signed in, and the CSRF token', responses: { 200: { description: '{user, csrf, expiresAt}' }, 401: json(apiErrorSchema, 'nobody (in demo mode the body lists the demo accounts)'), ...starting } },
        delete: { summary: 'Sign out: ends the session and closes its live connections', responses: { 204: { description: 'signed out' } } },
      },
      '/api/incidents': {
        get: {
          summary: 'The incident queue: most severe first, then soonest due (SLA)',
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['open', 'finished', 'all'] } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          ],
          responses: { 200: { description: '[{id, source, sourceRef, category, categoryZh, categoryEn, agency, departmentId, severity, status, statusNote, description, lon, lat, districtId, cellId, reportedAt, dueAt, updatedAt, version}]' }, 400: json(apiErrorSchema, 'a bad filter') },
        },
        post: {
          summary:
            'A case from a phone call: the caller, what happened (category, severity) and where; opens a registered case with its SLA, audited. A dispatcher posts it with the session; a CAD or 12345 hotline system posts the same body with an alarms feed key (x-api-key). A 2xx means the call is on disk; the same callId again answers the case it opened',
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(callPayload) } } },
          responses: {
            201: { description: 'the registered case (an incident)' },
            202: { description: 'the call is on disk and the server is behind: its case opens shortly ({callId, incidentId: null})' },
            400: json(apiErrorSchema, 'a field missing or wrong, or a category the city does not have; the reason'),
            401: json(apiErrorSchema, 'neither a session nor an enabled alarms feed key'),
            ...starting,
            503: notTakenNow('json'),
          },
        },
      },
      '/api/incident-categories': {
        get: { summary: 'The kinds of case: code, names, who answers (agency), SLA in minutes, default severity', responses: { 200: { description: '[{code, nameZh, nameEn, agency, slaMinutes, severity}]' } } },
      },
      '/api/incidents/{id}': {
        get: { summary: 'One incident, its history (every step: when, who, from, to, note) and the steps it may take next (next)', parameters: [pathParameter('id', 'the incident id')], responses: { 200: { description: 'the incident with history' }, 404: json(apiErrorSchema, 'no such incident') } },
      },
      '/api/incidents/{id}/transitions': {
        post: {
          summary: 'Move a case one step: reported → registered → dispatched → handling → answered → closed, with cancel and reopen; {to, note}; audited, pushed, and a report’s Open311 status follows',
          parameters: [pathParameter('id', 'the incident id')],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['to'], properties: { to: { type: 'string' }, note: { type: 'string' } } } } } },
          responses: { 200: { description: 'the incident after the step' }, 400: json(apiErrorSchema, 'not {to, note}'), 404: json(apiErrorSchema, 'no such incident'), 409: json(apiErrorSchema, 'the lifecycle has no such step from where the case is') },
        },
      },
      '/api/incidents/{id}/merge': {
        post: {
          summary: 'Merge a duplicate into the incident it repeats {into}: it is cancelled with a note naming the other; audited and pushed',
          parameters: [pathParameter('id', 'the duplicate')],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['into'], properties: { into: { type: 'integer' } } } } } },
          responses: { 200: { description: 'the duplicate after the merge' }, 400: json(apiErrorSchema, 'not {into}, or into itself, or into nothing'), 404: json(apiErrorSchema, 'no such incident'), 409: json(apiErrorSchema, 'already being handled: cannot be cancelled') },
        },
      },
      '/api/incidents/{id}/fleet': {
        get: { summary: 'Every placed unit of the kinds that answer this case, with its duty (available, en-route, on-scene, off-duty: silent too long), for the map', parameters: [pathParameter('id', 'the incident id')], responses: { 200: { description: '{kinds, units: [{id, kind, label, lon, lat, duty}]}' }, 404: json(apiErrorSchema, 'no such incident') } },
      },
      '/api/incidents/{id}/nearby': {
        get: {
          summary: 'What else happened near an incident: incidents, camera events and the units that passed, within radius m and minutes either side, nearest first',
          parameters: [
            pathParameter('id', 'the incident id'),
            { name: 'radius', in: 'query', required: false, description: 'metres, 10–5000 (500)', schema: { type: 'integer' } },
            { name: 'minutes', in: 'query', required: false, description: 'either side of the report, 1–1440 (60)', schema: { type: 'integer' } },
          ],
          responses: { 200: { description: '{incidents, cameraEvents, units}, each with distanceM' }, 400: json(apiErrorSchema, 'radius or minutes out of range'), 404: json(apiErrorSchema, 'no such incident') },
        },
      },
      '/api/incidents/{id}/candidates': {
        get: {
          summary: `The units to send: the ${dispatchRules.pool} nearest available units of the case's kind (police or inspectors) by KNN, ranked by road ETA on the live routing graph, best ${dispatchRules.count}`,
          parameters: [pathParameter('id', 'the incident id')],
          responses: { 200: { description: '{kinds, candidates: [{id, kind, label, lon, lat, districtId, distanceM, etaS, roadM, route}]}' }, 404: json(apiErrorSchema, 'no such incident') },
        },
      },
      '/api/incidents/{id}/assignments': {
        get: {
          summary: 'The units sent to a case; en-route ones with their live route and ETA',
          parameters: [pathParameter('id', 'the incident id')],
          responses: { 200: { description: '[{id, incidentId, unitId, unitKind, unitLabel, status, assignedBy, assignedAt, arrivedAt, releasedAt, etaS, liveEtaS, route, lon, lat}]' }, 404: json(apiErrorSchema, 'no such incident') },
        },
        post: {
          summary: `Send a unit {unitId}: it goes en route, a registered case becomes dispatched; within ${dispatchRules.arrivalM} m of the case its GPS puts it on scene and the case into handling; audited`,
          parameters: [pathParameter('id', 'the incident id')],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['unitId'] } } } },
          responses: {
            201: { description: 'the assignment' },
            400: json(apiErrorSchema, 'not {unitId}'),
            404: json(apiErrorSchema, 'no such incident or unit'),
            409: json(apiErrorSchema, 'the unit is busy or of the wrong kind, or the case takes no units'),
          },
        },
      },
      '/api/force': {
        get: { summary: `Units per district, agency (police, city) and duty (available, en-route, on-scene, off-duty; an available unit silent for ${dispatchRules.freshMinutes} min counts off duty); with at, as it was then (each unit's duty from its assignments, its district from its last fix)`, parameters: [pastMomentParameter], responses: { 200: { description: '[{districtId, agency, duty, units}]' }, 400: json(apiErrorSchema, 'a bad at') } },
      },
      '/api/geofences': {
        get: { summary: 'Active geofences with their shape now (an area, the circle round a unit, the corridor along a route)', responses: { 200: { description: '[{id, name, kind, shape, unitId, routeId, radiusM, kinds, dwellMinutes, severity, createdBy, createdAt}]' } } },
        post: {
          summary: `Draw a geofence {name, kind: area (polygon, at most ${geofenceLimits.vertices} corners and ${geofenceLimits.areaKm2} km²) | unit-radius (unitId, radiusM) | route-corridor (routeId, radiusM), kinds to watch, dwellMinutes?, severity?}; entering, leaving or dwelling raises an alert; audited`,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'kind'] } } } },
          responses: { 201: { description: 'the geofence' }, 400: json(apiErrorSchema, 'what is missing or malformed'), 422: json(apiErrorSchema, 'the shape is too big, crosses itself, lies outside the city, or there are too many fences') },
        },
      },
      '/api/geofences/{id}': {
        delete: { summary: 'Remove a geofence; its open alerts are cleared with it and pushed; audited', parameters: [pathParameter('id', 'the geofence id')], responses: { 200: { description: 'the geofence removed' }, 404: json(apiErrorSchema, 'no such active geofence') } },
      },
      '/api/geofence-alerts': {
        get: { summary: 'Geofence alerts not yet cleared, newest first', responses: { 200: { description: '[{id, geofenceId, geofenceName, entityId, entityLabel, entityKind, event, at, lon, lat, severity, state, assignedTo, version, repeats, lastAt}]: a crossing repeated within 10 min of the last, while its alert is open, is counted in repeats' } } },
      },
      '/api/geofence-alerts/clear': {
        post: {
          summary: 'Clear every open alert of a fence, an entity kind and/or an event at once {geofenceId?, entityKind?, event?}; one audit entry; pushed',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 200: { description: '{cleared: [the alerts, now cleared]}' }, 400: json(apiErrorSchema, 'no filter, or an unknown field') },
        },
      },
      '/api/geofence-alerts/{id}': {
        post: {
          summary: 'Acknowledge, assign (to a user) or clear an alert {action, assignTo?}; audited and pushed',
          parameters: [pathParameter('id', 'the alert id')],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['action'] } } } },
          responses: { 200: { description: 'the alert after the change' }, 400: json(apiErrorSchema, 'not a known action'), 404: json(apiErrorSchema, 'no such alert'), 409: json(apiErrorSchema, 'already cleared') },
        },
      },
      '/api/warnings': {
        get: { summary: 'Emergency warnings of the last 24 h, newest first, with the districts, grid cells and live units their area touches, and the webhook delivery', responses: { 200: { description: '[{id, message, severity, area, districts, cells, unitsInside, issuedBy, issuedAt, delivery, deliveryAttempts}]' } } },
        post: {
          summary: `Issue an emergency warning {message, severity?, polygon | center + radiusM (${warningRadiusM[0]}–${warningRadiusM[1]} m)}: pushed to every screen and posted to WARNING_WEBHOOK_URL with the area and districts, retried until the gateway takes it; audited`,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['message'] } } } },
          responses: { 201: { description: 'the warning' }, 400: json(apiErrorSchema, 'what is missing or malformed'), 422: json(apiErrorSchema, 'the area is too big, crosses itself or lies outside the city') },
        },
      },
      '/api/posture': {
        get: {
          summary: 'Every posture board for a time range and a place (city, district or grid cell): cases, units and coverage, traffic, buses, feeds (definitions in geo/posture*.ts); also pushed over Socket.IO (`watch-posture`)',
          parameters: [...queryParameters(postureQuerySchema), pastMomentParameter],
          responses: { 200: { description: "{query, at, replayed?, window: {from, to, bucketMs, buckets}, cases, units, traffic, buses, feeds}; with at, as they were then: units' duty from their assignments, feeds without live rates, their status by the minute" }, 400: json(apiErrorSchema, 'a bad parameter, or an unknown district or cell') },
        },
      },
      '/api/posture/{board}': {
        get: {
          summary: `One posture board as JSON, or as CSV (figure, key, value) with \`.csv\`: ${postureBoards.map((board) => `${board}, ${board}.csv`).join(', ')}`,
          parameters: [pathParameter('board', 'the board, with .csv for CSV'), ...queryParameters(postureQuerySchema.omit({ boards: true })), pastMomentParameter],
          responses: { 200: { description: 'the snapshot with this board only, or text/csv' }, 400: json(apiErrorSchema, 'a bad parameter, or an unknown district or cell'), 404: json(apiErrorSchema, 'no such board') },
        },
      },
      ...adminPaths(),
      ...historyPaths(),
      '/api/city': { get: { summary: 'The loaded city: names, centre, bounds', responses: { 200: { description: 'the city' }, ...starting } } },
      '/api/entities': {
        get: {
          summary: 'Live units and vehicles',
          parameters: [{ name: 'kind', in: 'query', required: false, description: 'comma-separated kinds', schema: { type: 'string', examples: [entityKinds.join(',')] } }],
          responses: { 200: json(listOf(liveEntitySchema), 'entities'), 400: json(apiErrorSchema, 'an unknown kind'), ...starting },
        },
      },
      '/api/search': {
        get: {
          summary: 'Find units by id or plate, cameras by id, places by name (Chinese or English); best match first, at most 10',
          parameters: [{ name: 'q', in: 'query', required: true, description: 'what to look for, 1–64 characters', schema: { type: 'string', examples: ['pc-0001', '昆仑路'] } }],
          responses: { 200: { description: '[{kind: entity|camera|place, id, nameZh, nameEn, detail, lon, lat}]' }, 400: json(apiErrorSchema, 'no term, or too long'), ...starting },
        },
      },
      '/api/buses': { get: { summary: 'Bus route progress and bunching', responses: { 200: json(listOf(busProgressSchema), 'buses'), ...starting } } },
      '/api/feeds': { get: { summary: 'How fresh each feed is', responses: { 200: { description: '[{feed, lastAcceptedAt, staleAfterMs}]' }, ...starting } } },
      '/api/reports': { get: { summary: 'Open grid reports and complaints of the last 90 days (the shape Socket.IO pushes)', responses: { 200: { description: 'reports, newest first' }, ...starting } } },
      '/api/traffic': { get: { summary: 'Live traffic per road segment', responses: { 200: json(listOf(segmentTrafficSchema), 'segments'), ...starting } } },
      '/api/camera-events': { get: { summary: 'The latest 200 camera events', responses: { 200: json(listOf(joinedCameraEventSchema), 'events, newest first'), ...starting } } },
      '/api/basemap/{layer}.geojson': {
        get: {
          summary: 'A base-map layer as GeoJSON from PostGIS',
          parameters: [
            pathParameter('layer', 'the layer', { type: 'string', enum: basemapLayers }),
            crsParameter,
          ],
          responses: { 200: { description: 'FeatureCollection', content: { 'application/geo+json': { schema: { type: 'object' } } } }, 404: json(apiErrorSchema, 'no such layer'), ...starting },
        },
      },
      '/api/basemap/tiles/{z}/{x}/{y}': {
        get: {
          summary: 'A tile of the base map archive BASE_MAP names (PMTiles or MBTiles on the server’s disk): vector tiles unzipped, or images',
          parameters: ['z', 'x', 'y'].map((name) => pathParameter(name, `tile ${name}`, { type: 'integer', minimum: 0 })),
          responses: {
            200: { description: 'the tile', content: { 'application/vnd.mapbox-vector-tile': {}, 'image/png': {}, 'image/jpeg': {}, 'image/webp': {} } },
            204: { description: 'the archive has no tile there' },
            400: json(apiErrorSchema, 'not a tile'),
            404: json(apiErrorSchema, 'no tile archive is configured'),
            ...starting,
          },
        },
      },
      '/api/basemap/city-tiles/{layer}/{z}/{x}/{y}': {
        get: {
          summary: 'A vector tile (MVT) of one of the city’s own layers, cut from PostGIS: what the screens load instead of the GeoJSON layers for a large city (GET /api/city says which, CITY_LAYERS)',
          parameters: [
            pathParameter('layer', 'the layer', { type: 'string', enum: tiledLayers }),
            ...['z', 'x', 'y'].map((name) => pathParameter(name, `tile ${name}`, { type: 'integer', minimum: 0 })),
            crsParameter,
          ],
          responses: {
            200: { description: 'the tile: one layer named as the layer, each feature with its id and properties', content: { 'application/vnd.mapbox-vector-tile': {} } },
            204: { description: 'nothing of the layer there' },
            400: json(apiErrorSchema, 'not a tile, or an unknown crs'),
            404: json(apiErrorSchema, 'no such tiled layer'),
            ...starting,
          },
        },
      },
      ...ingestPaths(),
    },
  };
  // Each API operation states who may call it (the table the server enforces) and the refusals that brings.
  const paths = document.paths as Record<string, Record<string, Operation>>;
  for (const [path, operations] of Object.entries(paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const access = apiRouteAccess[`${method.toUpperCase()} ${path.replace(/\{(\w+)\}(\.geojson)?/g, ':$1')}` as ApiRoute] as Access | undefined;
      if (!access) throw new Error(`${method.toUpperCase()} ${path} is documented but not in apiRouteAccess`);
      operation['x-access'] = access;
      if (access === 'public') continue;
      operation.security = [{ session: [] }];
      operation.responses = { ...operation.responses, 401: json(apiErrorSchema, 'not signed in, or the session ended'), ...(access !== 'signed-in' && { 403: json(apiErrorSchema, `the role may not (needs ${access})`) }) };
    }
  }
  return {
    ...document,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'onescreen_session', description: 'from POST /api/session; changes also need the x-csrf-token header' },
        feedKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'a key from POST /api/feed-keys for the feed; also accepted as api_key in the query or an Open311 form' },
      },
    },
  };
}
