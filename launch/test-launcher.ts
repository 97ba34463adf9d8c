// For the launcher's tests: `npm start` as its own process, on a copy of the run's template city.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '../geo/test-support.ts';
import { freePort } from '../server/test-network.ts';
import { signIn } from '../server/test-server.ts';

/** Starts launch/main.ts --demo with every simulator on; resolves once the server is ready. `stop` sends SIGTERM and answers the exit code. */
export async function startLauncher(env: NodeJS.ProcessEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-launch-'));
  // PostgreSQL when there is one: the launcher is under test, not the embedded database (two PGlite boots cost a busy CI ~40 s).
  const database = await testBackends().at(-1)!.openSettings({ dataDir, withCity: true });
  const [port, osmandPort] = [await freePort(), await freePort()];
  const startedAt = Date.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'launch/main.ts', '--demo'], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: database.databaseUrl ?? '', PORT: String(port), OSMAND_PORT: String(osmandPort), HOST: '127.0.0.1', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const cleanUp = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (const started = Date.now(); !output.includes('[launch] simulating'); await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (child.exitCode !== null || Date.now() - started > 180_000) {
      await cleanUp();
      throw new Error(`the launcher did not start the product:\n${output}`);
    }
  }
  return {
    url,
    /** When the launcher was started (ms): positions newer than this came from its simulators. */
    startedAt,
    output: () => output,
    as: (user: string) => signIn(url, user),
    async stop(): Promise<number | null> {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await exited;
      await cleanUp();
      return code;
    },
    cleanUp,
  };
}
