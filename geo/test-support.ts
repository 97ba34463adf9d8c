// For tests and benchmarks only, never product code: the back ends every database test runs on,
// a city loaded into a fresh database, and an independent shortest-path oracle.
export { testBackends, resetDatabase, openWithCity } from './test-databases.ts';
export type { TestBackend } from './test-databases.ts';
export { shortestRoadSeconds } from './test-oracles.ts';
