import type { EntityKind, LiveEntity } from '../streams/index.ts';

export const entityKindOrder: readonly EntityKind[] = ['police-car', 'police-officer', 'inspector', 'bus', 'taxi', 'truck'];

/**
 * Live entities in flat typed arrays, one slot per entity, kept outside UI state: deck.gl reads
 * positions straight from these arrays, and an update touches only the slots that moved.
 */
export class EntityTable {
  readonly ids: string[] = [];
  readonly labels: string[] = [];
  private readonly slotById = new Map<string, number>();
  /** [lon, lat] per slot, WGS-84 degrees. */
  positions = new Float64Array(0);
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
  upsert(entities: readonly LiveEntity[]): void {
    for (const entity of entities) {
      const at = entity.updatedAt ? Date.parse(entity.updatedAt) : 0;
      let slot = this.slotById.get(entity.id);
      if (slot === undefined) {
        slot = this.addSlot(entity);
      } else if (at < this.updatedAt[slot]!) {
        continue;
      }
      this.positions[2 * slot] = entity.lon;
      this.positions[2 * slot + 1] = entity.lat;
      this.headings[slot] = entity.headingDeg ?? Number.NaN;
      this.updatedAt[slot] = at;
    }
    this.version += 1;
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
    this.kinds = widen(this.kinds, (n) => new Uint8Array(n));
    this.headings = widen(this.headings, (n) => new Float32Array(n));
    this.updatedAt = widen(this.updatedAt, (n) => new Float64Array(n));
  }
}
