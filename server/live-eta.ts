// The live ETA a dispatcher watches counts down: the router's answer each tick is eased into the
// countdown of the one shown, and on the same route it never goes up unless the unit is plainly
// held up. A new route (the unit turned off the one it was given) is shown as routed.
import type { LonLat } from '../geo/index.ts';

/** The router's answer weighs this much against the countdown, each time. */
const easing = 0.3;
/** On the same route, the ETA goes up only when the router says more than this much over the shown one: both seconds and share. */
const heldUp = { overS: 30, overShare: 0.25 };

export interface ShownEta {
  etaS: number;
  /** When it was shown, epoch ms. */
  at: number;
  /** The crossings still ahead when it was shown, as "lon,lat". */
  crossings: string[];
}

/** The crossings a routed line passes, after its start (where the unit is) and before the scene. */
export function crossingsOf(line: readonly LonLat[]): string[] {
  return line.slice(1, -1).map((point) => point.join());
}

/** The ETA to show now, given the one shown last (if any) and the router's answer. */
export function easeEta(shown: ShownEta | undefined, routed: { etaS: number; crossings: string[] }, now: number): ShownEta {
  const fresh = { etaS: routed.etaS, at: now, crossings: routed.crossings };
  if (!shown || !isSameRoute(shown.crossings, routed.crossings)) return fresh;
  if (routed.etaS > shown.etaS + Math.max(heldUp.overS, heldUp.overShare * shown.etaS)) return fresh;
  const countdown = Math.max(0, shown.etaS - (now - shown.at) / 1000);
  const eased = countdown + easing * (routed.etaS - countdown);
  return { etaS: Math.max(0, Math.min(eased, shown.etaS)), at: now, crossings: routed.crossings };
}

/** The same route: what is ahead now is the tail of what was ahead then. */
function isSameRoute(before: readonly string[], now: readonly string[]): boolean {
  if (now.length > before.length) return false;
  const offset = before.length - now.length;
  return now.every((crossing, i) => crossing === before[offset + i]);
}
