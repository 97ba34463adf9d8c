import type { SessionInfo, SignedOutInfo } from '../streams/index.ts';

const retryMs = 2_000;

// Set once the page is on its way to the sign-in page: signing out ends the session, which the
// server also announces over the socket; the first of the two navigates, the second does nothing.
let leaving = false;
const stay = new Promise<never>(() => {});

/** Goes to the sign-in page, which comes back here afterwards; what awaits this waits for the page to go. */
export function goToSignIn(): Promise<never> {
  if (leaving) return stay;
  leaving = true;
  const to = new URLSearchParams({ next: location.pathname + location.search });
  // The sign-in page speaks the language the wall was asked for.
  const language = new URLSearchParams(location.search).get('lang');
  if (language) to.set('lang', language);
  location.replace(`/login?${to}`);
  return stay;
}

export type SessionAnswer = { kind: 'signed-in'; session: SessionInfo } | { kind: 'signed-out'; info: SignedOutInfo } | { kind: 'starting'; step: string } | { kind: 'unreachable' };

/** Who is signed in, as the server sees it now. */
export async function readSession(): Promise<SessionAnswer> {
  try {
    const response = await fetch('/api/session');
    if (response.ok) return { kind: 'signed-in', session: (await response.json()) as SessionInfo };
    const body = (await response.json().catch(() => ({}))) as SignedOutInfo;
    if (response.status === 401) return { kind: 'signed-out', info: body };
    return { kind: 'starting', step: body.error ?? `HTTP ${response.status}` };
  } catch {
    return { kind: 'unreachable' };
  }
}

/** Ends the session on the server, then shows the sign-in page. */
export async function signOut(session: SessionInfo): Promise<void> {
  // Claimed before the session ends, so the socket's "session ended" does not navigate too.
  leaving = true;
  await fetch('/api/session', { method: 'DELETE', headers: { 'x-csrf-token': session.csrf } }).catch(() => undefined);
  location.replace('/login');
}

/**
 * Reads an API answer, telling `showProblem` why it waits and retrying while the server starts or
 * cannot be reached; signed out, it is the sign-in page's turn.
 */
export async function readWhenReady<T>(path: string, showProblem: (problem: { kind: 'starting'; step: string } | { kind: 'unreachable' }) => void): Promise<T> {
  for (;;) {
    try {
      const response = await fetch(path);
      if (response.ok) return (await response.json()) as T;
      if (response.status === 401) return await goToSignIn();
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      showProblem({ kind: 'starting', step: body.error ?? `HTTP ${response.status}` });
    } catch {
      showProblem({ kind: 'unreachable' });
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

/** What a console says when the API refuses: in the page's language, not the server's. */
export interface RefusalWords {
  forbidden: string;
  failed: (what: string) => string;
  unreachable: string;
}

/**
 * Calls the API as the signed-in user, with the CSRF token; undefined when refused, after telling
 * `report` why (the server's reason, which says what to do). A lapsed session goes to sign-in.
 */
export function apiCaller(session: Pick<SessionInfo, 'csrf'>, words: RefusalWords, report: (problem: string) => void) {
  return async function call<T>(path: string, init: RequestInit = {}): Promise<T | undefined> {
    try {
      const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf, ...(init.headers as Record<string, string>) } });
      if (response.status === 401) return await goToSignIn();
      // The server's reason is English and for integrators; a person at this page reads their own language.
      if (response.status === 403) return void report(words.forbidden);
      const body = (await response.json().catch(() => ({}))) as T & { error?: string };
      if (!response.ok) return void report(words.failed(body.error ?? `HTTP ${response.status}`));
      return body;
    } catch {
      return void report(words.unreachable);
    }
  };
}

/** A GET of JSON: its body, or why there is none (the server's own reason when it gave one). */
export async function getJson<T>(path: string): Promise<{ body: T } | { problem: string }> {
  const response = await fetch(path).catch(() => undefined);
  if (!response) return { problem: 'the server did not answer' };
  const body = (await response.json().catch(() => undefined)) as (T & { error?: string }) | undefined;
  if (!response.ok || body === undefined) return { problem: body?.error ?? `HTTP ${response.status}` };
  return { body };
}
