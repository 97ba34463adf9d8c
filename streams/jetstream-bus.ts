import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Observable, Subject } from 'rxjs';
import type { CityEvent } from './events.ts';
import { IngestRefused, type ConsumedBus } from './ingest-bus.ts';
import type { LogRecord } from './ingest-log.ts';
import { ackedPublisher } from './jetstream-publish.ts';

export interface JetStreamIngestOptions {
  /** NATS servers, comma-separated (NATS_URL). */
  servers: string;
  /** The stream's name; its subjects are `<stream lower-cased>.<partition>`. */
  stream?: string;
  partitions: number;
  /** Refuse new events while this many wait to be applied, summed over partitions… */
  maxBacklogEvents: number;
  /** …or while the oldest has waited this long, s. */
  maxBacklogSeconds: number;
  /** Events handed to a partition's consumer and not yet acknowledged, at most. */
  window?: number;
}

export interface JetStreamIngest {
  readonly partitions: number;
  /** Resolves once JetStream has acknowledged every event (stored, de-duplicated by message id). */
  publish(events: readonly CityEvent[]): Promise<void>;
  /** The bus one pipeline consumes: partition `p`, through its durable consumer, from where the database says. */
  partition(p: number): PartitionBus;
  /** Each group this process published, as JetStream took it: for screens, ahead of a consumer that is behind. */
  live(): Observable<readonly LogRecord<CityEvent>[]>;
  /** Events stored and not yet acknowledged by their partition's consumer, over all partitions (as last read, each second). */
  backlogEvents(): number;
  /** How long the oldest of them has waited, s, at most. */
  backlogSeconds(): number;
  close(): Promise<void>;
}

// What a publish may wait for JetStream's acknowledgement before the sender is told to send again, ms
// (under trackers' own timeouts, a few seconds).
const publishTimeoutMs = 3_000;
// How often each partition's backlog is read from its consumer, ms.
const backlogEveryMs = 1_000;
// De-duplication by message id covers a sender's retries within this long, ns.
const duplicateWindowNs = 2 * 60 * 1e9;
// Applied events are kept this long (the database has them); past it, even unapplied ones go: a
// week without any node processing is beyond what the stream should hold, ns.
const keptForNs = 7 * 24 * 3_600 * 1e9;
const defaultWindow = 20_000;
// A partition whose consumer failed (NATS down) tries again this often, ms.
const retryAfterMs = 1_000;

/** The partition an event goes to: a unit's fixes stay in one (joined in order, by one node); everything that opens cases goes to partition 0. */
export function partitionOf(event: CityEvent, partitions: number): number {
  if (event.type !== 'position') return 0;
  let hash = 2_166_136_261;
  for (let i = 0; i < event.entityId.length; i++) hash = Math.imul(hash ^ event.entityId.charCodeAt(i), 16_777_619);
  return (hash >>> 0) % partitions;
}

/** The event's id as JetStream's message id: a sender's retry of the same event is stored once. */
export function messageIdOf(event: CityEvent): string {
  switch (event.type) {
    case 'position':
      return `position/${event.sourceId}/${event.entityId}/${event.eventTime}`;
    case 'camera-reading':
    case 'camera-event':
      return `${event.type}/${event.sourceId}/${event.cameraId}/${event.eventTime}`;
    case 'grid-event':
      return `grid-event/${event.token}`;
    case 'alarm':
      return `alarm/${event.sourceId}/${event.alarmId}/${event.eventTime}`;
    case 'call':
      return `call/${event.sourceId}/${event.callId}/${event.eventTime}`;
  }
}

const unavailable = () => new IngestRefused('unavailable', 'the ingest bus (NATS JetStream) did not acknowledge this input; send it again in 5 s', 5);

/**
 * The ingest bus across nodes, on NATS JetStream: one stream on file storage, a subject per
 * partition. A sender is answered once JetStream has acknowledged every event it sent.
 */
