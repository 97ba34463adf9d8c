import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';

/** One line of the audit log: who did what to which object, with the object before and after. */
export interface AuditEntry {
  actor: string;
  action: string;
  objectType?: string;
  objectId?: string;
  before?: unknown;
  after?: unknown;
  client?: string;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
}

/** Appends to the audit log (the table refuses changes and deletions). */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(`INSERT INTO audit_log (actor, action, object_type, object_id, before, after, client) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    entry.actor,
    entry.action,
    entry.objectType ?? null,
    entry.objectId ?? null,
    entry.before === undefined ? null : JSON.stringify(entry.before),
    entry.after === undefined ? null : JSON.stringify(entry.after),
    entry.client ?? null,
  ]);
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** Epoch ms. */
  since?: number;
  limit: number;
}

/** The newest entries first. */
export async function listAudit(db: Queryable, query: AuditQuery): Promise<AuditRecord[]> {
  return db.query<AuditRecord>(
    `SELECT id::int AS id, ${isoUtc('at')} AS at, actor, action,
            object_type AS "objectType", object_id AS "objectId", before, after, client
     FROM audit_log
     WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::float8 IS NULL OR at >= to_timestamp($3 / 1000.0))
     ORDER BY id DESC LIMIT $4`,
    [query.actor ?? null, query.action ?? null, query.since ?? null, query.limit],
  );
}

/** Entries after `fromMs` up to `toMs` (epoch ms), oldest first; with `newest`, only that many of the latest. */
export async function listAuditBetween(db: Queryable, fromMs: number, toMs: number, newest?: number): Promise<AuditRecord[]> {
  const rows = await db.query<AuditRecord>(
    `SELECT id::int AS id, ${isoUtc('at')} AS at, actor, action, object_type AS "objectType", object_id AS "objectId", before, after, client
     FROM audit_log WHERE at > to_timestamp($1::float8 / 1000) AND at <= to_timestamp($2::float8 / 1000)
     ORDER BY at ${newest ? 'DESC' : 'ASC'}, id ${newest ? 'DESC' : 'ASC'} ${newest ? `LIMIT ${Math.floor(newest)}` : ''}`,
    [fromMs, toMs],
  );
  return newest ? rows.reverse() : rows;
}
