import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './database.ts';

/** Feeds that push over HTTP and need a key: camera gateways and Open311 (GeoReport v2 `api_key`). */
export const keyedFeeds = ['cameras', 'open311', 'alarms'] as const;
export type KeyedFeed = (typeof keyedFeeds)[number];

export interface FeedKey {
  id: string;
  name: string;
  feed: KeyedFeed;
  createdBy: string;
  createdAt: string;
  disabled: boolean;
}

const columns = `id, name, feed, created_by AS "createdBy", to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt", disabled`;

export async function createFeedKey(db: Queryable, key: { id: string; name: string; feed: KeyedFeed; keyHash: string; createdBy: string }): Promise<FeedKey> {
  const [row] = await db.query<FeedKey>(`INSERT INTO feed_keys (id, name, feed, key_hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${columns}`, [
    key.id,
    key.name,
    key.feed,
    key.keyHash,
    key.createdBy,
  ]);
  return row!;
}

export async function listFeedKeys(db: Queryable): Promise<FeedKey[]> {
  return db.query<FeedKey>(`SELECT ${columns} FROM feed_keys ORDER BY created_at, id`);
}

/** The enabled key with this hash, or undefined. */
export async function findFeedKey(db: Queryable, keyHash: string): Promise<Pick<FeedKey, 'id' | 'feed'> | undefined> {
  const [row] = await db.query<Pick<FeedKey, 'id' | 'feed'>>(`SELECT id, feed FROM feed_keys WHERE key_hash = $1 AND NOT disabled`, [keyHash]);
  return row;
}

export async function setFeedKeyDisabled(db: Queryable, id: string, disabled: boolean): Promise<{ before: FeedKey; after: FeedKey } | undefined> {
  const [before] = await db.query<FeedKey>(`SELECT ${columns} FROM feed_keys WHERE id = $1 FOR UPDATE`, [id]);
  if (!before) return undefined;
  const [after] = await db.query<FeedKey>(`UPDATE feed_keys SET disabled = $2 WHERE id = $1 RETURNING ${columns}`, [id, disabled]);
  return { before, after: after! };
}

/** Removes the keys a maker issued under a name (the built-in simulators get a new key each start). */
export async function deleteFeedKeysNamed(db: Queryable, name: string, createdBy: string): Promise<void> {
  await db.query(`DELETE FROM feed_keys WHERE name = $1 AND created_by = $2`, [name, createdBy]);
}

/** A secret (a session token, a feed key) as it is stored: its SHA-256, never itself. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Makes a key for a feed; the key itself is returned once and only its hash is kept. */
export async function issueFeedKey(db: Queryable, key: { name: string; feed: KeyedFeed; createdBy: string }): Promise<{ key: string; record: FeedKey }> {
  const secret = `os_${key.feed}_${randomBytes(24).toString('base64url')}`;
  const record = await createFeedKey(db, { ...key, id: `fk-${randomBytes(6).toString('hex')}`, keyHash: hashSecret(secret) });
  return { key: secret, record };
}
