import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { badVehiclePositions, goodVehiclePositions, gtfsRtFeedTimeS } from '../../fixtures/index.ts';
import { decodeVehiclePositions, encodeVehiclePositions, pollVehiclePositions } from './gtfs-rt.ts';

const receivedAt = gtfsRtFeedTimeS * 1000 + 3_000;

describe('the GTFS-RT VehiclePositions adapter', () => {
  it('reads vehicle, trip, route, position, bearing, speed, stop and status', async () => {
    const { events, rejections } = await decodeVehiclePositions(goodVehiclePositions, receivedAt, 'gtfs-rt');
    expect(rejections).toEqual([]);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      type: 'position',
      sourceId: 'gtfs-rt',
      entityId: 'bus-0001',
      // float32 in the protocol: ~1 m.
      lat: expect.closeTo(45.5954, 5),
      lon: expect.closeTo(84.8739, 5),
      headingDeg: 92.5,
      speedKmh: 30.6,
      eventTime: (gtfsRtFeedTimeS - 12) * 1000,
      receivedAt,
      attributes: { tripId: 'route-001:out:3', routeId: 'route-001', label: '1路-01', stopId: 'stop-00123', stopSequence: 4, stopStatus: 'STOPPED_AT' },
    });
    // A vehicle without its own timestamp is as old as the feed.
    expect(events[1]).toMatchObject({ entityId: 'bus-0002', eventTime: gtfsRtFeedTimeS * 1000, headingDeg: null, speedKmh: null });
    // A trip added on the day says so: the timetable is not expected to know it.
    expect(events[2]!.attributes).toEqual({ tripId: 'route-001:extra:0830', routeId: 'route-001', tripRelationship: 'ADDED' });
    expect(events[0]!.attributes).not.toHaveProperty('tripRelationship');
  });

  it('reads a large feed a slice at a time, letting the event loop turn between slices', async () => {
    const vehicles = Array.from({ length: 3_000 }, (_, i) => ({ vehicle: { id: `bus-${i}` }, position: { latitude: 45.6, longitude: 84.87 }, timestamp: gtfsRtFeedTimeS }));
    const bytes = encodeVehiclePositions(gtfsRtFeedTimeS, vehicles);
    let turns = 0;
    let reading = true;
    const turn = () => reading && (turns += 1, setImmediate(turn));
    setImmediate(turn);
    const decoded = await decodeVehiclePositions(bytes, receivedAt, 'gtfs-rt');
    reading = false;
    expect(decoded.events).toHaveLength(3_000);
    expect(turns, 'turns of the event loop while the feed was read').toBeGreaterThanOrEqual(2);
  });

  it.each(badVehiclePositions)('refuses $name, keeping what is good', async ({ bytes, events, reasons }) => {
    const decoded = await decodeVehiclePositions(bytes, receivedAt, 'gtfs-rt');
    expect(decoded.events).toHaveLength(events);
    expect(decoded.rejections.map((r) => r.reason)).toEqual(reasons);
    for (const rejection of decoded.rejections) expect(rejection.message.length).toBeGreaterThan(10);
  });
});

describe('polling a GTFS-RT feed', () => {
  // An agency server: answers in turn from a script of responses, recording the request headers.
  const requests: IncomingHttpHeaders[] = [];
  const script: (() => [number, Record<string, string>, Uint8Array?])[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    const [status, headers, body] = (script.shift() ?? (() => [304, {}]))();
    res.writeHead(status, headers).end(body);
  });
  afterAll(() => server.close());
  const feedAt = (timestampS: number, latitude: number) =>
    encodeVehiclePositions(timestampS, [
      { vehicle: { id: 'bus-0001' }, position: { latitude, longitude: 84.87 }, timestamp: timestampS },
      { vehicle: { id: 'bus-0002' }, position: { latitude: 45.6, longitude: 84.9 }, timestamp: gtfsRtFeedTimeS },
    ]);

  it('sends If-Modified-Since, skips unchanged feeds and vehicles, and carries on after an error', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/vehicle-positions.pb`;
    const modified = 'Fri, 21 Nov 2025 08:00:00 GMT';
    script.push(
      () => [200, { 'last-modified': modified }, feedAt(gtfsRtFeedTimeS, 45.59)],
      () => [304, {}],
      () => [500, {}],
      () => [200, { 'last-modified': modified }, feedAt(gtfsRtFeedTimeS + 15, 45.591)],
    );
    const pollErrors: string[] = [];
    const polls = await firstValueFrom(
      pollVehiclePositions({ url, intervalMs: 50, sourceId: 'gtfs-rt', onRejection: () => {}, onPollError: (e) => pollErrors.push(e.message) }).pipe(take(2), toArray()),
    );
    expect(polls.map((events) => events.map((e) => e.entityId))).toEqual([['bus-0001', 'bus-0002'], ['bus-0001']]);
    expect(polls[1]![0]!.lat).toBe(45.591);
    expect(requests[0]!['if-modified-since']).toBeUndefined();
    expect(requests[1]!['if-modified-since']).toBe(modified);
    expect(pollErrors).toEqual([`GTFS-RT feed ${url} answered HTTP 500`]);
  });
});
