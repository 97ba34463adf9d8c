import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatementTimeout, openDatabase, type Database, type Queryable } from './index.ts';
import { testBackends } from './test-support.ts';

// The statement timeout is PostgreSQL's alone (PGlite has no timers); upkeep on both back ends runs in geo/history-partitions.test.ts.
describe.each(testBackends().filter((backend) => backend.name === 'server'))('upkeep on the $name database, past its statement timeout', (backend) => {
  let db: Database;
  let dispose: () => Promise<void>;
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-maintain-'));
  beforeAll(async () => {
    const settings = await backend.openSettings({ dataDir });
    dispose = settings.dispose;
    // PostGIS made first: making it takes longer than the timeout.
    await (await openDatabase({ backend: 'server', url: settings.databaseUrl! })).close();
    db = await openDatabase({ backend: 'server', url: settings.databaseUrl!, statementTimeoutMs: 200 });
  });
  afterAll(async () => {
    await db.close();
    await dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs statements a transaction cannot hold, for as long as they take, one holder of its lock at a time, and gives the connection back with the timeout', async () => {
    const order: string[] = [];
    const work = (name: string) => async (connection: Queryable) => {
      order.push(`${name} began`);
      await connection.exec('SELECT pg_sleep(0.5)');
      await connection.exec('VACUUM (ANALYZE) pg_class');
      order.push(`${name} ended`);
      return name;
    };
    expect(await Promise.all([db.maintain(1, work('first')), db.maintain(1, work('second'))])).toEqual(['first', 'second']);
    expect(order.map((step) => step.split(' ')[1]), 'one holder of the lock at a time').toEqual(['began', 'ended', 'began', 'ended']);
    const [shown] = await db.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(shown?.statement_timeout).toBe('200ms');
    const late = await db.query('SELECT pg_sleep(0.5)').catch((error: unknown) => error);
    expect(isStatementTimeout(late)).toBe(true);
  });
});
