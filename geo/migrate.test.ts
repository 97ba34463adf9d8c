import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isStatementTimeout, migrate, MigrationError, noStatementTimeout, openDatabase, readMigrations, type Database } from './index.ts';
import { resetDatabase, testBackends } from './test-support.ts';

describe.each(testBackends())('migrations on the $name database', ({ open }) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db.close());
  beforeEach(() => resetDatabase(db));

  const tables = async () =>
    (await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.name);

  it('creates the schema with GiST indexes on every geometry but position history, and a second run changes nothing', async () => {
    expect(await migrate(db)).toEqual(readMigrations().map((m) => m.version));
    expect(await tables()).toEqual(expect.arrayContaining([
      'bus_route_stops', 'bus_routes', 'bus_stops', 'camera_sites', 'cameras', 'city', 'communities', 'districts', 'entities',
      'grid_cells', 'incidents', 'police_stations', 'position_history', 'road_segments', 'roads', 'schema_migrations', 'water',
    ]));
    const unindexed = await db.query<{ table: string }>(
      `SELECT f_table_name AS "table" FROM geometry_columns g
       -- city holds one row: an index there would never be used. Position history is read by time
       -- window (a BRIN index): a GiST index cost every tick's insert more than it saved; so are its partitions.
       -- Its keyframes and fence alerts' history are read by time, never by place.
       WHERE f_table_schema = 'public' AND f_table_name NOT IN ('city', 'geofence_alert_history')
         AND f_table_name NOT LIKE 'position\_history%' AND f_table_name NOT LIKE 'position\_keyframes%' AND NOT EXISTS (
         SELECT 1 FROM pg_indexes i WHERE i.tablename = g.f_table_name AND i.indexdef ILIKE '%gist%' AND i.indexdef LIKE '%' || g.f_geometry_column || '%')`,
    );
    expect(unindexed).toEqual([]);
    const srids = await db.query<{ srid: number }>(`SELECT DISTINCT srid FROM geometry_columns WHERE f_table_schema = 'public'`);
    expect(srids.map((r) => Number(r.srid))).toEqual([4326]);
    expect(await migrate(db)).toEqual([]);
  });

  it('rolls a failing migration back whole and leaves the database at its previous version', async () => {
    await migrate(db);
    const broken = { version: 9_001, name: 'broken', sql: 'CREATE TABLE half_done (id int); ALTER TABLE no_such_table ADD COLUMN x int;' };
    const failure = await migrate(db, [...readMigrations(), broken]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as Error).message).toMatch(/migration 9001 \(broken\) failed and was rolled back: .*no_such_table.*; the database is unchanged/);
    expect(await tables()).not.toContain('half_done');
    const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
  });
});

// PostgreSQL only: the embedded back end (PGlite) has no timers to stop a statement with.
describe.skipIf(!process.env.DATABASE_URL)('statement_timeout on PostgreSQL', () => {
  it('stops a statement that runs too long, except inside a long job that lifts the limit', async () => {
    const db = await openDatabase({ backend: 'server', url: process.env.DATABASE_URL!, statementTimeoutMs: 200 });
    try {
      const stopped = await db.query('SELECT pg_sleep(1)').catch((error: unknown) => error);
      expect(isStatementTimeout(stopped), String(stopped)).toBe(true);
      const lifted = await db.transaction(async (tx) => {
        await tx.query(noStatementTimeout);
        return tx.query<{ done: number }>('SELECT 1 AS done FROM pg_sleep(0.5)');
      });
      expect(lifted).toEqual([{ done: 1 }]);
    } finally {
      await db.close();
    }
  });
});
