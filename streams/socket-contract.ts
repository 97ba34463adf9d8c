import type { Assignment, AuditRecord, EntityKind, GeofenceAlert, Incident, Warning, JoinedCameraEvent, SegmentTraffic, ServiceRequest, User } from '../geo/index.ts';
import { entityKinds } from '../geo/index.ts';
import type { PostureQuery, PostureQueryInput, PostureSnapshot } from './posture-snapshot.ts';

export const feedNames = ['trackers', 'buses', 'cameras', 'reports'] as const;
export type FeedName = (typeof feedNames)[number];

/** How fresh a feed is: when input was last accepted, and after how long without it the feed counts as stale. */
/** How far the live core is behind applying what was accepted, and whether its database is down. */
export interface CoreStatus {
  /** How long the oldest accepted, unapplied event has waited, s (whole seconds). */
  behindS: number;
  /** The database is not answering: input waits on disk, positions still move. */
  outage: boolean;
}

export interface FeedStatus {
  feed: FeedName;
  lastAcceptedAt: string | null;
  staleAfterMs: number;
}

/**
 * What a client can subscribe to: the positions of one entity kind, live traffic, alerts (camera
 * events and reports), incidents, dispatch (units sent to cases, geofence alerts), feed freshness. The server turns these into rooms; a client never names a room.
 */
export const liveLayers = [...entityKinds, 'traffic', 'alerts', 'incidents', 'dispatch', 'feeds'] as const;
export type LiveLayer = (typeof liveLayers)[number];

/** An entity as a client first learns of it; its later rows carry only what moves. */
export interface FrameEntity {
  id: string;
  kind: EntityKind;
  label: string;
}

/**
 * One tick of positions for one client, as columns with one row per entity that changed (every
 * subscribed entity in a keyframe). Rows name entities by the client's own slot numbers, which
 * `newEntities` extends in order. Binary columns arrive as ArrayBuffer in a browser and as Buffer in Node.
 */
export interface PositionFrame {
  /** Rises by one per frame on a connection; a gap means a frame was lost: ask for a `resync`. */
  seq: number;
  /** True: the rows are the whole subscribed state and slot numbering starts again from 0. */
  keyframe: boolean;
  /** Epoch ms the frame was cut; `fixAgeMs` counts back from it. */
  sentAt: number;
  /** WGS-84 degrees that `lonLat` is offset from, so float32 keeps centimetres. */
  origin: [number, number];
  newEntities: FrameEntity[];
  /** Status words numbered on from the ones this connection already has. */
  newStatuses: string[];
  rows: number;
  /** Uint32 per row: the client slot. */
  slots: ArrayBuffer;
  /** Float32 ×2 per row: lon, lat minus `origin`, degrees. */
  lonLat: ArrayBuffer;
  /** Float32 per row: compass degrees, NaN when unknown. */
  heading: ArrayBuffer;
  /** Float32 per row: km/h, NaN when unknown. */
  speed: ArrayBuffer;
  /** Uint8 per row: index into the statuses sent so far. */
  status: ArrayBuffer;
  /** Float32 per row: how long before `sentAt` the fix was taken, ms; NaN before an entity's first report. */
  fixAgeMs: ArrayBuffer;
}

/** A unit sent to a case; while en route, `route` and `liveEtaS` are from where it is now (null once there or released). */
export type LiveAssignment = Assignment & { liveEtaS: number | null };

/** A replaying screen's clock: the moment it shows (epoch ms), how fast it moves, and whether it waits on a read of history. */
export interface ReplayClock {
  at: number;
  /** ×1–×120 of real time. */
  speed: number;
  playing: boolean;
  /** The clock is held where history is read to, until the next read is in. */
  waiting: boolean;
  /** The replay jumped to `at`: what the screen shows is replaced by the messages that follow. */
  reset?: boolean;
}

/**
 * What a screen asks of its replay. `at` starts one (or jumps to a moment: the screen gets that
 * moment's state whole, so it clears what it shows first); without it, the running one changes speed,
 * pauses or plays, or steps a paused one on by `stepMs` of the past.
 */
export interface ReplayRequest {
  at?: number;
  speed?: number;
  playing?: boolean;
  stepMs?: number;
  /**
   * The layers the screen shows, on the request that starts a replay (every layer its user may see
   * when left out): a console or the boards need no unit positions, so none are read or sent.
   */
  layers?: LiveLayer[];
}

