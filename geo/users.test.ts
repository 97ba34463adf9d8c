import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendAudit,
  createSession,
  createUser,
  deleteSession,
  extendSessions,
  findSessions,
  findUserForSignIn,
  listAudit,
  migrate,
  pruneSessions,
  updateUser,
  UserExistsError,
  type Database,
} from './index.ts';
import { testBackends } from './test-support.ts';

describe.each(testBackends())('users, sessions and the audit log on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db);
  });
  afterAll(() => db.close());

  it('keeps users with their role and grants, refuses a taken id and ids the table does not allow', async () => {
    const created = await createUser(db, { id: 'li.wei', displayName: '李伟', role: 'official', grants: ['police-positions'], passwordHash: 'scrypt$x' });
    expect(created).toEqual({ id: 'li.wei', displayName: '李伟', role: 'official', grants: ['police-positions'], disabled: false });
    await expect(createUser(db, { ...created, passwordHash: 'scrypt$y' })).rejects.toBeInstanceOf(UserExistsError);
    await expect(createUser(db, { ...created, id: "x' OR 1=1 --", passwordHash: 'h' })).rejects.toThrow(/check constraint/);
    await expect(createUser(db, { ...created, id: 'bad-role', role: 'root' as never, passwordHash: 'h' })).rejects.toThrow(/check constraint/);
    expect((await findUserForSignIn(db, 'li.wei'))?.passwordHash).toBe('scrypt$x');
    expect(await findUserForSignIn(db, 'nobody')).toBeUndefined();
  });

  it('finds live sessions only, extends them, and ends them on sign-out, a new password or a disabled user', async () => {
    await createUser(db, { id: 'zhang', displayName: '张', role: 'operator', grants: [], passwordHash: 'h1' });
    const hour = 3_600_000;
    await createSession(db, { tokenHash: 'live', userId: 'zhang', csrf: 'c1', expiresAt: Date.now() + hour });
    await createSession(db, { tokenHash: 'old', userId: 'zhang', csrf: 'c2', expiresAt: Date.now() - 1_000 });
    await createSession(db, { tokenHash: 'other', userId: 'zhang', csrf: 'c3', expiresAt: Date.now() + hour });
    const found = await findSessions(db, ['live', 'old', 'missing']);
    expect([...found.keys()]).toEqual(['live']);
    expect(found.get('live')).toMatchObject({ csrf: 'c1', user: { id: 'zhang', role: 'operator' } });

    const later = Date.now() + 2 * hour;
    await extendSessions(db, ['live', 'old'], later);
    expect(Math.abs((await findSessions(db, ['live'])).get('live')!.expiresAt - later)).toBeLessThan(1_000);
    expect((await findSessions(db, ['old'])).size, 'an expired session stays expired').toBe(0);
    expect(await pruneSessions(db)).toBe(1);

    expect(await deleteSession(db, 'other')).toBe('zhang');
    const { before, after } = (await updateUser(db, 'zhang', { passwordHash: 'h2', displayName: '张三' }))!;
    expect([before.displayName, after.displayName]).toEqual(['张', '张三']);
    expect((await findSessions(db, ['live'])).size, 'a new password ends every session').toBe(0);
    await createSession(db, { tokenHash: 'again', userId: 'zhang', csrf: 'c4', expiresAt: Date.now() + hour });
    await updateUser(db, 'zhang', { grants: [] });
    expect((await findSessions(db, ['again'])).size, 'a change of grants alone keeps the session').toBe(1);
    await updateUser(db, 'zhang', { disabled: true });
    expect((await findSessions(db, ['again'])).size).toBe(0);
    expect(await updateUser(db, 'nobody', { disabled: true })).toBeUndefined();
  });

  it('appends to the audit log and refuses to change or remove it', async () => {
    await appendAudit(db, { actor: 'li.wei', action: 'sign-in', client: '10.0.0.7' });
    await appendAudit(db, { actor: 'admin', action: 'user-changed', objectType: 'user', objectId: 'zhang', before: { role: 'operator' }, after: { role: 'dispatcher' } });
    const [newest, older] = await listAudit(db, { limit: 10 });
    expect(newest).toMatchObject({ actor: 'admin', action: 'user-changed', objectId: 'zhang', before: { role: 'operator' }, after: { role: 'dispatcher' } });
    expect(older).toMatchObject({ actor: 'li.wei', action: 'sign-in', client: '10.0.0.7', before: null });
    expect(Date.parse(newest!.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(await listAudit(db, { actor: 'li.wei', limit: 10 })).toHaveLength(1);
    await expect(db.query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(db.exec(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    expect(await listAudit(db, { limit: 10 })).toHaveLength(2);
  });
});
