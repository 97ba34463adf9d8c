import { describe, expect, it } from 'vitest';
import { badCameraMessages, cameraReceivedAt, goodCameraMessages } from '../../fixtures/index.ts';
import { parseCameraBatch, parseCameraMessage } from './cameras.ts';

const bytes = (payload: unknown) => new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));

describe('the camera adapter', () => {
  it.each(goodCameraMessages)('reads $name', ({ topic, payload, expect: expected }) => {
    expect(parseCameraMessage(topic, bytes(payload), cameraReceivedAt)).toMatchObject({ ok: true, value: { sourceId: 'mqtt', receivedAt: cameraReceivedAt, ...expected } });
  });

  it.each(badCameraMessages)('refuses $name as $reason, saying why', ({ topic, payload, reason, message }) => {
    const parsed = parseCameraMessage(topic, bytes(payload), cameraReceivedAt);
    expect(parsed).toMatchObject({ ok: false, reason });
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });

  it('takes the good items of an HTTP batch and names each bad one', () => {
    const [reading, , accident] = goodCameraMessages;
    const body = {
      readings: [{ cameraId: 'cam-00001', ...(reading!.payload as object) }, { periodS: 60 }, { cameraId: 'cam-00009', periodS: 60, volume: -1, occupancyPct: 0, meanSpeedKmh: null }],
      events: [{ cameraId: 'cam-00003', ...(accident!.payload as object) }],
    };
    const parsed = parseCameraBatch(body, cameraReceivedAt);
    expect(parsed.ok && parsed.value.accepted.map((item) => [item.type, item.cameraId, item.sourceId])).toEqual([
      ['camera-reading', 'cam-00001', 'http'],
      ['camera-event', 'cam-00003', 'http'],
    ]);
    expect(parsed.ok && parsed.value.rejected).toEqual([
      { item: 'readings[1]', reason: 'malformed', message: 'cameraId: missing' },
      { item: 'readings[2]', reason: 'out-of-range', message: expect.stringMatching(/^volume:/) },
    ]);
  });

  it('refuses a body that is not a batch', () => {
    expect(parseCameraBatch([1, 2], cameraReceivedAt)).toMatchObject({ ok: false, reason: 'malformed', message: expect.stringMatching(/^expected \{"readings"/) });
    expect(parseCameraBatch({ readings: [], extra: 1 }, cameraReceivedAt)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
