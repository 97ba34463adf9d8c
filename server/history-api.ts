// The city's past over HTTP (issue 21): where every unit was at a moment, and one unit's track
// with its speed and stops (轨迹回放). Roles apply as to the present: a kind the user may not see
// live is not shown from history either, and an official's or admin's reads of police history
// are audited as their live reads are.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { findNearby, positionsAt, unitTrack, type Database } from '../geo/index.ts';
import type { EntityKind } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import { askedKinds, policeKinds, visibleKinds } from './permissions.ts';

/** The longest window one track is read over: a day of a unit's fixes (~17,000 at 5 s). */
export const maxTrackHours = 24;

// A moment as ISO 8601 or epoch ms.
const moment = z.union([z.coerce.number().int().positive(), z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso))]);
const window = z.object({ from: moment, to: moment }).refine(({ from, to }) => to > from && to - from <= maxTrackHours * 3_600_000);
const windowError = `give from and to (ISO 8601 with its offset, or epoch ms), from before to, at most ${maxTrackHours} h apart`;
// "Who was here": a place (WGS-84), a street to a district around it, and a window of at most a day.
export const nearbyRadiusM = { min: 10, max: 5_000, standard: 500 };
const place = z.object({
  lon: z.coerce.number().min(-180).max(180),
  lat: z.coerce.number().min(-90).max(90),
  radius: z.coerce.number().int().min(nearbyRadiusM.min).max(nearbyRadiusM.max).default(nearbyRadiusM.standard),
});

export function historyApi(db: () => Database, auth: Auth): Record<'positions' | 'track' | 'nearby', RequestHandler> {
  const policeIn = (ids: { id: string; kind: EntityKind }[]) => ids.filter((unit) => policeKinds.includes(unit.kind)).map((unit) => unit.id);
  return {
    positions: async (req, res) => {
      const at = moment.safeParse(req.query.at);
      if (!at.success) return void res.status(400).json({ error: 'give at, the moment: ISO 8601 with its offset (2026-12-05T14:05:00+08:00) or epoch ms' });
      const kinds = askedKinds(req.query.kind, auth.signedInOf(res)!.session.user);
      if ('error' in kinds) return void res.status(kinds.status).json({ error: kinds.error });
      const positions = await positionsAt(db(), at.data, kinds.kinds);
      await auth.auditPoliceReads(req, res, policeIn(positions), 'GET /api/history/positions');
      res.json({ at: new Date(at.data).toISOString(), positions });
    },
    track: async (req, res) => {
      const asked = window.safeParse(req.query);
      if (!asked.success) return void res.status(400).json({ error: windowError });
      const track = await unitTrack(db(), String(req.params.id), asked.data.from, asked.data.to);
      if (!track) return void res.status(404).json({ error: `no unit "${String(req.params.id)}"; GET /api/entities lists them` });
      const refused = askedKinds(track.unit.kind, auth.signedInOf(res)!.session.user);
      if ('error' in refused) return void res.status(refused.status).json({ error: refused.error });
      await auth.auditPoliceReads(req, res, policeIn([track.unit]), 'GET /api/history/units/:id/track');
      res.json(track);
    },
    /** Every unit within the radius of a place in the window (its closest fix), and the cases and camera events there then. */
    nearby: async (req, res) => {
      const [at, during] = [place.safeParse(req.query), window.safeParse(req.query)];
      if (!at.success) return void res.status(400).json({ error: `give lon and lat (WGS-84 degrees) and radius, ${nearbyRadiusM.min}–${nearbyRadiusM.max} m` });
      if (!during.success) return void res.status(400).json({ error: windowError });
      const kinds = visibleKinds(auth.signedInOf(res)!.session.user);
      const nearby = await findNearby(db(), { lon: at.data.lon, lat: at.data.lat, radiusM: at.data.radius, ...during.data, kinds });
      await auth.auditPoliceReads(req, res, policeIn(nearby.units as { id: string; kind: EntityKind }[]), 'GET /api/history/nearby');
      res.json(nearby);
    },
  };
}
