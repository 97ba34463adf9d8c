// One figure of `npm run bench`: what was measured, against what, and the target. The run
// prints them as one table at its end and keeps them in bench/results.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Figure {
  figure: string;
  measured: string;
  /** The baseline, run in the same process. */
  baseline: string;
  ratio: string;
  target: string;
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
