import { describe, expect, it } from 'vitest';
import { layoutFor, readableTextPx, viewingFromQuery } from './wall-layout.ts';

describe('the wall’s layout and sizes', () => {
  it('lays a 32:9 or wider screen out wide and a 16:9 one standard, unless told', () => {
    expect(layoutFor('', 7680, 2160)).toBe('wide');
    expect(layoutFor('', 5760, 1080)).toBe('wide');
    expect(layoutFor('', 3840, 2160)).toBe('standard');
    expect(layoutFor('', 1920, 1080)).toBe('standard');
    expect(layoutFor('?layout=wide', 1920, 1080)).toBe('wide');
    expect(layoutFor('?layout=sideways', 7680, 2160), 'an unknown layout is the shape’s').toBe('wide');
  });

  it('sizes text to subtend 16 arc-minutes at the farthest seat', () => {
    // 6 m away: 27.9 mm; a 1.36 m wall 2160 px tall has 1.59 px per mm.
    expect(readableTextPx(viewingFromQuery(''), 2160)).toBe(44);
    expect(readableTextPx(viewingFromQuery(''), 1080)).toBe(22);
    // 10 m away (the guidance's 47 mm), on the same wall.
    expect(readableTextPx(viewingFromQuery('?distance=10'), 2160)).toBe(74);
    expect(readableTextPx(viewingFromQuery('?distance=2'), 1080), 'never under 16 px').toBe(16);
    expect(viewingFromQuery('?distance=-3&wall-height=abc'), 'nonsense is the default').toEqual({ distanceM: 6, wallHeightM: 1.36 });
  });
});
