// The OpenAPI paths of the city's past: positions at a moment, one unit's track, who was near a place.
import { apiErrorSchema, entityKinds } from '../streams/index.ts';
import { maxTrackHours, nearbyRadiusM } from './history-api.ts';
import { json, pathParameter, starting } from './openapi-parts.ts';

const momentSchema = { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer', description: 'epoch ms' }] };
const refused = json(apiErrorSchema, 'a kind this role may not see');

export function historyPaths() {
  return {
    '/api/history/positions': {
      get: {
        summary: 'Every unit where it last reported at or before a moment (within 10 minutes of it), from position history; police units audited for officials and admins',
        parameters: [
          { name: 'at', in: 'query', required: true, description: 'the moment: ISO 8601 with its offset, or epoch ms', schema: momentSchema },
          { name: 'kind', in: 'query', required: false, description: 'comma-separated kinds (all this role may see)', schema: { type: 'string', examples: [entityKinds.join(',')] } },
        ],
        responses: { 200: { description: '{at, positions: [{id, kind, label, lon, lat, headingDeg, speedKmh, districtId, cellId, fixTime}]}' }, 400: json(apiErrorSchema, 'no moment, or an unknown kind'), 403: refused, ...starting },
      },
    },
    '/api/history/units/{id}/track': {
      get: {
        summary: `One unit's track (轨迹回放): its fixes from a moment to another, at most ${maxTrackHours} h apart, oldest first, with speed, and where it stood still (30 m for 2 minutes or more)`,
        parameters: [
          pathParameter('id', 'the unit'),
          { name: 'from', in: 'query', required: true, description: 'ISO 8601 with its offset, or epoch ms', schema: momentSchema },
          { name: 'to', in: 'query', required: true, description: 'ISO 8601 with its offset, or epoch ms', schema: momentSchema },
        ],
        responses: { 200: { description: '{unit: {id, kind, label}, points: [{lon, lat, at, speedKmh, headingDeg}], stops: [{lon, lat, from, to}], distanceM}' }, 400: json(apiErrorSchema, 'no window, or one too long'), 403: refused, 404: json(apiErrorSchema, 'no such unit'), ...starting },
      },
    },
    '/api/history/nearby': {
      get: {
        summary: `Who was here: every unit within a radius of a place between two moments (at most ${maxTrackHours} h apart), each by its closest fix, and the cases and camera events there then, nearest first (PostGIS on history); kinds this role may see, police units audited for officials and admins`,
        parameters: [
          { name: 'lon', in: 'query', required: true, description: 'WGS-84 longitude', schema: { type: 'number' } },
          { name: 'lat', in: 'query', required: true, description: 'WGS-84 latitude', schema: { type: 'number' } },
          { name: 'radius', in: 'query', required: false, description: `metres, ${nearbyRadiusM.min}–${nearbyRadiusM.max} (${nearbyRadiusM.standard})`, schema: { type: 'integer' } },
          { name: 'from', in: 'query', required: true, description: 'ISO 8601 with its offset, or epoch ms', schema: momentSchema },
          { name: 'to', in: 'query', required: true, description: 'ISO 8601 with its offset, or epoch ms', schema: momentSchema },
        ],
        responses: { 200: { description: '{units: [{id, kind, label, at, lon, lat, distanceM}], incidents: [...], cameraEvents: [...]}' }, 400: json(apiErrorSchema, 'no place, or no window, or one too long'), ...starting },
      },
    },
  };
}
