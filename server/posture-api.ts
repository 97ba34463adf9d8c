import type { Request, RequestHandler, Response } from 'express';
import { postureBoards, type PostureBoard, type PostureSnapshot } from '../streams/index.ts';
import { postureCsv } from './posture-csv.ts';
import type { Posture } from './posture.ts';

const boardPath = new RegExp(`^(${postureBoards.join('|')})(\\.csv)?$`);
export const pastMomentHelp = 'a past moment, ISO 8601 (2026-12-05T14:05:00+08:00) or epoch ms: the boards as they were then; now when left out';

/** The request's `at`: a past moment (epoch ms), none, or why it cannot be read. */
export function pastMoment(value: unknown): number | undefined | { error: string } {
  if (value === undefined) return undefined;
  const text = String(value);
  const at = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(at) || at > Date.now()) return { error: `bad at: give ${pastMomentHelp}` };
  return at;
}

/** The officials' posture boards over REST: all of them, or one as JSON or CSV (KPI definitions in geo/posture*.ts). */
export function postureApi(posture: Posture): Record<'all' | 'board', RequestHandler> {
  /** The boards for the request's query, or undefined once a 400 has said what was wrong. */
  const read = async (req: Request, res: Response, boards?: PostureBoard[]): Promise<PostureSnapshot | undefined> => {
    const { at: asked, ...rest } = req.query;
    const at = pastMoment(asked);
    if (typeof at === 'object') return void res.status(400).json(at);
    const query = await posture.resolve(boards ? { ...rest, boards } : rest);
    if ('error' in query) return void res.status(400).json({ error: query.error });
    return posture.read(query, at);
  };
  return {
    all: async (req, res) => {
      const snapshot = await read(req, res);
      if (snapshot) res.json(snapshot);
    },
    board: async (req, res) => {
      const [, board, csv] = boardPath.exec(String(req.params.board)) ?? [];
      if (!board) return void res.status(404).json({ error: `no posture board "${req.params.board}"; boards are ${postureBoards.join(', ')}, each also as .csv` });
      const snapshot = await read(req, res, [board as PostureBoard]);
      if (!snapshot) return;
      if (!csv) return void res.json(snapshot);
      const place = snapshot.query.cellId ?? snapshot.query.districtId ?? 'city';
      res
        .type('text/csv; charset=utf-8')
        .attachment(`${board}-${place}-${snapshot.query.range}-${snapshot.at.slice(0, 16).replace(/:/g, '')}.csv`)
        .send(postureCsv(board as PostureBoard, snapshot));
    },
  };
}
