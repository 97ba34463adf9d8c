import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import {
  insertCity,
  listHistoryPartitions,
  makeHistoryPartitions,
  migrate,
  persistCameraEvents,
  persistCameraReadings,
  persistPositionBatch,
  pruneEventLogs,
  pruneHistory,
  readMigrations,
  tendHistory,
  trackSql,
  type Database,
  type PositionFix,
} from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const hour = 3_600_000;
// Mid-hour, whole seconds: the partitions' hours are known from it.
const now = Math.floor(Date.now() / hour) * hour + 30 * 60_000;
const thisHour = now - 30 * 60_000;
const car = city.entities.find((e) => e.kind === 'police-car')!;
const fixAt = (eventTime: number): PositionFix => ({
  entityId: car.id, lon: car.point[0], lat: car.point[1], headingDeg: null, speedKmh: null, eventTime, receivedAt: eventTime, sourceId: 'test',
});
const camera = city.cameras[0]!;
const readingAt = (eventTime: number) => ({ cameraId: camera.id, eventTime, receivedAt: eventTime, sourceId: 'test', periodS: 60, volume: 4, occupancyPct: 10, meanSpeedKmh: 40 });

/** Where each stored row went: partition → event times (ms), for the table's rows. */
async function placement(db: Database, table: 'position_history' | 'camera_readings'): Promise<Record<string, number[]>> {
  const time = table === 'position_history' ? 'event_time' : 'period_start';
  const rows = await db.query<{ part: string; ms: string }>(
    `SELECT tableoid::regclass::text AS part, (extract(epoch FROM ${time}) * 1000)::bigint::text AS ms FROM ${table} ORDER BY ${time}`,
  );
  const placed: Record<string, number[]> = {};
  for (const row of rows) (placed[row.part] ??= []).push(Number(row.ms));
  return placed;
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 13).replace(/\D/g, '');

