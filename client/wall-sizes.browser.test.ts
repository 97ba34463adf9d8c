import { describe, inject, it } from 'vitest';
import { simulatorsForTests } from '../fixtures/test-simulators.ts';
import { checkTour } from './wall-checks.ts';
import { wallTestContext } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');

// The same checks at 3840×2160 and 7680×2160 are in the long tier (wall-sizes.long.test.ts).
describe.skipIf(!chromiumPath && !process.env.CI)('the wall touring on its own', () => {
  // The product as `npm start` runs it: the embedded database, every simulated feed on.
  const wall = wallTestContext(chromiumPath, {}, 'embedded', simulatorsForTests);

  it('tours Karamay by itself at 1920×1080, takes the wall for a new accident, and asks nothing of the outside world', () => checkTour(wall, { width: 1920, height: 1080 }, 6));
});
