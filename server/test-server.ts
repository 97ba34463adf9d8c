import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { cumulativeLengths, demoPassword, distanceMetres, entityKinds, issueFeedKey, migrate, openDatabase, pointAlong, type CityData, type Database, type EntityKind, type KeyedFeed, type LonLat } from '../geo/index.ts';
import type { TestBackend } from '../geo/test-support.ts';
import { FrameReader, type ClientToServerEvents, type FrameRow, type LiveLayer, type PositionFrame, type ServerToClientEvents } from '../streams/index.ts';
export { demoPassword };
import { csrfHeader } from './auth.ts';
import { parseConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer, type RunningServer } from './start-server.ts';

/** A signed-in client of a test server: its cookie and CSRF token, and fetch with both. */
export interface TestSession {
  cookie: string;
  csrf: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** Signs in over the real API (a demo account by default), as a browser would. */
export async function signIn(url: string, user = 'operator', password = demoPassword): Promise<TestSession> {
  const response = await fetch(new URL('/api/session', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  if (!response.ok) throw new Error(`signing in as ${user} failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const { csrf } = (await response.json()) as { csrf: string };
  return {
    cookie,
    csrf,
    fetch: (path, init = {}) => fetch(new URL(path, url), { ...init, headers: { cookie, [csrfHeader]: csrf, ...(init.headers as Record<string, string>) } }),
  };
}

/**
 * A real server on a free port with a fresh database, in demo mode, for integration and browser
 * tests. `reachDatabase` rewrites the database URL the server is given (a fault-injecting proxy).
 */
/**
 * A server on a free port over a fresh database: the run's template city, or, with `prepare`, an
 * empty database that `prepare` fills (as `npm run import` would) before the server opens it.
 */
export async function startTestServer(
  backend: Pick<TestBackend, 'openSettings'>,
  env: NodeJS.ProcessEnv = {},
  reachDatabase: (url: string) => string = (url) => url,
  prepare?: (db: Database) => Promise<void>,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-test-'));
  // The default city starts copied from the run's template, as if migrated and loaded here.
  const settings = await backend.openSettings({ dataDir, withCity: !prepare });
  if (prepare) {
    const db = await openDatabase(settings.databaseUrl ? { backend: 'server', url: settings.databaseUrl } : { backend: 'embedded', dataDir });
    await migrate(db).then(() => prepare(db)).finally(() => db.close());
  }
  // Kept, not printed: a failing test can show what the server said.
  const logLines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', write: (line) => void logLines.push(line) });
  const config = parseConfig({ PORT: '0', OSMAND_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: settings.databaseUrl && reachDatabase(settings.databaseUrl), DEMO: '1', ...env });
  let server: RunningServer;
  try {
    server = await startServer(config, log);
  } catch (error) {
    await settings.dispose();
    throw error;
  }
  // Keys for the pushed feeds, as an administrator would issue them.
  const issue = async (feed: KeyedFeed) => (await issueFeedKey(server.db, { name: 'tests', feed, createdBy: 'tests' })).key;
  const keys = { cameras: await issue('cameras'), open311: await issue('open311'), alarms: await issue('alarms') };
  const sessions = new Map<string, Promise<TestSession>>();
  /** A session per demo account, signed in once. */
  const as = (user = 'operator') => sessions.get(user) ?? sessions.set(user, signIn(server.url, user)).get(user)!;
  return {
    url: server.url,
    osmandUrl: `http://127.0.0.1:${server.osmandPort}/`,
    db: server.db,
    logLines,
    as,
    /** fetch as the demo operator. */
    api: async (path: string, init?: RequestInit) => (await as()).fetch(path, init),
    keys,
    /** fetch to a pushed feed (/ingest/cameras, /ingest/alarms, /open311/v2/…) with its key, as a gateway or app would. */
    feed: (path: string, init: RequestInit = {}) =>
      fetch(new URL(path, server.url), { ...init, headers: { 'x-api-key': path.startsWith('/open311') ? keys.open311 : path.startsWith('/ingest/alarms') ? keys.alarms : keys.cameras, ...(init.headers as Record<string, string>) } }),
    async close() {
      await server.close();
      await settings.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/**
 * A value from the server's /metrics: the series named exactly (`name{labels}`), or, for a bare
 * metric name, the sum over all its series; 0 when there is none.
 */
export async function readMetric(serverUrl: string, series: string): Promise<number> {
  return (await readMetrics(serverUrl))(series);
}

/** One read of /metrics, for reading several series of the same moment (see `readMetric`). */
export async function readMetrics(serverUrl: string): Promise<(series: string) => number> {
  const lines = (await (await fetch(new URL('/metrics', serverUrl))).text()).split('\n');
  return (series) => {
    let sum = 0;
    for (const line of lines) {
      const cut = line.lastIndexOf(' ');
      const name = line.slice(0, cut);
      if (line.startsWith('#') || cut < 0) continue;
      if (name === series || (!series.includes('{') && name.startsWith(`${series}{`))) sum += Number(line.slice(cut + 1));
    }
    return sum;
  };
}

/** The first value `find` gives that is not undefined, polled every `everyMs`; throws after `timeoutMs`. */
export async function seen<T>(find: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, everyMs))) {
    const found = await find();
    if (found !== undefined) return found;
  }
  throw new Error(`not seen within ${timeoutMs} ms`);
}

/**
 * Files a citizen's report over Open311 and gives its service_request_id. A server that is behind
 * answers 202 with a token instead of 201 (the spec allows it; a loaded CI machine does it), so
 * the token is looked up until the report is registered.
 */
export async function fileReport(server: Pick<TestServer, 'feed'>, form: Record<string, string>): Promise<string> {
  const posted = await server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams(form) });
  const [answer] = (await posted.json()) as [{ service_request_id?: string; token?: string; description?: string }];
  if (posted.status === 201) return answer.service_request_id!;
  if (posted.status !== 202) throw new Error(`the report was answered ${posted.status}: ${answer.description}`);
  return seen(async () => {
    const looked = await server.feed(`/open311/v2/tokens/${answer.token}.json`);
    return looked.ok ? ((await looked.json()) as [{ service_request_id: string }])[0].service_request_id : undefined;
  }, 30_000);
}

/** A real Socket.IO client, signed in, subscribed to layers, reading position frames as the wall would. */
export async function watchLive(server: Pick<TestServer, 'url' | 'as'>, layers: readonly LiveLayer[] = entityKinds, user = 'operator') {
  const session = await server.as(user);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: session.cookie },
    auth: { csrf: session.csrf },
  });
  const reader = new FrameReader();
  /** The latest row per entity id. */
  const latest = new Map<string, FrameRow>();
  const frames: PositionFrame[] = [];
  socket.on('positions', (frame) => {
    frames.push(frame);
    const rows = reader.read(frame);
    if (rows === 'gap') throw new Error(`position frame ${frame.seq} came after a gap`);
    for (const row of rows) latest.set(row.id, row);
  });
  // A police layer's read is audited first; on the in-process embedded database that insert waits
  // behind whatever it is running, which under CI load once took over 10 s.
  const result = await socket.timeout(30_000).emitWithAck('subscribe', [...layers]);
  if ('error' in result) throw new Error(result.error);
  return {
    socket,
    latest,
    frames,
    /** The entity's row once `ready` holds for it, or undefined after `timeoutMs`. */
    async waitFor(id: string, ready: (row: FrameRow) => boolean = (row) => row.fixTime !== null, timeoutMs = 10_000) {
      for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const row = latest.get(id);
        if (row && ready(row)) return row;
      }
      return undefined;
    },
  };
}

