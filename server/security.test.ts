import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, roles, setAsideItem, type Role, type SetAsideItem } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { liveLayers, type LiveEntity, type LiveLayer, type SearchHit } from '../streams/index.ts';
import { ensureAccounts } from './accounts.ts';
import { createLogger } from './log.ts';
import { apiRouteAccess, can, layerPermission, type Access, type ApiRoute } from './permissions.ts';
import { demoPassword, signIn, startTestServer, watchLive, type TestServer, type TestSession } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const car = karamay.entities.find((entity) => entity.kind === 'police-car')!;
const who = ['anonymous', ...roles] as const;
const until = async (ready: () => boolean, timeoutMs = 10_000) => {
  for (const started = Date.now(); !ready() && Date.now() - started < timeoutMs; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return ready();
};
/** A request each route takes; bodies are deliberately incomplete, so nothing is changed by the matrix. */
const sample = (route: ApiRoute): { path: string; init: RequestInit } => {
  const [method, path] = route.split(' ') as [string, string];
  const filled = path.replace(':layer', 'roads.geojson').replace(':id', route.includes('incidents') ? '1' : 'operator') + (route === 'GET /api/search' ? `?q=${encodeURIComponent(car.label)}` : '');
  return { path: filled, init: { method, ...(['POST', 'PATCH'].includes(method) && { body: '{}', headers: { 'content-type': 'application/json' } }) } };
};

// One back end: this is about the HTTP and socket guards, not the database.
describe.each(testBackends().slice(0, 1))('who may see and do what, on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it('enforces the route table for every API route and every role, signed out included', async () => {
    const answers: string[] = [];
    for (const [route, access] of Object.entries(apiRouteAccess) as [ApiRoute, Access][]) {
      for (const role of who) {
        // Signing out ends the session it uses: each role signs in afresh for it.
        const session = role === 'anonymous' ? undefined : route === 'DELETE /api/session' ? await signIn(server.url, role) : await server.as(role);
        const { path, init } = sample(route);
        const response = session ? await session.fetch(path, init) : await fetch(new URL(path, server.url), init);
        // "Who am I" is open to anyone, and its answer to nobody is 401.
        const whoAmIAnonymous = route === 'GET /api/session' && role === 'anonymous';
        const expected = whoAmIAnonymous ? 401 : access === 'public' ? 'through' : role === 'anonymous' ? 401 : access === 'signed-in' || can({ role, grants: [] }, access) ? 'through' : 403;
        const got = [401, 403].includes(response.status) ? response.status : 'through';
        const body = await response.text();
        answers.push(`${route} as ${role}: ${response.status}`);
        expect(got, `${route} as ${role} answered ${response.status}: ${body.slice(0, 300)}`).toBe(expected);
        if (got !== 'through') expect(JSON.parse(body), `${route} as ${role} says why`).toHaveProperty('error');
      }
    }
    expect(answers).toHaveLength(Object.keys(apiRouteAccess).length * who.length);
  });

  it('enforces the layer table for every live layer and every role, and refuses a socket without a session', async () => {
    for (const role of roles) {
      const live = await watchLive(server, [], role);
      try {
        for (const layer of liveLayers) {
          const result = await live.socket.timeout(5_000).emitWithAck('subscribe', [layer]);
          expect('layers' in result, `${role} subscribing to ${layer}`).toBe(can({ role, grants: [] }, layerPermission(layer)));
          if ('error' in result) expect(result.error).toMatch(new RegExp(`^the ${role} role may not see ${layer};`));
        }
        // resync is harmless for anyone: it only restarts the client's own, permitted positions.
        live.socket.emit('resync');
      } finally {
        live.socket.close();
      }
    }
    const refusal = (options: Parameters<typeof io>[1]) =>
      new Promise<string>((resolve) => {
        const socket = io(server.url, { transports: ['websocket'], reconnection: false, ...options });
        socket.on('connect', () => (socket.close(), resolve('connected')));
        socket.on('connect_error', (error) => (socket.close(), resolve((error as Error & { data?: { reason: string } }).data?.reason ?? error.message)));
      });
    const operator = await server.as('operator');
    expect(await refusal({}), 'no cookie').toBe('signed-out');
    expect(await refusal({ extraHeaders: { cookie: operator.cookie } }), 'the cookie alone, as a cross-site page could send it').toBe('csrf');
    expect(await refusal({ extraHeaders: { cookie: operator.cookie, origin: 'http://evil.example' }, auth: { csrf: operator.csrf } }), 'a foreign Origin').toBe('origin');
    expect(await refusal({ extraHeaders: { cookie: operator.cookie }, auth: { csrf: operator.csrf } })).toBe('connected');
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    expect(metrics).toMatch(/onescreen_socket_rejected_total\{event="connect",reason="origin"\} 1/);
  });

  it('refuses changes from a foreign Origin or without the CSRF token, and sends the security headers', async () => {
    const admin = await server.as('admin');
    const change = (headers: Record<string, string>) => admin.fetch('/api/users/operator', { method: 'PATCH', body: JSON.stringify({ displayName: 'x' }), headers: { 'content-type': 'application/json', ...headers } });
    expect((await change({ 'x-csrf-token': 'guess' })).status).toBe(403);
    expect((await change({ origin: 'http://evil.example' })).status).toBe(403);
    const signInFromElsewhere = await fetch(new URL('/api/session', server.url), { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ user: 'operator', password: demoPassword }) });
    expect(signInFromElsewhere.status).toBe(403);
    for (const path of ['/wall', '/api/session']) {
      const response = await fetch(new URL(path, server.url));
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('shows an official no police unit, by list, search or socket, until granted; then audits each read', async () => {
    const official = await server.as('official');
    const listed = (await (await official.fetch('/api/entities')).json()) as LiveEntity[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((entity) => entity.kind.startsWith('police'))).toEqual([]);
    expect((await official.fetch('/api/entities?kind=police-car')).status).toBe(403);
    expect(((await (await official.fetch(`/api/search?q=${encodeURIComponent(car.label)}`)).json()) as SearchHit[]).filter((hit) => hit.kind === 'entity')).toEqual([]);
    expect(((await (await official.fetch('/api/session')).json()) as { layers: LiveLayer[] }).layers).not.toContain('police-car');

    const granted = await (await server.as('admin')).fetch('/api/users/official', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grants: ['police-positions'] }) });
    expect(granted.status).toBe(200);
    const police = (await (await official.fetch('/api/entities?kind=police-car')).json()) as LiveEntity[];
    expect(police).toHaveLength(280);
    const live = await watchLive(server, ['police-car'], 'official');
    live.socket.close();
    expect(live.frames[0]).toMatchObject({ keyframe: true, rows: 280 });
    const readsOf = () => listAudit(server.db, { actor: 'official', action: 'police-positions-read', limit: 10 });
    // The socket's read is written beside the push, not before it.
    for (let tries = 0; (await readsOf()).length < 2 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    const reads = await readsOf();
    expect(reads.map((entry) => (entry.after as { via: string }).via)).toEqual(['socket subscribe', 'GET /api/entities']);
    expect((reads[1]!.after as { count: number }).count).toBe(280);
    // An operator is police: their reads are their job, not audited.
    await (await server.as('operator')).fetch('/api/entities?kind=police-car');
    expect(await listAudit(server.db, { actor: 'operator', action: 'police-positions-read', limit: 10 })).toEqual([]);
  });

  it('signs in with the right password only, slows a guesser down, and audits both', async () => {
    const attempt = (password: string, user = 'dispatcher') =>
      fetch(new URL('/api/session', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
    const right = await attempt(demoPassword);
    expect(right.status).toBe(200);
    // Signing in again over a live session (another tab, a kiosk reloaded) needs no token.
    const again = await fetch(new URL('/api/session', server.url), { method: 'POST', headers: { 'content-type': 'application/json', cookie: right.headers.get('set-cookie')!.split(';')[0]! }, body: JSON.stringify({ user: 'dispatcher', password: demoPassword }) });
    expect(again.status).toBe(200);
    expect(right.headers.get('set-cookie')).toMatch(/^onescreen_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect((await attempt('not it', 'nobody')).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(`guess ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const blocked = await attempt(demoPassword);
    expect([blocked.status, Number(blocked.headers.get('retry-after'))]).toEqual([429, expect.any(Number)]);
    expect((await blocked.json()).error).toMatch(/^too many failed sign-ins; wait \d+ min/);
    const log = await listAudit(server.db, { actor: 'dispatcher', limit: 20 });
    expect(log.filter((entry) => entry.action === 'sign-in-failed')).toHaveLength(5);
    expect(log.some((entry) => entry.action === 'sign-in')).toBe(true);
    expect(await listAudit(server.db, { actor: 'anonymous', action: 'sign-in-failed', limit: 5 })).toHaveLength(1);
  });

  it('lets an admin add and change users, audited with before and after, and closes a disabled user’s connections', async () => {
    const admin = await server.as('admin');
    const add = (body: object) => admin.fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await add({ id: 'wang.fang', displayName: '王芳', role: 'dispatcher', password: 'short' })).status).toBe(400);
    expect((await add({ id: 'wang.fang', displayName: '王芳', role: 'root', password: 'long enough pass' })).status).toBe(400);
    expect((await add({ id: 'Robert"); DROP TABLE users;--', displayName: 'x', role: 'operator', password: 'long enough pass' })).status).toBe(400);
    const created = await add({ id: 'wang.fang', displayName: '王芳', role: 'dispatcher', password: 'long enough pass' });
    expect([created.status, await created.json()]).toEqual([201, { id: 'wang.fang', displayName: '王芳', role: 'dispatcher', grants: [], disabled: false }]);
    expect((await add({ id: 'wang.fang', displayName: '又一个', role: 'operator', password: 'long enough pass' })).status).toBe(409);
    const lockout = await admin.fetch('/api/users/admin', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'operator' }) });
    expect([lockout.status, (await lockout.json()).error]).toEqual([400, 'you cannot disable yourself or give up your own admin role; ask another administrator']);

    const wang: TestSession = await signIn(server.url, 'wang.fang', 'long enough pass');
    const live = await watchLive({ url: server.url, as: async () => wang }, ['police-car']);
    const ended: string[] = [];
    live.socket.on('session-ended', (reason) => ended.push(reason));
    const disabled = await admin.fetch('/api/users/wang.fang', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    expect(disabled.status).toBe(200);
    expect(await until(() => live.socket.disconnected), 'the disabled user’s live connection closed').toBe(true);
    expect(ended).toEqual(['the session ended; sign in again']);
    expect((await wang.fetch('/api/city')).status).toBe(401);
    const [change] = await listAudit(server.db, { action: 'user-changed', limit: 1 });
    expect(change).toMatchObject({ actor: 'admin', objectId: 'wang.fang', before: { disabled: false }, after: { disabled: true } });
  });

  it('closes a session’s connections at sign-out, and a connection that comes back afterwards is refused', async () => {
    const session = await signIn(server.url, 'operator');
    const first = await watchLive({ url: server.url, as: async () => session }, ['alerts']);
    const second = await watchLive({ url: server.url, as: async () => session }, ['alerts']);
    // The second drops off (as a network would), and while it is away its session ends.
    second.socket.io.opts.reconnection = true;
    second.socket.io.reconnection(true);
    const refused = new Promise<string>((resolve) => second.socket.on('connect_error', (error) => resolve((error as Error & { data?: { reason: string } }).data?.reason ?? error.message)));
    second.socket.io.engine.close();
    expect((await session.fetch('/api/session', { method: 'DELETE' })).status).toBe(204);
    expect(await until(() => first.socket.disconnected)).toBe(true);
    expect(await refused, 'a recovering connection is checked like a new one').toBe('signed-out');
    second.socket.close();
    expect((await session.fetch('/api/city')).status).toBe(401);
  });

  it('takes pushed feeds only with an enabled key for that feed, which an admin issues and can disable', async () => {
    const batch = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ cameraId: karamay.cameras[0]!.id, type: 'congestion', severity: 2 }] }) };
    const cameras = (headers: Record<string, string> = {}) => fetch(new URL('/ingest/cameras', server.url), { ...batch, headers: { ...batch.headers, ...headers } });
    const noKey = await cameras();
    expect([noKey.status, (await noKey.json()).error]).toEqual([401, expect.stringMatching(/^no key: send the cameras feed's key as the x-api-key header/)]);
    expect((await cameras({ 'x-api-key': server.keys.open311 })).status, 'an Open311 key is not a camera key').toBe(401);
    expect((await cameras({ 'x-api-key': server.keys.cameras })).status).toBe(200);
    const report = await fetch(new URL('/open311/v2/requests.json', server.url), { method: 'POST', body: new URLSearchParams({ service_code: 'garbage', lat: '45.6', long: '84.87' }) });
    expect([report.status, await report.json()]).toEqual([401, [{ code: 401, description: expect.stringMatching(/^no key/) }]]);
    expect((await fetch(new URL('/open311/v2/requests.json', server.url))).status, 'citizens’ reports are not read without a key').toBe(401);
    expect((await fetch(new URL('/open311/v2/services.json', server.url))).status, 'what can be reported is public').toBe(200);

    const admin = await server.as('admin');
    const issued = (await (await admin.fetch('/api/feed-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '12345 热线 app', feed: 'open311' }) })).json()) as { id: string; key: string };
    expect(issued.key).toMatch(/^os_open311_[\w-]{32}$/);
    const listed = (await (await admin.fetch('/api/feed-keys')).json()) as object[];
    expect(JSON.stringify(listed)).not.toContain(issued.key);
    const withKey = () => fetch(new URL(`/open311/v2/requests.json?api_key=${issued.key}`, server.url));
    const disabled = await admin.fetch(`/api/feed-keys/${issued.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    expect(disabled.status).toBe(200);
    expect((await withKey()).status, 'a disabled key').toBe(401);
    await admin.fetch(`/api/feed-keys/${issued.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disabled: false }) });
    expect((await withKey()).status).toBe(200);
    expect((await listAudit(server.db, { action: 'feed-key-changed', limit: 5 })).map((entry) => (entry.after as { disabled: boolean }).disabled)).toEqual([false, true]);
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    expect(metrics).toMatch(/onescreen_ingest_rejected_total\{reason="no-key",source="http-cameras"\} 1/);
    expect(metrics).toMatch(/onescreen_ingest_rejected_total\{reason="bad-key",source="open311"\} 1/);
  });

  it('shows admins the feed items the database refused, to fix the sender and replay them', async () => {
    const item = { type: 'camera-event', cameraId: karamay.cameras[0]!.id, description: '限行\u0000' };
    await setAsideItem(server.db, 'camera', item, Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }));
    const listed = (await (await (await server.as('admin')).fetch('/api/set-aside')).json()) as SetAsideItem[];
    expect(listed[0]).toMatchObject({ pipeline: 'camera', errorCode: '22021', error: 'invalid byte sequence for encoding "UTF8": 0x00' });
    expect(JSON.parse(listed[0]!.item)).toEqual(item);
  });

  it('limits each tracker and each connection to what a real one sends', async () => {
    const fix = () => fetch(`${server.osmandUrl}?id=taxi-0009&lat=45.59&lon=84.87&timestamp=${Math.floor(Date.now() / 1000)}`, { method: 'POST' });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await fix()).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(30);
    const flooded = await fix();
    expect([flooded.status, await flooded.text()]).toEqual([429, 'device "taxi-0009" sent more than 30 fixes in 10 s; set its interval to 1 s or more\n']);

    const live = await watchLive(server, ['bus']);
    try {
      for (let i = 0; i < 40; i++) live.socket.emit('resync');
      const refused = await live.socket.timeout(5_000).emitWithAck('subscribe', ['bus']);
      expect(refused).toEqual({ error: 'more than 30 requests in 10 s on this connection; wait and subscribe again' });
    } finally {
      live.socket.close();
    }
  });

  it('disables demo accounts left on the demo password when the product starts in production mode', async () => {
    const lines: string[] = [];
    await ensureAccounts(server.db, { demo: false, adminPassword: undefined }, createLogger({ level: 'info', format: 'json', write: (line) => void lines.push(line) }));
    for (const role of ['operator', 'admin'] satisfies Role[]) {
      const response = await fetch(new URL('/api/session', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: role, password: demoPassword }) });
      expect(response.status, `${role} on the demo password`).toBe(401);
    }
    expect(lines.filter((line) => line.includes('demo account was still on the demo password'))).toHaveLength(4);
  });
});
