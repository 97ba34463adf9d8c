import { appendAll } from './append.ts';
import type { FrameEntity, PositionFrame } from './socket-contract.ts';

/** One row of a frame read back, for clients that want objects (tests, tools); the wall reads the columns. */
export interface FrameRow extends FrameEntity {
  lon: number;
  lat: number;
  headingDeg: number | null;
  speedKmh: number | null;
  status: string;
  /** Epoch ms; null for an entity that has not reported yet. */
  fixTime: number | null;
}

/**
 * Reads frames in order for one connection, keeping its slot numbering and statuses. A socket.io
 * client in Node hands binary over as Buffers, in the browser as ArrayBuffers; both are read.
 */
export class FrameReader {
  private entities: FrameEntity[] = [];
  private statuses: string[] = [];
  private lastSeq: number | undefined;

  /** The frame's rows, or 'gap' when a frame was missed and a keyframe must be asked for. */
  read(frame: PositionFrame): FrameRow[] | 'gap' {
    if (!this.follow(frame)) return 'gap';
    const slots = new Uint32Array(aligned(frame.slots));
    const lonLat = new Float32Array(aligned(frame.lonLat));
    const heading = new Float32Array(aligned(frame.heading));
    const speed = new Float32Array(aligned(frame.speed));
    const status = new Uint8Array(aligned(frame.status));
    const fixAgeMs = new Float32Array(aligned(frame.fixAgeMs));
    return Array.from({ length: frame.rows }, (_, row) => ({
      ...this.entities[slots[row]!]!,
      lon: frame.origin[0] + lonLat[2 * row]!,
      lat: frame.origin[1] + lonLat[2 * row + 1]!,
      headingDeg: Number.isNaN(heading[row]!) ? null : heading[row]!,
      speedKmh: Number.isNaN(speed[row]!) ? null : speed[row]!,
      status: this.statuses[status[row]!]!,
      fixTime: Number.isNaN(fixAgeMs[row]!) ? null : frame.sentAt - fixAgeMs[row]!,
    }));
  }

  /**
   * Each row's entity id and fix time (ms; rows without one are skipped), or 'gap' as `read`:
   * without building a row object each, for a process that watches many screens' frames at once.
   */
  readFixTimes(frame: PositionFrame, visit: (entityId: string, fixTime: number) => void): 'gap' | undefined {
    if (!this.follow(frame)) return 'gap';
    const slots = new Uint32Array(aligned(frame.slots));
    const fixAgeMs = new Float32Array(aligned(frame.fixAgeMs));
    for (let row = 0; row < frame.rows; row++) if (!Number.isNaN(fixAgeMs[row]!)) visit(this.entities[slots[row]!]!.id, frame.sentAt - fixAgeMs[row]!);
    return undefined;
  }

  /** Takes the frame's new entities and statuses; false when a frame before it was missed. */
  private follow(frame: PositionFrame): boolean {
    if (!frame.keyframe && this.lastSeq !== undefined && frame.seq !== this.lastSeq + 1) return false;
    if (frame.keyframe) {
      this.entities = [];
      this.statuses = [];
    }
    this.lastSeq = frame.seq;
    appendAll(this.entities, frame.newEntities);
    appendAll(this.statuses, frame.newStatuses);
    return true;
  }
}

// A Buffer can sit at any offset of a shared pool; typed arrays need their own, aligned, memory.
function aligned(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  return bytes instanceof Uint8Array ? (new Uint8Array(bytes).buffer as ArrayBuffer) : bytes; // a copy: Buffer#slice would share the pool
}
