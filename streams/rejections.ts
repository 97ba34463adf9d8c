import type { z } from 'zod';

/**
 * Why input was refused, as counted on /metrics. Parse-time reasons answer the sender with a 4xx;
 * check-time reasons (after Traccar's filters) drop the point silently, as Traccar does.
 */
export const rejectReasons = [
  'malformed', // not the protocol's shape: a field missing or unreadable
  'out-of-range', // latitude, longitude, speed or heading outside what the world allows
  'unknown-device', // not a registered unit
  'zero-position', // (0, 0): a tracker without a fix
  'future-timestamp', // too far ahead of this server's clock
  'poor-accuracy', // the fix is less precise than the configured limit
  'duplicate', // the same entity and time again (a tracker re-sending after a reconnect)
  'impossible-speed', // farther from the last fix than any vehicle could travel
] as const;
export type RejectReason = (typeof rejectReasons)[number];

/** The result of parsing one input: a value, or a reason and a message for the sender. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; message: string };

/** The first thing wrong with an input, for the sender: where, and what. */
export function firstIssue(error: z.ZodError, whole = 'payload'): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || whole}: ${issue.message}`;
}

export const rejected = (reason: RejectReason, message: string): Parsed<never> => ({ ok: false, reason, message });
