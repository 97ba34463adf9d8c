import type { EntityKind, LivePosition } from '../geo/index.ts';
import type { PositionEvent } from './events.ts';
import type { FrameEntity, PositionFrame } from './socket-contract.ts';

// Slots are added in blocks, so a city's worth of entities grows the columns a few times, not per entity.
const minCapacity = 1_024;

/**
 * The latest position of every entity in columns, one slot per entity: what the server cuts
 * position frames from. Slots are the server's numbering; each client gets its own (FrameCursor).
 */
export class LivePositionTable {
  readonly entities: FrameEntity[] = [];
  readonly statuses: string[] = [];
  private readonly slotById = new Map<string, number>();
  private readonly statusCodes = new Map<string, number>();
  lon = new Float64Array(0);
  lat = new Float64Array(0);
  /** Compass degrees and km/h; NaN where unknown. */
  heading = new Float32Array(0);
  speed = new Float32Array(0);
  status = new Uint8Array(0);
  /** Epoch ms of the fix each slot holds; 0 before its first report. */
  fixTime = new Float64Array(0);

  get size(): number {
    return this.entities.length;
  }

  /** Takes fixes newer than what each slot holds and returns the slots that changed, in order. */
  apply(entities: readonly LivePosition[]): number[] {
    const changed: number[] = [];
    for (const entity of entities) {
      // A seeded entity that never reported has no fix time (0): it is shown where the city placed it.
      const at = entity.fixTime ?? 0;
      let slot = this.slotById.get(entity.id);
      const known = slot !== undefined;
      if (slot === undefined) slot = this.addSlot(entity);
      // A late fix: what the slot holds is newer. The same fix again (joined after the screens were
      // moved to it while the database was behind) counts only for a status the join changed.
      else if (at < this.fixTime[slot]! || (at === this.fixTime[slot]! && this.statuses[this.status[slot]!] === entity.status)) continue;
      this.lon[slot] = entity.lon;
      this.lat[slot] = entity.lat;
      this.heading[slot] = entity.headingDeg ?? Number.NaN;
      this.speed[slot] = entity.speedKmh ?? Number.NaN;
      // Statuses rarely change: comparing with the slot's own skips a lookup per entity per tick.
      if (!known || this.statuses[this.status[slot]!] !== entity.status) this.status[slot] = this.statusCode(entity.status);
      this.fixTime[slot] = at;
      changed.push(slot);
    }
    return changed;
  }

  /**
   * Moves known entities to fixes not yet joined in the database (while it is behind or down),
   * keeping their status; unknown entities wait for their join. Returns the slots that changed.
   */
  moveTo(fixes: readonly Pick<PositionEvent, 'entityId' | 'lon' | 'lat' | 'headingDeg' | 'speedKmh' | 'eventTime'>[]): number[] {
    const changed: number[] = [];
    for (const fix of fixes) {
      const slot = this.slotById.get(fix.entityId);
      if (slot === undefined || fix.eventTime <= this.fixTime[slot]!) continue;
      this.lon[slot] = fix.lon;
      this.lat[slot] = fix.lat;
      this.heading[slot] = fix.headingDeg ?? Number.NaN;
      this.speed[slot] = fix.speedKmh ?? Number.NaN;
      this.fixTime[slot] = fix.eventTime;
      changed.push(slot);
    }
    return changed;
  }

  private statusCode(status: string): number {
    let code = this.statusCodes.get(status);
    if (code === undefined) {
      // Statuses are a handful of words per city; past 255 the rest share the last code rather than overflow.
      code = Math.min(255, this.statuses.length);
      if (code === this.statuses.length) this.statuses.push(status);
      this.statusCodes.set(status, code);
    }
    return code;
  }

  private addSlot(entity: LivePosition): number {
    const slot = this.entities.length;
    if (slot >= this.lon.length) {
      const capacity = Math.max(minCapacity, 2 * slot);
      this.lon = widen(this.lon, new Float64Array(capacity));
      this.lat = widen(this.lat, new Float64Array(capacity));
      this.heading = widen(this.heading, new Float32Array(capacity));
      this.speed = widen(this.speed, new Float32Array(capacity));
      this.status = widen(this.status, new Uint8Array(capacity));
      this.fixTime = widen(this.fixTime, new Float64Array(capacity));
    }
    this.entities.push({ id: entity.id, kind: entity.kind, label: entity.label });
    this.slotById.set(entity.id, slot);
    return slot;
  }
}

function widen<T extends Float64Array | Float32Array | Uint8Array | Int32Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

/**
 * One client's view of the table: the kinds it subscribed to, which entities it has been told
 * about (under its own slot numbers, so it learns nothing it did not subscribe to), and which
 * changed since its last frame. Changes conflate: a client that could not take a frame gets
 * each entity's latest state in the next one, never a backlog.
 */
export class FrameCursor {
  private clientSlot = new Int32Array(0);
  private dirty = new Uint8Array(0);
  private pendingCount = 0;
  private clientSlots = 0;
  private statusesSent = 0;
  private seq = 0;
  private keyframeDue = true;

