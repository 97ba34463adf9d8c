// `npm run bench [name…] [-- --quick]`: every benchmark prints its measured value next to a
// baseline run in the same process, and the run ends with one table of figures. A full run keeps
// each benchmark's figures in bench/results.json and writes the README's table from that file;
// `--quick` runs the fast ones, smaller, in under 2 minutes, and only prints.
// Run on its own machine state: timings on a busy 2-core box are noisy, so they never gate `npm test`.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchBasemapLayers } from './basemap-layers.ts';
import { benchBusProgress } from './bus-progress.ts';
import { benchColdStart } from './cold-start.ts';
import { benchDispatchEta } from './dispatch-eta.ts';
import { benchGtfsImport } from './gtfs-import.ts';
import { benchLoadFigures } from './load-figures.ts';
import { benchNearestUnits } from './nearest-units.ts';
import { benchOsmandRequests } from './osmand-requests.ts';
import { benchPositionFrames } from './position-frames.ts';
import { benchPositionJoin } from './position-join.ts';
import { benchPositionWrite } from './position-write.ts';
import { benchPostureBoards } from './posture-boards.ts';
import { benchReplay } from './replay.ts';
import { benchSimulators } from './simulators.ts';
import { benchStorage } from './storage.ts';
import { figureTable, isFigure, writeReadmeTable, writeResults, type BenchOptions, type BenchOutput, type Figure } from './report.ts';
import { benchWallRender } from './wall-render.ts';

const benchmarks: Record<string, (options: BenchOptions) => Promise<BenchOutput>> = {
  'position-join': benchPositionJoin,
  'position-write': benchPositionWrite,
  'position-frames': benchPositionFrames,
  'wall-render': benchWallRender,
  'nearest-units': benchNearestUnits,
  'bus-progress': benchBusProgress,
  'cold-start': benchColdStart,
  'posture-boards': benchPostureBoards,
  'dispatch-eta': benchDispatchEta,
  'basemap-layers': benchBasemapLayers,
  'gtfs-import': benchGtfsImport,
  storage: benchStorage,
  'osmand-requests': benchOsmandRequests,
  simulators: benchSimulators,
  load: benchLoadFigures,
  replay: benchReplay,
};
// What `--quick` runs: each in its small form (the others take minutes each).
const quickOnes = ['position-join', 'position-write', 'position-frames', 'nearest-units', 'wall-render', 'osmand-requests', 'load'];

const { values, positionals: only } = parseArgs({ options: { quick: { type: 'boolean', default: false } }, allowPositionals: true });
const unknown = only.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(`no benchmark named ${unknown.join(', ')}; the benchmarks: ${Object.keys(benchmarks).join(', ')}\n`);
  process.exit(2);
}
const quick = values.quick;
const chosen = Object.keys(benchmarks).filter((name) => (only.length > 0 ? only.includes(name) : !quick || quickOnes.includes(name)));
const figures: Record<string, Figure[]> = {};
for (const name of chosen) {
  process.stdout.write(`${name}: running${quick ? ' (quick)' : ''}…\n`);
  const started = performance.now();
  // One benchmark failing keeps neither the others' figures nor the table from being written.
  const output = await benchmarks[name]!({ quick }).catch((error: unknown) => {
    process.stderr.write(`${name} failed, its figures are left as they were: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
    return [];
  });
  for (const entry of output) {
    if (isFigure(entry)) (figures[name] ??= []).push(entry);
    else process.stdout.write(`${entry}\n`);
  }
  process.stdout.write(`${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
const all = Object.values(figures).flat();
if (all.length > 0) process.stdout.write(`\n${figureTable(all)}\n`);
if (quick) process.stdout.write('\n(quick: smaller runs, printed only; bench/results.json and the README are written by a full run)\n');
else if (all.length > 0) {
  const results = fileURLToPath(new URL('./results.json', import.meta.url));
  writeResults(results, figures);
  writeReadmeTable(fileURLToPath(new URL('../README.md', import.meta.url)), results);
}
// A failed benchmark can leave a server or a browser open: the run ends here all the same.
process.exit();