export type ReplayResult = { clock: ReplayClock } | { error: string };

/** The Socket.IO contract, used by the server (`Server<…>`) and the client (`Socket<…>`). */
export interface ServerToClientEvents {
  /** Sent volatile to each subscriber on its own: a keyframe first, then what changed. */
  positions: (frame: PositionFrame) => void;
  /** Road segments whose live traffic changed this tick. */
  traffic: (segments: SegmentTraffic[]) => void;
  /** What camera analytics saw this tick, placed in the city. */
  'camera-events': (events: JoinedCameraEvent[]) => void;
  /** Reports registered or changed: citizens' complaints and inspectors' patrol findings. */
  'service-requests': (requests: ServiceRequest[]) => void;
  /** Incidents opened or changed (each carries its version: keep the newest). */
  incidents: (incidents: Incident[]) => void;
  /** Geofence alerts raised or changed (acknowledged, assigned, cleared); each carries its version. */
  'geofence-alerts': (alerts: GeofenceAlert[]) => void;
  /** Units sent, arrived or released; en-route ones again as they move, with their live route and ETA. */
  assignments: (assignments: LiveAssignment[]) => void;
  /** An emergency warning: to every signed-in screen, whatever it subscribed to. */
  warning: (warning: Warning) => void;
  /** Every few seconds: how fresh each feed is. */
  feeds: (feeds: FeedStatus[]) => void;
  /** Every few seconds, with the feeds: how far the live core is behind. */
  core: (status: CoreStatus) => void;
  /** The posture boards a connection watches (`watch-posture`), every few seconds while it does; replaying, at the replayed moment (`replayed`), about once a second while the clock moves. */
  posture: (snapshot: PostureSnapshot) => void;
  /** The session ended (signed out, expired, account changed): the connection closes next; sign in again. */
  'session-ended': (reason: string) => void;
  /** While replaying, a few times a second and on every change: the replay's clock. */
  'replay-clock': (clock: ReplayClock) => void;
  /** The replay stopped: history could not be read. Says what to do. */
  'replay-failed': (message: string) => void;
  /** While replaying, in step with the clock: what operators and dispatchers did (the audit log), oldest first; all of it for audit:read, else their actions on cases, units, warnings, fences and alerts. */
  'replay-audit': (entries: AuditRecord[]) => void;
}

/** What a subscription came to: the layers now subscribed, or why the request was refused. */
export type SubscribeResult = { layers: LiveLayer[] } | { error: string };

export interface ClientToServerEvents {
  /** Replaces the connection's subscriptions; position layers start with a keyframe. */
  subscribe: (layers: LiveLayer[], ack: (result: SubscribeResult) => void) => void;
  /** Asks for a position keyframe, after a gap in `seq`. */
  resync: () => void;
  /**
   * Replays the city's past on this connection instead of the live city: positions, cases, units
   * sent, warnings and fence alerts come as the same messages, from history, until `live`.
   */
  replay: (request: ReplayRequest, ack: (result: ReplayResult) => void) => void;
  /** Ends the replay; the screen is live again once it subscribes (a keyframe) and re-reads the snapshots. */
  live: (ack: (result: { ok: true }) => void) => void;
  /** Replaces the posture boards this connection watches: a snapshot now, then pushed as the figures move. */
  'watch-posture': (query: PostureQueryInput, ack: (result: WatchPostureResult) => void) => void;
}

/** What a `watch-posture` came to: the query as the server reads it, or why it was refused. */
export type WatchPostureResult = { query: PostureQuery } | { error: string };

/** GET /api/session and a sign-in answer: who is signed in, and the token changes and the socket handshake carry. */
export interface SessionInfo {
  user: User;
  csrf: string;
  /** ISO time; moves on with use. */
  expiresAt: string;
  /** The live layers this user may subscribe to. */
  layers: LiveLayer[];
  /** What this user may do (names from server/permissions.ts, e.g. `incidents:write`): a view offers only these. */
  permissions: string[];
}

/** GET /api/session when nobody is signed in; in demo mode, the accounts to try. */
export interface SignedOutInfo {
  error: string;
  demo?: { users: string[]; password: string };
}
