import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { simulatorsForTests } from '../fixtures/test-simulators.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { artifacts, openWall, wallTestContext, type OnescreenWindow } from './test-wall.ts';
import { congestionShown } from './wall-checks.ts';

const chromiumPath = inject('chromiumPath');
// The roads drawn (slow in software GL under load): enough to pick on and to paint traffic on; a live map is never fully idle.
const roadsDrawn = (page: Page) =>
  page.waitForFunction(() => { try { return (window as unknown as OnescreenWindow).onescreen.map.isSourceLoaded('roads'); } catch { return false; } }, undefined, { timeout: 60_000 });

// With CI=true a missing Chromium fails the run (below); elsewhere the global setup says it skipped.
describe.skipIf(!chromiumPath && !process.env.CI)('the wall in Chromium', () => {
  // The bus feed polled every 3 s rather than 15 s: buses are seen moving sooner.
  const wall = wallTestContext(chromiumPath, { GTFS_RT_INTERVAL_MS: '3000' }, 'any', simulatorsForTests);

  it('shows Karamay with police cars and buses drawn where they are, and moving', async () => {
    // The test pages ask for reduced motion; this one glides as a wall does by default.
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN&motion=on', { width: 1920, height: 1080 });
    await page.waitForFunction(() => document.querySelector('[data-testid="count-police-car"]')?.textContent === '280');
    expect(await page.textContent('h1')).toBe('克拉玛依城市大脑');
    expect(await page.textContent('[data-testid="count-bus"]')).toBe('400');
    await roadsDrawn(page);

    const first = await drawnWhereTheyAre(page);
    expect(first.policeCars.hits, first.policeCars.misses.join('\n')).toBeGreaterThanOrEqual(0.9 * first.policeCars.tried);
    expect(first.buses.hits, first.buses.misses.join('\n')).toBeGreaterThanOrEqual(0.9 * first.buses.tried);
    expect(first.policeCars.inClusters, 'at city zoom, cars close together are counted in clusters').toBeGreaterThan(0);

    // Live again: the client re-reads the snapshot, then follows the pushes.
    const before = await positionsOf(page);
    await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.socket.connect());
    // Police trackers report every 5 s; each bus every 15 s, in the GTFS-RT feed.
    let share = { police: 0, buses: 0 };
    for (let waited = 0; waited < 40 && (share.police < 0.8 || share.buses < 0.5); waited++) {
      await page.waitForTimeout(1_000);
      const after = await positionsOf(page);
      const movedShare = (prefix: string) => {
        const ids = Object.keys(before).filter((id) => id.startsWith(prefix));
        return ids.filter((id) => before[id]![0] !== after[id]![0] || before[id]![1] !== after[id]![1]).length / ids.length;
      };
      share = { police: movedShare('pc-'), buses: movedShare('bus-') };
    }
    expect(share.police).toBeGreaterThanOrEqual(0.8);
    expect(share.buses).toBeGreaterThanOrEqual(0.5);
    const again = await drawnWhereTheyAre(page);
    expect(again.policeCars.hits, again.policeCars.misses.join('\n')).toBeGreaterThanOrEqual(0.9 * again.policeCars.tried);
    await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.socket.connect());
    await page.waitForSelector('[data-testid="connection"][data-state="live"]');

    await page.screenshot({ path: join(artifacts, 'wall-zh-CN-1920x1080.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('colours roads by live congestion and shows every feed fresh', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=en', { width: 1920, height: 1080 });
    await roadsDrawn(page);
    // A camera reports a crawl on its segment: the road turns the congestion colour.
    await congestionShown(wall, page);
    for (const feed of ['trackers', 'buses', 'cameras']) {
      await page.waitForSelector(`[data-testid="feed-${feed}"][data-state="fresh"]`, { timeout: 30_000 });
    }
    expect(await page.textContent('[data-testid="feed-trackers"]')).toMatch(/^GPS \d+ s$/);
    // Reduced motion: every unit is drawn at its latest fix, none on its way there.
    const gliding = await page.evaluate(() => {
      const { table } = (window as unknown as OnescreenWindow).onescreen;
      return table.ids.filter((_, slot) => table.shown[2 * slot] !== table.positions[2 * slot] || table.shown[2 * slot + 1] !== table.positions[2 * slot + 1]);
    });
    expect(gliding).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('speaks English with ?lang=en, and switches a layer off from its legend row', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=en', { width: 1920, height: 1080 });
    expect(await page.textContent('h1')).toBe('Karamay City Brain');
    await roadsDrawn(page);

    // Taxis deck.gl finds drawn at their positions (icons or clusters); once taxis are off, none.
    // Each pick renders a picking pass (slow in software GL): 10 taxis are plenty either way.
    await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.socket.disconnect());
    // Each look renders picking passes: slow in software GL, so a few seconds to see each change drawn.
    const taxisDrawn = () => expect.poll(async () => (await unitsDrawn(page, 'taxi-', 10)).hits, { timeout: 15_000 });
    await taxisDrawn().toBe(10);
    await page.click('[data-testid="layer-taxi"]');
    expect(await page.getAttribute('[data-testid="layer-taxi"]', 'aria-checked')).toBe('false');
    await taxisDrawn().toBe(0);
    await page.click('[data-testid="layer-taxi"]');
    await taxisDrawn().toBe(10);
    await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.socket.connect());
    await page.screenshot({ path: join(artifacts, 'wall-en-1920x1080.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);
  it('counts units in clusters at city zoom, and a click on one zooms in to show each unit', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN&tour=off', { width: 1920, height: 1080 });
    await roadsDrawn(page);
    await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.socket.disconnect());
    // The biggest police-car cluster deck.gl drew, and not under an alert: where a click lands on it.
    type Disc = { slots: number[]; kind: number; lon: number; lat: number };
    const target = async () =>
      page.evaluate(() => {
        const { map, overlay } = (window as unknown as OnescreenWindow).onescreen;
        if (map.isMoving()) return null;
        const { clientWidth: width, clientHeight: height } = map.getContainer();
        const discs = overlay.pickObjects({ x: 0, y: 0, width, height, layerIds: ['unit-clusters'] }).map((info) => info.object as Disc);
        for (const disc of discs.filter((candidate) => candidate.kind === 0).sort((a, b) => b.slots.length - a.slots.length)) {
          const { x, y } = map.project([disc.lon, disc.lat]);
          if (overlay.pickObject({ x, y, radius: 0 })?.layer?.id === 'unit-clusters') return { x, y, slots: disc.slots };
        }
        return null;
      });
    // The same disc twice, a quarter second apart: units still gliding to the last frame's
    // positions (or the map still easing) regroup the clusters, and a click then opened a neighbour
    // (CI: 14 cars where 13 were picked).
    let previous = '';
    const settled = async () => {
      const now = JSON.stringify(await target());
      const same = now !== 'null' && now === previous;
      previous = now;
      return same;
    };
    await expect.poll(settled, { timeout: 15_000, interval: 250 }).toBe(true);
    const disc = JSON.parse(previous) as { x: number; y: number; slots: number[] };
    expect(disc.slots.length).toBeGreaterThanOrEqual(2);
    const zoomBefore = await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.map.getZoom());
    await page.mouse.click(disc.x, disc.y);
    await page.waitForSelector('[data-testid="details"]:not([hidden])');
    expect(await page.textContent('[data-testid="details"] h2')).toBe(`警车：${disc.slots.length}`);
    expect(await page.textContent('[data-testid="details"]')).toContain('已放大地图，逐个显示。');
    const zoomAfter = await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.map.getZoom());
    expect(zoomAfter).toBeGreaterThan(zoomBefore);
    // Zoomed in, each of the cluster's cars is drawn as itself where it is.
    await expect.poll(async () => (await slotsDrawn(page, disc.slots)).hits, { timeout: 15_000 }).toBe(disc.slots.length);
    expect((await slotsDrawn(page, disc.slots)).inClusters).toBe(0);
    await page.screenshot({ path: join(artifacts, 'wall-cluster-zoomed-1920x1080.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('finds a police car by its plate, follows it as it moves, and lets go when asked', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN', { width: 1920, height: 1080 });
    const car = generateCity(cityProfiles.karamay).entities.find((e) => e.kind === 'police-car' && e.id === 'pc-0007')!;
    await page.keyboard.press('/');
    await page.keyboard.type('没有这个地方');
    await page.waitForSelector('[data-testid="search-results"] .search-message');
    expect(await page.textContent('[data-testid="search-results"]')).toBe('没有找到。可输入编号、车牌或地名的一部分。');
    await page.fill('[data-testid="search"]', car.label);
    await page.waitForSelector('[data-testid="search-results"] .search-hit');
    expect(await page.textContent('[data-testid="search-results"] .search-hit')).toBe(`${car.label}${car.id}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((text) => document.querySelector('[data-testid="showing"]')?.textContent === text, `跟随 · ${car.label}`);

    // The car keeps moving; the map keeps it in the middle.
    const offCentre = () =>
      page.evaluate((id) => {
        const { table, map } = (window as unknown as OnescreenWindow).onescreen;
        const slot = table.ids.indexOf(id);
        const centre = map.getCenter();
        return { m: Math.hypot(centre.lng - table.shown[2 * slot]!, centre.lat - table.shown[2 * slot + 1]!) * 111_000, at: [table.positions[2 * slot], table.positions[2 * slot + 1]] };
      }, car.id);
    // Its tracker reports every 5 s.
    const movedFrom = async (at: unknown) => expect.poll(async () => (await offCentre()).at, { message: 'the car moved', timeout: 30_000 }).not.toEqual(at);
    await movedFrom((await offCentre()).at);
    await expect.poll(async () => (await offCentre()).m, { message: 'metres between the map centre and the car', timeout: 10_000 }).toBeLessThan(20);
    // The middle of the map clear of the panels, where the followed car is held.
    const ringAtCentre = await page.evaluate(() => {
      const { overlay, map } = (window as unknown as OnescreenWindow).onescreen;
      const { x, y } = map.project([map.getCenter().lng, map.getCenter().lat]);
      return overlay.pickObject({ x, y, radius: 30, layerIds: ['followed'] }) !== null;
    });
    expect(ringAtCentre, 'a ring marks the followed car').toBe(true);
    type Labels = { onescreen: { overlay: { _props: { layers: { id: string; props: { data: number[]; getText(slot: number): string } }[] } } } };
    const label = await page.evaluate(() => {
      const layer = (window as unknown as Labels).onescreen.overlay._props.layers.find((candidate) => candidate.id === 'followed-label')!;
      return layer.props.data.map((slot) => layer.props.getText(slot));
    });
    expect(label, 'and a label with its plate').toEqual([car.label]);
    await page.screenshot({ path: join(artifacts, 'wall-follow-1920x1080.png') });

    await page.click('[data-testid="stop-following"]');
    expect(await page.isHidden('[data-testid="showing"]')).toBe(true);
    const centre = () => page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.map.getCenter());
    const letGo = await centre();
    // Two fixes later the map would have followed the first of them.
    await movedFrom((await offCentre()).at);
    await movedFrom((await offCentre()).at);
    expect(await centre(), 'let go: the map stays where it was').toEqual(letGo);
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** Police cars and buses, with the position each slot holds now. */
function positionsOf(page: Page): Promise<Record<string, [number, number]>> {
  return page.evaluate(() => {
    const { table } = (window as unknown as OnescreenWindow).onescreen;
    const positions: Record<string, [number, number]> = {};
    for (let slot = 0; slot < table.size; slot++) {
      if (table.ids[slot]!.startsWith('pc-') || table.ids[slot]!.startsWith('bus-')) positions[table.ids[slot]!] = [table.positions[2 * slot]!, table.positions[2 * slot + 1]!];
    }
    return positions;
  });
}

// Dots are up to 9 px across, so vehicles bunched on an arterial overlap; what is drawn at a
// vehicle's position must be that vehicle or one within this many px of it.
const overlapPx = 10;
// At city zoom a unit may be counted in a cluster disc instead: the disc stands within its cell
// (96 px) and the ring around the cell's middle (26 px), scaled like the wall's text.
const clusterReachPx = 170;

/**
 * Asks deck.gl what it drew for the first `limit` units whose ids start with `prefix`, at the
 * position the table shows each now: its own icon there (or a neighbour's within overlapPx), or a
 * cluster disc within reach whose members include it. Proof that units are rendered where they
 * are, not just held in memory. Returns how many were found, the misses, and how many were drawn
 * inside clusters.
 */
async function unitsDrawn(page: Page, prefix: string, limit = 40) {
  const slots = await page.evaluate(
    ({ prefix, limit }) => {
      const { table } = (window as unknown as OnescreenWindow).onescreen;
      return [...table.ids.keys()].filter((slot) => table.ids[slot]!.startsWith(prefix)).slice(0, limit);
    },
    { prefix, limit },
  );
  return slotsDrawn(page, slots);
}

/** See unitsDrawn: the same, for these table slots. */
function slotsDrawn(page: Page, slots: number[]) {
  return page.evaluate(
    ({ slots, overlap, reach }) => {
      const { table, map, overlay } = (window as unknown as OnescreenWindow).onescreen;
      const screenAt = (slot: number) => map.project([table.shown[2 * slot]!, table.shown[2 * slot + 1]!]);
      let inClusters = 0;
      const misses: string[] = [];
      for (const slot of slots) {
        const { x, y } = screenAt(slot);
        const picked = overlay.pickObject({ x, y, radius: 1, layerIds: ['live-entities'] });
        const offPx = picked ? Math.hypot(screenAt(picked.index).x - x, screenAt(picked.index).y - y) : Infinity;
        if (offPx < overlap) continue;
        const discs = overlay.pickObjects({ x: x - reach, y: y - reach, width: 2 * reach, height: 2 * reach, layerIds: ['unit-clusters'] });
        if (discs.some((disc) => (disc.object as { slots: number[] }).slots.includes(slot))) inClusters += 1;
        else misses.push(`${table.ids[slot]} at (${Math.round(x)}, ${Math.round(y)}): ${picked ? `${table.ids[picked.index]} ${offPx.toFixed(1)} px away` : 'nothing drawn'}`);
      }
      return { tried: slots.length, hits: slots.length - misses.length, misses, inClusters };
    },
    { slots, overlap: overlapPx, reach: clusterReachPx },
  );
}

/**
 * Police cars and buses drawn where they are (see unitsDrawn). Pauses the live feed first, then
 * looks again every 500 ms until the picture settles (frames are slow under software rendering
 * on a busy machine).
 */
async function drawnWhereTheyAre(page: Page) {
  await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.socket.disconnect());
  const deadline = Date.now() + 15_000;
  for (;;) {
    await page.waitForTimeout(500);
    const tally = { policeCars: await unitsDrawn(page, 'pc-'), buses: await unitsDrawn(page, 'bus-') };
    const settled = tally.policeCars.hits >= 0.9 * tally.policeCars.tried && tally.buses.hits >= 0.9 * tally.buses.tried;
    if (settled || Date.now() > deadline) return tally;
  }
}
