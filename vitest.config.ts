import { defineConfig } from 'vitest/config';
import SlowestFilesReporter from './vitest.slowest-reporter.ts';

const folders = '{launch,server,client,geo,streams,fixtures,seeds}';
const browserTests = `${folders}/**/*.browser.test.ts`;
// The long tier: the same checks at sizes and counts that take minutes (npm run test:long).
const longTests = `${folders}/**/*.long.test.ts`;

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Template databases and the client build, made once per run (see the file).
    globalSetup: ['./vitest.global-setup.ts'],
    setupFiles: ['./vitest.count-expects.ts'],
    reporters: ['default', new SlowestFilesReporter()],
    projects: [
      // Three workers on two cores: a database or server test spends much of its time waiting (on
      // ticks, on PostgreSQL); measured, 3 finish the node files ~15 % sooner than 2. A worker
      // keeps its modules from file to file (isolate: false): each file starts its own servers
      // and databases, and no test replaces a module; measured, 176 s → 155 s.
      { extends: true, test: { name: 'node', include: [`${folders}/**/*.test.ts`], exclude: [browserTests, longTests], maxWorkers: 3, isolate: false, sequence: { groupOrder: 0 } } },
      // Chromium renders WebGL in software on these machines: one browser file at a time (two at
      // once, measured, each took two to three times as long and the wall's tests timed out).
      // Its worker keeps modules from file to file, as the node workers do. `npm test` runs this
      // project beside the node files, in its own process (vitest.tiers.ts).
      { extends: true, test: { name: 'browser', include: [browserTests], fileParallelism: false, isolate: false, sequence: { groupOrder: 1 } } },
      // Each long file saturates the machine on its own: one at a time.
      { extends: true, test: { name: 'long', include: [longTests], fileParallelism: false, testTimeout: 600_000, sequence: { groupOrder: 2 } } },
    ],
  },
});
