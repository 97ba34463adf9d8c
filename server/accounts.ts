import { countUsers, createUser, demoPassword, demoUsers, findUserForSignIn, roles, updateUser, type Database, type Role } from '../geo/index.ts';
import type { Logger } from './log.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

const demoNames: Record<Role, string> = { operator: '值班员 Operator', dispatcher: '调度员 Dispatcher', official: '领导 Official', admin: '管理员 Admin' };

/**
 * The accounts a start needs. Demo mode: one per role, password `demoPassword`. Otherwise a
 * known password must not open anything: demo accounts still on it are disabled. ADMIN_PASSWORD
 * creates "admin" on a start that finds no such user; with no users at all the log says how to begin.
 */
export async function ensureAccounts(db: Database, options: { demo: boolean; adminPassword: string | undefined }, log: Logger): Promise<void> {
  if (options.demo) {
    for (const role of roles) {
      if (await findUserForSignIn(db, role)) continue;
      await createUser(db, { id: role, displayName: demoNames[role], role, grants: [], passwordHash: await hashPassword(demoPassword) });
    }
  } else {
    for (const id of demoUsers) {
      const user = await findUserForSignIn(db, id);
      if (user && !user.disabled && (await verifyPassword(demoPassword, user.passwordHash))) {
        await updateUser(db, id, { disabled: true });
        log.warn('a demo account was still on the demo password and is now disabled; give it a new password with PATCH /api/users/:id to use it', { user: id });
      }
    }
  }
  if (options.adminPassword && !(await findUserForSignIn(db, 'admin'))) {
    await createUser(db, { id: 'admin', displayName: 'Administrator', role: 'admin', grants: [], passwordHash: await hashPassword(options.adminPassword) });
    log.info('user "admin" created from ADMIN_PASSWORD; unset it now, and add users with POST /api/users');
  }
  if ((await countUsers(db)) === 0) {
    log.warn('no users yet, so nobody can sign in: start once with ADMIN_PASSWORD=<a password of 10+ characters> to create "admin", or run with --demo to try the product');
  }
}