/** The `count` units of a kind nearest a point, where the city placed them. */
export function nearestOfKind(city: CityData, kind: EntityKind, at: LonLat, count: number) {
  return city.entities
    .filter((entity) => entity.kind === kind)
    .sort((a, b) => distanceMetres(a.point, at) - distanceMetres(b.point, at))
    .slice(0, count);
}

/** One fix from a unit's tracker over OsmAnd, at a time in seconds since 1970. */
export const osmandFix = (osmandUrl: string, id: string, at: LonLat, epochS: number) =>
  fetch(`${osmandUrl}?id=${id}&lat=${at[1]}&lon=${at[0]}&timestamp=${epochS}&speed=30`, { method: 'POST' });

/**
 * Drives a unit along a route as its tracker reports it: a fix every 300 m or so, 20 s apart by
 * their timestamps and ending about now, each sent once the one before is applied (in `db`), so
 * each lands in a tick of its own however slow the ticks run. Answers the HTTP statuses.
 */
export async function driveAlong(osmandUrl: string, db: Database, id: string, route: LonLat[]): Promise<number[]> {
  const lengths = cumulativeLengths(route);
  const stops = Math.max(4, Math.ceil(lengths.at(-1)! / 300));
  const startS = Math.floor(Date.now() / 1000) - stops * 20;
  const statuses: number[] = [];
  for (let i = 1; i <= stops; i++) {
    const fixS = startS + i * 20;
    const { status } = await osmandFix(osmandUrl, id, pointAlong(route, lengths, (lengths.at(-1)! * i) / stops).at, fixS);
    statuses.push(status);
    if (status === 200) await appliedBy(db, id, fixS);
  }
  return statuses;
}

