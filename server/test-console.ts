// For tests: a dispatcher's console, as the browser's keeps its queue, on a real Socket.IO client.
import { io, type Socket } from 'socket.io-client';
import { createDispatchStore, dispatchUpdaters, updateWith } from '../client/dispatch-store.ts';
import type { ClientToServerEvents, Incident, ServerToClientEvents } from '../streams/index.ts';
import type { TestSession } from './test-server.ts';

/**
 * A dispatcher's console as `client/dispatch.ts` keeps its queue, over a link the test can cut:
 * pushes and snapshots go through the console's own store; every version it takes is noted.
 */
export function consoleThrough(url: string, session: TestSession) {
  const store = createDispatchStore();
  const update = updateWith(store);
  /** Per incident, each version the queue took, in the order it took them. */
  const taken = new Map<number, number[]>();
  const seeIncidents = (incidents: readonly Incident[]) => {
    const before = store.getState().incidents;
    update((state) => dispatchUpdaters.incidentsSeen(state, incidents));
    for (const [id, incident] of store.getState().incidents) {
      if (before.get(id)?.version !== incident.version) taken.set(id, [...(taken.get(id) ?? []), incident.version]);
    }
  };
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    transports: ['websocket'],
    extraHeaders: { cookie: session.cookie },
    auth: { csrf: session.csrf },
    reconnectionDelay: 500,
    reconnectionDelayMax: 2_000,
  });
  const connections: boolean[] = [];
  let resumed = 0;
  // As the console does on every connection Socket.IO could not recover: subscribe, then read the queue.
  socket.on('connect', async () => {
    connections.push(socket.recovered === true);
    if (socket.recovered) return void (resumed += 1);
    const subscribed = await socket.timeout(10_000).emitWithAck('subscribe', ['incidents', 'dispatch', 'feeds']);
    if ('error' in subscribed) throw new Error(subscribed.error);
    seeIncidents((await (await session.fetch('/api/incidents')).json()) as Incident[]);
    resumed += 1;
  });
  socket.on('incidents', seeIncidents);
  // Socket.IO recovers a connection from the last room push it had; the feeds' come every few seconds.
  let feedPushes = 0;
  socket.on('feeds', () => void (feedPushes += 1));
  return { store, taken, socket, connections, resumed: () => resumed, feedPushes: () => feedPushes };
}
