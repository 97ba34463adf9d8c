import type { JoinedCameraEvent, LiveEntity, SegmentTraffic, ServiceRequest } from '../geo/index.ts';

/** One tick's moved entities; `seq` rises by one per update so a client can tell it missed one. */
export interface PositionsUpdate {
  seq: number;
  entities: LiveEntity[];
}

export const feedNames = ['trackers', 'buses', 'cameras', 'reports'] as const;
export type FeedName = (typeof feedNames)[number];

/** How fresh a feed is: when input was last accepted, and after how long without it the feed counts as stale. */
export interface FeedStatus {
  feed: FeedName;
  lastAcceptedAt: string | null;
  staleAfterMs: number;
}

/** The Socket.IO contract, used by the server (`Server<…>`) and the client (`Socket<…>`). */
export interface ServerToClientEvents {
  positions: (update: PositionsUpdate) => void;
  /** Road segments whose live traffic changed this tick. */
  traffic: (segments: SegmentTraffic[]) => void;
  /** What camera analytics saw this tick, placed in the city. */
  'camera-events': (events: JoinedCameraEvent[]) => void;
  /** Reports just registered: citizens' complaints and inspectors' patrol findings. */
  'service-requests': (requests: ServiceRequest[]) => void;
  /** Every few seconds: how fresh each feed is. */
  feeds: (feeds: FeedStatus[]) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- clients only listen so far
export interface ClientToServerEvents {}
