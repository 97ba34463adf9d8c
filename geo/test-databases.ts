import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /**
   * Same, as the settings a server would be started with. `withCity`: the database starts as a
   * copy of the run's template city (see createTestTemplates), migrated and loaded; otherwise it
   * starts empty but for PostGIS. An embedded database is written into `dataDir`.
   */
  openSettings(options: { dataDir: string; withCity?: boolean }): Promise<{ databaseUrl?: string; dispose(): Promise<void> }>;
}

/**
 * Databases made once per test run and copied per test: a test that starts from one gets the same
 * database as one that migrated and loaded it, without paying ~12 s to boot the embedded PostGIS
 * and ~1 s per city load each time. Made by the test run's global setup; found in the environment.
 */
export interface TestTemplates {
  /** The city held by the `city` templates (a city profile id). */
  city: string;
  /** Embedded data directories: PostGIS only, and migrated with the city loaded. */
  embedded: { postgis: string; city: string };
  /** On DATABASE_URL's server: a database migrated with the city loaded. */
  server?: { city: string };
}

/** Where test workers find the run's templates (set by createTestTemplates). */
export const templatesVariable = 'ONESCREEN_TEST_TEMPLATES';

export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  const templates = env[templatesVariable] ? (JSON.parse(env[templatesVariable]) as TestTemplates) : undefined;
  const embedded: TestBackend = {
    name: 'embedded',
    async open() {
      if (!templates) return openDatabase({ backend: 'embedded' });
      const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-db-'));
      cpSync(templates.embedded.postgis, dataDir, { recursive: true });
      const db = await openDatabase({ backend: 'embedded', dataDir });
      return { ...db, close: async () => (await db.close(), rmSync(dataDir, { recursive: true, force: true })) };
    },
    async openSettings({ dataDir, withCity }) {
      if (templates) cpSync(withCity ? templates.embedded.city : templates.embedded.postgis, dataDir, { recursive: true });
      return { dispose: async () => {} };
    },
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
    async openSettings({ withCity }) {
      const template = withCity ? templates?.server?.city : undefined;
      const scratch = await createScratchDatabase(url, template);
      return { databaseUrl: scratch.url, dispose: scratch.drop };
    },
  };
  return [embedded, server];
}

/**
 * Makes the run's templates (each with `load` run on it after migrating) and puts where they are
 * in `env`, for test workers started after it. Answers a function that removes them.
 */
export async function createTestTemplates(city: string, load: (db: Database) => Promise<unknown>, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const root = mkdtempSync(join(tmpdir(), 'onescreen-templates-'));
  const embedded = { postgis: join(root, 'postgis'), city: join(root, city) };
  const fill = async (db: Database) => {
    try {
      await migrate(db);
      await load(db);
    } finally {
      await db.close();
    }
  };
  const makeEmbedded = async () => {
    await (await openDatabase({ backend: 'embedded', dataDir: embedded.postgis })).close();
    cpSync(embedded.postgis, embedded.city, { recursive: true });
    await fill(await openDatabase({ backend: 'embedded', dataDir: embedded.city }));
  };
  const url = env.DATABASE_URL;
  const makeServer = async () => {
    if (!url) return undefined;
    const scratch = await createScratchDatabase(url);
    await fill(await openDatabase({ backend: 'server', url: scratch.url }));
    return scratch;
  };
  const [, serverTemplate] = await Promise.all([makeEmbedded(), makeServer()]);
  const templates: TestTemplates = { city, embedded, ...(serverTemplate && { server: { city: serverTemplate.name } }) };
  env[templatesVariable] = JSON.stringify(templates);
  return async () => {
    delete env[templatesVariable];
    await serverTemplate?.drop();
    rmSync(root, { recursive: true, force: true });
  };
}

// Tests on one PostgreSQL server must not see each other's data: each gets its own database,
// empty or copied from a template (a file copy: no other session may be connected to it).
async function createScratchDatabase(url: string, template?: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
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
  await admin(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return { name, url: scratch.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Empties a test database between tests: drops every table except those PostGIS owns. */
export async function resetDatabase(db: Database): Promise<void> {
  await db.exec(`DO $$ DECLARE t record; BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
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
