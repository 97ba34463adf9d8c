// Browser main-thread time per position update at 1k, 10k and 20k entities: the wall's way
// (binary frame → typed arrays → deck.gl binary attributes) against a MapLibre GeoJSON source
// updated with setData (the baseline), in the same headless Chromium. Needs Debian's Chromium.
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import type { BenchOptions, BenchOutput } from './report.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,20000').split(',').map(Number);
// Updates timed per page; quick runs fewer (each takes ~0.8 s of software WebGL drawing here).
const updates = 20;
const quickUpdates = 5;

export async function benchWallRender({ quick }: BenchOptions): Promise<BenchOutput> {
  if (!existsSync(chromiumPath)) return [`wall render: skipped, no Chromium at ${chromiumPath}; apt-get install -y chromium (or set CHROMIUM_PATH)`];
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-render-bench-'));
  await build({
    configFile: join(process.cwd(), 'client/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, rollupOptions: { input: join(process.cwd(), 'client/render-bench.html') } },
  });
  const http = createServer(express().use(express.static(dir))).listen(0, '127.0.0.1');
  await once(http, 'listening');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/render-bench.html`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'] });
  try {
    // Main-thread JavaScript time per update, from V8's own CPU profile of the page: every sample
    // in a JavaScript function or the garbage collector counts; idle and native "(program)" time
    // do not. Native time is left out because headless Chromium here draws WebGL in software, work
    // a wall's GPU does, and it swamps what the two clients do (~0.8 s per update for both). CDP's
    // ScriptDuration is not used either: it missed MapLibre's serialisation of the GeoJSON for its
    // worker, over 100 ms per update at 20k entities, which the profile shows.
    const count = quick ? quickUpdates : updates;
    const msPerUpdate = async (mode: 'binary' | 'geojson', n: number) => {
      const page = await browser.newPage({ viewport: { width: Number(process.env.BENCH_W ?? 1920), height: Number(process.env.BENCH_H ?? 1080) } });
      try {
        await page.goto(`${url}?mode=${mode}&n=${n}&updates=${count}`);
        await page.waitForFunction(() => 'renderBench' in window, undefined, { timeout: 60_000 });
        await page.evaluate(() => (window as unknown as { renderBench: { prepare(): Promise<void> } }).renderBench.prepare());
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
        await cdp.send('Profiler.start');
        await page.evaluate(() => (window as unknown as { renderBench: { run(): Promise<void> } }).renderBench.run());
        const { profile } = await cdp.send('Profiler.stop');
        const notScript = new Set(profile.nodes.filter((node) => ['(program)', '(idle)'].includes(node.callFrame.functionName)).map((node) => node.id));
        const scriptUs = (profile.samples ?? []).reduce((sum, id, i) => sum + (notScript.has(id) ? 0 : profile.timeDeltas![i]!), 0);
        return scriptUs / 1000 / count;
      } finally {
        await page.close();
      }
    };
    const figures: BenchOutput = [];
    for (const n of quick ? sizes.slice(-1) : sizes) {
      const binary = await msPerUpdate('binary', n);
      const geojson = await msPerUpdate('geojson', n);
      figures.push({
        figure: `wall render, main-thread JavaScript per update, ${n.toLocaleString('en')} moving entities (Chromium)`,
        measured: `${binary.toFixed(1)} ms (binary attributes)`,
        baseline: `${geojson.toFixed(1)} ms (GeoJSON setData)`,
        ratio: `${(geojson / binary).toFixed(1)}×`,
        target: n >= 20_000 ? '≥ 10×' : '—',
      });
    }
    return figures;
  } finally {
    await browser.close();
    http.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
