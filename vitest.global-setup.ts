// Once per test run, before any worker starts: the databases every test copies (see
// geo/test-databases.ts), the client built once for the browser tests, and Chromium found.
// Vitest runs a global setup for the root project and again for each project; the work is
// shared through globalThis, which every setup in this process sees. Under `npm test` the runner
// (vitest.tiers.ts) has made them for both of its vitest processes: they are in the environment.
import { existsSync, rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildClientForTests, clientDirVariable } from './client/test-build.ts';
import { createTestTemplates, templatesVariable } from './geo/test-support.ts';
import { defaultCity, loadCity } from './seeds/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Debian's Chromium for the browser tests, or '' where it is not installed. */
    chromiumPath: string;
  }
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type Shared = { inherited?: boolean; templates?: Promise<() => Promise<void>>; client?: Promise<string> };
const shared = ((globalThis as { onescreenTestSetup?: Shared }).onescreenTestSetup ??= {});

/** Makes the run's template databases once per process; answers a function that removes them. */
export function prepareDatabases(): Promise<() => Promise<void>> {
  return (shared.templates ??= createTestTemplates(defaultCity, (db) => loadCity(db, defaultCity)));
}

/** Builds the client once per process, for the browser tests to find in the environment. */
export function prepareClient(): Promise<string> {
  return (shared.client ??= buildClientForTests().then((dir) => ((process.env[clientDirVariable] = dir), dir)));
}

/** Removes the client build, if this process made one. */
export async function removeClient(): Promise<void> {
  const dir = await shared.client;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export default async function setup(project: TestProject) {
  const found = existsSync(chromiumPath);
  project.provide('chromiumPath', found ? chromiumPath : '');
  if (!found && ['browser', 'long'].includes(project.name)) {
    const notice = `Chromium not found at ${chromiumPath}: the browser tests are ${process.env.CI ? 'FAILING (CI=true requires them)' : 'SKIPPED'}. Install it with: apt-get install -y chromium`;
    process.stderr.write(`\n${notice}\n\n`);
  }
  shared.inherited ??= Boolean(process.env[templatesVariable]);
  if (shared.inherited) return undefined;
  const started = performance.now();
  const owner = !shared.templates;
  // Only the browser and long projects' files need the client; building it alongside the databases overlaps the two.
  const withClient = found && project.vitest.projects.some((each) => ['browser', 'long'].includes(each.name));
  const [removeTemplates] = await Promise.all([prepareDatabases(), withClient && prepareClient()]);
  if (!owner) return undefined;
  process.stdout.write(`test set-up (template databases${withClient ? ', client build' : ''}): ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return async () => {
    await removeTemplates();
    await removeClient();
  };
}
