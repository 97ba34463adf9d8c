import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cameraBatchPayload, open311RequestForm } from '../streams/index.ts';
import { apiRouteAccess } from './permissions.ts';
import { startTestServer, type TestServer } from './test-server.ts';

type Operation = { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };
const examples: Record<string, string> = { layer: 'roads', service_code: 'garbage', service_request_id: '1001', id: 'operator' };

describe('the OpenAPI document', () => {
  let server: TestServer;
  let document: Document;
  beforeAll(async () => {
    server = await startTestServer(testBackends()[0]!);
    document = (await (await server.api('/api/openapi.json')).json()) as Document;
  });
  afterAll(() => server?.close());

  it('is OpenAPI 3.1 and covers the ingest and read routes', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/entities', '/api/buses', '/api/traffic', '/ingest/osmand', '/ingest/cameras', '/open311/v2/services.json', '/open311/v2/requests.json', '/open311/v2/requests/{service_request_id}.json']),
    );
  });

  it('describes request bodies with the zod schemas that validate them', () => {
    const { $schema: _a, ...batch } = z.toJSONSchema(cameraBatchPayload, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    expect(document.paths['/ingest/cameras']!.post!.requestBody!.content['application/json']!.schema).toEqual(batch);
    const { $schema: _b, ...form } = z.toJSONSchema(open311RequestForm, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    expect(document.paths['/open311/v2/requests.json']!.post!.requestBody!.content['application/x-www-form-urlencoded']!.schema).toEqual(form);
    expect(document.paths['/ingest/osmand']!.get!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'lat', 'lon', 'timestamp', 'speed']));
  });

  it('documents every API route with who may call it', () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => [`${method.toUpperCase()} ${path.replace(/\{(\w+)\}(\.geojson)?/g, ':$1')}`, (operation as { 'x-access'?: string })['x-access']]),
    );
    expect(Object.fromEntries(documented.filter(([route]) => route!.includes(' /api/')))).toEqual(apiRouteAccess);
  });

  it.each(['signed out', 'signed in as admin'])('matches the server: every documented route answers with a documented status, %s', async (who) => {
    const session = who === 'signed out' ? undefined : await server.as('admin');
    const answers: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // Signing out would end this session half-way through.
        if (session && method === 'delete' && path === '/api/session') continue;
        const url = new URL(path.replace(/\{(\w+)\}/g, (_, name: string) => examples[name] ?? name), server.url);
        // Bodies left empty: a POST must then answer one of its documented refusals.
        const init = { method: method.toUpperCase(), ...(['post', 'patch'].includes(method) && { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } }) };
        const response = session ? await session.fetch(url.pathname + url.search, init) : await fetch(url, init);
        await response.arrayBuffer();
        answers.push(`${method.toUpperCase()} ${path} → ${response.status}`);
        expect(Object.keys(operation.responses), `${method.toUpperCase()} ${path} answered ${response.status}`).toContain(String(response.status));
      }
    }
    expect(answers.length).toBeGreaterThanOrEqual(23);
  });
});
