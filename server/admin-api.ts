import type { RequestHandler } from 'express';
import { z } from 'zod';
import { appendAudit, createUser, issueFeedKey, keyedFeeds, listAudit, listFeedKeys, listSetAsideItems, listUsers, markSetAsideReplayed, roles, setFeedKeyDisabled, updateUser, userGrants, userIdPattern, UserExistsError, type Database, type Queryable, type SetAsideItem } from '../geo/index.ts';
import { cityEvent, isIngestRefused } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import type { Publish } from './ingest-refusals.ts';
import { toCsv } from './posture-csv.ts';
import { numericId } from './request-checks.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { problemsOf } from './request-checks.ts';

const newUser = z
  .object({
    id: z.string().regex(userIdPattern, 'a user id has 2–32 lower-case letters, digits, ".", "_" or "-"'),
    displayName: z.string().trim().min(1).max(64),
    role: z.enum(roles),
    grants: z.array(z.enum(userGrants)).max(userGrants.length).default([]),
    password: z.string(),
  })
  .strict();
const userChange = z
  .object({
    displayName: z.string().trim().min(1).max(64),
    role: z.enum(roles),
    grants: z.array(z.enum(userGrants)).max(userGrants.length),
    disabled: z.boolean(),
    password: z.string(),
  })
  .partial()
  .strict();
const auditQuery = z.object({
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  since: z.iso.datetime({ offset: true }).transform((at) => Date.parse(at)).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});

const newFeedKey = z.object({ name: z.string().trim().min(1).max(64), feed: z.enum(keyedFeeds) }).strict();
const feedKeyChange = z.object({ disabled: z.boolean() }).strict();


type ReplayOutcome = { item: SetAsideItem } | { status: 409 | 422 | 503; error: string };

