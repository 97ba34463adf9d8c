import type { Queryable } from './database.ts';

export const roles = ['operator', 'dispatcher', 'official', 'admin'] as const;
export type Role = (typeof roles)[number];
/** Demo mode's one account per role (named after it), all with this password (shown on the sign-in page). */
export const demoUsers: readonly Role[] = roles;
export const demoPassword = 'onescreen-demo';
/** What a role does not carry by itself, granted per user. */
export const userGrants = ['police-positions'] as const;
export type UserGrant = (typeof userGrants)[number];

export interface User {
  id: string;
  displayName: string;
  role: Role;
  grants: UserGrant[];
  disabled: boolean;
}

/** A user id: lower-case letters, digits, '.', '_' and '-', 2 to 32 characters (as the table checks). */
export const userIdPattern = /^[a-z0-9][a-z0-9._-]{1,31}$/;

const userColumns = `id, display_name AS "displayName", role, grants, disabled`;

/** A user id that is taken. */
export class UserExistsError extends Error {
  override name = 'UserExistsError';
}

export async function createUser(db: Queryable, user: Omit<User, 'disabled'> & { passwordHash: string }): Promise<User> {
  const rows = await db.query<User>(
    `INSERT INTO users (id, display_name, role, grants, password_hash) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING RETURNING ${userColumns}`,
    [user.id, user.displayName, user.role, user.grants, user.passwordHash],
  );
  if (!rows[0]) throw new UserExistsError(`user "${user.id}" exists; choose another id, or change that user instead`);
  return rows[0];
}

export async function listUsers(db: Queryable): Promise<User[]> {
  return db.query<User>(`SELECT ${userColumns} FROM users ORDER BY id`);
}

export async function countUsers(db: Queryable): Promise<number> {
  const [row] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM users`);
  return row!.count;
}

/** The user and their password hash, for signing in; undefined when there is no such user. */
export async function findUserForSignIn(db: Queryable, id: string): Promise<(User & { passwordHash: string }) | undefined> {
  const [row] = await db.query<User & { passwordHash: string }>(`SELECT ${userColumns}, password_hash AS "passwordHash" FROM users WHERE id = $1`, [id]);
  return row;
}

export type UserChange = Partial<Pick<User, 'displayName' | 'role' | 'grants' | 'disabled'>> & { passwordHash?: string };

/**
 * Changes a user, returning them before and after (for the audit log); undefined when there is no
 * such user. A disabled user, a changed role or a new password ends the user's sessions.
 */
export async function updateUser(db: Queryable, id: string, change: UserChange): Promise<{ before: User; after: User } | undefined> {
  const [before] = await db.query<User>(`SELECT ${userColumns} FROM users WHERE id = $1 FOR UPDATE`, [id]);
  if (!before) return undefined;
  const [after] = await db.query<User>(
    `UPDATE users SET display_name = coalesce($2, display_name), role = coalesce($3, role), grants = coalesce($4, grants),
            disabled = coalesce($5, disabled), password_hash = coalesce($6, password_hash), updated_at = now()
     WHERE id = $1 RETURNING ${userColumns}`,
    [id, change.displayName ?? null, change.role ?? null, change.grants ?? null, change.disabled ?? null, change.passwordHash ?? null],
  );
  if (change.disabled || change.passwordHash || (change.role && change.role !== before.role)) await db.query(`DELETE FROM sessions WHERE user_id = $1`, [id]);
  return { before, after: after! };
}

export interface Session {
  user: User;
  csrf: string;
  expiresAt: number;
}

export async function createSession(db: Queryable, session: { tokenHash: string; userId: string; csrf: string; expiresAt: number }): Promise<void> {
  await db.query(`INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))`, [
    session.tokenHash,
    session.userId,
    session.csrf,
    session.expiresAt,
  ]);
}

/** The live sessions among these token hashes (not expired, user not disabled), by token hash. */
export async function findSessions(db: Queryable, tokenHashes: readonly string[]): Promise<Map<string, Session>> {
  const rows = await db.query<{ tokenHash: string; csrf: string; expiresAt: number } & User>(
    `SELECT s.token_hash AS "tokenHash", s.csrf, (extract(epoch FROM s.expires_at) * 1000)::float8 AS "expiresAt",
            u.id, u.display_name AS "displayName", u.role, u.grants, u.disabled
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ANY($1) AND s.expires_at > now() AND NOT u.disabled`,
    [tokenHashes],
  );
  return new Map(rows.map(({ tokenHash, csrf, expiresAt, ...user }) => [tokenHash, { user, csrf, expiresAt }]));
}

/** Moves these sessions' expiry on (a session lasts a while after its last use). */
export async function extendSessions(db: Queryable, tokenHashes: readonly string[], expiresAt: number): Promise<void> {
  if (tokenHashes.length === 0) return;
  await db.query(`UPDATE sessions SET expires_at = to_timestamp($2 / 1000.0) WHERE token_hash = ANY($1) AND expires_at > now()`, [tokenHashes, expiresAt]);
}

/** Ends a session; returns whose it was. */
export async function deleteSession(db: Queryable, tokenHash: string): Promise<string | undefined> {
  const [row] = await db.query<{ userId: string }>(`DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id AS "userId"`, [tokenHash]);
  return row?.userId;
}

export async function pruneSessions(db: Queryable): Promise<number> {
  const rows = await db.query(`DELETE FROM sessions WHERE expires_at <= now() RETURNING 1`);
  return rows.length;
}
