// The wall's running figures at a past moment (issue 21), each by the posture boards' own
// definition: open and overdue cases from each case's status then, the congestion index and the
// buses' on-time share over the quarter hour before (the boards' live window, ending at the end of
// that minute). Units free and feed health are not kept in history: a replay has none to show.
import type { Queryable } from './database.ts';
import { readBusPosture } from './posture-buses.ts';
import { readTrafficPosture } from './posture-traffic.ts';
import { postureWindow } from './posture-window.ts';
import { readOpenCasesAt } from './posture.ts';

export interface FiguresAt {
  /** Epoch ms. */
  at: number;
  open: number;
  overdue: number;
  congestion: number | null;
  onTime: number | null;
}

// The boards' camera and bus silence limits only count what is online now, which is not read here.
const unusedSilenceMs = 0;

export async function figuresAt(db: Queryable, atMs: number): Promise<FiguresAt> {
  const window = postureWindow('live', atMs);
  const [cases, traffic, buses] = await Promise.all([readOpenCasesAt(db, atMs), readTrafficPosture(db, window, unusedSilenceMs), readBusPosture(db, window, unusedSilenceMs)]);
  return { at: atMs, open: cases.openNow, overdue: cases.overdueNow, congestion: traffic.index, onTime: buses.onTimeShare };
}