  constructor(
    private readonly table: LivePositionTable,
    private readonly wants: ReadonlySet<EntityKind>,
  ) {}

  /** Notes the table slots that changed since the last call. */
  markChanged(slots: readonly number[]): void {
    this.fit();
    for (const slot of slots) {
      if (this.dirty[slot] === 0 && this.wants.has(this.table.entities[slot]!.kind)) {
        this.dirty[slot] = 1;
        this.pendingCount += 1;
      }
    }
  }

  /**
   * A cursor of its own for a client that has taken this one's frames so far: the same numbering,
   * seq and changes pending, so its next frame follows the last it took (FrameGroups).
   */
  fork(): FrameCursor {
    const copy = new FrameCursor(this.table, this.wants);
    Object.assign(copy, { clientSlot: this.clientSlot.slice(), dirty: this.dirty.slice(), pendingCount: this.pendingCount, clientSlots: this.clientSlots, statusesSent: this.statusesSent, seq: this.seq, keyframeDue: this.keyframeDue });
    return copy;
  }

  /** The next frame will be a keyframe: every subscribed entity, numbered from 0 again. */
  restart(): void {
    this.keyframeDue = true;
  }

  get hasPending(): boolean {
    return this.keyframeDue || this.pendingCount > 0;
  }

  /** Cuts the next frame and forgets what it carries; undefined when there is nothing to send. */
  nextFrame(now = Date.now()): PositionFrame | undefined {
    if (!this.hasPending) return undefined;
    this.fit();
    const { table } = this;
    const keyframe = this.keyframeDue;
    if (keyframe) {
      this.clientSlot.fill(-1);
      this.clientSlots = 0;
      this.statusesSent = 0;
    }
    const rows: number[] = [];
    const newEntities: FrameEntity[] = [];
    for (let slot = 0; slot < table.size; slot++) {
      if (!(keyframe ? this.wants.has(table.entities[slot]!.kind) : this.dirty[slot] === 1)) continue;
      rows.push(slot);
      if (this.clientSlot[slot]! < 0) {
        this.clientSlot[slot] = this.clientSlots++;
        newEntities.push(table.entities[slot]!);
      }
    }
    this.dirty.fill(0);
    this.pendingCount = 0;
    this.keyframeDue = false;
    const newStatuses = table.statuses.slice(this.statusesSent);
    this.statusesSent = table.statuses.length;
    this.seq += 1;
    return this.frameOf(rows, { seq: this.seq, keyframe, newEntities, newStatuses }, now);
  }

  /**
   * A keyframe in this cursor's numbering as its last frame left it, with the same seq: a client
   * that takes it can follow this cursor's next frames with the clients that took the earlier ones.
   */
  snapshot(now = Date.now()): PositionFrame {
    this.fit();
    const rows = new Array<number>(this.clientSlots);
    for (let slot = 0; slot < this.table.size; slot++) if (this.clientSlot[slot]! >= 0) rows[this.clientSlot[slot]!] = slot;
    const newEntities = rows.map((slot) => this.table.entities[slot]!);
    return this.frameOf(rows, { seq: this.seq, keyframe: true, newEntities, newStatuses: this.table.statuses.slice(0, this.statusesSent) }, now);
  }

  /** The frame of these table slots (each numbered already), in columns. */
  private frameOf(rows: readonly number[], head: Pick<PositionFrame, 'seq' | 'keyframe' | 'newEntities' | 'newStatuses'>, now: number): PositionFrame {
    const { table } = this;
    const slots = new Uint32Array(rows.length);
    const lonLat = new Float32Array(2 * rows.length);
    const heading = new Float32Array(rows.length);
    const speed = new Float32Array(rows.length);
    const status = new Uint8Array(rows.length);
    const fixAgeMs = new Float32Array(rows.length);
    const origin: [number, number] = rows.length > 0 ? [table.lon[rows[0]!]!, table.lat[rows[0]!]!] : [0, 0];
    for (let row = 0; row < rows.length; row++) {
      const slot = rows[row]!;
      slots[row] = this.clientSlot[slot]!;
      lonLat[2 * row] = table.lon[slot]! - origin[0];
      lonLat[2 * row + 1] = table.lat[slot]! - origin[1];
      heading[row] = table.heading[slot]!;
      speed[row] = table.speed[slot]!;
      status[row] = table.status[slot]!;
      fixAgeMs[row] = table.fixTime[slot]! > 0 ? now - table.fixTime[slot]! : Number.NaN;
    }
    return {
      ...head,
      sentAt: now,
      origin,
      rows: rows.length,
      slots: slots.buffer,
      lonLat: lonLat.buffer,
      heading: heading.buffer,
      speed: speed.buffer,
      status: status.buffer,
      fixAgeMs: fixAgeMs.buffer,
    };
  }

  private fit(): void {
    const size = this.table.size;
    if (size <= this.dirty.length) return;
    const capacity = Math.max(minCapacity, 2 * size);
    this.dirty = widen(this.dirty, new Uint8Array(capacity));
    this.clientSlot = widen(this.clientSlot, new Int32Array(capacity).fill(-1));
  }
}
