import type { Queryable } from './database.ts';

/** The last ingest log record a consumer applied; 0 before its first. */
export async function readAppliedSeq(db: Queryable, consumer: string): Promise<number> {
  const rows = await db.query<{ seq: string }>('SELECT applied_seq AS seq FROM ingest_progress WHERE consumer = $1', [consumer]);
  return rows[0] ? Number(rows[0].seq) : 0;
}

/** Notes, inside the transaction that applied them, that records through `seq` are applied. */
export async function recordAppliedSeq(tx: Queryable, consumer: string, seq: number): Promise<void> {
  await tx.query(
    `INSERT INTO ingest_progress (consumer, applied_seq) VALUES ($1, $2)
     ON CONFLICT (consumer) DO UPDATE SET applied_seq = greatest(ingest_progress.applied_seq, excluded.applied_seq)`,
    [consumer, seq],
  );
}
