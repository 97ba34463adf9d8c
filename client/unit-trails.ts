import { PathLayer } from '@deck.gl/layers';
import type { EntityTable } from './entity-table.ts';
import { entityColors } from './theme.ts';
import { entityKindOrder } from './entity-table.ts';

// A trail holds a unit's last few fixes, none older than this before the newest fix shown (a
// unit gone quiet keeps no trail): at a replay's ×60 that is where it came from in the last seconds.
const trailPoints = 8;
const trailMs = 5 * 60_000;
// Rebuilt at most this often: a trail is read at a glance, its tip follows the icon's glide.
const rebuildEveryMs = 250;

interface Trail {
  slot: number;
  path: [number, number][];
}

/**
 * Short trails behind moving units (issue 21: every layer replays together, units with short
 * trails). Kept per table slot as a ring of fixes, filled from the table as its fixes move on;
 * drawn as one deck.gl path layer, each trail in its unit's colour, ending where its icon is.
 */
export class UnitTrails {
  private points = new Float64Array(0);
  private times = new Float64Array(0);
  private counts = new Uint8Array(0);
  private heads = new Uint8Array(0);
  private taken = new Float64Array(0);
  private clearedSeen = -1;
  private versionSeen = -1;
  private newest = 0;
  private trails: Trail[] = [];
  private builtAt = -Infinity;
  private version = 0;

  /** Takes each slot's newest fix into its trail, if it moved on since the last look. */
  update(table: EntityTable): void {
    if (table.cleared !== this.clearedSeen) this.reset(table.cleared);
    if (table.version === this.versionSeen) return;
    this.versionSeen = table.version;
    if (this.taken.length < table.size) this.grow(table.size);
    for (let slot = 0; slot < table.size; slot++) {
      const at = table.updatedAt[slot]!;
      if (at === 0 || at === this.taken[slot]) continue;
      this.taken[slot] = at;
      this.newest = Math.max(this.newest, at);
      const index = slot * trailPoints + this.heads[slot]!;
      this.points[2 * index] = table.positions[2 * slot]!;
      this.points[2 * index + 1] = table.positions[2 * slot + 1]!;
      this.times[index] = at;
      this.heads[slot] = (this.heads[slot]! + 1) % trailPoints;
      this.counts[slot] = Math.min(trailPoints, this.counts[slot]! + 1);
    }
  }

  /** The trails as a layer; `hidden` kinds have none, nor units drawn inside a cluster (`clustered`, by slot). */
  layer(table: EntityTable, hidden: readonly string[], scale: number, now: number, clustered?: Uint8Array): PathLayer<Trail> {
    if (now - this.builtAt >= rebuildEveryMs) {
      this.builtAt = now;
      this.trails = this.build(table, hidden, clustered);
      this.version += 1;
    }
    return new PathLayer<Trail>({
      id: 'unit-trails',
      data: this.trails,
      getPath: (trail) => trail.path,
      getColor: (trail) => [...entityColors[entityKindOrder[table.kinds[trail.slot]!]!], 150] as [number, number, number, number],
      getWidth: 2.5 * scale,
      widthUnits: 'pixels',
      capRounded: true,
      jointRounded: true,
      updateTriggers: { getPath: this.version, getColor: this.version },
    });
  }

  private build(table: EntityTable, hidden: readonly string[], clustered?: Uint8Array): Trail[] {
    const trails: Trail[] = [];
    const since = this.newest - trailMs;
    for (let slot = 0; slot < Math.min(table.size, this.counts.length); slot++) {
      if (this.counts[slot]! < 2 || clustered?.[slot] || hidden.includes(table.kindOf(slot))) continue;
      const path: [number, number][] = [];
      for (let i = this.counts[slot]!; i >= 1; i--) {
        const index = slot * trailPoints + ((this.heads[slot]! - i + trailPoints) % trailPoints);
        if (this.times[index]! >= since) path.push([this.points[2 * index]!, this.points[2 * index + 1]!]);
      }
      if (path.length === 0) continue;
      // The tip is where the icon is on its glide towards the newest fix.
      path[path.length - 1] = [table.shown[2 * slot]!, table.shown[2 * slot + 1]!];
      if (path.length >= 2) trails.push({ slot, path });
    }
    return trails;
  }

  private reset(cleared: number): void {
    this.clearedSeen = cleared;
    this.counts.fill(0);
    this.heads.fill(0);
    this.taken.fill(0);
    this.newest = 0;
    this.trails = [];
    this.builtAt = -Infinity;
  }

  private grow(size: number): void {
    const capacity = Math.max(size, this.taken.length * 2);
    const grown = <T extends Float64Array | Uint8Array>(old: T, length: number): T => {
      const next = new (old.constructor as new (n: number) => T)(length);
      next.set(old);
      return next;
    };
    this.points = grown(this.points, capacity * trailPoints * 2);
    this.times = grown(this.times, capacity * trailPoints);
    this.counts = grown(this.counts, capacity);
    this.heads = grown(this.heads, capacity);
    this.taken = grown(this.taken, capacity);
  }
}
