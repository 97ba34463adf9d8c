import { mkdirSync, readFileSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import pg from 'pg';
import { openEmbeddedThread, type EmbeddedEngine } from './embedded-thread.ts';
import { embeddedTemplate } from './embedded-template.ts';

/** What a query runs on: the database itself, or one transaction of it. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** One small interface over the embedded (PGlite) and server (PostgreSQL) back ends. */
export interface Database extends Queryable {
  readonly backend: 'embedded' | 'server';
  /** Where the data lives, for log lines: a directory or a URL without its password. */
  readonly location: string;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Makes every committed transaction durable on disk. PostgreSQL's commits already are; the
   * embedded one's are not (its fsync does nothing in WASM, and it starts with fsync off), so a
   * checkpoint is taken and its files fsynced from here.
   */
  flushToDisk(): Promise<void>;
  /**
   * Runs `work` on one connection outside any transaction (VACUUM and REINDEX CONCURRENTLY cannot
   * run in one), without the statement timeout (upkeep takes minutes on a large partition), while
   * holding the advisory lock `lockKey` (waiting its turn): upkeep that takes the same tables'
   * locks in another order would deadlock with it.
   */
  maintain<T>(lockKey: number, work: (connection: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  /**
   * No dataDir: in memory (tests). worker: PGlite runs on a thread of its own, so its statements
   * never hold the caller's event loop (the server's ticks).
   */
  | { backend: 'embedded'; dataDir?: string; worker?: boolean }
  /**
   * statementTimeoutMs: PostgreSQL stops any statement running longer (a runaway query cannot
   * hold the database); long jobs (migrations, loading a city) lift it for their transaction.
   * The embedded back end cannot stop a statement: PGlite has no timers.
   */
  | { backend: 'server'; url: string; statementTimeoutMs?: number };

/** A database that cannot be used as configured; the message says what to do. */
export class DatabaseSetupError extends Error {
  override name = 'DatabaseSetupError';
}
export function isDatabaseSetupError(error: unknown): error is DatabaseSetupError {
  return error instanceof DatabaseSetupError;
}

/** A statement PostgreSQL stopped at statement_timeout (SQLSTATE 57014). */
export function isStatementTimeout(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === '57014';
}

/** For long jobs inside a transaction: no statement timeout until it ends. */
export const noStatementTimeout = 'SET LOCAL statement_timeout = 0';

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const db = options.backend === 'embedded' ? await openEmbedded(options.dataDir, options.worker ?? false) : await openServer(options.url, options.statementTimeoutMs);
  await ensurePostgis(db);
  return db;
}

async function openEmbedded(dataDir: string | undefined, onWorker: boolean): Promise<Database> {
  let location = 'memory';
  if (dataDir) {
    location = resolve(dataDir);
    try {
      mkdirSync(location, { recursive: true });
    } catch (error) {
      throw new DatabaseSetupError(`cannot create DATA_DIR ${location}: ${(error as Error).message}; point DATA_DIR at a writable directory`);
    }
  }
  let engine: EmbeddedEngine;
  try {
    const template = dataDir ? embeddedTemplate(location) : undefined;
    engine = await (onWorker ? openEmbeddedThread : openEmbeddedHere)(dataDir ? location : undefined, template);
  } catch (error) {
    throw new DatabaseSetupError(
      `cannot open the embedded database in ${location}: ${(error as Error).message}; ` +
        'if another onescreen process uses this DATA_DIR stop it, otherwise move the directory away to start fresh',
    );
  }
  return {
    backend: 'embedded',
    location,
    query: engine.query,
    exec: engine.exec,
    transaction: engine.transaction,
    flushToDisk: async () => {
      if (!dataDir) return;
      await engine.checkpoint();
      await fsyncTree(location);
    },
    // One connection: the lock is the session's own and taken again at once (re-entrant), so rounds
    // are kept apart by the caller (housekeeping runs one at a time).
    maintain: (lockKey, work) => maintainOn({ query: engine.query, exec: engine.exec }, lockKey, work),
    close: engine.close,
  };
}

async function openEmbeddedHere(dataDir: string | undefined, template: string | undefined): Promise<EmbeddedEngine> {
  const lite = await PGlite.create(dataDir, { extensions: { postgis }, ...(template && { loadDataDir: new Blob([readFileSync(template)]) }) });
  return {
    query: async (sql, params) => (await lite.query(sql, params)).rows as never,
    exec: async (sql) => void (await lite.exec(sql)),
    transaction: (work) =>
      lite.transaction((tx) =>
        work({ query: async (sql, params) => (await tx.query(sql, params)).rows as never, exec: async (sql) => void (await tx.exec(sql)) }),
      ),
    checkpoint: async () => void (await lite.exec('CHECKPOINT')),
    close: () => lite.close(),
  };
}

async function openServer(url: string, statementTimeoutMs: number | undefined): Promise<Database> {
  const location = redactPassword(url);
  // jit=off: PostgreSQL compiled the ticks' statements for longer than they ran (733 ms of a
  // 3.7-s bus-delay statement for 500 buses, npm run bench gtfs-import).
  const pool = new pg.Pool({ connectionString: url, max: 8, options: '-c jit=off', ...(statementTimeoutMs && { statement_timeout: statementTimeoutMs }) });
  // An idle client that loses its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new DatabaseSetupError(`cannot connect to DATABASE_URL ${location}: ${(error as Error).message}; start PostgreSQL or fix DATABASE_URL`);
  }
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: async (sql, params) => (await client.query(sql, params)).rows,
    exec: async (sql) => void (await client.query(sql)),
  });
  return {
    backend: 'server',
    location,
    ...wrap(pool),
    async transaction(work) {
      const client = await pool.connect();
      // A connection lost between the transaction's statements is reported by the next one; unheard, it would end the process.
      const lost = () => {};
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', lost);
        client.release();
      }
    },
    flushToDisk: async () => {},
    async maintain(lockKey, work) {
      const client = await pool.connect();
      const lost = () => {};
      client.on('error', lost);
      try {
        await client.query('SET statement_timeout = 0');
        return await maintainOn(wrap(client), lockKey, work);
      } finally {
        // Back to the pool with the pool's timeout, or closed if that cannot be said.
        const unreset = await client.query('RESET statement_timeout').then(() => undefined, (error: Error) => error);
        client.off('error', lost);
        client.release(unreset);
      }
    },
    close: () => pool.end(),
  };
}

