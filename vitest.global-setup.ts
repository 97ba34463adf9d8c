import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Debian's Chromium for the browser tests, or '' where it is not installed. */
    chromiumPath: string;
  }
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default function setup(project: TestProject) {
  const found = existsSync(chromiumPath);
  project.provide('chromiumPath', found ? chromiumPath : '');
  if (!found) {
    const notice = `Chromium not found at ${chromiumPath}: the browser tests are ${process.env.CI ? 'FAILING (CI=true requires them)' : 'SKIPPED'}. Install it with: apt-get install -y chromium`;
    process.stderr.write(`\n${notice}\n\n`);
  }
}
