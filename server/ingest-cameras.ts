import express from 'express';
import mqtt from 'mqtt';
import { cameraTopics, parseCameraBatch, parseCameraMessage, type CameraEvent, type CameraReading } from '../streams/index.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export interface CameraIngestOptions {
  isKnownCamera: (id: string) => boolean;
  /** Checks the gateway's key (HTTP only: an MQTT broker authenticates its own clients). */
  requireKey?: (refuse: (res: express.Response, status: 401 | 429, message: string) => void) => express.RequestHandler;
  accept: (item: CameraReading | CameraEvent) => void;
  metrics: Metrics;
}

function unknownCamera(id: string) {
  return { reason: 'unknown-device' as const, message: `unknown camera "${id}": cameras are registered with their site; see /api/basemap/camera-sites` };
}

/**
 * `POST /ingest/cameras`: a batch of readings and events. Each item stands alone: good ones are
 * taken, bad ones refused with their reason. 200 when anything was taken, 400 when nothing was.
 */
export function cameraIngest({ isKnownCamera, requireKey, accept, metrics }: CameraIngestOptions): express.Router {
  const router = express.Router();
  if (requireKey) router.use(requireKey((res, status, error) => void res.status(status).json({ error })));
  router.post('/', express.json({ limit: '5mb' }), (req, res) => {
    const parsed = parseCameraBatch(req.body, Date.now());
    if (!parsed.ok) {
      metrics.count('onescreen_ingest_rejected_total', { source: 'http-cameras', reason: parsed.reason });
      return void res.status(400).json({ error: parsed.message });
    }
    const rejected = [...parsed.value.rejected];
    let accepted = 0;
    parsed.value.accepted.forEach((item, index) => {
      if (!isKnownCamera(item.cameraId)) return void rejected.push({ item: `${item.type} #${index}`, ...unknownCamera(item.cameraId) });
      accepted += 1;
      accept(item);
    });
    for (const { reason } of rejected) metrics.count('onescreen_ingest_rejected_total', { source: 'http-cameras', reason });
    metrics.accepted('http-cameras', accepted);
    res.status(accepted > 0 || rejected.length === 0 ? 200 : 400).json({ accepted, rejected });
  });
  router.use((error: { status?: number; message?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!error.status || error.status >= 500) return next(error);
    metrics.count('onescreen_ingest_rejected_total', { source: 'http-cameras', reason: 'malformed' });
    res.status(error.status).json({ error: `${error.message ?? 'unreadable request'}; send {"readings": [...], "events": [...]} as JSON` });
  });
  return router;
}

/**
 * Subscribes to the camera topics on an MQTT broker. Bad messages are counted and logged at debug
 * level (a publisher gets no answer over MQTT); the client reconnects by itself.
 */
export async function subscribeCameraTopics(mqttUrl: string, { isKnownCamera, accept, metrics }: CameraIngestOptions, log: Logger) {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `onescreen-${process.pid}-${Date.now()}`, reconnectPeriod: 2_000 });
  client.on('error', (error) => log.warn('MQTT connection problem; reconnecting', { mqttUrl, error }));
  client.on('message', (topic, message) => {
    const refuse = (reason: string, detail: string) => {
      metrics.count('onescreen_ingest_rejected_total', { source: 'mqtt', reason });
      log.debug('camera message refused', { topic, detail });
    };
    const parsed = parseCameraMessage(topic, message, Date.now());
    if (!parsed.ok) return refuse(parsed.reason, parsed.message);
    if (!isKnownCamera(parsed.value.cameraId)) return refuse('unknown-device', unknownCamera(parsed.value.cameraId).message);
    metrics.accepted('mqtt');
    accept(parsed.value);
  });
  await client.subscribeAsync([cameraTopics.readings, cameraTopics.events], { qos: 1 });
  log.info('subscribed to camera topics', { mqttUrl, topics: Object.values(cameraTopics) });
  return { stop: () => client.endAsync() };
}
