// The embedded database behind a worker thread (geo/embedded-worker.mjs): the same `Database`,
// with PGlite's WASM running beside the event loop instead of on it.
import { Worker } from 'node:worker_threads';
import type { Database, Queryable } from './database.ts';

interface Failure {
  message: string;
  fields: Record<string, unknown>;
}

type Answer = { id: number; result: unknown } | { id: number; error: Failure };
type Request = { op: 'query'; sql: string; params?: unknown[]; txId?: number } | { op: 'exec'; sql: string; txId?: number } | { op: 'begin' | 'commit' | 'rollback'; txId: number } | { op: 'close' };

/** PGlite behind one small interface, on the caller's thread (geo/database.ts) or on a worker. */
export type EmbeddedEngine = Pick<Database, 'query' | 'exec' | 'transaction' | 'close'> & { checkpoint(): Promise<void> };

/** An error from the worker as the caller would have had it in-process: its message and SQLSTATE fields. */
const rebuilt = ({ message, fields }: Failure) => Object.assign(new Error(message), fields);

/**
 * Opens PGlite in `location` (undefined: in memory) on a worker thread, a new one from `template`
 * (geo/embedded-template.ts) when given. Rejects with the opening error, as PGlite.create would.
 */
export async function openEmbeddedThread(dataDir: string | undefined, template?: string): Promise<EmbeddedEngine> {
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), { workerData: { dataDir, template } });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let gone: Error | undefined;
  const failAll = (error: Error) => {
    gone = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (opened: { opened: boolean; error?: Failure }) => (opened.opened ? resolve() : reject(rebuilt(opened.error!))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`its thread exited (${code}) while opening`)));
  });
  worker.on('message', (answer: Answer) => {
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    if ('error' in answer) waiting?.reject(rebuilt(answer.error));
    else waiting?.resolve(answer.result);
  });
  worker.on('error', (error) => failAll(new Error(`the embedded database's thread failed: ${error.message}; restart onescreen`)));
  worker.on('exit', (code) => failAll(new Error(`the embedded database's thread exited (${code}); restart onescreen`)));

  const call = <T>(request: Request): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, ...request });
    });
  };
  const on = (txId?: number): Queryable => ({
    query: (sql, params) => call({ op: 'query', sql, params, txId }),
    exec: (sql) => call({ op: 'exec', sql, txId }),
  });
  let nextTx = 0;
  return {
    ...on(),
    async transaction(work) {
      const txId = nextTx++;
      await call({ op: 'begin', txId });
      try {
        const result = await work(on(txId));
        await call({ op: 'commit', txId });
        return result;
      } catch (error) {
        await call({ op: 'rollback', txId }).catch(() => {});
        throw error;
      }
    },
    checkpoint: () => call({ op: 'exec', sql: 'CHECKPOINT' }),
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
