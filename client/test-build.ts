// The client as the browser tests see it: built once per test run by the global setup, into a
// directory the test workers find in the environment.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the browser tests find the client built for this run. */
export const clientDirVariable = 'ONESCREEN_TEST_CLIENT_DIR';

/** Builds the client as it is now (not whatever was built last) into a temporary directory. */
export async function buildClientForTests(): Promise<string> {
  const { build } = await import('vite');
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-client-'));
  await build({ configFile: join(process.cwd(), 'client/vite.config.ts'), logLevel: 'warn', build: { outDir: dir } });
  return dir;
}
