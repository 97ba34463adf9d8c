// Whole-city replay (issue 21) at Karamay's scale with a day of history, and at the megacity's
// with its last 15 minutes (a day of 100,000 units is ~10⁹ fixes; a seek and ×60 read only the
// minutes around the clock, and one unit's day is written for its track). Over a real server and
// Socket.IO client: a seek to any minute until its keyframe is on the client, ×60 frames a second,
// one unit's day as GET …/track; each beside the database read it cannot do without, in the same run.
import { io, type Socket } from 'socket.io-client';
import { cityChanges, entityKinds, historyBytes, positionsAt, type Database } from '../geo/index.ts';
import { createTestTemplates, testBackends } from '../geo/test-support.ts';
import { loadCity, type CityProfileId } from '../seeds/index.ts';
import { startTestServer, type TestServer } from '../server/test-server.ts';
import type { ClientToServerEvents, PositionFrame, ReplayClock, ReplayRequest, ServerToClientEvents } from '../streams/index.ts';
import { backendName, type BenchOptions, type BenchOutput, type Figure } from './report.ts';
import { partitionHistoryFrom, writeHistory } from './replay-history.ts';
import { ms, percentile, timed } from './timing.ts';

const hourMs = 3_600_000;
const minuteMs = 60_000;
const seeks = 30;
const playS = 10;

type Screen = Socket<ServerToClientEvents, ClientToServerEvents>;

async function openScreen(server: TestServer): Promise<Screen> {
  const session = await server.as('operator');
  const screen: Screen = io(server.url, { transports: ['websocket'], extraHeaders: { cookie: session.cookie }, auth: { csrf: session.csrf } });
  await new Promise((resolve) => screen.once('connect', () => resolve(undefined)));
  return screen;
}

// A connection may ask 30 times in 10 s (server/realtime.ts): seeks go no faster than someone scrubbing.
const seekEveryMs = 400;

async function ask(screen: Screen, request: ReplayRequest): Promise<void> {
  const answer = await screen.timeout(30_000).emitWithAck('replay', request);
  if ('error' in answer) throw new Error(`replay ${JSON.stringify(request)}: ${answer.error}`);
}

/** From asking for a moment until its keyframe is on the client, ms. */
async function seekTimes(screen: Screen, moments: number[]): Promise<number[]> {
  const times: number[] = [];
  for (const at of moments) {
    const started = performance.now();
    const keyframe = new Promise<void>((resolve) => {
      const take = (frame: PositionFrame) => frame.keyframe && (screen.off('positions', take), resolve());
      screen.on('positions', take);
    });
    await ask(screen, { at, playing: false });
    await keyframe;
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, seekEveryMs - (performance.now() - started))));
  }
  return times;
}

/** Plays at ×60 for `playS` seconds: position frames a second, and how fast the clock ran against ×60. */
async function playAt60(screen: Screen, from: number): Promise<{ framesPerS: number; speedShare: number; waitingShare: number }> {
  let frames = 0;
  const clocks: (ReplayClock & { seen: number })[] = [];
  const countFrame = () => (frames += 1);
  const noteClock = (clock: ReplayClock) => clocks.push({ ...clock, seen: performance.now() });
  await ask(screen, { at: from, speed: 60, playing: false });
  screen.on('positions', countFrame);
  screen.on('replay-clock', noteClock);
  const started = performance.now();
  await ask(screen, { playing: true });
  await new Promise((resolve) => setTimeout(resolve, playS * 1000));
  screen.off('positions', countFrame);
  screen.off('replay-clock', noteClock);
  const elapsedS = (performance.now() - started) / 1000;
  // Paused again: a replay left playing would read history beside the figures measured after it.
  await ask(screen, { playing: false });
  const [first, last] = [clocks[0]!, clocks.at(-1)!];
  return {
    framesPerS: frames / elapsedS,
    speedShare: (last.at - first.at) / ((last.seen - first.seen) * 60),
    waitingShare: clocks.filter((clock) => clock.waiting).length / clocks.length,
  };
}

async function trackTimes(server: TestServer, db: Database, unitId: string, from: number, to: number) {
  const operator = await server.as('operator');
  const http = await timed(async () => {
    const answer = await operator.fetch(`/api/history/units/${unitId}/track?from=${from}&to=${to}`);
    if (!answer.ok) throw new Error(`track: ${answer.status} ${await answer.text()}`);
    await answer.json();
  }, 10);
  const raw = await timed(() => db.query('SELECT ST_X(geom), ST_Y(geom), event_time, speed_kmh FROM position_history WHERE entity_id = $1 AND event_time BETWEEN to_timestamp($2::float8 / 1000) AND to_timestamp($3::float8 / 1000) ORDER BY event_time', [unitId, from, to]), 10);
  const [{ points }] = (await db.query<{ points: number }>(`SELECT count(*)::int AS points FROM position_history WHERE entity_id = $1`, [unitId])) as [{ points: number }];
  return { http, raw, points };
}

/** A figure, or what stopped it (a figure not met says why rather than vanish from the table). */
async function figureOr(figure: string, target: string, measure: () => Promise<Omit<Figure, 'target' | 'figure'> & { figure?: string }>): Promise<Figure> {
  try {
    return { figure, target, ...(await measure()) };
  } catch (error) {
    return { figure, measured: `not measured: ${(error as Error).message}`, baseline: '—', ratio: '—', target };
  }
}

