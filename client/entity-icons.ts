import type { EntityKind } from '../streams/index.ts';
import { entityColors } from './theme.ts';

// Each icon is drawn in a square of this many pixels; deck.gl scales it to its on-screen size.
const cellPx = 64;

/** Icons for live entities: an arrow pointing up for an entity with a known heading, a disc otherwise. */
export type EntityIconName = `${EntityKind}:${'heading' | 'still'}`;

/**
 * Draws the entity icons into one atlas in the browser, from the theme's colours, so the icons
 * ship with the code and need no request. The dark rim keeps a marker legible over any road colour.
 */
export function drawEntityIcons(kinds: readonly EntityKind[]) {
  const canvas = document.createElement('canvas');
  canvas.width = 2 * cellPx;
  canvas.height = kinds.length * cellPx;
  const context = canvas.getContext('2d')!;
  context.lineJoin = 'round';
  context.lineWidth = 6;
  context.strokeStyle = '#070d17';
  const mapping: Record<string, { x: number; y: number; width: number; height: number; mask: false }> = {};
  kinds.forEach((kind, row) => {
    context.fillStyle = `rgb(${entityColors[kind].join(',')})`;
    const y = row * cellPx;
    // A navigation arrow, pointing to the top of the cell (north before rotation).
    context.beginPath();
    context.moveTo(cellPx / 2, y + 4);
    context.lineTo(cellPx - 8, y + cellPx - 6);
    context.lineTo(cellPx / 2, y + cellPx - 18);
    context.lineTo(8, y + cellPx - 6);
    context.closePath();
    context.stroke();
    context.fill();
    context.beginPath();
    context.arc(cellPx + cellPx / 2, y + cellPx / 2, cellPx / 2 - 10, 0, 2 * Math.PI);
    context.stroke();
    context.fill();
    mapping[`${kind}:heading`] = { x: 0, y, width: cellPx, height: cellPx, mask: false };
    mapping[`${kind}:still`] = { x: cellPx, y, width: cellPx, height: cellPx, mask: false };
  });
  return { canvas, mapping };
}
