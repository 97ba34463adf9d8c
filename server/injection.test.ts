// SQL-injection payloads in every parameter that reaches a query: none may leak a database error
// or change what is answered. Each hostile value is answered as the same value taken as plain
// data: refused with a 4xx, or with the answer a harmless value that matches nothing gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { startTestServer, type TestServer, type TestSession } from './test-server.ts';

const payloads = [
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  "1; DROP TABLE users; --",
  "'); DROP TABLE audit_log; --",
  "' UNION SELECT id, password_hash, role, 1, 1, 1 FROM users --",
  "1' AND pg_sleep(3) IS NULL --",
  '%',
  '_',
  "%' OR '%'='",
  '\\',
  "\\'; SELECT 1; --",
  '$1',
  "'::text || (SELECT password_hash FROM users LIMIT 1) || '",
  '1) OR (1=1',
  "' OR EXISTS(SELECT 1 FROM sessions) --",
  "ST_MakeEnvelope(0,0,180,90)",
  '0x27204f5220313d31',
  '\u0027 OR 1=1 --',
  "admin'--",
];
// What a database error would say if one leaked into an answer.
const leak = /syntax error|SQLSTATE|pg_|relation "|column "|unterminated|invalid input syntax|ERROR:/i;

describe.each(testBackends())('injection payloads in every query parameter, on the $name database', (backend) => {
  let server: TestServer;
  let admin: TestSession;
  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = await server.as('admin');
  });
  afterAll(() => server?.close());

  /** The answer to a value, as status and body; a refusal's text is left out (it may quote the value). */
  const answer = async (fetchIt: () => Promise<Response>, value: string) => {
    const response = await fetchIt();
    const body = await response.text();
    // A refusal may quote the value; only what is not the value could be a leak.
    const unquoted = body.replaceAll(JSON.stringify(value).slice(1, -1), '').replaceAll(value, '');
    expect(unquoted, 'no database error leaks').not.toMatch(leak);
    expect(response.status, body.slice(0, 200)).toBeLessThan(500);
    return response.status >= 400 ? { status: response.status } : { status: response.status, body };
  };
  // Each parameter: how to send a value, and a harmless value that matches nothing.
  const parameters: Record<string, { send: (value: string) => Promise<Response>; clean: string }> = {
    'GET /api/search?q': { send: (q) => admin.fetch(`/api/search?q=${encodeURIComponent(q)}`), clean: 'zzqqxx' },
    'GET /api/entities?kind': { send: (kind) => admin.fetch(`/api/entities?kind=${encodeURIComponent(kind)}`), clean: 'no-such-kind' },
    'GET /api/basemap/:layer': { send: (layer) => admin.fetch(`/api/basemap/${encodeURIComponent(layer)}.geojson`), clean: 'no-such-layer' },
    'GET /api/audit?actor': { send: (actor) => admin.fetch(`/api/audit?actor=${encodeURIComponent(actor)}`), clean: 'nobody-at-all' },
    'GET /api/audit?action': { send: (action) => admin.fetch(`/api/audit?action=${encodeURIComponent(action)}`), clean: 'no-such-action' },
    'GET /api/audit?since': { send: (since) => admin.fetch(`/api/audit?since=${encodeURIComponent(since)}`), clean: 'not a time' },
    'PATCH /api/users/:id': { send: (id) => admin.fetch(`/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"displayName":"x"}' }), clean: 'no-such-user' },
    'PATCH /api/feed-keys/:id': { send: (id) => admin.fetch(`/api/feed-keys/${encodeURIComponent(id)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"disabled":true}' }), clean: 'no-such-key' },
    'GET /open311 requests.json?service_code': { send: (code) => server.feed(`/open311/v2/requests.json?service_code=${encodeURIComponent(code)}`), clean: 'no-such-service' },
    'GET /open311 requests.json?service_request_id': { send: (id) => server.feed(`/open311/v2/requests.json?service_request_id=${encodeURIComponent(id)}`), clean: 'not-an-id' },
    'GET /open311 requests.json?status': { send: (status) => server.feed(`/open311/v2/requests.json?status=${encodeURIComponent(status)}`), clean: 'no-such-status' },
    'GET /open311 requests.json?start_date': { send: (date) => server.feed(`/open311/v2/requests.json?start_date=${encodeURIComponent(date)}`), clean: 'not a date' },
    'GET /open311 requests/:id.json': { send: (id) => server.feed(`/open311/v2/requests/${encodeURIComponent(id)}.json`), clean: '999999999' },
    'GET /api/incidents/:id/nearby?radius': { send: (radius) => admin.fetch(`/api/incidents/1/nearby?radius=${encodeURIComponent(radius)}`), clean: 'not a number' },
    'GET /api/incidents/:id/nearby?minutes': { send: (minutes) => admin.fetch(`/api/incidents/1/nearby?minutes=${encodeURIComponent(minutes)}`), clean: 'not a number' },
    'GET /api/incidents?status': { send: (status) => admin.fetch(`/api/incidents?status=${encodeURIComponent(status)}`), clean: 'no-such-status' },
    'GET /api/incidents/:id': { send: (id) => admin.fetch(`/api/incidents/${encodeURIComponent(id)}`), clean: 'not-an-id' },
    'GET /api/posture?district': { send: (district) => admin.fetch(`/api/posture?boards=cases&district=${encodeURIComponent(district)}`), clean: 'no-such-district' },
    'GET /api/posture?cell': { send: (cell) => admin.fetch(`/api/posture?boards=cases&cell=${encodeURIComponent(cell)}`), clean: 'no-such-cell' },
    'GET /api/posture/:board': { send: (board) => admin.fetch(`/api/posture/${encodeURIComponent(board)}`), clean: 'no-such-board' },
    'POST /api/session user': { send: (user) => fetch(new URL('/api/session', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: 'wrong password' }) }), clean: 'nobody-at-all' },
  };

  it.each(Object.keys(parameters))('%s: answers every payload as plain data', async (name) => {
    const { send, clean } = parameters[name]!;
    const expected = await answer(() => send(clean), clean);
    // An address may fail 20 sign-ins in 15 min (then 429): sign-in takes the first 19 payloads.
    for (const payload of name.startsWith('POST /api/session') ? payloads.slice(0, 19) : payloads) {
      const got = await answer(() => send(payload), payload);
      expect({ payload, ...got }).toEqual({ payload, ...expected });
    }
  });

  it('still has every table and user afterwards', async () => {
    const tables = await server.db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('users', 'sessions', 'audit_log', 'feed_keys', 'entities')`);
    expect(tables.map((t) => t.name).sort()).toEqual(['audit_log', 'entities', 'feed_keys', 'sessions', 'users']);
    expect((await (await admin.fetch('/api/users')).json()) as object[]).toHaveLength(4);
  });
});
