// The device registry's rows, checked the same way wherever they come from: the admin console's
// form and CSV upload, or `npm run import -- units`.
import { z } from 'zod';
import { entityKinds, kindConflicts, readCitySummary, type NewDevice, type Queryable } from '../geo/index.ts';

const text = (max: number) => z.string().trim().max(max).refine((value) => !value.includes('\u0000'), 'holds a NUL character');
const labelNeeded = 'is needed: a plate, call sign or name';
const deviceId = z.string().trim().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'is 1–64 letters, digits, ".", "_", ":" or "-" (what the tracker sends as its id)');
const newDevice = z
  .object({
    id: deviceId,
    kind: z.enum(entityKinds),
    // Missing and empty alike (a CSV's empty cell is left out).
    label: z.string({ error: labelNeeded }).trim().max(64).refine((value) => !value.includes('\u0000'), 'holds a NUL character').pipe(z.string().min(1, labelNeeded)),
    agency: text(128).optional(),
    /** A district's id, or its Chinese or English name. */
    district: text(64).optional(),
  })
  .strict();

/** What is wrong with a row: its line (in a file), the field, in words. */
export type DeviceProblem = { line?: number; field: string; message: string };

/** Checks rows, resolving district names; every problem with its line, or the units to register. */
export async function checkDeviceRows(db: Queryable, rows: readonly { line?: number; row: unknown }[]): Promise<{ problems: DeviceProblem[]; devices: NewDevice[] }> {
  const city = await readCitySummary(db);
  const districts = new Map((city?.districts ?? []).flatMap((d) => [d.id, d.nameZh, d.nameEn.toLowerCase()].map((key) => [key, d.id] as const)));
  const problems: DeviceProblem[] = [];
  const devices: NewDevice[] = [];
  const seen = new Set<string>();
  for (const { line, row } of rows) {
    const parsed = newDevice.safeParse(row);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line, field: issue.path.join('.') || 'row', message: issue.message });
      continue;
    }
    const { district, agency, ...unit } = parsed.data;
    const districtId = district ? (districts.get(district) ?? districts.get(district.toLowerCase())) : null;
    if (district && !districtId) problems.push({ line, field: 'district', message: `no district "${district}"; use a district's id or name from GET /api/city` });
    else if (seen.has(unit.id)) problems.push({ line, field: 'id', message: `"${unit.id}" is in the file twice` });
    else devices.push({ ...unit, agency: agency || null, districtId: districtId ?? null });
    seen.add(unit.id);
  }
  for (const conflict of await kindConflicts(db, devices)) {
    const row = rows.find(({ row }) => (row as { id?: string }).id?.trim() === conflict.id);
    problems.push({ line: row?.line, field: 'kind', message: `"${conflict.id}" is registered as a ${conflict.kind}; a unit's kind does not change (retire it and register a new id)` });
  }
  return { problems, devices };
}