describe.each(testBackends())('history partitions on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('makes this hour and the next three, puts each row in its hour, and the rest in the default partition', async () => {
    const made = await makeHistoryPartitions(db, 24, now);
    const hours = [0, 1, 2, 3].map((n) => thisHour + n * hour);
    expect(made).toEqual(['position_history', 'camera_readings', 'position_keyframes'].flatMap((table) => hours.map((h) => `${table}_p${stamp(h)}`)));
    expect(await listHistoryPartitions(db, 'position_history')).toEqual(hours.map((h) => ({ name: `position_history_p${stamp(h)}`, from: h, to: h + hour })));
    expect(await makeHistoryPartitions(db, 24, now), 'a second round makes nothing').toEqual([]);

    const times = [now - 30 * hour, now - 5_000, now + 40 * 60_000, now + 10 * hour];
    await persistPositionBatch(db, times.map(fixAt));
    await persistCameraReadings(db, times.map(readingAt));
    for (const table of ['position_history', 'camera_readings'] as const) {
      expect(await placement(db, table)).toEqual({
        [`${table}_default`]: [times[0], times[3]],
        [`${table}_p${stamp(thisHour)}`]: [times[1]],
        [`${table}_p${stamp(thisHour + hour)}`]: [times[2]],
      });
    }
    await persistPositionBatch(db, [fixAt(times[0]!), fixAt(times[1]!)]);
    const placed = await placement(db, 'position_history');
    expect(placed[`position_history_p${stamp(thisHour)}`], 'a fix sent again is stored once').toEqual([times[1]]);
    expect(placed.position_history_default, 'in the default partition too').toEqual([times[0], times[3]]);
  });

  it('moves what the default partition holds for a new hour into it', async () => {
    const later = now + 7 * hour;
    expect(await makeHistoryPartitions(db, 24, later)).toContain(`position_history_p${stamp(thisHour + 10 * hour)}`);
    expect(await placement(db, 'position_history')).toMatchObject({
      position_history_default: [now - 30 * hour],
      [`position_history_p${stamp(thisHour + 10 * hour)}`]: [now + 10 * hour],
    });
  });

  it("vacuums each closed hour once, newest first, and a unit's track then reads history's key alone", async () => {
    const later = now + 2 * hour; // thisHour and the hour after have closed
    const closed = (h: number) => ['position_history', 'camera_readings'].map((table) => `${table}_p${stamp(h)}`);
    // A concurrent build that failed (duplicate keys) leaves an invalid index, as a stopped REINDEX CONCURRENTLY does.
    const partition = `position_history_p${stamp(thisHour + hour)}`;
    await persistPositionBatch(db, [fixAt(now + 45 * 60_000)]);
    await expect(db.exec(`CREATE UNIQUE INDEX CONCURRENTLY half_made ON ${partition} (entity_id)`)).rejects.toThrow();
    const indexes = () => db.query<{ name: string }>(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = '${partition}'::regclass ORDER BY 1`);
    expect((await indexes()).map((row) => row.name)).toContain('half_made');
    expect(await tendHistory(db, later)).toEqual(closed(thisHour + hour));
    expect(await tendHistory(db, later)).toEqual(closed(thisHour));
    expect(await tendHistory(db, later), 'each once').toEqual([]);
    expect((await indexes()).map((row) => row.name), "the half-made index dropped; the bare key gave way to the track's").toEqual([`${partition}_event_time_idx`, `${partition}_track`]);
    const plan = await db.transaction(async (tx) => {
      // The planner would scan so small a table whole; what is asked is whether the key alone can answer.
      await tx.query('SET LOCAL enable_seqscan = off');
      await tx.query('SET LOCAL enable_bitmapscan = off');
      const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${trackSql}`, [car.id, thisHour, thisHour + 2 * hour - 1]);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan.match(/Index Only Scan using position_history_p\d+_track/g)).toHaveLength(2);
    // A backlog of old fixes written into a readied hour later (its pages grown): readied again, its key built anew.
    const trackOid = () => db.query<{ oid: number }>(`SELECT oid::int AS oid FROM pg_class WHERE relname = '${partition}_track'`);
    const [before] = await trackOid();
    await persistPositionBatch(db, Array.from({ length: 400 }, (_, i) => fixAt(thisHour + hour + 1_000 + i * 1_000)));
    expect(await tendHistory(db, later)).toContain(partition);
    const [after] = await trackOid();
    expect(after!.oid, 'rebuilt').not.toBe(before!.oid);
    expect(plan).not.toMatch(/Index Scan using|Seq Scan/);
    expect(plan.match(/Heap Fetches: \d+/g), 'no row read from its page').toEqual(['Heap Fetches: 0', 'Heap Fetches: 0']);
    // An open partition takes fixes under its bare key, and still stores a fix sent again once.
    const open = `position_history_p${stamp(thisHour + 2 * hour)}`;
    expect((await db.query<{ name: string }>(`SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = '${open}'::regclass AND indisunique`)).map((row) => row.name)).toEqual([`${open}_key`]);
    // The later tests count each partition's rows.
    await db.query('DELETE FROM position_history WHERE event_time = $1 OR event_time BETWEEN $2 AND $3', [now + 45 * 60_000, thisHour + hour + 1_000, thisHour + hour + 400_000].map((ms) => new Date(ms).toISOString()));
  });

  it('drops each hour that ended past the retention whole, and the default partition\'s older rows', async () => {
    const at = now + 25 * hour; // retention 24 h: the hours before thisHour + 1 h are past it
    const pruned = await pruneHistory(db, 24, at);
    expect(pruned).toEqual({
      partitions: ['position_history', 'camera_readings', 'position_keyframes'].map((table) => `${table}_p${stamp(thisHour)}`),
      rowsOutsidePartitions: 2,
    });
    for (const table of ['position_history', 'camera_readings'] as const) {
      expect(await placement(db, table)).toEqual({
        [`${table}_p${stamp(thisHour + hour)}`]: [now + 40 * 60_000],
        [`${table}_p${stamp(thisHour + 10 * hour)}`]: [now + 10 * hour],
      });
    }
    expect(await pruneHistory(db, 24, at)).toEqual({ partitions: [], rowsOutsidePartitions: 0 });
    // A unit with history still cannot be removed: the check reads every partition.
    await expect(db.query('DELETE FROM entities WHERE id = $1', [car.id])).rejects.toMatchObject({ code: '23503' });
  });

  it('keeps each kind as long as its own retention: detector records, positions, and by days camera events and cleared fence alerts', async () => {
    // Detector records 2 h, positions (and their keyframes) 100 h: at 13 h on, the records' hours are past theirs, the fixes are kept.
    const pruned = await pruneHistory(db, { position_history: 100, camera_readings: 2 }, now + 13 * hour);
    expect(pruned.partitions).toContain(`camera_readings_p${stamp(thisHour + 10 * hour)}`);
    expect(pruned.partitions.filter((name) => !name.startsWith('camera_readings_'))).toEqual([]);
    expect(await placement(db, 'camera_readings')).toEqual({});
    expect(Object.values(await placement(db, 'position_history')).flat()).toEqual([now + 40 * 60_000, now + 10 * hour]);

    const day = 24 * hour;
    await persistCameraEvents(db, [now - 100 * day, now - day].map((eventTime) => ({ cameraId: camera.id, eventTime, receivedAt: eventTime, sourceId: 'test', kind: 'accident', severity: 3, description: String(eventTime) })));
    const [fence] = await db.query<{ id: number }>(`INSERT INTO geofences (name, kind, geom, created_by) VALUES ('test', 'area', ST_Buffer(ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.01)::geometry(Polygon, 4326), 'test') RETURNING id::int AS id`, car.point);
    const alert = (daysAgo: number, state: string) =>
      db.query(`INSERT INTO geofence_alerts (geofence_id, entity_id, event, at, last_at, geom, severity, state) VALUES ($1, $2, 'enter', $3, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), 2, $6)`, [
        fence!.id, car.id, new Date(now - daysAgo * day).toISOString(), ...car.point, state,
      ]);
    await alert(100, 'cleared');
    await alert(100, 'new');
    await alert(1, 'cleared');
    expect(await pruneEventLogs(db, 90, now)).toEqual({ cameraEvents: 1, geofenceAlerts: 1 });
    expect((await db.query<{ description: string }>('SELECT description FROM camera_events')).map((row) => Number(row.description))).toEqual([now - day]);
    expect((await db.query<{ state: string }>('SELECT state FROM geofence_alerts ORDER BY at, state')).map((row) => row.state), 'one still open is kept however old').toEqual(['new', 'cleared']);
  });
});

