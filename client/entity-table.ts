import type { EntityKind, FrameEntity, PositionFrame } from '../streams/index.ts';

export const entityKindOrder: readonly EntityKind[] = ['police-car', 'police-officer', 'inspector', 'bus', 'taxi', 'truck'];

// A glide lasts as long as the gap between an entity's last two reports, within these bounds, ms.
const minGlideMs = 1_000;
const maxGlideMs = 30_000;

/**
 * Live entities in flat typed arrays, one slot per entity, kept outside UI state: deck.gl reads
 * them as binary attributes, and a position frame touches only the slots it names, with no
 * object per entity. Between reports each entity glides from where it is shown to its latest
 * fix, over the time its reports have been arriving apart, so a bus reporting every 15 s moves
 * as smoothly as a patrol car. Without `glides` (reduced motion) each fix is shown where it lands.
 */
export class EntityTable {
  /** `toMap` moves fixes onto a base map's own coordinates (a GCJ-02 map's); without it they are kept as they come (WGS-84). */
  constructor(
    private readonly glides = true,
    private readonly toMap?: (at: [number, number]) => [number, number],
  ) {}

  readonly ids: string[] = [];
  readonly labels: string[] = [];
  readonly statusNames: string[] = [];
  private readonly slotById = new Map<string, number>();
  /** The connection's slot numbers (see PositionFrame) → this table's slots; reset by a keyframe. */
  private wireSlots: number[] = [];
  private wireStatuses: number[] = [];
  private lastSeq = 0;
  /** [lon, lat] of the latest fix per slot, degrees, in the base map's coordinates. */
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
  /** The heading as deck.gl turns icons: degrees counter-clockwise, 0 where unknown. */
  iconAngles = new Float32Array(0);
  /** km/h; NaN where unknown. */
  speeds = new Float32Array(0);
  /** Index into statusNames per slot. */
  statuses = new Uint8Array(0);
  /** Epoch ms (server clock) of the fix each slot shows; 0 before an entity's first report. */
  updatedAt = new Float64Array(0);
  /** Rises on every change, so renderers know when to re-read. */
  version = 0;
  /** Rises when an entity appears or its heading becomes known or unknown: when icons change. */
  iconVersion = 0;
  /** Rises when the table is cleared: slots are given out again from the first (see clear). */
  cleared = 0;

  get size(): number {
    return this.ids.length;
  }

  /**
   * Applies a position frame. Returns false, changing nothing, when frames were missed: the
   * caller asks the server for a keyframe. Fixes older than what a slot shows are ignored.
   */
  applyFrame(frame: PositionFrame, now = performance.now()): boolean {
    if (!frame.keyframe && frame.seq !== this.lastSeq + 1) return false;
    if (frame.keyframe) {
      this.wireSlots = [];
      this.wireStatuses = [];
    }
    this.lastSeq = frame.seq;
    for (const entity of frame.newEntities) this.wireSlots.push(this.slotById.get(entity.id) ?? this.addSlot(entity));
    for (const status of frame.newStatuses) this.wireStatuses.push(this.statusCode(status));
    const wire = new Uint32Array(frame.slots);
    const lonLat = new Float32Array(frame.lonLat);
    const heading = new Float32Array(frame.heading);
    const speed = new Float32Array(frame.speed);
    const status = new Uint8Array(frame.status);
    const fixAgeMs = new Float32Array(frame.fixAgeMs);
    const [originLon, originLat] = frame.origin;
    for (let row = 0; row < frame.rows; row++) {
      const slot = this.wireSlots[wire[row]!]!;
      const at = Number.isNaN(fixAgeMs[row]!) ? 0 : frame.sentAt - fixAgeMs[row]!;
      let lon = originLon + lonLat[2 * row]!;
      let lat = originLat + lonLat[2 * row + 1]!;
      // Per row of every frame: nothing is allocated unless the map needs the point moved.
      if (this.toMap) [lon, lat] = this.toMap([lon, lat]);
      if (this.arrivedAt[slot] === -1 || (!this.glides && at > this.updatedAt[slot]!)) {
        // A newcomer appears where it is, without gliding in from nowhere; without glides, every newer fix does.
        this.shown[2 * slot] = this.glideFrom[2 * slot] = lon;
        this.shown[2 * slot + 1] = this.glideFrom[2 * slot + 1] = lat;
      } else if (at <= this.updatedAt[slot]!) {
        continue;
      } else {
        this.glideFrom[2 * slot] = this.shown[2 * slot]!;
        this.glideFrom[2 * slot + 1] = this.shown[2 * slot + 1]!;
        this.glideMs[slot] = Math.min(maxGlideMs, Math.max(minGlideMs, now - this.arrivedAt[slot]!));
      }
      this.arrivedAt[slot] = now;
      this.positions[2 * slot] = lon;
      this.positions[2 * slot + 1] = lat;
      if (Number.isNaN(heading[row]!) !== Number.isNaN(this.headings[slot]!)) this.iconVersion += 1;
      this.headings[slot] = heading[row]!;
      this.iconAngles[slot] = Number.isNaN(heading[row]!) ? 0 : -heading[row]!;
      this.speeds[slot] = speed[row]!;
      this.statuses[slot] = this.wireStatuses[status[row]!] ?? 0;
      this.updatedAt[slot] = at;
    }
    this.version += 1;
    return true;
  }

