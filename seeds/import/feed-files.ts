// The files an import reads: a folder or a zip (as GTFS ships), each file streamed once, with its
// size and SHA-256 kept for the import's record, and CSV read row by row with its line number.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import yauzl from 'yauzl';

/** One file of a feed: its name inside the feed, its size, and a fresh stream of its bytes. */
export interface FeedFile {
  name: string;
  bytes: number;
  open(): Promise<Readable>;
}

/** A folder or a zip archive, as the files in it (a zip's files in a sub-folder count by their base name). */
export async function openFeed(path: string): Promise<{ path: string; files: Map<string, FeedFile>; close(): void }> {
  if (statSync(path).isDirectory()) {
    const files = new Map<string, FeedFile>();
    for (const name of await readdir(path)) {
      const full = join(path, name);
      if (statSync(full).isFile()) files.set(name, { name, bytes: statSync(full).size, open: async () => createReadStream(full) });
    }
    return { path, files, close: () => {} };
  }
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, opened) => (error ? reject(error) : resolve(opened))));
  const files = new Map<string, FeedFile>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) {
        files.set(basename(entry.fileName), {
          name: basename(entry.fileName),
          bytes: entry.uncompressedSize,
          open: () => new Promise((ready, fail) => zip.openReadStream(entry, (error, stream) => (error ? fail(error) : ready(stream)))),
        });
      }
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return { path, files, close: () => zip.close() };
}

/** What is known of a file once read: for the import's record, and so an unchanged feed is recognised. */
export interface FileDigest {
  path: string;
  bytes: number;
  sha256: string;
}

/** How far through a file the reader is, for a progress bar. */
export type OnBytes = (file: string, done: number, total: number) => void;

/**
 * Reads a CSV file of a feed row by row: each record by its header's column names, with the line
 * it starts on (1 is the header). Strips a UTF-8 byte-order mark; a malformed line (an unclosed
 * quote) stops the read with the file and line.
 */
export async function readCsv(file: FeedFile, onRow: (row: Record<string, string>, line: number) => void, onBytes: OnBytes = () => {}): Promise<FileDigest> {
  const source = await file.open();
  const hash = createHash('sha256');
  let done = 0;
  const counted = new PassThrough();
  source.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    done += chunk.length;
    onBytes(file.name, done, file.bytes);
  });
  source.pipe(counted);
  const parser = counted.pipe(parse({ columns: (header: string[]) => header.map((name) => name.trim()), bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }));
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) onRow(record, info.lines);
  return { path: file.name, bytes: done, sha256: hash.digest('hex') };
}

/** Reads a whole (non-CSV) file as text, with its digest. */
export async function readText(file: FeedFile, onBytes: OnBytes = () => {}): Promise<{ text: string; digest: FileDigest }> {
  const source = await file.open();
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let done = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    hash.update(chunk);
    chunks.push(chunk);
    done += chunk.length;
    onBytes(file.name, done, file.bytes);
  }
  return { text: Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, ''), digest: { path: file.name, bytes: done, sha256: hash.digest('hex') } };
}

/** A single file on disk as a feed file. */
export function fileOnDisk(path: string): FeedFile {
  return { name: basename(path), bytes: statSync(path).size, open: async () => createReadStream(path) };
}
