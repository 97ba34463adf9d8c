import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';

export interface SetAsideItem {
  id: number;
  pipeline: string;
  item: string;
  errorCode: string | null;
  error: string;
  setAsideAt: string;
  /** When an administrator sent it through again, and who; null until then. */
  replayedAt: string | null;
  replayedBy: string | null;
}

const itemColumns = `id::int, pipeline, item, error_code AS "errorCode", error, ${isoUtc('set_aside_at')} AS "setAsideAt",
  CASE WHEN replayed_at IS NULL THEN NULL ELSE ${isoUtc('replayed_at')} END AS "replayedAt", replayed_by AS "replayedBy"`;

/** Keeps an item the database refused as data, with the refusal, for an integrator to replay. */
export async function setAsideItem(db: Queryable, pipeline: string, item: unknown, error: unknown): Promise<void> {
  const code = (error as { code?: unknown } | undefined)?.code;
  await db.query('INSERT INTO set_aside_items (pipeline, item, error_code, error) VALUES ($1, $2, $3, $4)', [
    pipeline,
    JSON.stringify(item),
    typeof code === 'string' ? code : null,
    error instanceof Error ? error.message : String(error),
  ]);
}

/** The latest items set aside, newest first. */
export function listSetAsideItems(db: Queryable, limit = 100): Promise<SetAsideItem[]> {
  return db.query<SetAsideItem>(
    `SELECT ${itemColumns} FROM set_aside_items ORDER BY id DESC LIMIT $1`,
    [limit],
  );
}

/** Marks an item replayed, once: undefined when there is no such item or it was replayed already. */
export async function markSetAsideReplayed(tx: Queryable, id: number, by: string): Promise<SetAsideItem | undefined> {
  const [item] = await tx.query<SetAsideItem>(
    `UPDATE set_aside_items SET replayed_at = now(), replayed_by = $2 WHERE id = $1 AND replayed_at IS NULL RETURNING ${itemColumns}`,
    [id, by],
  );
  return item;
}
