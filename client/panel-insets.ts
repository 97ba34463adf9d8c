// The map's live content must never sit permanently under a panel of the wall: the map is padded
// by the edges its panels take, so the whole city, a district or an alert is framed in the clear.

export interface Insets { top: number; right: number; bottom: number; left: number }
export interface Rect { left: number; top: number; right: number; bottom: number }

/**
 * The padding that keeps every panel clear of the framed view, in px. A panel in a corner can be
 * cleared from either of its two edges; the one that takes less of the map is chosen (a legend in
 * the bottom-left of a wide screen pads the left, one on a tall screen pads the bottom).
 */
export function insetsClearing(panels: readonly Rect[], width: number, height: number): Insets {
  const insets: Insets = { top: 0, right: 0, bottom: 0, left: 0 };
  for (const panel of panels) {
    if (panel.right <= panel.left || panel.bottom <= panel.top) continue;
    const options: [keyof Insets, number, number][] = [
      ['top', panel.bottom, panel.bottom * width],
      ['bottom', height - panel.top, (height - panel.top) * width],
      ['left', panel.right, panel.right * height],
      ['right', width - panel.left, (width - panel.left) * height],
    ];
    // Only the edges the panel touches can be padded away: a panel's far side is the map.
    const touching = options.filter(([edge]) => edgeDistance(edge, panel, width, height) < Math.min(width, height) / 4);
    const [edge, depth] = (touching.length > 0 ? touching : options).reduce((best, option) => (option[2] < best[2] ? option : best));
    insets[edge] = Math.max(insets[edge], Math.ceil(depth));
  }
  return insets;
}

function edgeDistance(edge: keyof Insets, panel: Rect, width: number, height: number): number {
  return { top: panel.top, bottom: height - panel.bottom, left: panel.left, right: width - panel.right }[edge];
}

/** Calls `onChange` with the insets clearing `panels` from the map's `box` now and whenever one of them, or the window, changes size. */
export function watchPanelInsets(panels: readonly HTMLElement[], box: HTMLElement, onChange: (insets: Insets) => void): void {
  let last = '';
  const measure = () => {
    const frame = box.getBoundingClientRect();
    const shown = panels
      .filter((panel) => panel.isConnected && !panel.hidden)
      .map((panel) => panel.getBoundingClientRect())
      .map((rect) => ({ left: rect.left - frame.left, right: rect.right - frame.left, top: rect.top - frame.top, bottom: rect.bottom - frame.top }));
    const insets = insetsClearing(shown, frame.width, frame.height);
    const key = JSON.stringify(insets);
    if (key === last) return;
    last = key;
    onChange(insets);
  };
  const observer = new ResizeObserver(measure);
  for (const panel of panels) observer.observe(panel);
  window.addEventListener('resize', measure);
  measure();
}
