import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CityData } from './city-data.ts';
import { insertCity } from './city-tables.ts';
import { openDatabase, type Database } from './database.ts';
import { migrate } from './migrate.ts';

/** A back end the database tests run on: embedded always, PostgreSQL too when DATABASE_URL is set. */
export interface TestBackend {
  name: 'embedded' | 'server';
  /** A fresh, empty database with PostGIS; closing it also removes it. */
  open(): Promise<Database>;
  /** Same, as the settings a server would be started with. */
  openSettings(): Promise<{ databaseUrl?: string; dispose(): Promise<void> }>;
}

export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  const embedded: TestBackend = {
    name: 'embedded',
    open: () => openDatabase({ backend: 'embedded' }),
    openSettings: async () => ({ dispose: async () => {} }),
  };
  const url = env.DATABASE_URL;
  if (!url) return [embedded];
  const server: TestBackend = {
    name: 'server',
    async open() {
      const scratch = await createScratchDatabase(url);
      const db = await openDatabase({ backend: 'server', url: scratch.url });
      return { ...db, close: async () => (await db.close(), await scratch.drop()) };
    },
    async openSettings() {
      const scratch = await createScratchDatabase(url);
      return { databaseUrl: scratch.url, dispose: scratch.drop };
    },
  };
  return [embedded, server];
}

// Tests on one PostgreSQL server must not see each other's data: each gets its own database.
async function createScratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `onescreen_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return { url: scratch.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Empties a test database between tests: drops every table except those PostGIS owns. */
export async function resetDatabase(db: Database): Promise<void> {
  await db.exec(`DO $$ DECLARE t record; BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', t.relname); END LOOP; END $$`);
}

/** A fresh database on the back end, migrated and holding the city. */
export async function openWithCity(backend: TestBackend, city: CityData): Promise<Database> {
  const db = await backend.open();
  await migrate(db);
  await insertCity(db, city);
  return db;
}
