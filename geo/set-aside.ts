import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';

export interface SetAsideItem {
  id: number;
  pipeline: string;
  item: string;
  errorCode: string | null;
  error: string;
  setAsideAt: string;
}

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
    `SELECT id::int, pipeline, item, error_code AS "errorCode", error, ${isoUtc('set_aside_at')} AS "setAsideAt"
       FROM set_aside_items ORDER BY id DESC LIMIT $1`,
    [limit],
  );
}
