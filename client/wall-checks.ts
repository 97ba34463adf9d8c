// What the wall must do at any size, as checks the browser tests run at 1920×1080 (npm test) and
// at 3840×2160 and 7680×2160 (the long tier: software WebGL takes minutes over those pixels).
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { TestServer } from '../server/test-server.ts';
import type { PostureSnapshot } from '../streams/index.ts';
import { artifacts, openWall, type OnescreenWindow, type TestViewport } from './test-wall.ts';

const karamay = generateCity(cityProfiles.karamay);
type Wall = { server: TestServer; browser: Browser };

/**
 * A camera reports a crawl on its segment until the wall paints that road congested. The simulated
 * camera there reports once a minute too, and a segment keeps the latest period's speed: the crawl
 * is reported again each poll, as a camera in a jam would, so a free-flow report between post and
 * paint cannot hide it. `roads` names where the roads' features are (a tile layer, when tiled).
 */
export async function congestionShown(wall: Wall, page: Page, roads: { source: string; sourceLayer?: string } = { source: 'roads' }): Promise<void> {
  const [camera] = karamay.cameras;
  const crawlShown = async () => {
    // Its period ends now: the simulated cameras' periods end when they report.
    const periodStart = new Date(Date.now() - 60_000).toISOString();
    const posted = await wall.server.feed('/ingest/cameras', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ readings: [{ cameraId: camera!.id, periodStart, periodS: 60, volume: 12, occupancyPct: 70, meanSpeedKmh: 4 }] }),
    });
    expect(posted.status).toBe(200);
    const congested = ({ id, roads }: { id: string; roads: { source: string; sourceLayer?: string } }) => (window as unknown as OnescreenWindow).onescreen.map.getFeatureState({ ...roads, id }).level === 'congested';
    return page.waitForFunction(congested, { id: camera!.segmentId, roads }, { timeout: 5_000 }).then(() => true, () => false);
  };
  await expect.poll(crawlShown, { timeout: 30_000, interval: 0 }).toBe(true);
}

/** Tours Karamay by itself, takes the wall for a new accident, holds for an operator's drag, and asks nothing of the outside world. */
export async function checkTour(wall: Wall, viewport: TestViewport, dwellS: number): Promise<void> {
  const { page, problems } = await openWall(wall.browser, wall.server.url, `?lang=zh-CN&tour=${dwellS}`, viewport);
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
  // A large page in software GL answers slowly, so each check reads the label and the map centre
  // together, in the page, until both agree: whatever stop the tour is on when the check runs.
  const boxes = karamay.districts.map((d) => ({
    label: `巡航 · ${d.nameZh}`,
    box: [Math.min(...d.ring.map((p) => p[0])), Math.min(...d.ring.map((p) => p[1])), Math.max(...d.ring.map((p) => p[0])), Math.max(...d.ring.map((p) => p[1]))],
  }));
  const onDistrict = await page.waitForFunction(
    (districts) => {
      const label = document.querySelector('[data-testid="showing"]')?.textContent;
      const { lng, lat } = (window as unknown as OnescreenWindow).onescreen.map.getCenter();
      const shown = districts.find((d) => d.label === label);
      return shown && lng >= shown.box[0]! && lng <= shown.box[2]! && lat >= shown.box[1]! && lat <= shown.box[3]! ? label : false;
    },
    boxes,
    // Software GL at 4K and more answers each poll slowly, and a tour's first flight ends only
    // after it has drawn its frames: up to 64 s seen on a loaded CI machine.
    { timeout: 90_000, polling: 500 },
  );
  const touredLabel = await onDistrict.jsonValue();
  expect(touredLabel, 'the tour flew to a district and names it').toMatch(/^巡航 · .+街道$/);
  const toured = karamay.districts.find((d) => touredLabel === `巡航 · ${d.nameZh}`)!;
  await page.waitForFunction((id) => (window as unknown as OnescreenWindow).onescreen.map.getFeatureState({ source: 'districts', id }).toured === true, toured.id, { timeout: 10_000 });
  await checkPanels(page, wall, viewport);
  await page.screenshot({ path: join(artifacts, `wall-tour-${viewport.width}x${viewport.height}.png`) });

  const camera = karamay.cameras[300]!;
  const posted = await wall.server.feed('/ingest/cameras', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ cameraId: camera.id, type: 'accident', severity: 4, description: '多车追尾' }] }),
  });
  expect(posted.status).toBe(200);
  // The accident takes the wall: its label is up and the map is on it (within ~200 m).
  const site = karamay.cameraSites.find((s) => s.id === camera.siteId)!;
  await page.waitForFunction(
    ([lon, lat]) => {
      const { lng, lat: centreLat } = (window as unknown as OnescreenWindow).onescreen.map.getCenter();
      return document.querySelector('[data-testid="showing"]')?.textContent === '巡航 · ⚠ 交通事故' && Math.hypot(lng - lon!, centreLat - lat!) < 0.002;
    },
    site.point,
    { timeout: 20_000, polling: 500 },
  );
  await page.screenshot({ path: join(artifacts, `wall-tour-accident-${viewport.width}x${viewport.height}.png`) });
  // An operator drags the map: the tour holds, and says so.
  const [x, y] = [viewport.width / 2, viewport.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x - 200, y - 100, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('[data-testid="showing"]')?.textContent === '巡航暂停 · 2 分钟后继续', undefined, { timeout: 10_000 });

  expect(attempted).toEqual([]);
  // Chinese text in the page and on the map is drawn with the bundled font, from this server.
  const loadedFaces = await page.evaluate(() => [...document.fonts].filter((face) => face.status === 'loaded').map((face) => face.family));
  expect(loadedFaces.filter((family) => family === '"Noto Sans SC"').length, 'the page loaded its bundled Chinese font files').toBeGreaterThan(1);
  expect(loadedFaces.some((family) => family.startsWith('maplibre-gl-font-face-')), 'the map drew its labels with the bundled font').toBe(true);
  expect(problems).toEqual([]);
  await page.close();
}

