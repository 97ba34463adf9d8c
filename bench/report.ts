// One figure of `npm run bench`: what was measured, against what, and the issue's target. The run
// prints them as one table at its end and keeps them in bench/results.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { testBackends, type TestBackend } from '../geo/test-support.ts';

export interface Figure {
  figure: string;
  measured: string;
  /** The baseline, run in the same process. */
  baseline: string;
  ratio: string;
  target: string;
}

/** How a benchmark is run: `quick` (`npm run bench -- --quick`) does less of it, to print figures in under 2 minutes. */
export interface BenchOptions {
  quick: boolean;
}

/** The back ends a benchmark runs on: both (embedded, and PostgreSQL when DATABASE_URL is set); `quick`, the last of them. */
export function benchBackends({ quick }: BenchOptions): TestBackend[] {
  const all = testBackends();
  return quick ? all.slice(-1) : all;
}

/** A benchmark's output: lines of detail as it goes, and its figures for the table. */
export type BenchOutput = (string | Figure)[];

export const isFigure = (entry: string | Figure): entry is Figure => typeof entry !== 'string';

/** The figures as a Markdown table, as the README shows them. */
export function figureTable(figures: readonly Figure[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  return [
    '| figure | measured | baseline (same run) | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...figures.map((f) => `| ${[f.figure, f.measured, f.baseline, f.ratio, f.target].map(cell).join(' | ')} |`),
  ].join('\n');
}

/**
 * Keeps each benchmark's latest figures in `path`, with when and on what machine they were
 * measured: a run of some benchmarks replaces theirs and leaves the others' as they were.
 */
export function writeResults(path: string, figuresByBench: Record<string, readonly Figure[]>): void {
  const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const kept = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { benchmarks: Record<string, unknown> }).benchmarks : {};
  const measuredAt = new Date().toISOString();
  const fresh = Object.fromEntries(Object.entries(figuresByBench).map(([name, figures]) => [name, { measuredAt, machine, figures }]));
  writeFileSync(path, `${JSON.stringify({ benchmarks: { ...kept, ...fresh } }, null, 2)}\n`);
}

const tableStart = '<!-- figures: written by `npm run bench` from bench/results.json; edits here are replaced -->';
const tableEnd = '<!-- /figures -->';

interface Results {
  benchmarks: Record<string, { measuredAt: string; machine: { cores: number; memoryGiB: number; node: string }; figures: Figure[] }>;
}

/** Replaces the README's table of figures (between its two markers) with every benchmark's latest figures in `resultsPath`. */
export function writeReadmeTable(readmePath: string, resultsPath: string): void {
  const readme = readFileSync(readmePath, 'utf8');
  const [from, to] = [readme.indexOf(tableStart), readme.indexOf(tableEnd)];
  if (from < 0 || to < from) throw new Error(`${readmePath} has no table of figures to replace: put the lines ${tableStart} and ${tableEnd} where it goes`);
  const { benchmarks } = JSON.parse(readFileSync(resultsPath, 'utf8')) as Results;
  const runs = Object.values(benchmarks);
  const days = runs.map((run) => run.measuredAt.slice(0, 10)).sort();
  const machines = [...new Set(runs.map(({ machine }) => `${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`))];
  const table = [
    tableStart,
    `Measured ${days[0] === days.at(-1) ? `on ${days[0]}` : `from ${days[0]} to ${days.at(-1)}`} on ${machines.join('; ')}.`,
    '',
    figureTable(runs.flatMap((run) => run.figures)),
    tableEnd,
  ].join('\n');
  writeFileSync(readmePath, readme.slice(0, from) + table + readme.slice(to + tableEnd.length));
}

/** A test back end as the figures name it. */
export const backendName = (backend: { name: 'embedded' | 'server' }) => (backend.name === 'server' ? 'PostgreSQL' : 'embedded');
