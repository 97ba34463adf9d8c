import { describe, expect, it } from 'vitest';
import { insetsClearing } from './panel-insets.ts';

describe('insetsClearing', () => {
  it('pads the map by the cheaper edge of each panel it touches', () => {
    // 1920×1080: a title bar across the top, a legend bottom-left, a search box top-right.
    const titleBar = { left: 0, top: 0, right: 1920, bottom: 56 };
    const legend = { left: 19, top: 640, right: 280, bottom: 1061 };
    const search = { left: 1517, top: 58, right: 1901, bottom: 96 };
    expect(insetsClearing([titleBar, legend, search], 1920, 1080)).toEqual({ top: 96, right: 0, bottom: 0, left: 280 });
  });

  it('pads a legend on a tall screen from below, where it takes less of the map', () => {
    const legend = { left: 19, top: 1700, right: 600, bottom: 1900 };
    expect(insetsClearing([legend], 1080, 1920)).toEqual({ top: 0, right: 0, bottom: 220, left: 0 });
  });

  it('ignores an empty panel and pads nothing without panels', () => {
    expect(insetsClearing([{ left: 10, top: 10, right: 10, bottom: 10 }], 1920, 1080)).toEqual({ top: 0, right: 0, bottom: 0, left: 0 });
    expect(insetsClearing([], 1920, 1080)).toEqual({ top: 0, right: 0, bottom: 0, left: 0 });
  });
});
