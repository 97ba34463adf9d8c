// Single-fix OsmAnd requests as trackers send them, one HTTP request per fix, offered by wrk (Debian's
// `wrk`, C, so the generator costs little of the 2 cores) from the megacity's devices to a server
// process on fresh data; every 200 is a durable fix. The baseline is a bare `node:http` server
// answering every request unread, hit by the same wrk on the same machine: the ceiling of one Node
// process here.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { startLoadServer } from './load-server.ts';
import type { BenchOptions, BenchOutput } from './report.ts';

const connections = 256;

// Each request is the next device in turn, with a fix time of its own (ms), near its home point.
const script = (idsFile: string) => `
local ids = {}
for line in io.lines("${idsFile}") do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  local path = "/?id=" .. id .. "&lat=" .. (45.58 + (n % 100) * 0.0001) .. "&lon=" .. (84.88 + (n % 97) * 0.0001) .. "&timestamp=" .. (os.time() * 1000 + n % 1000)
  return wrk.format("POST", path)
end
`;

interface WrkRun {
  perSecond: number;
  non2xx: number;
  p50: string;
  p99: string;
}

function wrk(url: string, seconds: number, luaFile: string): WrkRun {
  const run = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', luaFile, url], { encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new Error(`wrk failed: ${run.error?.message ?? run.stderr}`);
  const out = run.stdout;
  const grab = (pattern: RegExp) => pattern.exec(out)?.[1] ?? '';
  return { perSecond: Number(grab(/Requests\/sec:\s+([\d.]+)/)), non2xx: Number(grab(/Non-2xx or 3xx responses: (\d+)/) || 0), p50: grab(/ 50%\s+(\S+)/), p99: grab(/ 99%\s+(\S+)/) };
}

/** The baseline: a bare node:http server in a process of its own. */
async function bareServer() {
  const child = spawn(process.execPath, ['-e', "require('http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('OK')); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); })"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/`, stop: () => child.kill('SIGKILL') };
}

export async function benchOsmandRequests({ quick }: BenchOptions): Promise<BenchOutput> {
  if (spawnSync('wrk', ['--version']).error) return ['osmand requests: skipped, no wrk on this machine: apt-get install -y wrk'];
  const seconds = quick ? 5 : 20;
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-bench-wrk-'));
  const say = (line: string) => process.stderr.write(`  ${line}\n`);
  const server = await startLoadServer({}, say, { city: 'megacity' });
  try {
    // Enough devices that none passes its own limit (30 fixes in 10 s) at 10,000 requests a second.
    const ids = generateCity(cityProfiles.megacity).entities.filter((entity) => entity.kind !== 'bus').map((entity) => entity.id);
    writeFileSync(join(dir, 'ids'), `${ids.join('\n')}\n`);
    writeFileSync(join(dir, 'osmand.lua'), script(join(dir, 'ids')));
    const product = wrk(server.osmandUrl, seconds, join(dir, 'osmand.lua'));
    await server.stop().then((db) => db.close());
    const bare = await bareServer();
    const baseline = (() => {
      try {
        return wrk(bare.url, Math.min(seconds, 10), join(dir, 'osmand.lua'));
      } finally {
        bare.stop();
      }
    })();
    const count = (n: number) => Math.round(n).toLocaleString('en');
    return [
      {
        figure: `single-fix OsmAnd requests, one HTTP request per fix (wrk, ${connections} connections, ${seconds} s, ${count(ids.length)} megacity devices, ${server.backend})`,
        measured: `${count(product.perSecond)} requests/s, each a durable fix (${count(product.non2xx)} not 2xx); p50 ${product.p50}, p99 ${product.p99}`,
        baseline: `bare node:http answering unread: ${count(baseline.perSecond)} requests/s`,
        ratio: `${(product.perSecond / baseline.perSecond).toFixed(2)}×`,
        target: '≥ 10,000 requests/s',
      },
    ];
  } finally {
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}