/** The administrator's routes: users, feed keys, items set aside and the audit log. Each change is audited with before and after. */
export function adminApi(
  db: () => Database,
  auth: Auth,
  onSessionsEnded: (userId: string) => void,
  publish: Publish,
): Record<'listUsers' | 'createUser' | 'changeUser' | 'audit' | 'auditCsv' | 'listFeedKeys' | 'createFeedKey' | 'changeFeedKey' | 'setAside' | 'replaySetAside', RequestHandler> {
  const actorOf = (res: Parameters<RequestHandler>[1]) => auth.signedInOf(res)!.session.user.id;
  const replay = async (tx: Queryable, id: number, actor: string, client: string): Promise<ReplayOutcome> => {
    const item = await markSetAsideReplayed(tx, id, actor);
    if (!item) return { status: 409, error: `item ${id} does not exist or was replayed already; GET /api/set-aside lists them` };
    const event = cityEvent.safeParse(JSON.parse(item.item));
    if (!event.success) return { status: 422, error: `item ${id} is not an event this version reads (${event.error.issues[0]?.message}); send it again from its source` };
    // Durable before the mark commits: a failed publish leaves the item to replay again.
    await publish([event.data]);
    await appendAudit(tx, { actor, action: 'set-aside-replayed', objectType: 'set-aside', objectId: String(id), after: { pipeline: item.pipeline, error: item.error }, client });
    return { item };
  };
  return {
    listUsers: async (_req, res) => void res.json(await listUsers(db())),
    createUser: async (req, res) => {
      const parsed = newUser.safeParse(req.body);
      if (!parsed.success) return void res.status(400).json({ error: `${problemsOf(parsed.error)}; send {id, displayName, role, grants?, password}` });
      const { password, ...user } = parsed.data;
      const weak = passwordProblem(password, user.id);
      if (weak) return void res.status(400).json({ error: `${weak}; choose another` });
      try {
        const passwordHash = await hashPassword(password);
        // The change and its audit line are one transaction: neither happens without the other.
        const created = await db().transaction(async (tx) => {
          const done = await createUser(tx, { ...user, passwordHash });
          await appendAudit(tx, { actor: actorOf(res), action: 'user-created', objectType: 'user', objectId: done.id, after: done, client: auth.clientOf(req) });
          return done;
        });
        res.status(201).json(created);
      } catch (error) {
        if (error instanceof UserExistsError) return void res.status(409).json({ error: error.message });
        throw error;
      }
    },
    changeUser: async (req, res) => {
      const id = String(req.params.id);
      const parsed = userChange.safeParse(req.body);
      if (!parsed.success) return void res.status(400).json({ error: `${problemsOf(parsed.error)}; send any of {displayName, role, grants, disabled, password}` });
      const { password, ...change } = parsed.data;
      // An admin cannot lock themselves out; another admin can.
      if (id === actorOf(res) && (change.disabled || (change.role && change.role !== 'admin'))) {
        return void res.status(400).json({ error: 'you cannot disable yourself or give up your own admin role; ask another administrator' });
      }
      const weak = password === undefined ? undefined : passwordProblem(password, id);
      if (weak) return void res.status(400).json({ error: `${weak}; choose another` });
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      const changed = await db().transaction(async (tx) => {
        const done = await updateUser(tx, id, { ...change, ...(passwordHash && { passwordHash }) });
        if (done) {
          const after = { ...done.after, ...(passwordHash && { passwordChanged: true }) };
          await appendAudit(tx, { actor: actorOf(res), action: 'user-changed', objectType: 'user', objectId: id, before: done.before, after, client: auth.clientOf(req) });
        }
        return done;
      });
      if (!changed) return void res.status(404).json({ error: `no user "${id}"; GET /api/users lists them` });
      // The database ended their sessions; their open connections close now, not at the next check.
      if (passwordHash || change.disabled || (change.role && change.role !== changed.before.role)) onSessionsEnded(id);
      res.json(changed.after);
    },
    audit: async (req, res) => {
      const parsed = auditQuery.safeParse(req.query);
      if (!parsed.success) return void res.status(400).json({ error: `${problemsOf(parsed.error)}; filter by actor, action, since (ISO time), limit (1–1000)` });
      res.json(await listAudit(db(), parsed.data));
    },
    /** The same filter as CSV, for a report or an inspector: one line per entry, before and after as JSON. */
    auditCsv: async (req, res) => {
      const parsed = auditQuery.safeParse(req.query);
      if (!parsed.success) return void res.status(400).json({ error: `${problemsOf(parsed.error)}; filter by actor, action, since (ISO time), limit (1–1000)` });
      const entries = await listAudit(db(), parsed.data);
      const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
      res
        .type('text/csv; charset=utf-8')
        .attachment('audit.csv')
        .send(`\ufeff${toCsv(['id', 'at', 'actor', 'action', 'object type', 'object id', 'before', 'after', 'client'], entries.map((e) => [e.id, e.at, e.actor, e.action, e.objectType ?? null, e.objectId ?? null, json(e.before), json(e.after), e.client ?? null]))}`);
    },
    /** Sends an item set aside through the ingest bus again, once its sender (or the database) is fixed; audited. */
    replaySetAside: async (req, res) => {
      const id = numericId(req.params.id);
      if (id === undefined) return void res.status(404).json({ error: `no item "${req.params.id}"; GET /api/set-aside lists them` });
      const outcome = await db()
        .transaction((tx) => replay(tx, id, actorOf(res), auth.clientOf(req)))
        // Over capacity, or the log failed: nothing was taken, the item stays to replay.
        .catch((error: unknown): ReplayOutcome => {
          if (!isIngestRefused(error)) throw error;
          res.set('Retry-After', String(error.retryAfterS));
          return { status: 503, error: error.message };
        });
      if ('item' in outcome) return void res.json(outcome.item);
      res.status(outcome.status).json({ error: outcome.error });
    },
    listFeedKeys: async (_req, res) => void res.json(await listFeedKeys(db())),
    setAside: async (_req, res) => void res.json(await listSetAsideItems(db())),
    createFeedKey: async (req, res) => {
      const parsed = newFeedKey.safeParse(req.body);
      if (!parsed.success) return void res.status(400).json({ error: `${problemsOf(parsed.error)}; send {name, feed: ${keyedFeeds.join(' | ')}}` });
      const issued = await issueFeedKey(db(), { ...parsed.data, createdBy: actorOf(res) });
      await appendAudit(db(), { actor: actorOf(res), action: 'feed-key-created', objectType: 'feed-key', objectId: issued.record.id, after: issued.record, client: auth.clientOf(req) });
      // The only time the key is shown.
      res.status(201).json({ ...issued.record, key: issued.key });
    },
    changeFeedKey: async (req, res) => {
      const id = String(req.params.id);
      const parsed = feedKeyChange.safeParse(req.body);
      if (!parsed.success) return void res.status(400).json({ error: `${problemsOf(parsed.error)}; send {disabled: true | false}` });
      const changed = await db().transaction(async (tx) => {
        const done = await setFeedKeyDisabled(tx, id, parsed.data.disabled);
        if (done) await appendAudit(tx, { actor: actorOf(res), action: 'feed-key-changed', objectType: 'feed-key', objectId: id, before: done.before, after: done.after, client: auth.clientOf(req) });
        return done;
      });
      if (!changed) return void res.status(404).json({ error: `no feed key "${id}"; GET /api/feed-keys lists them` });
      res.json(changed.after);
    },
  };
}
