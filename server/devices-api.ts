import express, { type RequestHandler, type Response } from 'express';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { appendAudit, entityKinds, listDevices, registerDevices, retireDevice, type Database, type Device, type EntityKind, type NewDevice } from '../geo/index.ts';
import { checkDeviceRows, type DeviceProblem } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import { problemsOf } from './request-checks.ts';

const deviceQuery = z.object({
  kind: z.enum(entityKinds).optional(),
  q: z.string().max(64).optional(),
  retired: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
// A CSV import is one transaction; past this many rows, split the file.
const maxImportRows = 20_000;

export interface DeviceRegistryHooks {
  /** Trackers of these units are taken from now on. */
  registered(devices: readonly Pick<Device, 'id' | 'kind'>[]): void;
  /** This unit's tracker is refused from now on. */
  retired(id: string): void;
}

/**
 * The device registry's routes (admins): list, register one, import a CSV (all or nothing, each
 * bad row named by line and field), retire. Every change is audited; `hooks` tell the ingest
 * which trackers to take.
 */
export function devicesApi(db: () => Database, auth: Auth, hooks: DeviceRegistryHooks) {
  const actorOf = (res: Response) => auth.signedInOf(res)!.session.user.id;
  const check = (rows: { line?: number; row: unknown }[]) => checkDeviceRows(db(), rows);
  const store = async (res: Response, devices: NewDevice[], action: string, client: string) => {
    const stored = await db().transaction(async (tx) => {
      const done = await registerDevices(tx, devices, actorOf(res));
      const after = devices.length === 1 ? done[0] : { count: done.length, ids: done.slice(0, 50).map((d) => d.id) };
      await appendAudit(tx, { actor: actorOf(res), action, objectType: 'device', objectId: devices.length === 1 ? devices[0]!.id : undefined, after, client });
      return done;
    });
    hooks.registered(stored);
    return stored;
  };
  const refuse = (res: Response, problems: DeviceProblem[], what: string) =>
    void res.status(400).json({
      error: `${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing registered: ${problems.slice(0, 3).map((p) => `${p.line ? `line ${p.line}, ` : ''}${p.field}: ${p.message}`).join('; ')}; ${what}`,
      problems,
    });

  return {
    list: (async (req, res) => {
      const parsed = deviceQuery.safeParse(req.query);
      if (!parsed.success) return void res.status(400).json({ error: `${problemsOf(parsed.error)}; filter by kind, q (part of an id, label or agency), retired (true/false), limit (1–1000)` });
      const { kind, q, retired, limit } = parsed.data;
      res.json(await listDevices(db(), { kind: kind as EntityKind | undefined, text: q, retired: retired === 'true', limit }));
    }) satisfies RequestHandler,
    register: (async (req, res) => {
      const { problems, devices } = await check([{ row: req.body }]);
      if (problems.length > 0) return refuse(res, problems, 'send {id, kind, label, agency?, district?}');
      res.status(201).json((await store(res, devices, 'device-registered', auth.clientOf(req)))[0]);
    }) satisfies RequestHandler,
    /** The body is the CSV itself (text/csv): a header line id,kind,label[,agency][,district], then a unit per line. */
    import: [
      express.text({ type: ['text/csv', 'text/plain'], limit: '4mb' }),
      (async (req, res) => {
        if (typeof req.body !== 'string') return void res.status(415).json({ error: 'send the CSV itself as the body, with content-type text/csv' });
        let records: { record: Record<string, string>; info: { lines: number } }[];
        try {
          records = parse(req.body, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true });
        } catch (error) {
          return void res.status(400).json({ error: `not readable as CSV (${(error as Error).message}); the first line names the columns: id,kind,label,agency,district` });
        }
        if (records.length === 0) return void res.status(400).json({ error: 'no units in the file; the first line names the columns (id,kind,label,agency,district), then one unit per line' });
        if (records.length > maxImportRows) return void res.status(413).json({ error: `${records.length} units in one file; import at most ${maxImportRows} at a time` });
        // Empty optional cells are absent, not empty names.
        const rows = records.map(({ record, info }) => ({ line: info.lines, row: Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '')) }));
        const { problems, devices } = await check(rows);
        if (problems.length > 0) return refuse(res, problems, 'mend those lines and import the file again');
        const stored = await store(res, devices, 'devices-imported', auth.clientOf(req));
        res.json({ registered: stored.length });
      }) satisfies RequestHandler,
    ],
    retire: (async (req, res) => {
      const id = String(req.params.id);
      const retired = await db().transaction(async (tx) => {
        const done = await retireDevice(tx, id);
        if (done) await appendAudit(tx, { actor: actorOf(res), action: 'device-retired', objectType: 'device', objectId: id, before: done.before, after: done.after, client: auth.clientOf(req) });
        return done;
      });
      if (!retired) return void res.status(404).json({ error: `no unit "${id}"; GET /api/devices lists them` });
      hooks.retired(id);
      res.json(retired.after);
    }) satisfies RequestHandler,
  };
}
