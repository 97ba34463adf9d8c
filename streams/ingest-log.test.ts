import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestLog } from './ingest-log.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onescreen-log-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const values = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ n: from + i, text: '路况 ok' }));

describe('the ingest log', () => {
  it('numbers records in order across segment files and reads them back from any point', async () => {
    const log = await IngestLog.open<{ n: number }>(dir, { segmentBytes: 2_000 });
    for (let i = 0; i < 20; i++) await log.append(values(i * 10, 10));
    expect([log.firstSeq, log.lastSeq]).toEqual([1, 200]);
    expect((await readdir(dir)).length).toBeGreaterThan(2);
    const all = await log.read(0, 1_000);
    expect(all.map((record) => record.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(all.map((record) => record.value.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // A reader following the log, in small steps, and one starting anywhere, see the same records.
    const stepped = [];
    for (let after = 0; after < 200; after = stepped.at(-1)!.seq) stepped.push(...(await log.read(after, 7)));
    expect(stepped).toEqual(all);
    expect(await log.read(123, 3)).toEqual(all.slice(123, 126));
    expect(await log.read(200, 10)).toEqual([]);
    await log.close();
  });

  it('writes appends that arrive together with one fsync, and answers each with its own records', async () => {
    const log = await IngestLog.open<{ n: number }>(dir);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(values(i, 1))));
    expect(answers.map(([record]) => record!.value.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(answers.map(([record]) => record!.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const fsyncs = log.fsyncStats.count;
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThan(50);
    await log.close();
  });

  it('cuts off a line a crash left half written and goes on after the last whole record', async () => {
    const first = await IngestLog.open<{ n: number }>(dir);
    await first.append(values(0, 5));
    await first.close();
    const [segment] = await readdir(dir);
    await appendFile(join(dir, segment!), '6\t{"n":5,"te');
    const reopened = await IngestLog.open<{ n: number }>(dir);
    expect(reopened.lastSeq).toBe(5);
    const [next] = await reopened.append(values(99, 1));
    expect(next!.seq).toBe(6);
    expect((await reopened.read(0, 10)).map((record) => record.value.n)).toEqual([0, 1, 2, 3, 4, 99]);
    await reopened.close();
  });

  it('starts after what the database already applied when it has nothing newer, and keeps what it had', async () => {
    const first = await IngestLog.open<{ n: number }>(dir);
    await first.append(values(0, 5));
    await first.close();
    // The database is ahead of the log (its directory was restored from an older copy).
    const log = await IngestLog.open<{ n: number }>(dir, { firstSeq: 501 });
    const [record] = await log.append(values(9, 1));
    expect(record!.seq).toBe(501);
    await log.close();
    const reopened = await IngestLog.open<{ n: number }>(dir, { firstSeq: 400 });
    expect(reopened.lastSeq).toBe(501);
    expect((await reopened.read(0, 10)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 501]);
    await reopened.close();
  });

  it('drops whole segments once what they hold is released, never the one being written', async () => {
    const log = await IngestLog.open<{ n: number }>(dir, { segmentBytes: 1_000 });
    for (let i = 0; i < 10; i++) await log.append(values(i * 10, 10));
    const segments = (await readdir(dir)).length;
    const bytes = log.bytes;
    expect(await log.trim(50)).toBeGreaterThan(0);
    expect(log.firstSeq).toBeLessThanOrEqual(51);
    expect(log.bytes).toBeLessThan(bytes);
    expect((await log.read(50, 100)).map((record) => record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 51 + i));
    await log.trim(1_000);
    expect((await readdir(dir)).length).toBe(1);
    expect(segments).toBeGreaterThan(1);
    const [next] = await log.append(values(0, 1));
    expect(next!.seq).toBe(101);
    await log.close();
  });
});
