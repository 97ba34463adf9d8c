// For tests and benchmarks only, never product code: the back ends every database test runs on,
// a city loaded into a fresh database, and an independent shortest-path oracle.
export { testBackends, createTestTemplates, resetDatabase, openWithCity, templatesVariable } from './test-databases.ts';
export type { TestBackend, TestTemplates } from './test-databases.ts';
export { shortestRoadSeconds } from './test-oracles.ts';