describe.each(testBackends())('history stored before partitions, on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(() => db.close());

  it('becomes one partition up to the next hour, keeps its keys, and goes whole once past the retention', async () => {
    await migrate(db, readMigrations().filter((m) => m.version < 27));
    await insertCity(db, city);
    const stored = [now - 3 * hour, now - 5_000];
    await persistPositionBatch(db, stored.map(fixAt));
    await persistCameraReadings(db, stored.map(readingAt));
    expect(await migrate(db)).toEqual(readMigrations().filter((m) => m.version >= 27).map((m) => m.version));

    for (const table of ['position_history', 'camera_readings'] as const) {
      expect(await listHistoryPartitions(db, table)).toEqual([{ name: `${table}_until_0027`, from: null, to: Math.floor(Date.now() / hour) * hour + hour }]);
      expect(await placement(db, table)).toEqual({ [`${table}_until_0027`]: stored });
    }
    await persistPositionBatch(db, stored.map(fixAt));
    await persistCameraReadings(db, stored.map(readingAt));
    expect(await placement(db, 'position_history'), 'sent again: stored once').toEqual({ position_history_until_0027: stored });
    await expect(db.query(`INSERT INTO camera_readings (camera_id, period_start, period_s, volume, occupancy_pct, received_at, source_id)
      VALUES ('no-such-camera', now(), 60, 1, 1, now(), 'test')`)).rejects.toMatchObject({ code: '23503' });

    const made = await makeHistoryPartitions(db, 24);
    expect(made[0], 'partitions go on from where the old rows end').toBe(`position_history_p${stamp(Math.floor(Date.now() / hour) * hour + hour)}`);
    expect((await pruneHistory(db, 24, Date.now() + 26 * hour)).partitions).toEqual(expect.arrayContaining(['position_history_until_0027', 'camera_readings_until_0027']));
  });
});
