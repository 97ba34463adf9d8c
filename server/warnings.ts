import type { RequestHandler } from 'express';
import { z } from 'zod';
import { appendAudit, issueWarning, listWarnings, recordWarningDelivery, warningRadiusM, type Database, type Warning } from '../geo/index.ts';
import type { Auth } from './auth.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { problemsOf } from './request-checks.ts';

const lonLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const newWarning = z
  .object({
    message: z.string().trim().min(1).max(500).refine((text) => !text.includes('\u0000'), 'holds a NUL character'),
    severity: z.number().int().min(1).max(4).default(4),
    polygon: z.array(lonLat).min(3).max(201).optional(),
    center: lonLat.optional(),
    radiusM: z.number().min(warningRadiusM[0]).max(warningRadiusM[1]).optional(),
  })
  .strict()
  .refine((w) => (w.polygon !== undefined) !== (w.center !== undefined && w.radiusM !== undefined), { message: 'give either polygon, or center and radiusM' });

// A gateway that does not answer is tried again after 1 s, 4 s, 16 s, 64 s, 256 s, then given up (and logged).
const deliveryAttempts = 6;
const deliveryTimeoutMs = 10_000;

export interface WarningsOptions {
  db: () => Database;
  auth: Auth;
  /** Where warnings are posted (an SMS gateway); none: they go to screens only. */
  webhookUrl: string | undefined;
  push: (warning: Warning) => void;
  metrics: Metrics;
  log: Logger;
  retryBaseMs?: number;
}

/**
 * Emergency warnings: a dispatcher draws an area and writes a message; it is stored, audited,
 * pushed to every screen, and posted to the webhook with the area and the districts it touches,
 * retried with back-off until the gateway takes it. Undelivered ones are resumed after a restart.
 */
export function createWarnings({ db, auth, webhookUrl, push, metrics, log, retryBaseMs = 1_000 }: WarningsOptions) {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const deliver = (warning: Warning, attempt = 1): void => {
    if (!webhookUrl || stopped) return;
    const { delivery: _, deliveryAttempts: __, ...payload } = warning;
    fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'emergency-warning', ...payload }), signal: AbortSignal.timeout(deliveryTimeoutMs) })
      .then((response) => (response.ok ? undefined : `HTTP ${response.status}`), (error: unknown) => (error as Error).message)
      .then(async (failure) => {
        if (stopped) return;
        const outcome = failure === undefined ? 'delivered' : attempt < deliveryAttempts ? 'pending' : 'failed';
        await recordWarningDelivery(db(), warning.id, outcome);
        // Screens show how delivery stands: a settled one, and the first retry, are pushed again.
        if (outcome !== 'pending' || attempt === 1) push({ ...warning, delivery: outcome, deliveryAttempts: attempt });
        metrics.count('onescreen_warning_deliveries_total', { result: outcome === 'pending' ? 'retry' : outcome });
        if (outcome === 'pending') {
          const timer = setTimeout(() => (timers.delete(timer), deliver(warning, attempt + 1)), retryBaseMs * 4 ** (attempt - 1));
          timers.add(timer);
        } else if (outcome === 'failed') {
          log.error('the warning webhook did not take a warning; it is shown on screens only — check WARNING_WEBHOOK_URL and the gateway', { warningId: warning.id, attempts: attempt, failure });
        }
      })
      .catch((error: unknown) => log.warn('recording a warning delivery failed', { warningId: warning.id, error }));
  };
  return {
    /** Delivers what a previous run left undelivered. */
    async resume(): Promise<void> {
      if (!webhookUrl) return;
      for (const warning of await listWarnings(db(), { delivery: 'pending' })) deliver(warning);
    },
    stop(): void {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
    },
    api: {
      issue: (async (req, res) => {
        const body = newWarning.safeParse(req.body);
        if (!body.success) return void res.status(400).json({ error: `${problemsOf(body.error)}; send {message, severity?, polygon: [[lon, lat], …]} or {message, severity?, center: [lon, lat], radiusM}` });
        const actor = auth.signedInOf(res)!.session.user.id;
        const { message, severity, polygon, center, radiusM } = body.data;
        const result = await db().transaction(async (tx) => {
          const issued = await issueWarning(tx, { message, severity, area: polygon ? { polygon } : { center: center!, radiusM: radiusM! }, issuedBy: actor, delivery: webhookUrl ? 'pending' : 'not-configured' });
          if (issued.ok) await appendAudit(tx, { actor, action: 'warning-issued', objectType: 'warning', objectId: String(issued.warning.id), after: { message, severity, districts: issued.warning.districts.map((d) => d.id) }, client: auth.clientOf(req) });
          return issued;
        });
        if (!result.ok) return void res.status(422).json({ error: result.problem });
        push(result.warning);
        deliver(result.warning);
        res.status(201).json(result.warning);
      }) satisfies RequestHandler,
      list: (async (_req, res) => void res.json(await listWarnings(db(), { hours: 24 }))) satisfies RequestHandler,
    },
  };
}
export type Warnings = ReturnType<typeof createWarnings>;