/** Waits until the unit's live state holds its fix of `fixS` (seconds since 1970), 30 s at most. */
async function appliedBy(db: Database, id: string, fixS: number): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const [row] = await db.query<{ s: number | null }>('SELECT extract(epoch FROM updated_at)::float8 AS s FROM entities WHERE id = $1', [id]);
    if ((row?.s ?? 0) >= fixS) return;
  }
  throw new Error(`${id}'s fix of ${new Date(fixS * 1000).toISOString()} was not applied within 30 s`);
}

/** A unit of `kind` and the crossing at the other end of a street it stands at (80–300 m): a case to send it to. */
export function caseNearUnit(city: CityData, kind: EntityKind): { scene: LonLat; unit: CityData['entities'][number] } {
  for (const unit of city.entities.filter((entity) => entity.kind === kind)) {
    const street = city.roadSegments.find(({ line, lengthM }) => lengthM > 80 && lengthM < 300 && distanceMetres(line[0]!, unit.point) < 1);
    if (street) return { scene: street.line.at(-1)!, unit };
  }
  throw new Error(`no ${kind} stands at the end of a street 80–300 m long`);
}

/**
 * Drives a unit along `route` in real time, as a replay must see it: a fix a second (OsmAnd's
 * timestamps are whole seconds), at most 75 m apart (the checks drop anything over 300 km/h), each
 * sent in a second after `afterS` and after `taken` has seen the one before. Answers the last second.
 */
export async function driveInRealTime(osmandUrl: string, id: string, route: LonLat[], afterS: number, taken: (second: number) => Promise<unknown>): Promise<number> {
  const lengths = cumulativeLengths(route);
  const stops = Math.max(4, Math.ceil(lengths.at(-1)! / 75));
  let sentS = afterS;
  for (let i = 1; i <= stops; i++) {
    const second = await seen(() => (Math.floor(Date.now() / 1000) > sentS ? Math.floor(Date.now() / 1000) : undefined), 2_000, 10);
    const { status } = await osmandFix(osmandUrl, id, pointAlong(route, lengths, (lengths.at(-1)! * i) / stops).at, second);
    if (status !== 200) throw new Error(`fix ${i} of ${id} answered ${status}`);
    sentS = second;
    await taken(second);
  }
  return sentS;
}