/** The figures of one city with `spanMs` of everyone's history (and a day of one police car's). */
async function measureCity(cityId: CityProfileId, spanMs: number, quick: boolean, log: (line: string) => void): Promise<Figure[]> {
  const removeTemplates = await createTestTemplates(cityId, (db) => loadCity(db, cityId));
  let server: TestServer | undefined;
  try {
    const backend = testBackends().at(-1)!;
    const name = `${cityId}, ${backendName(backend)}`;
    // Kept two days: the server's rounds would drop the day's first hour while the benchmark runs.
    server = await startTestServer(backend, { CITY: cityId, HISTORY_RETENTION_HOURS: '48' });
    const db = server.db;
    const end = Date.now();
    const day = 24 * hourMs;
    await partitionHistoryFrom(db, end - day);
    const wroteStarted = performance.now();
    await writeHistory(db, end, spanMs, (hour) => log(`  ${name}: hour ${hour} of history written (${((performance.now() - wroteStarted) / 1000).toFixed(0)} s)`));
    const [{ id: car }] = (await db.query<{ id: string }>(`SELECT id FROM entities WHERE kind = 'police-car' ORDER BY id LIMIT 1`)) as [{ id: string }];
    if (spanMs < day) await writeHistory(db, end - spanMs, day - spanMs, () => {}, { entityIds: [car] });
    const [{ rows }] = (await db.query<{ rows: number }>('SELECT count(*)::int AS rows FROM position_history')) as [{ rows: number }];
    const positions = await historyBytes(db, 'position_history');
    const detector = await historyBytes(db, 'camera_readings');
    const keyframes = await historyBytes(db, 'position_keyframes');
    const events = await db.query<{ bytes: string }>(
      `SELECT sum(pg_total_relation_size(t))::bigint::text AS bytes FROM unnest(ARRAY['incidents', 'incident_history', 'incident_assignments', 'warnings', 'geofence_alerts', 'camera_events', 'audit_log']::regclass[]) t`,
    );
    const perDay = (bytes: number) => `${((bytes * day) / spanMs / 1e6).toLocaleString('en', { maximumFractionDigits: 0 })} MB`;

    const screen = await openScreen(server);
    try {
      const start = end - spanMs;
      const moments = Array.from({ length: quick ? 10 : seeks }, (_, i) => start + Math.round(((i * 7919) % seeks) * ((spanMs - minuteMs) / seeks)) + minuteMs);
      const playFrom = start + Math.min(spanMs / 4, 30 * minuteMs);
      return [
        { figure: `replay history per day, ${name} (${Math.round((rows * day) / spanMs).toLocaleString('en')} fixes a day)`, measured: `${perDay(positions.total)} positions with their indexes, their keyframes each minute ${perDay(keyframes.total)}; detector records ${perDay(detector.total)}; cases, units sent, warnings, events and the audit log ${perDay(Number(events[0]!.bytes ?? 0))}`, baseline: `positions' rows alone ${perDay(positions.heap)}`, ratio: `${(positions.total / positions.heap).toFixed(2)}×`, target: 'stated' },
        await figureOr(`seek to a minute until its keyframe is on the client, ${name}`, '≤ 1 s p99', async () => {
          const seek = await seekTimes(screen, moments);
          const read: number[] = [];
          for (const at of moments.slice(0, 10)) read.push(...(await timed(() => positionsAt(db, at, entityKinds), 1)));
          return { figure: `seek to a minute until its keyframe is on the client, p50 / p99 of ${seek.length}, ${name}`, measured: `${ms(percentile(seek, 50))} / ${ms(percentile(seek, 99))}`, baseline: `the moment's positions read alone p50 ${ms(percentile(read, 50))}`, ratio: `${(percentile(seek, 50) / percentile(read, 50)).toFixed(1)}×` };
        }),
        await figureOr(`×60 for ${playS} s: position frames a second on the client, ${name}`, '≥ 20 frames/s at ×60', async () => {
          const played = await playAt60(screen, playFrom);
          // A minute at a time: as one read, the megacity's 5.7 million fixes ran past the statement timeout.
          let readMs = 0;
          for (let at = playFrom; at < playFrom + playS * minuteMs; at += minuteMs) readMs += (await timed(() => cityChanges(db, at, at + minuteMs, entityKinds), 1))[0]!;
          return { measured: `${played.framesPerS.toFixed(1)} frames/s; clock at ${(played.speedShare * 100).toFixed(0)} % of ×60, waiting on history ${(played.waitingShare * 100).toFixed(0)} % of its clocks`, baseline: `the ${playS} min played read alone, a minute at a time, in ${ms(readMs)} (${((playS * minuteMs) / readMs / 60).toFixed(1)}× what ×60 needs)`, ratio: `${(played.framesPerS / 20).toFixed(2)}× of 20` };
        }),
        await figureOr(`one unit's 24 h track over HTTP, ${name}`, '≤ 200 ms', async () => {
          const track = await trackTimes(server!, db, car, end - day + minuteMs, end);
          return { figure: `one unit's 24 h track over HTTP (${track.points.toLocaleString('en')} fixes, with its stops), p50 / p99 of 10, ${name}`, measured: `${ms(percentile(track.http, 50))} / ${ms(percentile(track.http, 99))}`, baseline: `its rows read alone p50 ${ms(percentile(track.raw, 50))}`, ratio: `${(percentile(track.http, 50) / percentile(track.raw, 50)).toFixed(1)}×` };
        }),
      ];
    } finally {
      screen.close();
    }
  } finally {
    await server?.close();
    await removeTemplates();
  }
}

export async function benchReplay(options: BenchOptions): Promise<BenchOutput> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const karamay = await measureCity('karamay', (options.quick ? 2 : 24) * hourMs, options.quick, log);
  // The megacity's figures are the second half: a failure there keeps Karamay's.
  const megacity = options.quick ? [] : await measureCity('megacity', 15 * minuteMs, false, log).catch((error: unknown) => [`megacity failed: ${(error as Error).stack ?? String(error)}`]);
  return [...karamay, ...megacity];
}
