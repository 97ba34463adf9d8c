// The embedded database on a thread of its own (geo/embedded-thread.ts starts it): PGlite runs
// PostgreSQL as WASM on the thread that calls it, and a tick's statement held the server's event
// loop 1.5–22 s. Plain JavaScript, so it loads in any worker however the process runs TypeScript
// (tsx, vitest). It answers requests by id; a transaction is held open between its statements.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

// The fields of a PostgreSQL error the callers read (SQLSTATE first), kept across the thread.
const errorFields = ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position'];
const failure = (error) => ({ message: error?.message ?? String(error), fields: Object.fromEntries(errorFields.filter((key) => error?.[key] !== undefined).map((key) => [key, error[key]])) });
const reply = (id, result) => parentPort.postMessage({ id, result });
const replyError = (id, error) => parentPort.postMessage({ id, error: failure(error) });

let lite;
try {
  const { dataDir, template } = workerData;
  lite = await PGlite.create(dataDir, { extensions: { postgis }, ...(template && { loadDataDir: new Blob([readFileSync(template)]) }) });
  parentPort.postMessage({ opened: true });
} catch (error) {
  parentPort.postMessage({ opened: false, error: failure(error) });
  process.exit(1);
}

/** Open transactions by id: where their statements run, and how to end them. */
const transactions = new Map();
const rolledBack = new Error('rolled back');

function begin(id, txId) {
  const ended = lite.transaction(
    (tx) =>
      new Promise((resolve, reject) => {
        transactions.set(txId, { tx, commit: resolve, rollback: () => reject(rolledBack) });
        reply(id, null);
      }),
  );
  // The answer to COMMIT or ROLLBACK is given when PGlite has ended the transaction.
  ended
    .then(
      () => reply(transactions.get(txId).endId, null),
      (error) => {
        const transaction = transactions.get(txId);
        if (!transaction) return replyError(id, error); // it never began
        if (error === rolledBack) reply(transaction.endId, null);
        else replyError(transaction.endId, error);
      },
    )
    .finally(() => transactions.delete(txId));
}

parentPort.on('message', async ({ id, op, sql, params, txId }) => {
  if (op === 'begin') return begin(id, txId);
  const transaction = txId === undefined ? undefined : transactions.get(txId);
  try {
    if (op === 'commit' || op === 'rollback') {
      transaction.endId = id;
      return op === 'commit' ? transaction.commit() : transaction.rollback();
    }
    const on = transaction?.tx ?? lite;
    if (op === 'query') return reply(id, (await on.query(sql, params)).rows);
    if (op === 'exec') return reply(id, void (await on.exec(sql)));
    if (op === 'close') return reply(id, void (await lite.close()));
    throw new Error(`unknown request ${op}`);
  } catch (error) {
    replyError(id, error);
  }
});
