import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { ExtendedError, Socket } from 'socket.io';
import { z } from 'zod';
import { appendAudit, createSession, deleteSession, extendSessions, findSessions, findUserForSignIn, hashSecret, type AuditEntry, type Database, type Session } from '../geo/index.ts';
import type { Metrics } from './metrics.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { liveLayers, type SessionInfo } from '../streams/index.ts';
import { auditsPoliceReads, can, layerPermission, permissionNames, type Permission } from './permissions.ts';
import type { Limits } from './shared-limits.ts';

export const sessionCookie = 'onescreen_session';
/** State-changing requests carry the session's CSRF token in this header; the socket handshake in `auth.csrf`. */
export const csrfHeader = 'x-csrf-token';

export interface AuthOptions {
  db: () => Database;
  /** A session ends this long after its last use, ms. */
  sessionTtlMs: number;
  /** Origins besides the server's own that pages may call from (ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /** In demo mode, the accounts and password the sign-in page may show. */
  demo: { users: readonly string[]; password: string } | undefined;
  metrics: Metrics;
  /** A session ended by signing out: its live connections are closed. */
  onSessionEnded: (ended: { tokenHash: string }) => void;
  /** Where the sign-in and request limits are counted (every node's together, with Redis). */
  limits: Limits;
}

/** Who a request or a socket acts for. */
export interface SignedIn {
  session: Session;
  tokenHash: string;
}
/** A session lookup's answer: who, nobody, or the database could not say. */
type SessionLookup = { signedIn?: SignedIn; failed?: true };

// Failed sign-ins allowed per window, per client address and per user id.
const failuresPerClient = 20;
const failuresPerUser = 5;
const failureWindowMs = 15 * 60_000;

// API requests per session (or, signed out, per address) per minute: far above what a screen makes.
const requestsPerMinute = 600;

