import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One entry of the log: its sequence number (1, 2, 3…, never reused) and what was appended. */
export interface LogRecord<T> {
  seq: number;
  value: T;
}

export interface IngestLogOptions {
  /** The first sequence number when the log is empty (after what the database already applied). */
  firstSeq?: number;
  /** A new segment file starts once the current one reaches this size, bytes. */
  segmentBytes?: number;
}

interface Segment {
  firstSeq: number;
  path: string;
  bytes: number;
}

// One record per line: "<seq>\t<JSON>\n". JSON never holds a raw newline, so a line is a record,
// and a line cut short by a crash fails to parse and marks the end of what was written.
const segmentPattern = /^(\d{16})\.log$/;
const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(16, '0')}.log`;
const defaultSegmentBytes = 64 * 1024 * 1024;
// How much of a segment one read takes in, bytes.
const readChunkBytes = 1024 * 1024;

interface Pending<T> {
  values: readonly T[];
  resolve: (records: LogRecord<T>[]) => void;
  reject: (error: unknown) => void;
}

/**
 * An append-only log on disk in segment files, with group commit: appends that arrive while a
 * write and its fsync are in flight go to disk together in the next one, and each append resolves
 * only once its records are fsynced. Reads see only fsynced records.
 */
export class IngestLog<T> {
  private readonly pending: Pending<T>[] = [];
  private flushing = false;
  private closed = false;
  private fsyncs = { count: 0, totalMs: 0 };
  // Where the last read stopped: the next record's number and its byte offset in its segment.
  private cursor: { path: string; seq: number; offset: number } | undefined;

  private constructor(
    readonly dir: string,
    private readonly segments: Segment[],
    private active: FileHandle,
    private nextSeq: number,
    private readonly segmentBytes: number,
    private readonly onAppended: (records: LogRecord<T>[]) => void,
  ) {}

  /** Opens (or creates) the log in `dir`, cutting off a last line a crash left half written. */
  static async open<T>(dir: string, options: IngestLogOptions = {}, onAppended: (records: LogRecord<T>[]) => void = () => {}): Promise<IngestLog<T>> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((name) => segmentPattern.test(name)).sort();
    const segments: Segment[] = [];
    for (const name of names) segments.push({ firstSeq: Number(name.slice(0, 16)), path: join(dir, name), bytes: (await stat(join(dir, name))).size });
    let nextSeq = options.firstSeq ?? 1;
    const last = segments.at(-1);
    let lastEnds = 0;
    if (last) {
      const { bytes, lastSeq } = await scanValidPrefix(last);
      last.bytes = bytes;
      lastEnds = (lastSeq ?? last.firstSeq - 1) + 1;
      nextSeq = Math.max(nextSeq, lastEnds);
    }
    let active: FileHandle;
    // A segment's records are consecutive: after a gap (the database ahead of the log) a new one starts.
    if (last && lastEnds === nextSeq) {
      active = await open(last.path, 'r+');
      await active.truncate(last.bytes);
    } else {
      // Empty, or the database is ahead of every record kept: a segment starts at the next number.
      const segment = { firstSeq: nextSeq, path: join(dir, segmentName(nextSeq)), bytes: 0 };
      active = await open(segment.path, 'w+');
      segments.push(segment);
      await syncDirectory(dir);
    }
    return new IngestLog<T>(dir, segments, active, nextSeq, options.segmentBytes ?? defaultSegmentBytes, onAppended);
  }

  /** The last durable record's number (firstSeq - 1 when none). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** The first record still kept. */
  get firstSeq(): number {
    return this.segments[0]!.firstSeq;
  }

  /** Bytes on disk over all segments. */
  get bytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  /** fsyncs so far and the time they took, ms (for the metrics). */
  get fsyncStats(): { count: number; totalMs: number } {
    return { ...this.fsyncs };
  }

  /** Appends `values`; resolves with their records once they are on disk (fsynced). */
  append(values: readonly T[]): Promise<LogRecord<T>[]> {
    if (this.closed) return Promise.reject(new Error('the ingest log is closed'));
    if (values.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ values, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  // Writes everything pending as one group: one write, one fsync, then every append in it resolves.
  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0);
      const active = this.segments.at(-1)!;
      let seq = this.nextSeq;
      const records = group.map(({ values }) => values.map((value) => ({ seq: seq++, value })));
      const lines: string[] = [];
      for (const list of records) for (const record of list) lines.push(`${record.seq}\t${JSON.stringify(record.value)}\n`);
      const buffer = Buffer.from(lines.join(''));
      try {
        await this.active.write(buffer, 0, buffer.length, active.bytes);
        const started = performance.now();
        await this.active.datasync();
        this.fsyncs.count += 1;
        this.fsyncs.totalMs += performance.now() - started;
      } catch (error) {
        // Nothing of this group counts as written: the next group overwrites the same bytes.
        await this.active.truncate(active.bytes).catch(() => {});
        for (const entry of group) entry.reject(error);
        continue;
      }
      active.bytes += buffer.length;
      this.nextSeq = seq;
      group.forEach((entry, index) => entry.resolve(records[index]!));
      this.onAppended(records.flat());
      if (active.bytes >= this.segmentBytes) await this.startSegment().catch(() => {});
    }
    this.flushing = false;
  }

  private async startSegment(): Promise<void> {
    const segment = { firstSeq: this.nextSeq, path: join(this.dir, segmentName(this.nextSeq)), bytes: 0 };
    const handle = await open(segment.path, 'w+');
    await syncDirectory(this.dir);
    await this.active.close();
    this.active = handle;
    this.segments.push(segment);
  }

  /** Up to `max` durable records after `afterSeq`, in order, read from disk. */
  async read(afterSeq: number, max: number): Promise<LogRecord<T>[]> {
    const records: LogRecord<T>[] = [];
    const from = Math.max(afterSeq + 1, this.firstSeq);
    let index = this.segments.findLastIndex((segment) => segment.firstSeq <= from);
    for (; index < this.segments.length && records.length < max && from + records.length <= this.lastSeq; index++) {
      const segment = this.segments[index]!;
      // A reader following the log goes on where it stopped instead of from the segment's start.
      const resume = this.cursor && this.cursor.path === segment.path && this.cursor.seq <= from + records.length ? this.cursor : undefined;
      const handle = await open(segment.path, 'r');
      try {
        const end = await readRecords<T>(handle, resume?.offset ?? 0, segment.bytes, (record) => {
          if (record.seq < from) return true;
          records.push(record);
          return records.length < max;
        });
        this.cursor = { path: segment.path, seq: (records.at(-1)?.seq ?? from - 1) + 1, offset: end };
      } finally {
        await handle.close();
      }
    }
    return records;
  }

  /** Removes whole segments whose every record is at or before `throughSeq`; returns how many. */
  async trim(throughSeq: number): Promise<number> {
    let removed = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstSeq - 1 <= throughSeq) {
      await rm(this.segments.shift()!.path, { force: true });
      removed += 1;
    }
    return removed;
  }

  /** Waits for appends in flight, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.active.close();
  }
}

/**
 * Reads a segment's records from byte `start` to `end`, handing each to `take` until it says stop
 * (false: after this one; 'refuse': before it) or a line does not parse; returns the offset just
 * past the last record taken.
 */
async function readRecords<T>(handle: FileHandle, start: number, end: number, take: (record: LogRecord<T>) => boolean | 'refuse'): Promise<number> {
  let offset = start;
  let consumed = start;
  let carry = Buffer.alloc(0);
  while (offset < end) {
    const chunk = Buffer.alloc(Math.min(readChunkBytes, end - offset));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
    if (bytesRead === 0) break;
    // Where `bytes` starts in the file: the unfinished line carried over, then this chunk.
    const bytesStart = offset - carry.length;
    offset += bytesRead;
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    let lineStart = 0;
    for (let newline = bytes.indexOf(10); newline >= 0; newline = bytes.indexOf(10, lineStart)) {
      const record = parseLine<T>(bytes.toString('utf8', lineStart, newline));
      const taken = record ? take(record) : 'refuse';
      if (taken === 'refuse') return consumed;
      lineStart = newline + 1;
      consumed = bytesStart + lineStart;
      if (!taken) return consumed;
    }
    carry = Buffer.from(bytes.subarray(lineStart));
  }
  return consumed;
}

function parseLine<T>(line: string): LogRecord<T> | undefined {
  const tab = line.indexOf('\t');
  if (tab <= 0) return undefined;
  const seq = Number(line.slice(0, tab));
  if (!Number.isSafeInteger(seq)) return undefined;
  try {
    return { seq, value: JSON.parse(line.slice(tab + 1)) as T };
  } catch {
    return undefined;
  }
}

/** The bytes of whole, consecutive records at the start of a segment, and the last one's number. */
async function scanValidPrefix(segment: Segment): Promise<{ bytes: number; lastSeq: number | undefined }> {
  const handle = await open(segment.path, 'r');
  let lastSeq: number | undefined;
  try {
    const bytes = await readRecords<unknown>(handle, 0, segment.bytes, (record) => {
      if (record.seq !== (lastSeq ?? segment.firstSeq - 1) + 1) return 'refuse';
      lastSeq = record.seq;
      return true;
    });
    return { bytes, lastSeq };
  } finally {
    await handle.close();
  }
}

/** Makes a new file's name durable: fsync on its directory. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
