import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{server,client,geo,streams,fixtures,seeds}/**/*.test.ts'],
    // Each file that touches the embedded database pays ~10 s to boot PGlite + PostGIS.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['./vitest.global-setup.ts'],
  },
});
