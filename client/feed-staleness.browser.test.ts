import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { artifacts, openWall, wallTestContext } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath && !process.env.CI)('feed freshness on the wall', () => {
  // No simulators: the only input is what this test sends. Quiet for 8 s, a feed is stale; feed
  // status goes out every 5 s, so the badge is seen fresh for at least 3 s first.
  const wall = wallTestContext(chromiumPath, { FEED_STALE_AFTER_MS: '8000' });

  it('shows a feed fresh while it delivers and red once it goes quiet, and one that never did as stale', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=en', { width: 1920, height: 1080 });
    await page.waitForSelector('[data-testid="feed-buses"][data-state="stale"]');
    expect(await page.textContent('[data-testid="feed-buses"]')).toBe('Buses no data');

    const fix = await fetch(`${wall.server.osmandUrl}?id=pc-0001&lat=45.5954&lon=84.8739&timestamp=${Math.floor(Date.now() / 1000)}`, { method: 'POST' });
    expect(fix.status).toBe(200);
    await page.waitForSelector('[data-testid="feed-trackers"][data-state="fresh"]', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="feed-trackers"][data-state="stale"]', { timeout: 20_000 });
    const badge = await page.$eval('[data-testid="feed-trackers"]', (el) => ({ color: getComputedStyle(el).color, title: el.getAttribute('title') }));
    expect(badge).toEqual({ color: 'rgb(255, 93, 93)', title: 'GPS feed has gone quiet: check its devices or network.' });
    await page.screenshot({ path: join(artifacts, 'wall-stale-feed.png'), clip: { x: 1200, y: 0, width: 720, height: 60 } });
    expect(problems).toEqual([]);
    await page.close();
  });
});
