import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './index.ts';

/** How many times a 5-ms timer fired while `work` ran: none when the work held the event loop throughout. */
async function timerTurnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  const timer = setInterval(() => (turns += 1), 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return turns;
}

// A statement that keeps WASM PostgreSQL busy for a while (about a second here).
const busyStatement = 'SELECT count(*)::int AS n FROM generate_series(1, 400000) g WHERE g % 7 = 0';

describe('the embedded database on a worker thread (the server opens it so)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-embedded-thread-'));
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ backend: 'embedded', dataDir, worker: true });
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, at timestamptz, tags text[])');
  });
  afterAll(async () => {
    await db.close().catch(() => {}); // the last test closes it
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers queries with their parameters and types, as PGlite on the caller thread does', async () => {
    const at = new Date('2026-12-04T08:00:00Z');
    await db.query('INSERT INTO t VALUES ($1, $2, $3)', [1, at, ['a', 'b']]);
    expect(await db.query('SELECT id, at, tags, ST_AsText(ST_MakePoint(84.9, 45.6)) AS wkt FROM t')).toEqual([{ id: 1, at, tags: ['a', 'b'], wkt: 'POINT(84.9 45.6)' }]);
  });

  it('commits a transaction, rolls back one whose work threw, and keeps the error’s SQLSTATE', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (2)');
      await tx.query('INSERT INTO t (id) VALUES (3)');
    });
    const duplicate = await db
      .transaction(async (tx) => {
        await tx.query('INSERT INTO t (id) VALUES (4)');
        await tx.query('INSERT INTO t (id) VALUES (2)');
      })
      .catch((error: unknown) => error as Error & { code?: string });
    expect(duplicate).toMatchObject({ code: '23505', constraint: 't_pkey' });
    expect(await db.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('keeps the event loop turning while a statement runs, where PGlite on the caller thread holds it', async () => {
    // PGlite as it is, on this thread (without PostGIS, which the statement does not need).
    const here = await PGlite.create();
    try {
      expect(await timerTurnsDuring(() => here.query(busyStatement))).toBe(0);
    } finally {
      await here.close();
    }
    expect(await timerTurnsDuring(() => db.query(busyStatement))).toBeGreaterThan(5);
  });

  it('keeps what it committed on disk, and once closed says what to do', async () => {
    await db.flushToDisk();
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow(/restart onescreen/);
    const reopened = await openDatabase({ backend: 'embedded', dataDir });
    try {
      expect(await reopened.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 3 }]);
    } finally {
      await reopened.close();
    }
  });
});
