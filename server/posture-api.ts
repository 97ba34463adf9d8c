import type { RequestHandler } from 'express';
import { z } from 'zod';
import { readCasePosture, readCoverage, readForceDistribution, type CasePosture, type Database, type RoadRouter } from '../geo/index.ts';

/** The windows a board shows, back from now, ms. */
export const postureRanges = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
const postureQuery = z.object({
  range: z.enum(Object.keys(postureRanges) as [keyof typeof postureRanges]).default('24h'),
  district: z.string().regex(/^[\w-]{1,64}$/).optional(),
});

const unitsQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(60).default(5),
  district: z.string().regex(/^[\w-]{1,64}$/).optional(),
});

/** A board as CSV, one figure per row (figure, key, value): what an official pastes into a report. */
export function casePostureCsv(posture: CasePosture): string {
  const rows: [string, string, string | number | null][] = [
    ['window', 'from', posture.from],
    ['window', 'to', posture.to],
    ['window', 'district', posture.districtId ?? 'all'],
    ['cases', 'opened', posture.opened],
    ['cases', 'closed', posture.closed],
    ['cases', 'open now', posture.openNow],
    ['cases', 'overdue now', posture.overdueNow],
    ['handling', 'closed', posture.handling.closed],
    ['handling', 'mean minutes', posture.handling.meanMinutes],
    ['handling', 'mean SLA minutes', posture.handling.meanSlaMinutes],
    ['handling', 'on-time share', posture.handling.onTimeShare],
    ...posture.byCategory.map((c): [string, string, number] => ['opened by category', c.category, c.opened]),
    ...posture.byDistrict.map((d): [string, string, number] => ['opened by district', d.districtId ?? 'none', d.opened]),
    ...posture.byHour.map((h): [string, string, number] => ['opened by hour', h.hour, h.opened]),
    ...posture.topCells.map((c): [string, string, number] => ['top grid cells', c.cellId, c.opened]),
  ];
  // Keys are ids and ISO times; quoting keeps a spreadsheet from reading anything into them.
  const quote = (value: string | number | null) => (value === null ? '' : typeof value === 'number' ? String(value) : `"${value.replace(/"/g, '""')}"`);
  return ['figure,key,value', ...rows.map((row) => row.map(quote).join(','))].join('\r\n') + '\r\n';
}

/** The officials' posture boards: cases, and units with their coverage (KPI definitions in geo/posture.ts). */
export function postureApi(db: () => Database, router: () => RoadRouter): Record<'cases' | 'casesCsv' | 'units', RequestHandler> {
  const read = async (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => {
    const query = postureQuery.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: `range is ${Object.keys(postureRanges).join(', ')}; district is a district id from /api/city` });
      return undefined;
    }
    const to = Date.now();
    return readCasePosture(db(), { from: to - postureRanges[query.data.range], to, districtId: query.data.district ?? null });
  };
  return {
    cases: async (req, res) => {
      const posture = await read(req, res);
      if (posture) res.json(posture);
    },
    units: async (req, res) => {
      const query = unitsQuery.safeParse(req.query);
      if (!query.success) return void res.status(400).json({ error: 'minutes is 1–60 (default 5); district is a district id from /api/city' });
      const districtId = query.data.district ?? null;
      const [force, coverage] = await Promise.all([readForceDistribution(db()), readCoverage(db(), router(), { minutes: query.data.minutes, districtId })]);
      res.json({ force: districtId ? force.filter((row) => row.districtId === districtId) : force, coverage });
    },
    casesCsv: async (req, res) => {
      const posture = await read(req, res);
      if (!posture) return;
      res.type('text/csv; charset=utf-8').attachment(`cases-${posture.districtId ?? 'city'}-${posture.to.slice(0, 16).replace(/:/g, '')}.csv`).send(casePostureCsv(posture));
    },
  };
}
