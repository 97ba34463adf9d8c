// How the wall lays itself out on the screen it is given: a 16:9 screen gets the map with a slim
// column of panels; a 32:9 (or wider) wall gets the map in the middle at full height with panels
// either side, as city operation centres arrange theirs. Text and symbols are sized for the
// farthest seat (control-room guidance: 16 arc-minutes), not for the pixel count.
import { element } from './hud.ts';

export type WallLayout = 'standard' | 'wide';

/** The room: how far the farthest seat is from the wall, and how tall the wall is, m. */
export interface Viewing {
  distanceM: number;
  wallHeightM: number;
}

// Text subtends at least this at the farthest seat (ISO 11064 and control-room practice).
const minimumArcMinutes = 16;
// Without ?distance= the farthest seat is 6 m away; without ?wall-height= the wall is two rows of
// 55-inch 1080p tiles (1.36 m), the common build, so a 1080-line screen is read as that wall's half.
const defaultViewing: Viewing = { distanceM: 6, wallHeightM: 1.36 };
// A screen at least this much wider than tall is a wide wall (32:9 is 3.56, 16:9 is 1.78).
const wideFromAspect = 2.4;

const numberParameter = (search: URLSearchParams, name: string, min: number, max: number, fallback: number) => {
  const value = Number(search.get(name));
  return search.has(name) && Number.isFinite(value) && value >= min && value <= max ? value : fallback;
};

export function viewingFromQuery(search: string): Viewing {
  const parameters = new URLSearchParams(search);
  return {
    distanceM: numberParameter(parameters, 'distance', 0.5, 40, defaultViewing.distanceM),
    wallHeightM: numberParameter(parameters, 'wall-height', 0.2, 20, defaultViewing.wallHeightM),
  };
}

/** The text size (CSS px) that meets the rule on a screen `heightPx` tall, never under 16 px. */
export function readableTextPx({ distanceM, wallHeightM }: Viewing, heightPx: number): number {
  const textMm = distanceM * 1000 * Math.tan(((minimumArcMinutes / 60) * Math.PI) / 180);
  return Math.max(16, Math.round(textMm * (heightPx / (wallHeightM * 1000))));
}

/** `?layout=standard|wide`, else by the screen's shape. */
export function layoutFor(search: string, width: number, height: number): WallLayout {
  const asked = new URLSearchParams(search).get('layout');
  if (asked === 'standard' || asked === 'wide') return asked;
  return width / height >= wideFromAspect ? 'wide' : 'standard';
}

/** Where the panels go: the map's box in the middle, the columns beside it. */
export interface WallFrame {
  layout: WallLayout;
  /** The map and its heads-up display (title, legend, search, details). */
  centre: HTMLElement;
  /** A strip atop the standard layout's column, for what its narrower title bar cannot hold; null when wide. */
  status: HTMLElement | null;
  alerts: HTMLElement;
  kpis: HTMLElement;
  force: HTMLElement;
  ticker: HTMLElement;
}

/**
 * Builds the wall's frame in `root`: the map moves into the centre, which the panels never
 * cover (they sit in their own columns), and every size follows `--unit`.
 */
export function mountWallFrame(root: HTMLElement, map: HTMLElement, layout: WallLayout, unitPx: number, width: number, height: number): WallFrame {
  document.documentElement.style.setProperty('--unit', `${unitPx}px`);
  // Wide: the map 16:9 at full height in the middle, the rest split either side. Standard: a
  // column on the right, about a fifth of the width.
  const side = layout === 'wide' ? Math.max(unitPx * 18, Math.floor((width - (height * 16) / 9) / 2)) : Math.max(unitPx * 15, Math.floor(width * 0.22));
  root.style.setProperty('--side', `${side}px`);
  root.classList.add(`layout-${layout}`);
  const centre = element('div', 'wall-centre');
  centre.append(map);
  const panel = (name: string) => {
    const box = element('section', `wall-panel wall-${name}`);
    box.dataset.testid = `wall-${name}`;
    return box;
  };
  const [alerts, kpis, force, ticker] = [panel('alerts'), panel('kpis'), panel('force'), panel('ticker')];
  const right = element('aside', 'wall-side wall-right');
  const status = layout === 'wide' ? null : element('div', 'wall-status');
  if (layout === 'wide') {
    const left = element('aside', 'wall-side wall-left');
    left.append(alerts, ticker);
    right.append(kpis, force);
    root.append(left, centre, right);
  } else {
    right.append(status!, kpis, alerts, force, ticker);
    root.append(centre, right);
  }
  return { layout, centre, status, alerts, kpis, force, ticker };
}
