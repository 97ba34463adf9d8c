// A crash mid-stream: the server is killed (SIGKILL) while trackers send, and started again on the
// same data. Every fix it acknowledged must be in the database afterwards, once.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, defaultCity, generateCity } from '../seeds/index.ts';
import { startServerOnFreePorts, startServerProcess } from './test-process.ts';
import { compareWithHistory, historyTimes, totalAcknowledged, trackers } from './test-trackers.ts';

const city = generateCity(cityProfiles[defaultCity]);
const units = city.entities.filter((entity) => entity.kind === 'police-car').slice(0, 40);
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  // A failed run must not leave a server behind.
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** A server process (on two free ports unless `env` names them), killed at the end of the file if a failure left it running. */
async function startProcess(env: NodeJS.ProcessEnv) {
  const started = env.PORT ? { ...(await startServerProcess(env)), port: Number(env.PORT), osmandPort: Number(env.OSMAND_PORT) } : await startServerOnFreePorts(env);
  children.push(started.child);
  return started;
}

describe.each(testBackends())('a server killed mid-stream, on the $name database', (backend) => {
  it('has every acknowledged fix after it starts again, each once', { timeout: 300_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-crash-'));
    dirs.push(dataDir);
    const settings = await backend.openSettings({ dataDir, withCity: true });
    const env = { DATA_DIR: dataDir, DATABASE_URL: settings.databaseUrl ?? '', HOST: '127.0.0.1' };
    let db: Database | undefined;
    try {
      // Ticks 20 s apart: what is acknowledged before the kill is in the log, not yet in the database.
      const first = await startProcess({ ...env, TICK_MS: '20000' });
      // Started again where the trackers send.
      const { port, osmandPort } = first;
      const sending = trackers(units, 40, () => [`http://127.0.0.1:${osmandPort}/`]);
      for (const started = Date.now(); totalAcknowledged(sending.acknowledged) < 200; await new Promise((resolve) => setTimeout(resolve, 20))) {
        if (Date.now() - started > 60_000) throw new Error('the trackers got no answers');
      }
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
      const acknowledgedBeforeKill = totalAcknowledged(sending.acknowledged);

      const second = await startProcess({ ...env, PORT: String(port), OSMAND_PORT: String(osmandPort), TICK_MS: '200' });
      const restartLog = second.output();
      await sending.done;
      db = settings.databaseUrl ? await openDatabase({ backend: 'server', url: settings.databaseUrl }) : undefined;
      const expected = totalAcknowledged(sending.acknowledged);
      // Applied: the server's backlog gauge reads 0 once every acknowledged fix is in a tick.
      for (const started = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 200))) {
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        if (/^onescreen_ingest_backlog_events 0$/m.test(metrics)) break;
        if (Date.now() - started > 60_000) throw new Error(`the backlog did not drain:\n${metrics}`);
      }
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
      db ??= await openDatabase({ backend: 'embedded', dataDir });

      const stored = await db.query<{ entity_id: string; ms: string }>(historyTimes);
      expect(compareWithHistory(sending.acknowledged, stored)).toEqual({ missing: 0, duplicated: 0, stored: expected });
      // The kill left acknowledged fixes in the log only; the restart applied them before taking input.
      expect(acknowledgedBeforeKill).toBeGreaterThanOrEqual(200);
      expect(restartLog).toMatch(/applying the ingest log’s unapplied tail before taking input.*"events":\d+/);
    } finally {
      await db?.close();
      await settings.dispose();
    }
  });
});
