// `npm start` on a fresh data directory (cold: create the database from the template `npm install`
// made, migrate, load Karamay) and again on the same directory (warm: the baseline, city already
// loaded), each timed to its ready line and to the first live frame on the wall in Chromium: a
// unit's fix newer than the page.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { BenchOutput } from './report.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Started {
  readyMs: number;
  firstFrameMs: number;
}

/** Starts `npm start` on `dataDir`; resolves with the URL its ready line prints, and a stop. */
function start(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: '0', OSMAND_PORT: '0', DATA_DIR: dataDir, LOG_FORMAT: 'json', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.kill(-child.pid!, 'SIGINT');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = output.split('\n').find((line) => line.includes('onescreen is ready'));
      if (ready) resolve({ url: (JSON.parse(ready) as { url: string }).url, stop });
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
  });
}

/** From `npm start` to its ready line, and on to the wall showing a fix newer than the page, ms. */
async function timeToFirstFrame(dataDir: string, browser: Browser): Promise<Started> {
  const started = performance.now();
  const server = await start(dataDir);
  const readyMs = performance.now() - started;
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  try {
    const signIn = await context.request.post(new URL('/api/session', server.url).href, { data: { user: 'operator', password: 'onescreen-demo' } });
    if (!signIn.ok()) throw new Error(`signing in failed: ${signIn.status()} ${await signIn.text()}`);
    const page = await context.newPage();
    await page.goto(new URL('/wall', server.url).href);
    await page.waitForFunction(
      () => {
        const table = (window as unknown as { onescreen?: { table: { size: number; updatedAt: Float64Array } } }).onescreen?.table;
        return table !== undefined && table.updatedAt.subarray(0, table.size).some((at) => at > performance.timeOrigin);
      },
      undefined,
      { timeout: 120_000, polling: 100 },
    );
    return { readyMs, firstFrameMs: performance.now() - started };
  } finally {
    await context.close();
    await server.stop();
  }
}

export async function benchColdStart(): Promise<BenchOutput> {
  if (!existsSync(chromiumPath)) return [`cold start: skipped, no Chromium at ${chromiumPath}; apt-get install -y chromium (or set CHROMIUM_PATH)`];
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-bench-'));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'] });
  try {
    const cold = await timeToFirstFrame(dataDir, browser);
    const warm = await timeToFirstFrame(dataDir, browser);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    return [
      {
        figure: 'cold npm start (embedded, fresh DATA_DIR after npm install, Karamay) to the first live frame on the wall in Chromium',
        measured: `${s(cold.firstFrameMs)} (ready line at ${s(cold.readyMs)})`,
        baseline: `warm start, city already loaded: ${s(warm.firstFrameMs)} (ready at ${s(warm.readyMs)})`,
        ratio: `${(cold.firstFrameMs / warm.firstFrameMs).toFixed(1)}×`,
        target: '≤ 30 s',
      },
    ];
  } finally {
    await browser.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