// How often a held upkeep lock is asked for again, ms.
const lockPollMs = 500;

/** Runs `work` on one connection while it holds the advisory lock `lockKey` (see Database.maintain). */
async function maintainOn<T>(connection: Queryable, lockKey: number, work: (connection: Queryable) => Promise<T>): Promise<T> {
  // Asked for again, not waited for in a statement: REINDEX CONCURRENTLY waits for every open
  // transaction to end, the one waiting for its holder's lock too (a deadlock).
  for (;;) {
    const [held] = await connection.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey]);
    if (held?.locked) break;
    await new Promise((resolve) => setTimeout(resolve, lockPollMs));
  }
  try {
    return await work(connection);
  } finally {
    await connection.query('SELECT pg_advisory_unlock($1)', [lockKey]);
  }
}

/** fsyncs every file under `dir`, and the directories, so their names last too. */
async function fsyncTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const path of [...entries.map((entry) => join(entry.parentPath, entry.name)), dir]) {
    const handle = await open(path, 'r').catch(() => undefined); // removed meanwhile: nothing to keep
    if (!handle) continue;
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

async function ensurePostgis(db: Database): Promise<void> {
  try {
    await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  } catch (error) {
    const reason = (error as Error).message;
    await db.close();
    const fix =
      db.backend === 'server'
        ? 'install PostGIS on that server (Debian: apt-get install -y postgresql-15-postgis-3) or run CREATE EXTENSION postgis as a superuser'
        : 'reinstall dependencies with npm install (the embedded PostGIS ships in @electric-sql/pglite-postgis)';
    throw new DatabaseSetupError(`PostGIS is not available in the database at ${db.location}: ${reason}; ${fix}`);
  }
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
