import type { EntityKind, LiveEntity } from '../streams/index.ts';

export const entityKindOrder: readonly EntityKind[] = ['police-car', 'police-officer', 'inspector', 'bus', 'taxi', 'truck'];

// A glide lasts as long as the gap between an entity's last two reports, within these bounds, ms.
const minGlideMs = 1_000;
const maxGlideMs = 30_000;

/**
 * Live entities in flat typed arrays, one slot per entity, kept outside UI state: deck.gl reads
 * positions straight from these arrays, and an update touches only the slots that moved.
 * Between reports each entity glides from where it is shown to its latest fix, over the time its
 * reports have been arriving apart, so a bus reporting every 15 s moves as smoothly as a patrol car.
 */
export class EntityTable {
  readonly ids: string[] = [];
  readonly labels: string[] = [];
  private readonly slotById = new Map<string, number>();
  /** [lon, lat] of the latest fix per slot, WGS-84 degrees. */
  positions = new Float64Array(0);
  /** [lon, lat] shown now, on the way from `glideFrom` to `positions`. */
  shown = new Float64Array(0);
  private glideFrom = new Float64Array(0);
  /** When the latest fix arrived (client clock, ms) and how long its glide lasts. */
  private arrivedAt = new Float64Array(0);
  private glideMs = new Float32Array(0);
  /** Index into entityKindOrder per slot. */
  kinds = new Uint8Array(0);
  /** Compass degrees; NaN where unknown. */
  headings = new Float32Array(0);
  /** Epoch ms of the fix each slot shows. */
  updatedAt = new Float64Array(0);
  /** Rises on every change, so renderers know when to re-read. */
  version = 0;

  get size(): number {
    return this.ids.length;
  }

  /** Applies fixes newer than what each slot shows; older ones (a snapshot racing a push) are ignored. */
  upsert(entities: readonly LiveEntity[], now = performance.now()): void {
    for (const entity of entities) {
      const at = entity.updatedAt ? Date.parse(entity.updatedAt) : 0;
      let slot = this.slotById.get(entity.id);
      if (slot === undefined) {
        slot = this.addSlot(entity);
        // A newcomer appears where it is, without gliding in from nowhere.
        this.shown[2 * slot] = this.glideFrom[2 * slot] = entity.lon;
        this.shown[2 * slot + 1] = this.glideFrom[2 * slot + 1] = entity.lat;
        this.arrivedAt[slot] = now;
      } else if (at <= this.updatedAt[slot]!) {
        continue;
      } else {
        this.glideFrom[2 * slot] = this.shown[2 * slot]!;
        this.glideFrom[2 * slot + 1] = this.shown[2 * slot + 1]!;
        this.glideMs[slot] = Math.min(maxGlideMs, Math.max(minGlideMs, now - this.arrivedAt[slot]!));
        this.arrivedAt[slot] = now;
      }
      this.positions[2 * slot] = entity.lon;
      this.positions[2 * slot + 1] = entity.lat;
      this.headings[slot] = entity.headingDeg ?? Number.NaN;
      this.updatedAt[slot] = at;
    }
    this.version += 1;
  }

  /** Moves every gliding entity to where it is at `now`; false when nothing moved. */
  advance(now = performance.now()): boolean {
    let moved = false;
    for (let slot = 0; slot < this.size; slot++) {
      const progress = Math.min(1, (now - this.arrivedAt[slot]!) / this.glideMs[slot]!);
      for (const axis of [0, 1]) {
        const i = 2 * slot + axis;
        const next = this.glideFrom[i]! + (this.positions[i]! - this.glideFrom[i]!) * progress;
        if (next !== this.shown[i]) {
          this.shown[i] = next;
          moved = true;
        }
      }
    }
    if (moved) this.version += 1;
    return moved;
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id);
  }

  countByKind(): Record<EntityKind, number> {
    const counts = Object.fromEntries(entityKindOrder.map((kind) => [kind, 0])) as Record<EntityKind, number>;
    for (let slot = 0; slot < this.size; slot++) counts[entityKindOrder[this.kinds[slot]!]!] += 1;
    return counts;
  }

  private addSlot(entity: LiveEntity): number {
    const slot = this.ids.length;
    if (slot >= this.kinds.length) this.grow(Math.max(64, slot * 2));
    this.ids.push(entity.id);
    this.labels.push(entity.label);
    this.slotById.set(entity.id, slot);
    this.kinds[slot] = Math.max(0, entityKindOrder.indexOf(entity.kind));
    return slot;
  }

  private grow(capacity: number): void {
    const widen = <T extends Float64Array | Float32Array | Uint8Array>(old: T, make: (n: number) => T, perSlot = 1): T => {
      const next = make(capacity * perSlot);
      next.set(old);
      return next;
    };
    this.positions = widen(this.positions, (n) => new Float64Array(n), 2);
    this.shown = widen(this.shown, (n) => new Float64Array(n), 2);
    this.glideFrom = widen(this.glideFrom, (n) => new Float64Array(n), 2);
    this.arrivedAt = widen(this.arrivedAt, (n) => new Float64Array(n));
    this.glideMs = widen(this.glideMs, (n) => new Float32Array(n).fill(minGlideMs));
    this.kinds = widen(this.kinds, (n) => new Uint8Array(n));
    this.headings = widen(this.headings, (n) => new Float32Array(n));
    this.updatedAt = widen(this.updatedAt, (n) => new Float64Array(n));
  }
}
