import type { LiveEntity } from '../geo/index.ts';

/** One tick's moved entities; `seq` rises by one per update so a client can tell it missed one. */
export interface PositionsUpdate {
  seq: number;
  entities: LiveEntity[];
}

/** The Socket.IO contract, used by the server (`Server<…>`) and the client (`Socket<…>`). */
export interface ServerToClientEvents {
  positions: (update: PositionsUpdate) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- clients only listen so far
export interface ClientToServerEvents {}
