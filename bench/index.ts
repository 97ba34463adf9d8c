// `npm run bench`: every benchmark prints its measured value next to a baseline run in the same process.
// Run on its own machine state: timings on a busy 2-core box are noisy, so they never gate `npm test`.
import { fileURLToPath } from 'node:url';
import { benchBasemapLayers } from './basemap-layers.ts';
import { benchColdStart } from './cold-start.ts';
import { benchDispatchEta } from './dispatch-eta.ts';
import { benchGtfsImport } from './gtfs-import.ts';
import { benchLoadFigures } from './load-figures.ts';
import { benchNearestUnits } from './nearest-units.ts';
import { benchPositionFrames } from './position-frames.ts';
import { benchPositionJoin } from './position-join.ts';
import { benchPositionWrite } from './position-write.ts';
import { benchPostureBoards } from './posture-boards.ts';
import { figureTable, isFigure, writeResults, type Figure } from './report.ts';
import { benchWallRender } from './wall-render.ts';

const benchmarks = { 'position-join': benchPositionJoin, 'position-write': benchPositionWrite, 'position-frames': benchPositionFrames, 'wall-render': benchWallRender, 'nearest-units': benchNearestUnits, 'cold-start': benchColdStart, 'posture-boards': benchPostureBoards, 'dispatch-eta': benchDispatchEta, 'basemap-layers': benchBasemapLayers, 'gtfs-import': benchGtfsImport, load: benchLoadFigures };
const only = process.argv.slice(2);
const figures: Record<string, Figure[]> = {};

for (const [name, run] of Object.entries(benchmarks)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`${name}: running…\n`);
  for (const entry of await run()) {
    if (isFigure(entry)) (figures[name] ??= []).push(entry);
    else process.stdout.write(`${entry}\n`);
  }
}
const all = Object.values(figures).flat();
if (all.length > 0) {
  process.stdout.write(`\n${figureTable(all)}\n`);
  writeResults(fileURLToPath(new URL('./results.json', import.meta.url)), figures);
}
