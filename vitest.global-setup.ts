// Once per test run, before any worker starts: the databases every test copies (see
// geo/test-databases.ts), the client built once for the browser tests, and Chromium found.
// Vitest runs a global setup for the root project and again for each project; the work is
// shared through globalThis, which every setup in this process sees.
import { existsSync, rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildClientForTests, clientDirVariable } from './client/test-build.ts';
import { createTestTemplates } from './geo/test-support.ts';
import { defaultCity } from './server/config.ts';
import { loadCity } from './seeds/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Debian's Chromium for the browser tests, or '' where it is not installed. */
    chromiumPath: string;
  }
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type Shared = { templates?: Promise<() => Promise<void>>; client?: Promise<string> };
const shared = ((globalThis as { onescreenTestSetup?: Shared }).onescreenTestSetup ??= {});

export default async function setup(project: TestProject) {
  const found = existsSync(chromiumPath);
  project.provide('chromiumPath', found ? chromiumPath : '');
  if (!found && ['browser', 'long'].includes(project.name)) {
    const notice = `Chromium not found at ${chromiumPath}: the browser tests are ${process.env.CI ? 'FAILING (CI=true requires them)' : 'SKIPPED'}. Install it with: apt-get install -y chromium`;
    process.stderr.write(`\n${notice}\n\n`);
  }
  const started = performance.now();
  const owner = !shared.templates;
  shared.templates ??= createTestTemplates(defaultCity, (db) => loadCity(db, defaultCity));
  // Only the browser and long projects' files need the client; building it alongside the databases overlaps the two.
  if (found && project.vitest.projects.some((each) => ['browser', 'long'].includes(each.name))) shared.client ??= buildClientForTests();
  const [removeTemplates, clientDir] = await Promise.all([shared.templates, shared.client]);
  if (clientDir) process.env[clientDirVariable] = clientDir;
  if (owner) process.stdout.write(`test set-up (template databases${clientDir ? ', client build' : ''}): ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (!owner) return undefined;
  return async () => {
    await removeTemplates();
    const dir = await shared.client;
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