  /**
   * Forgets every entity (a replay jumped to another moment, or went back to live): the keyframe
   * that follows fills the table again, and a fix older than one shown before is not ignored.
   */
  clear(): void {
    this.ids.length = 0;
    this.labels.length = 0;
    this.slotById.clear();
    this.wireSlots = [];
    this.wireStatuses = [];
    this.lastSeq = 0;
    this.arrivedAt.fill(-1);
    this.glideMs.fill(minGlideMs);
    this.headings.fill(Number.NaN);
    this.speeds.fill(Number.NaN);
    this.updatedAt.fill(0);
    this.version += 1;
    this.iconVersion += 1;
    this.cleared += 1;
  }

  /** Moves every gliding entity to where it is at `now`; false when nothing moved. */
  advance(now = performance.now()): boolean {
    // Without glides every fix is shown where it lands (applyFrame): nothing is on its way.
    if (!this.glides) return false;
    let moved = false;
    for (let slot = 0; slot < this.size; slot++) {
      const progress = Math.min(1, (now - this.arrivedAt[slot]!) / this.glideMs[slot]!);
      for (let i = 2 * slot; i < 2 * slot + 2; i++) {
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

  kindOf(slot: number): EntityKind {
    return entityKindOrder[this.kinds[slot]!]!;
  }

  countByKind(): Record<EntityKind, number> {
    const counts = Object.fromEntries(entityKindOrder.map((kind) => [kind, 0])) as Record<EntityKind, number>;
    for (let slot = 0; slot < this.size; slot++) counts[this.kindOf(slot)] += 1;
    return counts;
  }

  private statusCode(status: string): number {
    const known = this.statusNames.indexOf(status);
    return known >= 0 ? known : this.statusNames.push(status) - 1;
  }

  private addSlot(entity: FrameEntity): number {
    const slot = this.ids.length;
    if (slot >= this.kinds.length) this.grow(Math.max(64, slot * 2));
    this.ids.push(entity.id);
    this.labels.push(entity.label);
    this.slotById.set(entity.id, slot);
    this.kinds[slot] = Math.max(0, entityKindOrder.indexOf(entity.kind));
    this.iconVersion += 1;
    return slot;
  }

  private grow(capacity: number): void {
    const widen = <T extends Float64Array | Float32Array | Uint8Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.positions = widen(this.positions, new Float64Array(2 * capacity));
    this.shown = widen(this.shown, new Float64Array(2 * capacity));
    this.glideFrom = widen(this.glideFrom, new Float64Array(2 * capacity));
    // -1: no fix seen yet for this slot.
    this.arrivedAt = widen(this.arrivedAt, new Float64Array(capacity).fill(-1));
    this.glideMs = widen(this.glideMs, new Float32Array(capacity).fill(minGlideMs));
    this.kinds = widen(this.kinds, new Uint8Array(capacity));
    this.headings = widen(this.headings, new Float32Array(capacity).fill(Number.NaN));
    this.iconAngles = widen(this.iconAngles, new Float32Array(capacity));
    this.speeds = widen(this.speeds, new Float32Array(capacity).fill(Number.NaN));
    this.statuses = widen(this.statuses, new Uint8Array(capacity));
    this.updatedAt = widen(this.updatedAt, new Float64Array(capacity));
  }
}
