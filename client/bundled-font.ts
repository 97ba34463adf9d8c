import type { StyleSpecification } from 'maplibre-gl';
import unicodeRanges from '@fontsource/noto-sans-sc/unicode.json';

/**
 * The wall's one typeface, bundled: command centres run on isolated networks, and a wall PC
 * without a Chinese font would otherwise show empty boxes for every label. Noto Sans SC comes cut
 * into ~100 files by Unicode range; the browser and MapLibre each fetch, from this server, only
 * the files for characters actually on screen (~30–70 KB each).
 */
export const bundledFontFamily = 'Noto Sans SC';

// Subset name (as unicode.json spells it, "[4]" or "latin") → the built file's URL.
const files = import.meta.glob<string>('../node_modules/@fontsource/noto-sans-sc/files/noto-sans-sc-*-400-normal.woff2', {
  query: '?url',
  import: 'default',
  eager: true,
});
const subsets = Object.entries(unicodeRanges as Record<string, string>).flatMap(([subset, ranges]) => {
  const url = Object.entries(files).find(([path]) => path.endsWith(`/noto-sans-sc-${subset.replace(/[[\]]/g, '')}-400-normal.woff2`))?.[1];
  return url ? [{ url: new URL(url, location.href).href, ranges }] : [];
});

/** Makes the family known to the page's CSS; nothing is downloaded until a character needs it. */
export function registerBundledFont(): void {
  for (const { url, ranges } of subsets) document.fonts.add(new FontFace(bundledFontFamily, `url(${url}) format('woff2')`, { unicodeRange: ranges }));
}

/** The same files for MapLibre's labels (the style's `font-faces`). */
export function bundledFontFaces(): NonNullable<StyleSpecification['font-faces']> {
  return { [bundledFontFamily]: subsets.map(({ url, ranges }) => ({ url, 'unicode-range': ranges.split(',') })) };
}
