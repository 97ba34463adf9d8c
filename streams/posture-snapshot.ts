import { z } from 'zod';
import { postureRangeNames, type FeedPosture, type PostureBoardName, type PostureBoards, type PostureRange } from '../geo/index.ts';
import type { FeedStatus } from './socket-contract.ts';

/** The officials' boards, each with its KPIs defined once in geo/posture*.ts. */
export const postureBoards = ['cases', 'units', 'traffic', 'buses', 'feeds'] as const satisfies readonly PostureBoardName[];
export type PostureBoard = PostureBoardName;

const placeId = z.string().regex(/^[\w-]{1,64}$/);

/** What a board is read for: REST query parameters and the socket's `watch-posture` both take it. */
export const postureQuerySchema = z.object({
  range: z.enum(postureRangeNames as [PostureRange, ...PostureRange[]]).default('live').describe('live (the last 15 min by minute), 1h, 24h or 7d back from now'),
  district: placeId.optional().describe('a district id from /api/city; the whole city when left out'),
  cell: placeId.optional().describe('a grid cell id; its district is implied'),
  minutes: z.coerce.number().int().min(1).max(60).default(5).describe('coverage: reached by road within this many minutes (1–60)'),
  boards: z
    .union([z.array(z.enum(postureBoards)), z.string().transform((list) => list.split(','))])
    .pipe(z.array(z.enum(postureBoards)).min(1))
    .optional()
    .describe(`comma-separated boards from ${postureBoards.join(', ')}; all when left out`),
});
export type PostureQueryInput = z.input<typeof postureQuerySchema>;

/** A query as the server reads it: the place resolved (a cell's district filled in), the boards listed. */
export interface PostureQuery {
  range: PostureRange;
  districtId: string | null;
  cellId: string | null;
  minutes: number;
  boards: PostureBoard[];
}

/** Input per ingest source over the trailing minute, from the live stream (not the database). */
export interface FeedRate {
  source: string;
  acceptedPerMin: number;
  rejectedPerMin: number;
}

/** Every board read for one query at one time; a board not asked for is left out. */
export interface PostureSnapshot {
  query: PostureQuery;
  /** ISO 8601 UTC: when the figures were read; replayed, the past moment they are for. */
  at: string;
  /**
   * Read for a past moment (a replay). Units' duty and live feed rates are not kept in history: the
   * units board is left out, the feeds board has no live rates, and feed status is by the minute.
   */
  replayed?: true;
  window: { from: string; to: string; bucketMs: number; buckets: string[] };
  cases?: PostureBoards['cases'];
  units?: PostureBoards['units'];
  traffic?: PostureBoards['traffic'];
  buses?: PostureBoards['buses'];
  feeds?: FeedPosture & { live: FeedRate[]; status: (FeedStatus & { stale: boolean })[] };
}