const signInBody = z.object({ user: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
// A session looked up at a connection's handshake answers its middleware for this long.
const handshakeFreshMs = 10_000;

export const hashToken = hashSecret;

/** A named cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Whether a request's Origin may act here: none (not a browser page: trackers, scripts), this
 * server's own host, or one listed in ALLOWED_ORIGINS. Stops cross-site WebSocket hijacking and
 * cross-site form posts, with the SameSite cookie and the CSRF token as further walls.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const permissionText: Record<Permission, string> = {
  'city:read': 'see the city',
  'units:read': 'see where units are',
  'police-units:read': 'see where police units are',
  'alerts:read': 'see alerts and reports',
  'incidents:read': 'see incidents',
  'incidents:write': 'change incidents and send units',
  'dispatch:read': 'see which units are sent where and geofence alerts',
  'geofences:manage': 'draw and remove geofences',
  'alerts:write': 'acknowledge, assign and clear alerts',
  'warnings:issue': 'issue emergency warnings',
  'posture:read': 'see the posture boards',
  'users:manage': 'manage users',
  'feeds:manage': 'manage feed keys',
  'audit:read': 'read the audit log',
  'devices:manage': 'register and retire units',
};

export const notSignedIn = 'not signed in, or the session ended; sign in at /login';

export function createAuth(options: AuthOptions) {
  const { db, sessionTtlMs, metrics } = options;
  const failuresByClient = options.limits('sign-in-failures-client', failuresPerClient, failureWindowMs);
  const failuresByUser = options.limits('sign-in-failures-user', failuresPerUser, failureWindowMs);
  const requests = options.limits('requests', requestsPerMinute, 60_000);
  // Unknown users are checked against this, so a sign-in takes as long whether or not the user exists.
  const unknownUserHash = hashPassword(randomBytes(16).toString('hex'));

  /** The live session a Cookie header names, its expiry moved on (written at most once a minute). */
  const signedInBy = async (cookieHeader: string | undefined): Promise<SignedIn | undefined> => {
    const token = readCookie(cookieHeader, sessionCookie);
    if (!token || !tokenPattern.test(token)) return undefined;
    const tokenHash = hashToken(token);
    const session = (await findSessions(db(), [tokenHash])).get(tokenHash);
    if (!session) return undefined;
    const expiresAt = Date.now() + sessionTtlMs;
    if (expiresAt - session.expiresAt > 60_000) {
      await extendSessions(db(), [tokenHash], expiresAt);
      session.expiresAt = expiresAt;
    }
    return { session, tokenHash };
  };

  const refuse = (res: Response, status: 401 | 403, reason: string, error: string) => {
    metrics.count('onescreen_http_refused_total', { reason });
    res.status(status).json({ error });
  };
  const signedInOf = (res: Response) => res.locals.signedIn as SignedIn | undefined;

  /** Reads the session, if any, for the guards below; while the database is not open there is none. */
  const authenticateWhenReady =
    (readiness: { db: Database | undefined }): RequestHandler =>
    async (req, res, next) => {
      res.locals.signedIn = readiness.db ? await signedInBy(req.headers.cookie) : undefined;
      next();
    };

  /** Refuses a request from a foreign Origin. */
  const guardOrigin: RequestHandler = (req, res, next) => {
    if (!originAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)) {
      return refuse(res, 403, 'origin', `requests from ${req.headers.origin} are not allowed; add that origin to ALLOWED_ORIGINS if it is yours`);
    }
    next();
  };

  /** Refuses a client making more requests than any screen would. */
  const limitRate: RequestHandler = async (req, res, next) => {
    const allowed = await requests.take(signedInOf(res)?.tokenHash ?? `address:${clientOf(req)}`);
    if (allowed.ok) return next();
    metrics.count('onescreen_http_refused_total', { reason: 'rate' });
    res.status(429).set('Retry-After', String(allowed.retryAfterS)).json({ error: `more than ${requestsPerMinute} requests in a minute; slow down and retry after ${allowed.retryAfterS} s` });
  };

  /**
   * Lets the request through when its user may do `permission` ('signed-in': anyone signed in),
   * and, for a change, when it carries the session's CSRF token.
   */
  const allow = (permission: Permission | 'signed-in'): RequestHandler => (req, res, next) => {
    const signedIn = signedInOf(res);
    if (!signedIn) return refuse(res, 401, 'signed-out', notSignedIn);
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.get(csrfHeader) !== signedIn.session.csrf) {
      return refuse(res, 403, 'csrf', `the ${csrfHeader} header is missing or wrong; read the token from GET /api/session and send it with every change`);
    }
    const { user } = signedIn.session;
    if (permission !== 'signed-in' && !can(user, permission)) {
      return refuse(res, 403, 'forbidden', `the ${user.role} role may not ${permissionText[permission]}; ask an administrator if your work needs it`);
    }
    next();
  };

  const audit = (entry: AuditEntry) => appendAudit(db(), entry);
  const clientOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const sessionBody = ({ session }: SignedIn): SessionInfo => ({
    user: session.user,
    csrf: session.csrf,
    expiresAt: new Date(session.expiresAt).toISOString(),
    layers: liveLayers.filter((layer) => can(session.user, layerPermission(layer))),
    permissions: permissionNames.filter((permission) => can(session.user, permission)),
  });

  /** POST /api/session: signs in, setting the session cookie and answering with the CSRF token. */
  const signIn: RequestHandler = async (req, res) => {
    const body = signInBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: 'send JSON {"user": "<user id>", "password": "<password>"}' });
    const { user: userId, password } = body.data;
    const client = clientOf(req);
    const waitMs = Math.max(await failuresByClient.waitMs(client), await failuresByUser.waitMs(userId));
    if (waitMs > 0) {
      metrics.count('onescreen_http_refused_total', { reason: 'sign-in-rate' });
      const minutes = Math.ceil(waitMs / 60_000);
      return void res.status(429).set('Retry-After', String(Math.ceil(waitMs / 1000))).json({ error: `too many failed sign-ins; wait ${minutes} min and try again, or ask an administrator to reset the password` });
    }
    const user = await findUserForSignIn(db(), userId);
    const passwordRight = await verifyPassword(password, user?.passwordHash ?? (await unknownUserHash));
    if (!user || !passwordRight || user.disabled) {
      await Promise.all([failuresByClient.record(client), failuresByUser.record(userId)]);
      metrics.count('onescreen_sign_ins_total', { result: 'failed' });
      await audit({ actor: user ? user.id : 'anonymous', action: 'sign-in-failed', objectType: 'user', objectId: userId.slice(0, 64), client });
      const disabled = user && passwordRight && user.disabled;
      return void res.status(401).json({ error: disabled ? 'this account is disabled; ask an administrator' : 'wrong user id or password; check both and try again' });
    }
    await failuresByUser.forget(userId);
    const token = randomBytes(32).toString('base64url');
    const tokenHash = hashToken(token);
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = Date.now() + sessionTtlMs;
    await createSession(db(), { tokenHash, userId: user.id, csrf, expiresAt });
    await audit({ actor: user.id, action: 'sign-in', client });
    metrics.count('onescreen_sign_ins_total', { result: 'ok' });
    // No Max-Age: the server decides when a session ends (it slides with use); the browser keeps it until closed.
    res.cookie(sessionCookie, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    const { passwordHash: _, ...shown } = user;
    res.json(sessionBody({ tokenHash, session: { user: shown, csrf, expiresAt } }));
  };
  /** GET /api/session: who is signed in, and the CSRF token; 401 (with the demo accounts in demo mode) when nobody. */
  const whoAmI: RequestHandler = (_req, res) => {
    const signedIn = signedInOf(res);
    if (signedIn) return void res.json(sessionBody(signedIn));
    res.status(401).json({ error: notSignedIn, ...(options.demo ? { demo: options.demo } : {}) });
  };
  /** DELETE /api/session: signs out, closing the session's live connections. */
  const signOut: RequestHandler = async (req, res) => {
    const signedIn = signedInOf(res)!;
    await deleteSession(db(), signedIn.tokenHash);
    await audit({ actor: signedIn.session.user.id, action: 'sign-out', client: clientOf(req) });
    options.onSessionEnded({ tokenHash: signedIn.tokenHash });
    res.clearCookie(sessionCookie, { path: '/' });
    res.status(204).end();
  };

  // Socket.IO takes a recovered connection back into its rooms before the middlewares run and, until
  // they finish, drops what is pushed to those rooms: a middleware that waited on the database lost
  // the changes made meanwhile (CI saw 46 of 50). So the session is looked up at Engine.IO's
  // handshake, before Socket.IO recovers anything, and the middleware only reads the answer.
  const lookUp = (cookieHeader: string | undefined): Promise<SessionLookup> =>
    signedInBy(cookieHeader).then(
      (signedIn) => ({ signedIn }),
      () => ({ failed: true }),
    );
  const handshakeLookups = new WeakMap<IncomingMessage, { at: number; answer: SessionLookup }>();
  /** Engine.IO's allowRequest: looks the session up, then lets the handshake on; the middleware refuses, with the reason. */
  const socketHandshake = (req: IncomingMessage, allow: (error: string | null | undefined, success: boolean) => void) =>
    void lookUp(req.headers.cookie).then((answer) => {
      handshakeLookups.set(req, { at: Date.now(), answer });
      allow(null, true);
    });

  /** Socket.IO middleware: a handshake needs an allowed Origin, a live session and that session's CSRF token. */
  const socketMiddleware = (socket: Socket, next: (error?: ExtendedError) => void) => {
    const { headers, auth } = socket.handshake;
    const refuseSocket = (reason: string, message: string) => {
      metrics.count('onescreen_socket_rejected_total', { event: 'connect', reason });
      next(Object.assign(new Error(message), { data: { reason } }));
    };
    if (!originAllowed(headers.origin, headers.host, options.allowedOrigins)) {
      return refuseSocket('origin', `connections from ${headers.origin} are not allowed; add that origin to ALLOWED_ORIGINS if it is yours`);
    }
    const decide = ({ signedIn, failed }: SessionLookup) => {
      if (failed) return refuseSocket('unavailable', 'the server cannot check sessions right now; the client retries by itself');
      if (!signedIn) return refuseSocket('signed-out', notSignedIn);
      if ((auth as { csrf?: unknown } | undefined)?.csrf !== signedIn.session.csrf) {
        return refuseSocket('csrf', 'the handshake lacks this session’s CSRF token (auth.csrf); read it from GET /api/session');
      }
      socket.data.signedIn = signedIn;
      next();
    };
    // A namespace connecting again over an older Engine.IO connection is looked up anew.
    const atHandshake = handshakeLookups.get(socket.request);
    if (atHandshake && Date.now() - atHandshake.at < handshakeFreshMs) decide(atHandshake.answer);
    else void lookUp(headers.cookie).then(decide);
  };

  /** Notes reads of individual police positions by a role that is not police (officials, admins with the grant). */
  const auditPoliceReads = async (req: Request, res: Response, unitIds: readonly string[], what: string) => {
    const user = signedInOf(res)?.session.user;
    if (!user || unitIds.length === 0 || !auditsPoliceReads(user)) return;
    await audit({ actor: user.id, action: 'police-positions-read', objectType: 'units', objectId: unitIds.length === 1 ? unitIds[0] : undefined, after: { via: what, count: unitIds.length, units: unitIds.slice(0, 100) }, client: clientOf(req) });
  };

  return {
    authenticateWhenReady,
    guardOrigin,
    limitRate,
    allow,
    signIn,
    whoAmI,
    signOut,
    auditPoliceReads,
    socketHandshake,
    socketMiddleware,
    audit,
    clientOf,
    signedInOf,
    /** The live sessions among these, with their expiry moved on: connected clients are in use. */
    async liveSessions(tokenHashes: readonly string[]): Promise<Map<string, Session>> {
      const live = await findSessions(db(), tokenHashes);
      await extendSessions(db(), [...live.keys()], Date.now() + sessionTtlMs);
      return live;
    },
  };
}
export type Auth = ReturnType<typeof createAuth>;
