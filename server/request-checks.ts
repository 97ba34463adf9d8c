import type { z } from 'zod';

/** A numeric id from a path (1–15 digits), or undefined for anything else. */
export const numericId = (raw: unknown) => (typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

/** What is wrong with a request body, field by field, for a 400's reason. */
export const problemsOf = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