/**
 * The wall's frame on this screen: the layout its shape asks for, every panel shown beside the
 * map (never over it) with the posture boards' live figures, and the base map drawn at the full
 * resolution of its box.
 */
export async function checkPanels(page: Page, wall: Wall, viewport: TestViewport): Promise<void> {
  const layout = viewport.width / viewport.height >= 2.4 ? 'wide' : 'standard';
  expect(await page.evaluate(() => document.body.className)).toContain(`layout-${layout}`);
  // Every panel beside the map's box, none over it.
  const boxes = await page.evaluate(() => {
    const rect = (node: Element) => node.getBoundingClientRect().toJSON() as { left: number; right: number; top: number; bottom: number; width: number; height: number };
    return { map: rect(document.querySelector('#map')!), panels: [...document.querySelectorAll('[data-testid^="wall-"].wall-panel')].map((node) => ({ name: (node as HTMLElement).dataset.testid!, ...rect(node) })) };
  });
  expect(boxes.panels.map((panel) => panel.name).sort()).toEqual(['wall-alerts', 'wall-force', 'wall-kpis', 'wall-ticker']);
  for (const panel of boxes.panels) {
    expect(panel.width * panel.height, `${panel.name} is shown`).toBeGreaterThan(0);
    const overlap = Math.max(0, Math.min(panel.right, boxes.map.right) - Math.max(panel.left, boxes.map.left)) * Math.max(0, Math.min(panel.bottom, boxes.map.bottom) - Math.max(panel.top, boxes.map.top));
    expect(overlap, `${panel.name} stays off the map`).toBe(0);
  }
  if (layout === 'wide') expect(boxes.map.height, 'the map at full height').toBe(viewport.height);
  // The title bar's text stays over the map's column: in English it once ran under the KPI panel.
  const spilled = await page.evaluate(() => {
    const column = document.querySelector('#map')!.getBoundingClientRect();
    return [...document.querySelectorAll('.title-bar *, .search')]
      .filter((node) => {
        const box = node.getBoundingClientRect();
        return box.width > 0 && (box.left < column.left - 1 || box.right > column.right + 1);
      })
      .map((node) => `${node.tagName.toLowerCase()}.${node.className}: ${node.textContent}`);
  });
  expect(spilled).toEqual([]);
  // Each figure whole inside its panel (a long label is cut, never the number).
  const clipped = await page.evaluate(() => {
    const panel = document.querySelector('[data-testid="wall-kpis"]')!.getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid^="kpi-"]')].filter((tile) => {
      const box = tile.getBoundingClientRect();
      return box.left < panel.left || box.right > panel.right || box.bottom > panel.bottom;
    }).map((tile) => (tile as HTMLElement).dataset.testid);
  });
  expect(clipped).toEqual([]);
  // The figures are the posture boards': the wall's equal a read of /api/posture (both move each minute, so read until they meet).
  const operator = await wall.server.as('operator');
  await expect
    .poll(
      async () => {
        const snapshot = (await (await operator.fetch('/api/posture?range=live')).json()) as PostureSnapshot;
        const available = (agency: string) => String(snapshot.units!.force.filter((f) => f.agency === agency && f.duty === 'available').reduce((sum, f) => sum + f.units, 0));
        const expected = { open: String(snapshot.cases!.openNow), overdue: String(snapshot.cases!.overdueNow), police: available('police'), inspectors: available('city'), congestion: String(snapshot.traffic!.index ?? '') };
        const shown = await page.evaluate((keys) => Object.fromEntries(keys.map((key) => [key, document.querySelector<HTMLElement>(`[data-testid="kpi-${key}"]`)?.dataset.value])), Object.keys(expected));
        return JSON.stringify(shown) === JSON.stringify(expected) || `${JSON.stringify(shown)} ≠ ${JSON.stringify(expected)}`;
      },
      { timeout: 60_000, interval: 1_000 },
    )
    .toBe(true);
  // The base map's drawing buffer is as big as its box in device pixels (MapLibre caps it at 4096 unless told).
  const buffer = await page.evaluate(() => {
    const { map } = (window as unknown as OnescreenWindow).onescreen;
    const canvas = map.getCanvas();
    return { width: canvas.width, height: canvas.height, wanted: [Math.round(map.getContainer().clientWidth * devicePixelRatio), Math.round(map.getContainer().clientHeight * devicePixelRatio)] };
  });
  expect([buffer.width, buffer.height]).toEqual(buffer.wanted);
  await page.screenshot({ path: join(artifacts, `wall-layout-${viewport.width}x${viewport.height}.png`) });
}

