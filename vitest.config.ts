import { defineConfig } from 'vitest/config';
import SlowestFilesReporter from './vitest.slowest-reporter.ts';

const folders = '{server,client,geo,streams,fixtures,seeds}';
const browserTests = `${folders}/**/*.browser.test.ts`;

export default defineConfig({
  test: {
    // Each file that touches the embedded database pays ~10 s to boot PGlite + PostGIS.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['./vitest.global-setup.ts'],
    reporters: ['default', new SlowestFilesReporter()],
    projects: [
      { extends: true, test: { name: 'node', include: [`${folders}/**/*.test.ts`], exclude: [browserTests], sequence: { groupOrder: 0 } } },
      // Chromium renders WebGL in software on these machines: a browser test shares the two cores
      // with nothing else, after the rest, one file at a time.
      { extends: true, test: { name: 'browser', include: [browserTests], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
