// Pieces the OpenAPI document is built from: zod schemas as JSON Schema, and common answers.
import { z } from 'zod';
import { apiErrorSchema, open311ErrorSchema } from '../streams/index.ts';

type Schema = z.ZodType;
export type Operation = { responses: Record<string, unknown>; [field: string]: unknown };

/** JSON Schema 2020-12 (what OpenAPI 3.1 speaks) from a zod schema, as requests are validated or answers sent. */
export function jsonSchema(schema: Schema, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
export const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } });
export const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
export const queryParameters = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({ name, in: 'query', required: !(field as Schema).safeParse(undefined).success, description: (field as Schema).description, schema: jsonSchema(field as Schema) }));
export const pathParameter = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'path', required: true, description, schema });
export const starting = { 503: json(apiErrorSchema, 'the server is still starting; retry') };
export const open311Error = (description: string) => json(open311ErrorSchema, description);
export const listOf = (schema: Schema) => z.array(schema);
/** Ingest's answer when the server is behind or its log is full: nothing was taken. */
const notTakenText = 'behind (past INGEST_MAX_BACKLOG_*) or the ingest log full: nothing taken; Retry-After says when to send again';
export const notTakenNow = (format: 'text' | 'json' | 'open311') =>
  format === 'json' ? json(apiErrorSchema, notTakenText) : format === 'open311' ? open311Error(notTakenText) : text(notTakenText);

/** ?crs= of the base-map routes: a layer moved onto a GCJ-02 base map. */
export const crsParameter = { name: 'crs', in: 'query', required: false, description: 'gcj02: the features moved onto a GCJ-02 base map (BASE_MAP_CRS); WGS-84 otherwise', schema: { type: 'string', enum: ['wgs84', 'gcj02'] } };