/** Draws the whole city live, in English, with the title sized for the wall's height. */
export async function checkWholeCityLive(wall: Wall, viewport: TestViewport): Promise<void> {
  // Software GL in a headless browser takes its time over 16.6 million pixels; a wall's GPU does not.
  const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=en', viewport, 120_000);
  page.setDefaultTimeout(120_000);
  expect(await page.textContent('h1')).toBe('Karamay City Brain');
  // Live: over 200 entities move from where the first frames put them.
  await page.evaluate(() => {
    const { table } = (window as unknown as OnescreenWindow).onescreen;
    (window as unknown as { firstPositions: Float64Array }).firstPositions = Float64Array.from(table.positions);
  });
  const moved = await page.waitForFunction(() => {
    const { table } = (window as unknown as OnescreenWindow).onescreen;
    const before = (window as unknown as { firstPositions: Float64Array }).firstPositions;
    let count = 0;
    for (let i = 0; i < before.length; i += 2) if (before[i] !== table.positions[i] || before[i + 1] !== table.positions[i + 1]) count += 1;
    return count > 200 && count;
  }, undefined, { polling: 1_000 });
  expect(await moved.jsonValue(), 'entities moved').toBeGreaterThan(200);
  // Text sized for distance: the title grows with the wall's height, twice its 1080-line size at 2160.
  const titlePx = await page.evaluate(() => Number.parseFloat(getComputedStyle(document.querySelector('h1')!).fontSize));
  expect(titlePx).toBeGreaterThan((25 * viewport.height) / 1080);
  await checkPanels(page, wall, viewport);
  await page.screenshot({ path: join(artifacts, `wall-en-${viewport.width}x${viewport.height}.png`) });
  expect(problems).toEqual([]);
  await page.close();
}
