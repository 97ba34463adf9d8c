import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, type AuditRecord, type LonLat, type SegmentTraffic } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { FrameReader, type Incident, type LiveAssignment, type PostureSnapshot, type ReplayClock, type ReplayRequest, type ReplayResult, type UnitCandidate, type Warning } from '../streams/index.ts';
import { caseNearUnit, driveInRealTime, fileReport, osmandFix, seen, startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const { scene, unit: inspector } = caseNearUnit(karamay, 'inspector');
const car = karamay.entities.find((entity) => entity.kind === 'police-car')!;
const camera = karamay.cameras[0]!;

/** What a screen saw of one case, its unit and the warnings: live, or replayed. */
interface Seen {
  incidentStatuses: string[];
  assignmentStatuses: string[];
  warnings: number[];
  /** The unit's positions in the order its frames carried them, with their fix times. */
  positions: { lon: number; lat: number; fixTime: number }[];
}

// One back end: this is about the replay's messages and roles; geo/replay-reads.test.ts reads both.
describe.each(testBackends().slice(0, 1))('replaying the city over the live connection, on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200' });
  });
  afterAll(() => server?.close());

  /** What a screen's messages showed of the inspector's case, its unit and the warnings, in order. */
  const follow = (screen: Awaited<ReturnType<typeof watchLive>>, fromFrame = 0) => {
    const incidents: Incident[] = [];
    const assignments: LiveAssignment[] = [];
    const warnings: number[] = [];
    screen.socket.on('incidents', (pushed) => incidents.push(...pushed));
    screen.socket.on('assignments', (pushed) => assignments.push(...pushed));
    screen.socket.on('warning', (warning) => warnings.push(warning.id));
    const changes = <T>(values: T[]) => values.filter((value, i) => value !== values[i - 1]);
    return {
      warnings,
      incidentStatuses: (id: number) => changes(incidents.filter((i) => i.id === id).map((i) => i.status)),
      assignmentStatuses: () => changes(assignments.filter((a) => a.unitId === inspector.id).map((a) => a.status)),
      /** The unit's positions in the order the frames carried them, each new fix once. */
      positions() {
        const reader = new FrameReader();
        const shown: { lon: number; lat: number; fixTime: number }[] = [];
        for (const [index, frame] of screen.frames.entries()) {
          const rows = reader.read(frame);
          if (rows === 'gap') throw new Error(`frame ${frame.seq} after a gap`);
          if (index < fromFrame) continue;
          for (const row of rows) if (row.id === inspector.id && row.fixTime !== null && row.fixTime !== shown.at(-1)?.fixTime) shown.push({ lon: row.lon, lat: row.lat, fixTime: row.fixTime });
        }
        return shown;
      },
    };
  };

  it('replays a report, a dispatch, the unit driving to the scene and a warning: the same states in the same order at the same places, with no rule run', async () => {
    const dispatcher = await server.as('dispatcher');
    const post = (path: string, body: unknown) => dispatcher.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const fix = (at: LonLat, epochS: number) => osmandFix(server.osmandUrl, inspector.id, at, epochS);
    const live = await watchLive(server, ['inspector', 'incidents', 'dispatch'], 'dispatcher');
    const liveSeen = follow(live);
    const started = Date.now() - 1_000;
    // Recorded live: the unit reports, a citizen reports, the dispatcher sends the unit, it drives there, a warning goes out.
    const sentS = Math.floor(Date.now() / 1000);
    expect((await fix(inspector.point, sentS)).status).toBe(200);
    // Its road crawls at 8 km/h in the minute just past (a camera's detector record).
    const periodStart = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).toISOString();
    const record = { cameraId: camera.id, periodStart, periodS: 60, volume: 12, occupancyPct: 40, meanSpeedKmh: 8 };
    expect((await server.feed('/ingest/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ readings: [record] }) })).status).toBe(200);
    await fileReport(server, { service_code: 'garbage', lat: String(scene[1]), long: String(scene[0]), description: '垃圾满溢' });
    const registered = await seen(async () => ((await (await dispatcher.fetch('/api/incidents')).json()) as Incident[]).find((i) => i.category === 'garbage'));
    const [best] = await seen(async () => {
      const { candidates } = (await (await dispatcher.fetch(`/api/incidents/${registered.id}/candidates`)).json()) as { candidates: UnitCandidate[] };
      return candidates.length > 0 ? candidates : undefined;
    });
    expect(best!.id).toBe(inspector.id);
    expect((await post(`/api/incidents/${registered.id}/assignments`, { unitId: inspector.id })).status).toBe(201);
    // Its tracker reports along the route in real time, each fix applied before the next.
    await seen(() => liveSeen.incidentStatuses(registered.id).includes('dispatched') || undefined);
    // Timed after the dispatch (whole seconds), as they were shown after it.
    const lastS = await driveInRealTime(server.osmandUrl, inspector.id, best!.route, Math.floor(Date.now() / 1000), (second) => seen(() => liveSeen.positions().find((p) => p.fixTime === second * 1000)));
    await seen(() => liveSeen.incidentStatuses(registered.id).includes('handling') || undefined);
    const issued = await post('/api/warnings', { message: '暴雨红色预警', center: scene, radiusM: 1_500 });
    expect(issued.status).toBe(201);
    const warning = (await issued.json()) as Warning;
    await seen(() => liveSeen.warnings.includes(warning.id) || undefined);
    const ended = Date.now() + 500;
    live.socket.close();

    const counts = () => server.db.query<{ incidents: number; alerts: number; history: number }>(
      `SELECT (SELECT count(*)::int FROM incidents) AS incidents, (SELECT count(*)::int FROM geofence_alerts) AS alerts, (SELECT count(*)::int FROM incident_history) AS history`,
    );
    const before = await counts();
    // Replayed: from before it began, at ×2, on a screen that watched the live city first. (At ×5 a
    // step stalled 200 ms under CI load spans a second of the past, and a frame carries each unit's
    // latest fix in it, as live: the fix before is never drawn.)
    const screen = await watchLive(server, ['inspector', 'incidents', 'dispatch'], 'dispatcher');
    try {
      // What it showed live (its first keyframe) is not part of the replay.
      const replayed = follow(screen, (await seen(() => screen.frames.length || undefined)));
      const clocks: ReplayClock[] = [];
      const traffic: SegmentTraffic[] = [];
      const boards: PostureSnapshot[] = [];
      screen.socket.on('replay-clock', (clock) => clocks.push(clock));
      screen.socket.on('traffic', (segments) => traffic.push(...segments));
      screen.socket.on('posture', (snapshot) => boards.push(snapshot));
      // The screen watches the posture boards: replaying, they come at the replayed moment.
      expect(await screen.socket.timeout(10_000).emitWithAck('watch-posture', { range: 'live', boards: ['cases', 'traffic'] })).toMatchObject({ query: { range: 'live' } });
      const boardsAt = (at: number) => seen(() => boards.find((snapshot) => snapshot.replayed && Date.parse(snapshot.at) === at), 5_000);
      const liveBoards = () => boards.filter((snapshot) => !snapshot.replayed).length;
      await seen(() => liveBoards() || undefined);
      const actions: AuditRecord[] = [];
      screen.socket.on('replay-audit', (entries) => actions.push(...entries));
      const ask = (request: ReplayRequest) => screen.socket.timeout(30_000).emitWithAck('replay', request) as Promise<ReplayResult>;
      expect(await ask({ at: started, speed: 2, playing: true })).toMatchObject({ clock: { at: started, speed: 2, playing: true } });
      await seen(() => clocks.find((clock) => clock.at >= ended), 30_000);
      expect(liveSeen.incidentStatuses(registered.id)).toEqual(['registered', 'dispatched', 'handling']);
      expect(replayed.incidentStatuses(registered.id)).toEqual(liveSeen.incidentStatuses(registered.id));
      expect(replayed.assignmentStatuses()).toEqual(['en-route', 'on-scene']);
      expect(replayed.warnings).toEqual([warning.id]);
      const [livePositions, replayedPositions] = [liveSeen.positions(), replayed.positions()];
      expect(livePositions.at(-1)!.fixTime).toBe(lastS * 1000);
      expect(replayedPositions).toEqual(livePositions);
      expect(await counts(), 'a replay opens no case, raises no alert').toEqual(before);
      expect(traffic.filter((segment) => segment.segmentId === camera.segmentId).map((segment) => segment.speedKmh), 'the road as the camera measured it').toEqual([8]);
      const boardsBefore = await boardsAt(started);
      expect(boardsBefore.traffic!.slowestSegments.map((segment) => segment.segmentId), 'the record came after').not.toContain(camera.segmentId);
      // What the dispatcher did, in step: the unit sent, then the warning; no sign-in, and not where it was done from.
      const acted = actions.filter((entry) => entry.actor === 'dispatcher').map((entry) => [entry.action, entry.objectId]);
      expect(acted).toEqual([['unit-assigned', String(registered.id)], ['warning-issued', String(warning.id)]]);
      expect(actions.some((entry) => 'client' in entry), 'a dispatcher is not shown where requests came from').toBe(false);

      // Jumping back to the dispatch: the screen is told to start over, and gets the case as it stood then.
      const dispatchedAt = (await server.db.query<{ ms: number }>(`SELECT extract(epoch FROM at)::float8 * 1000 AS ms FROM incident_history WHERE incident_id = $1 AND to_status = 'dispatched'`, [registered.id]))[0]!.ms;
      const resetsBefore = clocks.filter((clock) => clock.reset).length;
      const jumped = follow(screen);
      expect(await ask({ at: Math.ceil(dispatchedAt) + 1, playing: false })).toMatchObject({ clock: { playing: false } });
      expect(clocks.filter((clock) => clock.reset)).toHaveLength(resetsBefore + 1);
      expect(jumped.incidentStatuses(registered.id)).toEqual(['dispatched']);
      const then = await boardsAt(Math.ceil(dispatchedAt) + 1);
      expect(then.cases!.openNow, 'the case open then').toBe(boardsBefore.cases!.openNow + 1);
      expect(then.traffic!.slowestSegments.find((segment) => segment.segmentId === camera.segmentId), 'the road as the camera measured it').toMatchObject({ speedKmh: 8 });
      expect(then.units, 'units\' duty is not kept in history').toBeUndefined();
      // Paused, a step of a minute shows the rest.
      expect(await ask({ stepMs: 60_000 })).toMatchObject({ clock: { playing: false } });
      expect(jumped.incidentStatuses(registered.id)).toEqual(['dispatched', 'handling']);

      expect(liveBoards(), 'no live boards while replaying').toBe(1);
      // A warning issued live now does not reach the replaying screen; back to live, it is a live screen again.
      const during = (await (await post('/api/warnings', { message: '大风蓝色预警', center: scene, radiusM: 500 })).json()) as Warning;
      expect(await screen.socket.timeout(10_000).emitWithAck('live')).toEqual({ ok: true });
      expect(replayed.warnings).not.toContain(during.id);
      expect(await ask({ speed: 2 })).toEqual({ error: expect.stringMatching(/^no replay is playing on this connection/) });
      expect(await ask({ at: started, speed: 500 })).toEqual({ error: expect.stringMatching(/^replay takes/) });
    } finally {
      screen.socket.close();
    }
  });

  it('replays only the units a role may see, and audits a granted official\'s replay of police units', async () => {
    expect((await osmandFix(server.osmandUrl, car.id, car.point, Math.floor(Date.now() / 1000))).status).toBe(200);
    await seen(async () => ((await server.db.query('SELECT 1 FROM position_history WHERE entity_id = $1', [car.id])).length > 0) || undefined);
    const keyframeOf = async (user: string) => {
      // Subscribed to nothing live: every frame it gets is the replay's.
      const screen = await watchLive(server, [], user);
      try {
        const result = await screen.socket.timeout(30_000).emitWithAck('replay', { at: Date.now(), playing: false });
        expect(result).toMatchObject({ clock: { playing: false } });
        return new FrameReader().read((await seen(() => screen.frames[0]))) as { id: string; kind: string }[];
      } finally {
        screen.socket.close();
      }
    };
    expect((await keyframeOf('operator')).map((row) => row.id)).toContain(car.id);
    expect((await keyframeOf('official')).filter((row) => row.kind.startsWith('police')), 'no police unit for an official').toEqual([]);
    const granted = await (await server.as('admin')).fetch('/api/users/official', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grants: ['police-positions'] }) });
    expect(granted.status).toBe(200);
    expect((await keyframeOf('official')).map((row) => row.id)).toContain(car.id);
    // A screen that shows no units (the console, the boards) asks for its layers: no positions are read or sent.
    const consoleScreen = await watchLive(server, [], 'dispatcher');
    try {
      const incidents: Incident[][] = [];
      consoleScreen.socket.on('incidents', (pushed) => incidents.push(pushed));
      expect(await consoleScreen.socket.timeout(30_000).emitWithAck('replay', { at: Date.now(), playing: false, layers: ['incidents', 'dispatch'] })).toMatchObject({ clock: { playing: false } });
      // The keyframe would have come before the answer, as the cases did.
      expect([consoleScreen.frames.length, incidents.length]).toEqual([0, 1]);
    } finally {
      consoleScreen.socket.close();
    }
    const reads = await listAudit(server.db, { actor: 'official', action: 'police-positions-read', limit: 10 });
    expect(reads.map((entry) => (entry.after as { via: string }).via)).toContain('socket replay');
  });
});
