import { connect } from 'node:net';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { JoinedCameraEvent, SegmentTraffic } from '../streams/index.ts';
import { startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
// Two cameras watching the same segment, and its speed limit (the free-flow speed).
const bySegment = new Map<string, string[]>();
for (const camera of karamay.cameras) bySegment.set(camera.segmentId, [...(bySegment.get(camera.segmentId) ?? []), camera.id]);
const [segmentId, [camA, camB]] = [...bySegment].find(([, ids]) => ids.length >= 2)! as [string, [string, string]];
const freeFlowKmh = karamay.roadSegments.find((s) => s.id === segmentId)!.speedLimitKmh;
const siteOf = (cameraId: string) => karamay.cameraSites.find((site) => site.id === karamay.cameras.find((c) => c.id === cameraId)!.siteId)!;

const mqttUrl = process.env.MQTT_TEST_URL ?? 'mqtt://127.0.0.1:1883';
const brokerAnswers = await new Promise<boolean>((resolve) => {
  const { hostname, port } = new URL(mqttUrl);
  const probe = connect(Number(port || 1883), hostname, () => (probe.end(), resolve(true)));
  probe.on('error', () => resolve(false));
});
if (!brokerAnswers) process.stderr.write(`\nNo MQTT broker at ${mqttUrl}: the MQTT camera test is skipped. Install and start one: apt-get install -y mosquitto && mosquitto -d\n`);

// One back end: this is about the protocol; geo/history-partitions, posture-boards and replay-reads tests write detector records and events on both.
describe.each(testBackends().slice(0, 1))('camera ingest on the $name database', (backend) => {
  let server: TestServer;
  let live: Awaited<ReturnType<typeof watchLive>>;
  const traffic = new Map<string, SegmentTraffic>();
  const events: JoinedCameraEvent[] = [];
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200', ...(brokerAnswers && { MQTT_URL: mqttUrl }) });
    live = await watchLive(server, ['traffic', 'alerts']);
    live.socket.on('traffic', (segments) => segments.forEach((s) => traffic.set(s.segmentId, s)));
    live.socket.on('camera-events', (batch) => events.push(...batch));
  });
  afterAll(async () => {
    live?.socket.close();
    await server?.close();
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  const post = (body: unknown) => server.feed('/ingest/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('turns an HTTP batch of detector records into segment traffic: volume-weighted speed against free-flow', async () => {
    const periodStart = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).toISOString();
    const response = await post({
      readings: [
        { cameraId: camA, periodStart, periodS: 60, volume: 10, occupancyPct: 30, meanSpeedKmh: 20 },
        { cameraId: camB, periodStart, periodS: 60, volume: 30, occupancyPct: 20, meanSpeedKmh: 40 },
        { cameraId: 'cam-99999', periodStart, periodS: 60, volume: 1, occupancyPct: 1, meanSpeedKmh: 50 },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 2, rejected: [{ item: 'camera-reading #2', reason: 'unknown-device', message: expect.stringMatching(/^unknown camera "cam-99999"/) }] });
    await until(() => traffic.has(segmentId));
    const expectedLevel = 35 >= 0.7 * freeFlowKmh ? 'free' : 35 >= 0.4 * freeFlowKmh ? 'slow' : 'congested';
    expect(traffic.get(segmentId)).toMatchObject({ speedKmh: 35, freeFlowKmh, volume: 40, occupancyPct: 25, level: expectedLevel });
    const listed = (await (await server.api('/api/traffic')).json()) as SegmentTraffic[];
    expect(listed.find((s) => s.segmentId === segmentId)).toEqual(traffic.get(segmentId));
  });

  it('answers a batch with nothing usable with 400 and each reason', async () => {
    const response = await post({ readings: [{ cameraId: camA, periodS: 60 }] });
    expect(response.status).toBe(400);
    expect((await response.json()).rejected).toEqual([{ item: 'readings[0]', reason: 'malformed', message: expect.stringMatching(/^volume:/) }]);
    expect((await post('not a batch')).status).toBe(400);
  });

  it.skipIf(!brokerAnswers)('takes camera events over MQTT, places them in the city, and marks an offline camera', async () => {
    const publisher = await mqtt.connectAsync(mqttUrl);
    try {
      await publisher.publishAsync(`city/cameras/${camA}/events`, JSON.stringify({ type: 'accident', severity: 3, description: '<b>追尾</b> rear-end' }), { qos: 1 });
      await publisher.publishAsync(`city/cameras/${camB}/events`, JSON.stringify({ type: 'camera-offline', severity: 2 }), { qos: 1 });
      await publisher.publishAsync(`city/cameras/${camB}/readings`, 'not json', { qos: 1 });
    } finally {
      await publisher.endAsync();
    }
    await until(() => events.some((e) => e.cameraId === camA) && events.some((e) => e.cameraId === camB));
    const accident = events.find((e) => e.cameraId === camA && e.kind === 'accident')!;
    const site = siteOf(camA);
    expect(accident).toMatchObject({ severity: 3, description: '<b>追尾</b> rear-end', sourceId: 'mqtt', siteId: site.id, lon: site.point[0], lat: site.point[1], segmentId });
    expect(accident.districtId).toBe(karamay.districts.find((d) => booleanPointInPolygon(site.point, { type: 'Polygon', coordinates: [d.ring] }))!.id);
    const status = await server.db.query<{ status: string }>('SELECT status FROM cameras WHERE id = $1', [camB]);
    expect(status).toEqual([{ status: 'offline' }]);
    const listed = (await (await server.api('/api/camera-events')).json()) as JoinedCameraEvent[];
    expect(listed.map((e) => e.id)).toContain(accident.id);
    const metrics = await (await server.api('/metrics')).text();
    expect(metrics).toMatch(/onescreen_ingest_rejected_total\{reason="malformed",source="mqtt"\} [1-9]/);
  });
});
