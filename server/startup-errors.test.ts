import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseSetupError, openDatabase } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-startup-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the server's entry point (`npm run serve`; `npm start` launches it) as a process and returns what it printed and how it ended. */
function start(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', OSMAND_PORT: '0', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('a start that cannot succeed', () => {
  it('stops on a malformed setting with one line saying what to fix', async () => {
    const { code, stderr } = await start({ PORT: 'http' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'onescreen: invalid configuration: PORT="http": expected a whole number from 0 to 65535; fix the environment variable and start again',
    ]);
  });

  it('stops on an unreachable database with one line naming it and the fix', async () => {
    const { code, stderr } = await start({ DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/city' });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^onescreen: cannot connect to DATABASE_URL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/city: .*; start PostgreSQL or fix DATABASE_URL$/);
  });

  it('stops on a database that holds no city with one line saying how to load one', async () => {
    // PostgreSQL when there is one: an empty database either way, and no PGlite boot to wait for.
    const empty = await testBackends().at(-1)!.openSettings({ dataDir });
    try {
      const { code, stderr } = await start({ DATABASE_URL: empty.databaseUrl ?? '' });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^onescreen: the database at .* holds no city yet: load one with `npm run city -- karamay` \(or start the demo with `npm start`, which loads it\)$/)]);
    } finally {
      await empty.dispose();
    }
  });
});

// Needs a PostgreSQL server to make a role that may not create extensions, as a locked-down host has.
describe.skipIf(!process.env.DATABASE_URL)('a PostgreSQL database without PostGIS', () => {
  it('is refused with the reason and how to install PostGIS', async () => {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const database = `onescreen_nopostgis_${process.pid}`;
    await admin.query('DO $$ BEGIN CREATE ROLE onescreen_limited LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$');
    await admin.query(`CREATE DATABASE ${database} OWNER onescreen_limited`);
    try {
      const url = new URL(process.env.DATABASE_URL!);
      [url.username, url.pathname] = ['onescreen_limited', `/${database}`];
      const failure = await openDatabase({ backend: 'server', url: url.toString() }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseSetupError);
      expect((failure as Error).message).toMatch(
        /^PostGIS is not available in the database at .*: permission denied to create extension "postgis".*; install PostGIS on that server \(Debian: apt-get install -y postgresql-15-postgis-3\) or run CREATE EXTENSION postgis as a superuser$/,
      );
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });
});
