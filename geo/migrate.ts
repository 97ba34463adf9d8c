import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { noStatementTimeout, type Database } from './database.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The product's migrations: `geo/migrations/NNNN_name.sql`, applied in version order. */
export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 4)), name: file.slice(5, -4), sql: readFileSync(dir + file, 'utf8') }));
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

// Any fixed number: several server processes sharing one PostgreSQL migrate one at a time.
const migrationLockKey = 72_201_901;

/**
 * Applies the migrations the database has not seen yet, each in its own transaction: a failing
 * one is rolled back whole and stops the run, leaving the database at the last good version.
 * Returns the versions applied.
 */
export async function migrate(db: Database, migrations = readMigrations()): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query(noStatementTimeout);
      await tx.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (seen.length > 0) return false;
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(
          `migration ${migration.version} (${migration.name}) failed and was rolled back: ${(error as Error).message}; ` +
            'the database is unchanged at its previous version — fix the migration or restore the database, then start again',
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
