// The end-to-end figures of `npm run bench`: `npm run load` runs (each its own server process on
// fresh data, the load tool's senders and 20 watching clients beside it), read from its --json.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchOutput } from './report.ts';

interface LoadRun {
  protocol: string;
  rate: number;
  seconds: number;
  backend: string;
  clients: number;
  offered: number;
  acknowledged: number;
  shed: number;
  lost: number;
  duplicated: number;
  p50Ms: number | null;
  p99Ms: number | null;
  drainS: number;
  healthP99Ms: number;
  rssMaxMb: number;
}

const seconds = 30;
// What each run offers, and on which database: the end-to-end target through a batched
// feed on PostgreSQL (when DATABASE_URL is set), the embedded default's, and Karamay's own rate.
const runs = [
  { protocol: 'gtfs-rt', rate: 20_000, embedded: false, target: '≥ 50,000/s, p99 ≤ 1 s, 0 lost, /healthz p99 ≤ 100 ms' },
  { protocol: 'gtfs-rt', rate: 10_000, embedded: true, target: '≥ 10,000/s' },
  { protocol: 'osmand', rate: 268, embedded: false, target: 'p99 ≤ 1 s, 0 lost' },
];

async function load(protocol: string, rate: number, embedded: boolean): Promise<LoadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-load-figures-'));
  try {
    const json = join(dir, 'run.json');
    const env = embedded ? { ...process.env, DATABASE_URL: '' } : process.env;
    const args = ['tsx', 'bench/load.ts', '--protocol', protocol, '--rate', String(rate), '--seconds', String(seconds), '--json', json];
    await promisify(execFile)('npx', args, { env, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(readFileSync(json, 'utf8')) as LoadRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchLoadFigures(): Promise<BenchOutput> {
  const output: BenchOutput = [];
  for (const { protocol, rate, embedded, target } of runs) {
    if (!embedded && !process.env.DATABASE_URL) continue;
    const run = await load(protocol, rate, embedded);
    const perSecond = Math.round(run.acknowledged / run.seconds);
    output.push(`load ${protocol} ${rate}/s × ${run.seconds} s on ${run.backend}: ${JSON.stringify(run)}`);
    output.push({
      figure: `end to end, ${protocol === 'gtfs-rt' ? 'GTFS-RT' : 'OsmAnd'} offered at ${rate.toLocaleString('en')}/s for ${run.seconds} s, ${run.backend}, ${run.clients} clients (npm run load)`,
      measured:
        `${perSecond.toLocaleString('en')}/s acknowledged, ${run.shed.toLocaleString('en')} shed, ${run.lost} lost; ingest→client p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms; ` +
        `drained ${run.drainS.toFixed(1)} s after; /healthz p99 ${run.healthP99Ms} ms (from the load process); RSS ≤ ${run.rssMaxMb} MB`,
      // What reached the server (a GTFS-RT poll fetches what the feed holds then) against the rate asked for.
      baseline: `${(rate * run.seconds).toLocaleString('en')} asked for; ${run.offered.toLocaleString('en')} sent (fetched by the polls)`,
      ratio: `${(run.acknowledged / (rate * run.seconds)).toFixed(2)} of the rate`,
      target,
    });
  }
  return output;
}