export async function openJetStreamIngest(options: JetStreamIngestOptions): Promise<JetStreamIngest> {
  const stream = options.stream ?? 'ONESCREEN_INGEST';
  const subjectOf = (p: number) => `${stream.toLowerCase()}.${p}`;
  const window = options.window ?? defaultWindow;
  // noAsyncTraces: the client otherwise makes two Errors (stack traces) for every request (the
  // consumers' pulls, API calls), to name the caller should it time out.
  const nc: NatsConnection = await connect({ servers: options.servers.split(','), maxReconnectAttempts: -1, name: `onescreen ${process.pid}`, noAsyncTraces: true }).catch((error: Error) => {
    throw new Error(`NATS_URL does not answer (${error.message}); start NATS with JetStream there (nats-server -js), or unset NATS_URL to run one node on the local ingest log`, { cause: error });
  });
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const js: JetStreamClient = jetstream(nc);
  const acked = ackedPublisher(nc, publishTimeoutMs);
  // allow_direct: a partition's oldest waiting message is read directly, for how far behind it is.
  const config = { subjects: [`${stream.toLowerCase()}.*`], storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: duplicateWindowNs, max_age: keptForNs, allow_direct: true };
  try {
    await jsm.streams.add({ name: stream, ...config }).catch(() => jsm.streams.update(stream, config));
  } catch (error) {
    await nc.close();
    throw new Error(`the JetStream stream ${stream} exists with settings this server cannot take (${(error as Error).message}); remove it (nats stream rm ${stream}) if it holds nothing unapplied, or name another with NATS_STREAM`, { cause: error });
  }
  const published = new Subject<readonly LogRecord<CityEvent>[]>();
  // While the connection is down, senders are told at once rather than after the publish times out.
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      else if (status.type === 'reconnect') connected = true;
    }
  })();
  const backlog = Array.from({ length: options.partitions }, () => ({ events: 0, seconds: 0 }));
  const consumerName = (p: number) => `${stream.toLowerCase()}-p${p}`;
  const readBacklog = async () => {
    await Promise.all(
      backlog.map(async (behind, p) => {
        const info = await jsm.consumers.info(stream, consumerName(p)).catch(() => undefined);
        // No consumer yet: no node has taken the partition; what waits in it is counted once one has.
        behind.events = info ? info.num_pending + info.num_ack_pending : 0;
        if (!info || behind.events === 0) return void (behind.seconds = 0);
        // The partition's oldest unacknowledged message: its first after the consumer's ack floor.
        const next = await jsm.direct.getMessage(stream, { seq: info.ack_floor.stream_seq + 1, next_by_subj: subjectOf(p) }).catch(() => null);
        behind.seconds = next ? Math.max(0, (Date.now() - next.time.getTime()) / 1000) : 0;
      }),
    );
  };
  const backlogEvents = () => backlog.reduce((sum, behind) => sum + behind.events, 0);
  const backlogSeconds = () => Math.max(0, ...backlog.map((behind) => behind.seconds));
  const backlogTimer = setInterval(() => void readBacklog().catch(() => {}), backlogEveryMs).unref();
  let closed = false;

  return {
    partitions: options.partitions,
    async publish(events) {
      if (events.length === 0) return;
      if (closed) throw new IngestRefused('stopped', 'the server is stopping; send again once it is back', 5);
      const waiting = backlogEvents();
      const seconds = backlogSeconds();
      if (waiting >= options.maxBacklogEvents || seconds >= options.maxBacklogSeconds) {
        const retryAfterS = Math.min(30, Math.max(1, Math.ceil(seconds)));
        throw new IngestRefused('overloaded', `the city's processing is ${waiting} events (${seconds.toFixed(1)} s) behind, past its limit; send again in ${retryAfterS} s`, retryAfterS);
      }
      if (!connected) throw unavailable();
      let seqs;
      try {
        seqs = await Promise.all(events.map((event) => acked.publish(subjectOf(partitionOf(event, options.partitions)), JSON.stringify(event), messageIdOf(event))));
      } catch {
        throw unavailable();
      }
      published.next(seqs.map((seq, i) => ({ seq, value: events[i]! })));
    },
    partition: (p) => partitionBus(jsm, js, { stream, consumer: consumerName(p), subject: subjectOf(p), window }),
    live: () => published.asObservable(),
    backlogEvents,
    backlogSeconds,
    async close() {
      closed = true;
      clearInterval(backlogTimer);
      acked.close();
      published.complete();
      // Draining needs the server; without it, what is unacknowledged is the senders' to send again.
      await nc.drain().catch(() => nc.close());
    },
  };
}

/** One partition as a pipeline consumes it; `stop` ends its events (the pipeline writes what it holds and completes). */
export interface PartitionBus extends ConsumedBus {
  appliedSeq(): number;
  stop(): void;
}

interface PartitionOptions {
  stream: string;
  consumer: string;
  subject: string;
  window: number;
}

/**
 * One partition as the pipeline consumes it. Its durable consumer starts where the database says
 * the partition was applied (it is made afresh when a node takes the partition), acknowledges up to
 * what a tick committed (ack-all), and has at most a window of events out unacknowledged.
 */
function partitionBus(jsm: JetStreamManager, js: JetStreamClient, options: PartitionOptions): PartitionBus {
  const held = new Map<number, JsMsg>();
  let applied = 0;
  let lastSeen = 0;
  let ended = false;
  let stopMessages = () => {};
  return {
    events(afterSeq) {
      applied = afterSeq;
      return new Observable<LogRecord<CityEvent>>((subscriber) => {
        // From after what the pipeline has taken: a consumer made again (NATS restarted) does not repeat it.
        const run = async () => {
          const from = Math.max(applied, lastSeen);
          await jsm.consumers.delete(options.stream, options.consumer).catch(() => {});
          await jsm.consumers.add(options.stream, {
            durable_name: options.consumer,
            filter_subject: options.subject,
            ack_policy: AckPolicy.All,
            max_ack_pending: options.window,
            ...(from > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from + 1 } : { deliver_policy: DeliverPolicy.All }),
          });
          const consumer = await js.consumers.get(options.stream, options.consumer);
          const messages = await consumer.consume({ max_messages: Math.min(options.window, 1_000) });
          stopMessages = () => void messages.stop();
          if (ended) stopMessages();
          for await (const message of messages) {
            if (message.seq <= Math.max(applied, lastSeen)) continue;
            lastSeen = message.seq;
            held.set(message.seq, message);
            subscriber.next({ seq: message.seq, value: message.json<CityEvent>() });
          }
        };
        // NATS unreachable or restarting: the partition waits and consumes again; only stop() ends it.
        const keepConsuming = async () => {
          while (!ended) {
            await run().catch(() => new Promise((resolve) => setTimeout(resolve, retryAfterMs)));
          }
          subscriber.complete();
        };
        void keepConsuming();
        return () => {
          ended = true;
          stopMessages();
        };
      });
    },
    acknowledge(seq) {
      if (seq <= applied) return;
      applied = seq;
      let last: JsMsg | undefined;
      for (const [heldSeq, message] of held) {
        if (heldSeq > seq) break;
        last = message;
        held.delete(heldSeq);
      }
      // Ack-all: the latest message at or before `seq` acknowledges every one before it.
      last?.ack();
    },
    writeStarted: () => {},
    consumerFailed: () => {},
    appliedSeq: () => applied,
    stop() {
      ended = true;
      stopMessages();
    },
  };
}
