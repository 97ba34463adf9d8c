import { describe, inject, it } from 'vitest';
import { simulatorsForTests } from '../fixtures/test-simulators.ts';
import { checkTour, checkWholeCityLive } from './wall-checks.ts';
import { wallTestContext } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');

// Chromium draws WebGL in software here: minutes over 8 and 16 million pixels that a wall's GPU does
// in frames. Every pixel is drawn, as on the wall (other browser tests draw a quarter of them).
describe.skipIf(!chromiumPath && !process.env.CI)('the wall on 4K and 8K screens', () => {
  // The product as `npm start` runs it: the embedded database, every simulated feed on.
  const wall = wallTestContext(chromiumPath, {}, 'embedded', simulatorsForTests);

  it('tours Karamay by itself at 3840×2160, takes the wall for a new accident, and asks nothing of the outside world', () => checkTour(wall, { width: 3840, height: 2160, deviceScaleFactor: 1 }, 15), 240_000);

  it('draws the whole city live on a 7680×2160 wall, in English', () => checkWholeCityLive(wall, { width: 7680, height: 2160, deviceScaleFactor: 1 }), 240_000);
});
