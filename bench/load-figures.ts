// The end-to-end figures of `npm run bench`: `npm run load` runs (each its own server process on
// fresh data, the load tool's senders and its watching clients beside it), read from its --json.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchOptions, BenchOutput, Figure } from './report.ts';

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
  lagMaxMs: number;
  rssBeforeMb: number;
  rssMaxMb: number;
}

// What each run offers, and on which database: the issue's end-to-end target through a batched
// feed on PostgreSQL (when DATABASE_URL is set), the embedded default's, Karamay's own rate, and
// a feed of 100,000 vehicles each reporting every second, for the server's memory.
const runs: { protocol: string; rate: number; embedded: boolean; clients: number; target: string; memory?: boolean; nodes?: number; seconds?: number }[] = [
  // Sustained: the issue's figure is over 5 minutes.
  { protocol: 'gtfs-rt', rate: 20_000, embedded: false, clients: 20, seconds: 300, target: '≥ 50,000/s, p99 ≤ 1 s, 0 lost, /healthz p99 ≤ 100 ms' },
  // The ingest bus on NATS JetStream, processed by one node and by two on this same machine.
  { protocol: 'gtfs-rt', rate: 20_000, embedded: false, clients: 20, nodes: 1, target: 'what a second node buys' },
  { protocol: 'gtfs-rt', rate: 20_000, embedded: false, clients: 20, nodes: 2, target: 'what a second node buys' },
  { protocol: 'gtfs-rt', rate: 10_000, embedded: true, clients: 20, target: '≥ 10,000/s' },
  { protocol: 'osmand', rate: 268, embedded: false, clients: 20, target: 'p99 ≤ 1 s, 0 lost' },
  { protocol: 'gtfs-rt', rate: 100_000, embedded: false, clients: 1, memory: true, target: 'server RSS ≤ 1.5 GB' },
];

async function load({ protocol, rate, embedded, clients, nodes = 0 }: (typeof runs)[number], seconds: number): Promise<LoadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-load-figures-'));
  try {
    const json = join(dir, 'run.json');
    const env = embedded ? { ...process.env, DATABASE_URL: '' } : process.env;
    const args = ['tsx', 'bench/load.ts', '--protocol', protocol, '--rate', String(rate), '--seconds', String(seconds), '--clients', String(clients), '--nodes', String(nodes), '--json', json];
    await promisify(execFile)('npx', args, { env, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(readFileSync(json, 'utf8')) as LoadRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchLoadFigures({ quick }: BenchOptions): Promise<BenchOutput> {
  const output: BenchOutput = [];
  const possible = runs.filter((run) => run.embedded || process.env.DATABASE_URL);
  // Quick: the first end-to-end run, for 10 s.
  const onJetStream: LoadRun[] = [];
  for (const spec of quick ? possible.slice(0, 1) : possible) {
    const run = await load(spec, quick ? 10 : (spec.seconds ?? 30));
    output.push(`load ${spec.protocol} ${spec.rate}/s × ${run.seconds} s on ${run.backend}${spec.nodes ? `, ${spec.nodes} node(s) on JetStream` : ''}: ${JSON.stringify(run)}`);
    if (spec.nodes) onJetStream.push(run);
    else output.push(figureOf(spec, run));
  }
  const [one, two] = onJetStream;
  if (one && two) output.push(nodesFigure(one, two));
  return output;
}

function figureOf({ protocol, rate, memory, target }: (typeof runs)[number], run: LoadRun): Figure {
  const feed = protocol === 'gtfs-rt' ? 'GTFS-RT' : 'OsmAnd';
  // A GTFS-RT report counts as acknowledged when a poll fetched it; those of a poll the server shed are not taken.
  const taken = protocol === 'gtfs-rt' ? run.acknowledged - run.shed : run.acknowledged;
  const server = `server event-loop lag max ${run.lagMaxMs} ms; /healthz p99 ${run.healthP99Ms} ms`;
  if (memory) {
    return {
      figure: `server RSS, ${rate.toLocaleString('en')} live vehicles each reporting every second (${feed}, ${run.seconds} s, ${run.backend})`,
      measured: `max ${run.rssMaxMb} MB; ${Math.round(taken / run.seconds).toLocaleString('en')}/s taken, ${run.shed.toLocaleString('en')} shed, ${run.lost} lost; ${server}`,
      baseline: `${run.rssBeforeMb} MB before the load (the city loaded, idle)`,
      ratio: `${(run.rssMaxMb / run.rssBeforeMb).toFixed(1)}×`,
      target,
    };
  }
  return {
    figure: `end to end, ${feed} offered at ${rate.toLocaleString('en')}/s for ${run.seconds} s, ${run.backend}, ${run.clients} clients (npm run load)`,
    measured:
      `${Math.round(taken / run.seconds).toLocaleString('en')}/s taken, ${run.shed.toLocaleString('en')} shed, ${run.lost} lost; ingest→client p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms; ` +
      `drained ${run.drainS.toFixed(1)} s after; ${server}; RSS ≤ ${run.rssMaxMb} MB`,
    // What reached the server (a GTFS-RT poll fetches what the feed holds then) against the rate asked for.
    baseline: `${(rate * run.seconds).toLocaleString('en')} asked for; ${run.offered.toLocaleString('en')} sent (fetched by the polls)`,
    ratio: `${(taken / (rate * run.seconds)).toFixed(2)} of the rate`,
    target,
  };
}

const takenPerS = (run: LoadRun) => Math.round((run.protocol === 'gtfs-rt' ? run.acknowledged - run.shed : run.acknowledged) / run.seconds);

/** Two processing nodes against one, both on JetStream and on this machine's 2 cores. */
function nodesFigure(one: LoadRun, two: LoadRun): Figure {
  const line = (run: LoadRun) => `${takenPerS(run).toLocaleString('en')}/s taken, ${run.shed.toLocaleString('en')} shed, ${run.lost} lost, ${run.duplicated} duplicated; ingest→client p99 ${run.p99Ms} ms`;
  return {
    figure: `end to end on NATS JetStream, GTFS-RT offered at ${two.rate.toLocaleString('en')}/s for ${two.seconds} s, ${two.backend}: two processing nodes on this machine (npm run load -- --nodes 2)`,
    measured: line(two),
    baseline: `one node on JetStream: ${line(one)}`,
    ratio: `${(takenPerS(two) / Math.max(1, takenPerS(one))).toFixed(2)}×`,
    target: 'what a second node buys on 2 cores',
  };
}
