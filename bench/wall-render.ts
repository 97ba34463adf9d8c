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

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,20000').split(',').map(Number);
const updates = 10;

export async function benchWallRender(): Promise<string[]> {
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
    // Main-thread JavaScript time per update, from Chromium's own accounting (CDP Performance
    // ScriptDuration). Task time is not used: headless Chromium rasterises WebGL in software on
    // the page's thread, work a wall's GPU does, and it would swamp what the two clients do.
    const msPerUpdate = async (mode: 'binary' | 'geojson', n: number) => {
      const page = await browser.newPage({ viewport: { width: Number(process.env.BENCH_W ?? 1920), height: Number(process.env.BENCH_H ?? 1080) } });
      try {
        await page.goto(`${url}?mode=${mode}&n=${n}&updates=${updates}`);
        await page.waitForFunction(() => 'renderBench' in window, undefined, { timeout: 60_000 });
        await page.evaluate(() => (window as unknown as { renderBench: { prepare(): Promise<void> } }).renderBench.prepare());
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration')!.value;
        const before = await busy();
        await page.evaluate(() => (window as unknown as { renderBench: { run(): Promise<void> } }).renderBench.run());
        return ((await busy()) - before) * 1000 / updates;
      } finally {
        await page.close();
      }
    };
    const lines: string[] = [];
    for (const n of sizes) {
      const binary = await msPerUpdate('binary', n);
      const geojson = await msPerUpdate('geojson', n);
      lines.push(
        `wall render, ${n.toLocaleString('en')} entities moving: binary attributes ${binary.toFixed(1)} ms main-thread script per update; ` +
          `GeoJSON setData (baseline) ${geojson.toFixed(1)} ms; ratio ${(geojson / binary).toFixed(1)}×`,
      );
    }
    return lines;
  } finally {
    await browser.close();
    http.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
