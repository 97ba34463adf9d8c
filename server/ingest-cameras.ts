import express from 'express';
import mqtt from 'mqtt';
import { cameraTopics, isIngestRefused, parseCameraBatch, parseCameraMessage, type CameraEvent, type CameraReading } from '../streams/index.ts';
import { answerNotTaken, type Publish } from './ingest-refusals.ts';
import type { RequireKey } from './feed-keys.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { refusedBody } from './request-checks.ts';

export interface CameraIngestOptions {
  isKnownCamera: (id: string) => boolean;
  /** Checks the gateway's key (HTTP only: an MQTT broker authenticates its own clients). */
  requireKey?: RequireKey;
  publish: Publish;
  metrics: Metrics;
  log: Logger;
}

function unknownCamera(id: string) {
  return { reason: 'unknown-device' as const, message: `unknown camera "${id}": cameras are registered with their site; see /api/basemap/camera-sites` };
}

/**
 * `POST /ingest/cameras`: a batch of readings and events. Each item stands alone: good ones are
 * taken, bad ones refused with their reason. 200 once what was taken is durable, 400 when nothing
 * was; 503 with Retry-After, nothing taken, when the server is behind.
 */
export function cameraIngest({ isKnownCamera, requireKey, publish, metrics, log }: CameraIngestOptions): express.Router {
  const router = express.Router();
  if (requireKey) router.use(requireKey((res, status, error) => void res.status(status).json({ error })));
  router.post('/', express.json({ limit: '5mb' }), async (req, res) => {
    const parsed = parseCameraBatch(req.body, Date.now());
    if (!parsed.ok) {
      metrics.count('onescreen_ingest_rejected_total', { source: 'http-cameras', reason: parsed.reason });
      return void res.status(400).json({ error: parsed.message });
    }
    const rejected = [...parsed.value.rejected];
    const taken: (CameraReading | CameraEvent)[] = [];
    parsed.value.accepted.forEach((item, index) => {
      if (!isKnownCamera(item.cameraId)) return void rejected.push({ item: `${item.type} #${index}`, ...unknownCamera(item.cameraId) });
      taken.push(item);
    });
    try {
      await publish(taken);
    } catch (error) {
      return answerNotTaken(res, error, 'http-cameras', metrics, log, 'json');
    }
    for (const { reason } of rejected) metrics.count('onescreen_ingest_rejected_total', { source: 'http-cameras', reason });
    metrics.accepted('http-cameras', taken.length);
    res.status(taken.length > 0 || rejected.length === 0 ? 200 : 400).json({ accepted: taken.length, rejected });
  });
  router.use(refusedBody('send {"readings": [...], "events": [...]} as JSON', () => metrics.count('onescreen_ingest_rejected_total', { source: 'http-cameras', reason: 'malformed' })));
  return router;
}

// The broker keeps this server's subscription and what arrives for it while it is away, this long, s.
const sessionExpiryS = 24 * 3_600;

/**
 * Subscribes to the camera topics on an MQTT broker with a persistent session (QoS 1). A message
 * is acknowledged (PUBACK) only once it is durable; while the server is behind it waits unacknowledged,
 * so the broker holds the rest. Bad messages are counted, logged at debug level and acknowledged
 * (a publisher gets no answer over MQTT, and sending them again cannot help).
 */
export async function subscribeCameraTopics(mqttUrl: string, clientId: string, { isKnownCamera, publish, metrics }: CameraIngestOptions, log: Logger) {
  const client = await mqtt.connectAsync(mqttUrl, { clientId, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: sessionExpiryS }, reconnectPeriod: 2_000 });
  let stopping = false;
  client.on('error', (error) => log.warn('MQTT connection problem; reconnecting', { mqttUrl, error }));
  const take = async (topic: string, message: Buffer) => {
    const refuse = (reason: string, detail: string) => {
      metrics.count('onescreen_ingest_rejected_total', { source: 'mqtt', reason });
      log.debug('camera message refused', { topic, detail });
    };
    const parsed = parseCameraMessage(topic, message, Date.now());
    if (!parsed.ok) return refuse(parsed.reason, parsed.message);
    if (!isKnownCamera(parsed.value.cameraId)) return refuse('unknown-device', unknownCamera(parsed.value.cameraId).message);
    for (;;) {
      try {
        await publish([parsed.value]);
        return metrics.accepted('mqtt');
      } catch (error) {
        metrics.count('onescreen_ingest_shed_total', { source: 'mqtt', reason: isIngestRefused(error) ? error.reason : 'log-failed' });
        // Unacknowledged, the broker sends it again on the next connection.
        if (stopping) return new Promise<never>(() => {});
        await new Promise((resolve) => setTimeout(resolve, 1_000 * (isIngestRefused(error) ? error.retryAfterS : 1)));
      }
    }
  };
  // mqtt.js sends the PUBACK once this calls back, and hands over the next message after it.
  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') return done();
    take(packet.topic, packet.payload as Buffer).then(() => done(), done);
  };
  await client.subscribeAsync([cameraTopics.readings, cameraTopics.events], { qos: 1 });
  log.info('subscribed to camera topics', { mqttUrl, topics: Object.values(cameraTopics) });
  return {
    stop: () => {
      stopping = true;
      return client.endAsync(true);
    },
  };
}
