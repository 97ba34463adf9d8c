import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { osmandFix, seen } from '../server/test-server.ts';
import type { Warning } from '../streams/index.ts';
import { artifacts, openWall, wallTestContext, type OnescreenWindow } from './test-wall.ts';
import { localInputValue } from './time-bar.ts';

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);
const car = karamay.entities.find((entity) => entity.kind === 'police-car')!;
// 60 m east a fix: well under the 300 km/h filter at a fix a second.
const along = (i: number): [number, number] => [car.point[0] + i * 0.0008, car.point[1]];

/** What the wall showed, in order: each new fix of the car where it drew it, and the warning's first showing. */
type Shown = ({ fix: number; lon: number; lat: number } | { warning: number })[];

interface RecordingWindow extends OnescreenWindow {
  shown: Shown;
  onescreen: OnescreenWindow['onescreen'] & { store: { subscribe(listener: () => void): () => void }; table: OnescreenWindow['onescreen']['table'] & { updatedAt: Float64Array } };
}

describe.skipIf(!chromiumPath && !process.env.CI)('the wall replaying the past', () => {
  const wall = wallTestContext(chromiumPath);

  it('records a unit driving and a warning live, then replays that window from the time bar with the same fixes at the same places, in the same order, and goes back to live', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '', { width: 1920, height: 1080 });
    // The page notes what the wall shows after every update it applies, live or replayed, and
    // looks at its alerts (which come beside the updates) every 20 ms.
    await page.evaluate(([id]) => {
        const w = window as unknown as RecordingWindow;
        w.shown = [];
        const look = () => {
          const slot = w.onescreen.table.ids.indexOf(id!);
          const fix = slot >= 0 ? w.onescreen.table.updatedAt[slot]! : 0;
          const last = w.shown.findLast((entry) => 'fix' in entry) as { fix: number } | undefined;
          if (fix > 0 && fix !== last?.fix) w.shown.push({ fix, lon: w.onescreen.table.positions[2 * slot]!, lat: w.onescreen.table.positions[2 * slot + 1]! });
          for (const alert of w.onescreen.alerts.items()) {
            const warning = alert.id.startsWith('warning-') ? Number(alert.id.slice('warning-'.length)) : undefined;
            if (warning !== undefined && !w.shown.some((entry) => 'warning' in entry && entry.warning === warning)) w.shown.push({ warning });
          }
        };
        w.onescreen.store.subscribe(look);
        setInterval(look, 20);
      }, [car.id]);
    const shown = () => page.evaluate(() => (window as unknown as RecordingWindow).shown);
    const startOver = () => page.evaluate(() => ((window as unknown as RecordingWindow).shown = []));

    // Live: the car reports four times a second apart; after its second fix a dispatcher warns the area.
    const started = Date.now() - 1_000;
    let sentS = Math.floor(Date.now() / 1000) - 1;
    let warning: Warning | undefined;
    for (let i = 1; i <= 4; i++) {
      const second = await seen(() => (Math.floor(Date.now() / 1000) > sentS ? Math.floor(Date.now() / 1000) : undefined), 2_000, 10);
      expect((await osmandFix(wall.server.osmandUrl, car.id, along(i), second)).status).toBe(200);
      sentS = second;
      await seen(async () => (await shown()).find((entry) => 'fix' in entry && entry.fix === second * 1000));
      if (i === 2) {
        const dispatcher = await wall.server.as('dispatcher');
        const issued = await dispatcher.fetch('/api/warnings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '暴雨红色预警', center: along(2), radiusM: 800 }) });
        warning = (await issued.json()) as Warning;
        await seen(async () => (await shown()).find((entry) => 'warning' in entry && entry.warning === warning!.id));
        // The next fix is timed after the warning (whole seconds), as it was shown after it.
        sentS = Math.max(sentS, Math.floor(Date.parse(warning.issuedAt) / 1000));
      }
    }
    const live = (await shown()).filter((entry) => !('fix' in entry) || entry.fix >= started);
    expect(live.map((entry) => ('fix' in entry ? 'fix' : 'warning'))).toEqual(['fix', 'fix', 'warning', 'fix', 'fix']);

    // The time bar: into the past, jump to where the recording began, ×1, play.
    await page.click('[data-testid="replay-open"]');
    await page.waitForSelector('[data-testid="time-bar"]:not([hidden])');
    expect(await page.evaluate(() => document.body.classList.contains('replaying'))).toBe(true);
    expect(await page.isVisible('[data-testid="connection"]'), 'no "live" badge on a replaying wall').toBe(false);
    await page.fill('[data-testid="replay-jump"]', localInputValue(Math.floor(started / 1000) * 1000));
    await seen(async () => (await page.evaluate(() => (window as unknown as { onescreen: { replay: { state: { clock: { at: number } | null } } } }).onescreen.replay.state.clock?.at)) === Math.floor(started / 1000) * 1000 || undefined);
    await startOver();
    await page.click('[data-testid="replay-speed-1"]');
    await page.click('[data-testid="replay-play"]');
    await seen(async () => ((await shown()).some((entry) => 'fix' in entry && entry.fix === sentS * 1000) ? true : undefined), 30_000);
    await page.waitForFunction((id) => (window as unknown as RecordingWindow).shown.some((entry) => 'warning' in entry && entry.warning === id), warning!.id);
    expect(await shown()).toEqual(live);
    expect(await page.textContent('[data-testid="replay-label"]')).toMatch(/^REPLAY\d/);
    await page.screenshot({ path: join(artifacts, 'wall-replay.png') });

    // One click back to live: the frame and the bar go, the wall is live again with the car where it is.
    await page.click('[data-testid="replay-live"]');
    await page.waitForSelector('[data-testid="connection"][data-state="live"]');
    expect(await page.evaluate(() => document.body.classList.contains('replaying'))).toBe(false);
    expect(await page.isVisible('[data-testid="time-bar"]')).toBe(false);
    await page.waitForFunction(([id, fix]) => {
      const table = (window as unknown as RecordingWindow).onescreen.table;
      return table.updatedAt[table.ids.indexOf(id as string)] === fix;
    }, [car.id, sentS * 1000] as const);
    expect(problems).toEqual([]);
    await page.close();
  });
});
