import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';

/** A numeric id from a path (1–15 digits), or undefined for anything else. */
export const numericId = (raw: unknown) => (typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

/** What is wrong with a request body, field by field, for a 400's reason. */
export const problemsOf = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');

/**
 * Answers a request its body parser refused (unreadable JSON, too large) with that 4xx and what
 * to send instead; `counted` is told, so a feed counts it. Anything else goes on to the 500 handler.
 */
export const refusedBody =
  (advice: string, counted: () => void = () => {}): ErrorRequestHandler =>
  (error: { status?: number; message?: string }, _req, res, next) => {
    if (!error.status || error.status >= 500) return next(error);
    counted();
    res.status(error.status).json({ error: `${error.message ?? 'unreadable request'}; ${advice}` });
  };
