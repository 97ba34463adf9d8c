// What the simulators can offer, without a server to take it: the megacity's whole fleet driven as
// `npm start` drives it (read from its database, the same keys and protocols) at SIMULATE_RATE, its
// taxis and trucks from their platforms' processes, its buses from the agency's feed, everyone else
// over OsmAnd, one request per fix, to a bare node:http sink in a process of its own. The feeds are
// polled every second from a process of their own (bench/feed-counter-main.ts); a position counts
// once, when first seen. Counted in this process, polls came late while the simulators here kept
// it busy, and a taxi reporting every second was counted every other second.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Subject } from 'rxjs';
import { offeredPerSecond, platformProcessesFor, platformUnits, serveVehiclePositions, startCitySimulators, startPlatformFeeds } from '../fixtures/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { prepareCity, readLaunchSettings } from '../launch/index.ts';
import type { PositionEvent } from '../streams/index.ts';
import type { BenchOptions, BenchOutput } from './report.ts';

const rate = 10;

/** A process that says, for a line on its stdin, a count so far (one line on its stdout). */
function counter(args: string[]) {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  return {
    child,
    async count(): Promise<number> {
      child.stdin.write('\n');
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      return Number(line.toString().trim());
    },
    stop: () => child.kill('SIGKILL'),
  };
}

/** A bare node:http server in a process of its own that answers every request 200 and counts them. */
async function sink() {
  const http = counter(['-e', "let n = 0; require('http').createServer((q, s) => { q.resume(); q.on('end', () => { n++; s.end(); }); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); }); process.stdin.on('data', () => console.log(n));"]);
  const [port] = (await once(http.child.stdout, 'data')) as [Buffer];
  return { ...http, url: `http://127.0.0.1:${port.toString().trim()}/` };
}

export async function benchSimulators({ quick }: BenchOptions): Promise<BenchOutput> {
  const seconds = quick ? 10 : 30;
  const say = (line: string) => process.stderr.write(`  ${line}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-bench-sim-'));
  const database = await testBackends().at(-1)!.openSettings({ dataDir });
  const running: { stop(): unknown }[] = [];
  try {
    const prepared = (await prepareCity(readLaunchSettings({ DATA_DIR: dataDir, DATABASE_URL: database.databaseUrl ?? '', CITY: 'megacity' }), say))!;
    const { fleet } = prepared.city;
    const http = await sink();
    running.push(http);
    const buses = new Subject<PositionEvent>();
    const busFeed = await serveVehiclePositions(buses);
    running.push({ stop: () => busFeed.close() });
    const platforms = await startPlatformFeeds(platformProcessesFor(platformUnits(fleet).length));
    running.push(platforms);
    const feeds = counter(['--import', 'tsx', fileURLToPath(new URL('./feed-counter-main.ts', import.meta.url)), busFeed.url, ...platforms.urls]);
    running.push(feeds);
    let failures = 0;
    const keys = { cameras: 'bench', open311: 'bench', alarms: 'bench' };
    const simulators = await startCitySimulators(prepared.city, { serverUrl: http.url, osmandUrl: http.url, mqttUrl: undefined, keys, buses, platforms }, () => (failures += 1), { rate });
    running.push(simulators);
    // The first reports are staggered over each kind's interval: measure once every unit has had its turn.
    say(`warming up for ${Math.round(30_000 / rate / 1000)} s, then measuring for ${seconds} s…`);
    await new Promise((resolve) => setTimeout(resolve, 30_000 / rate));
    const [feedsBefore, requestsBefore, started] = [await feeds.count(), await http.count(), Date.now()];
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const elapsedS = (Date.now() - started) / 1000;
    const feedRate = ((await feeds.count()) - feedsBefore) / elapsedS;
    const requestRate = ((await http.count()) - requestsBefore) / elapsedS;
    const nominal = offeredPerSecond(fleet.map((member) => member.kind), rate);
    const count = (n: number) => Math.round(n).toLocaleString('en');
    return [
      `simulators: ${count(fleet.length)} units at SIMULATE_RATE=${rate}: ${count(feedRate)} positions/s through the bus and ${platforms.urls.length} platform feeds, ${count(requestRate)} HTTP requests/s (OsmAnd fixes, camera batches, reports, alarms) answered by the sink; ${failures} failures`,
      {
        figure: `what the megacity's simulators offer from their own processes (${count(fleet.length)} units, every kind, SIMULATE_RATE=${rate}; no server: feeds polled every second, requests to a bare sink)`,
        measured: `${count(feedRate + requestRate)} positions/s (feeds ${count(feedRate)}, OsmAnd and other requests ${count(requestRate)})`,
        baseline: `the fleet's report intervals at that rate: ${count(nominal)} positions/s`,
        ratio: `${((feedRate + requestRate) / nominal).toFixed(2)}×`,
        target: '≥ 60,000 positions/s',
      },
    ];
  } finally {
    for (const part of running.reverse()) await part.stop();
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
