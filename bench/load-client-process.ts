// The load tool's screens in a child process (bench/load-client-main.ts): what it is told and
// what it answers, and the tool's side of it.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { AckLog } from './load-senders.ts';

export type ToClients =
  | { type: 'start'; url: string; count: number; subscribeTimeoutMs: number; camerasBySegment: [string, string[]][] }
  | { type: 'acks'; acks: [string, number, number][] }
  | { type: 'finish' };

/** What the screens saw, summed up in their process (20 screens see millions of fixes). */
export interface Seen {
  sightings: number;
  p50Ms: number | null;
  p99Ms: number | null;
  gaps: number;
  frames: number;
}

export type ToTool = { type: 'ready' } | { type: 'failed'; error: string } | ({ type: 'seen' } & Seen);

/** `count` signed-in screens (bench/load-clients.ts) in a process of their own, told of every acknowledgement in `log`. */
export async function connectClientsInOwnProcess(url: string, count: number, log: AckLog, camerasBySegment: Map<string, string[]>, subscribeTimeoutMs = 10_000) {
  const child = fork(fileURLToPath(new URL('./load-client-main.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
  const answer = async (): Promise<ToTool> => {
    const [message] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(([code]) => [{ type: 'failed', error: `the screens' process exited (${code})` }])])) as [ToTool];
    return message;
  };
  // Acknowledgements go over in batches, one per turn of the event loop.
  let batch: [string, number, number][] = [];
  const flush = () => {
    if (batch.length > 0 && child.connected) child.send({ type: 'acks', acks: batch } satisfies ToClients);
    batch = [];
  };
  log.onAck = (entityId, eventTime, sentAt) => {
    if (batch.length === 0) setImmediate(flush);
    batch.push([entityId, eventTime, sentAt]);
  };
  child.send({ type: 'start', url, count, subscribeTimeoutMs, camerasBySegment: [...camerasBySegment] } satisfies ToClients);
  const ready = await answer();
  if (ready.type !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(ready.type === 'failed' ? ready.error : `the screens' process said ${ready.type} before it was ready`);
  }
  return {
    /** Closes the screens; what they saw. */
    async finish(): Promise<Seen> {
      flush();
      log.onAck = undefined;
      child.send({ type: 'finish' } satisfies ToClients);
      const seen = await answer();
      child.disconnect(); // its cue to exit
      if (seen.type !== 'seen') throw new Error(seen.type === 'failed' ? seen.error : `the screens' process said ${seen.type}`);
      const { type: _, ...figures } = seen;
      return figures;
    },
    kill: () => child.kill('SIGKILL'),
  };
}
