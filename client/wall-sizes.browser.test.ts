import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { artifacts, openWall, wallTestContext, type OnescreenWindow } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);
const inside = ([lng, lat]: [number, number], ring: [number, number][]) =>
  lng >= Math.min(...ring.map((p) => p[0])) && lng <= Math.max(...ring.map((p) => p[0])) && lat >= Math.min(...ring.map((p) => p[1])) && lat <= Math.max(...ring.map((p) => p[1]));

describe.skipIf(!chromiumPath && !process.env.CI)('the wall on 4K and 8K screens', () => {
  const wall = wallTestContext(chromiumPath);

  it('tours Karamay by itself at 3840×2160, takes the wall for a new accident, and asks nothing of the outside world', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN&tour=15', { width: 3840, height: 2160 });
    // An isolated network: every request that is not to this server is refused, and recorded.
    const origin = new URL(wall.server.url).origin;
    const attempted: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      attempted.push(url);
      return route.abort('blockedbyclient');
    });
    await page.reload();
    await page.waitForFunction(() => (window as unknown as OnescreenWindow).onescreen?.table.size > 2_500, undefined, { timeout: 30_000 });
    const center = () => page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.map.getCenter()).then((c) => [c.lng, c.lat] as [number, number]);
    const tourText = () => page.textContent('[data-testid="showing"]');

    // Wherever the tour is now, within a stop and a flight it is over a district, with its name up.
    await page.waitForFunction(
      (names) => names.some((name) => document.querySelector('[data-testid="showing"]')?.textContent === `巡航 · ${name}`),
      karamay.districts.map((d) => d.nameZh),
      { timeout: 20_000 },
    );
    const shown = (await tourText())!.slice('巡航 · '.length);
    const district = karamay.districts.find((d) => d.nameZh === shown);
    expect(district, `the tour names a district: ${shown}`).toBeDefined();
    await page.waitForTimeout(3_500); // the flight
    expect(await tourText(), 'still on the district after its flight').toBe(`巡航 · ${shown}`);
    expect(inside(await center(), district!.ring), 'the map moved to the district').toBe(true);
    await page.screenshot({ path: join(artifacts, 'wall-tour-3840x2160.png') });

    const camera = karamay.cameras[300]!;
    const posted = await fetch(new URL('/ingest/cameras', wall.server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ cameraId: camera.id, type: 'accident', severity: 4, description: '多车追尾' }] }),
    });
    expect(posted.status).toBe(200);
    await page.waitForFunction(() => document.querySelector('[data-testid="showing"]')?.textContent === '巡航 · ⚠ 交通事故', undefined, { timeout: 10_000 });
    await page.waitForTimeout(3_500);
    const site = karamay.cameraSites.find((s) => s.id === camera.siteId)!;
    const [lng, lat] = await center();
    expect(Math.hypot(lng - site.point[0], lat - site.point[1]), 'the map is on the accident').toBeLessThan(0.002);
    await page.screenshot({ path: join(artifacts, 'wall-tour-accident-3840x2160.png') });

    expect(attempted).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws the whole city live on a 7680×2160 wall, in English', async () => {
    // Software GL in a headless browser takes its time over 16.6 million pixels; a wall's GPU does not.
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=en', { width: 7680, height: 2160 }, 120_000);
    page.setDefaultTimeout(120_000);
    expect(await page.textContent('h1')).toBe('Karamay City Brain');
    const moved = await page.evaluate(async () => {
      const { table } = (window as unknown as OnescreenWindow).onescreen;
      const before = Float64Array.from(table.positions);
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      let count = 0;
      for (let i = 0; i < before.length; i += 2) if (before[i] !== table.positions[i] || before[i + 1] !== table.positions[i + 1]) count += 1;
      return count;
    });
    expect(moved, 'entities moved in 8 s').toBeGreaterThan(200);
    // Text sized for distance: the title is twice its 1080-line size.
    const titlePx = await page.evaluate(() => Number.parseFloat(getComputedStyle(document.querySelector('h1')!).fontSize));
    expect(titlePx).toBeGreaterThan(50);
    await page.screenshot({ path: join(artifacts, 'wall-en-7680x2160.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);
});
