// The load tool's watching screens in a process of their own (bench/load-client-process.ts starts
// it): decoding 20 screens' frames on the load tool's thread slowed its senders and polls, and
// capped the end-to-end rate it measured (~7,300/s, with the server 66 % idle). It keeps a copy of
// the tool's log of acknowledgements, sent over IPC as they happen.
import { connectClients } from './load-clients.ts';
import { AckLog } from './load-senders.ts';
import { LatencyHistogram } from './timing.ts';
import type { ToClients, ToTool } from './load-client-process.ts';

const log = new AckLog();
const latencies = new LatencyHistogram();
let clients: Awaited<ReturnType<typeof connectClients>> | undefined;
const tell = (message: ToTool) => process.send!(message);
// The load tool gone (finished, failed or killed): so are its screens.
process.on('disconnect', () => process.exit());

process.on('message', (message: ToClients) => {
  if (message.type === 'acks') for (const [id, eventTime, sentAt] of message.acks) log.acked(id, eventTime, sentAt);
  else if (message.type === 'start') {
    connectClients(message.url, message.count, log, message.subscribeTimeoutMs, new Map(message.camerasBySegment), (ms) => latencies.add(ms)).then(
      (connected) => {
        clients = connected;
        tell({ type: 'ready' });
      },
      (error: Error) => tell({ type: 'failed', error: error.stack ?? error.message }),
    );
  } else if (message.type === 'finish') {
    clients?.close();
    tell({ type: 'seen', sightings: latencies.count, p50Ms: latencies.percentile(50), p99Ms: latencies.percentile(99), gaps: clients?.gaps() ?? 0, frames: clients?.frames() ?? 0 });
  }
});
