import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestBackend } from '../geo/index.ts';
import { parseConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer, type RunningServer } from './start-server.ts';

/** A real server on a free port with a fresh database, for integration and browser tests. */
export async function startTestServer(backend: Pick<TestBackend, 'openSettings'>, env: NodeJS.ProcessEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-test-'));
  const settings = await backend.openSettings();
  // Kept, not printed: a failing test can show what the server said.
  const logLines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', write: (line) => void logLines.push(line) });
  const config = parseConfig({ PORT: '0', OSMAND_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: settings.databaseUrl, ...env });
  let server: RunningServer;
  try {
    server = await startServer(config, log);
  } catch (error) {
    await settings.dispose();
    throw error;
  }
  return {
    url: server.url,
    osmandUrl: `http://127.0.0.1:${server.osmandPort}/`,
    db: server.db,
    logLines,
    async close() {
      await server.close();
      await settings.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
export type TestServer = Awaited<ReturnType<typeof startTestServer>>;
