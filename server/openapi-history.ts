// The OpenAPI paths of the city's past: positions at a moment, one unit's track.
import { apiErrorSchema, entityKinds } from '../streams/index.ts';
import { maxTrackHours } from './history-api.ts';
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
        responses: { 200: { description: '{unit: {id, kind, label}, points: [{lon, lat, at, speedKmh, headingDeg}], stops: [{lon, lat, from, to}]}' }, 400: json(apiErrorSchema, 'no window, or one too long'), 403: refused, 404: json(apiErrorSchema, 'no such unit'), ...starting },
      },
    },
  };
}
