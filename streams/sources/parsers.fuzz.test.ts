// Property-based fuzzing of every ingest parser: 10,000 generated inputs each, hostile and
// half-right ones included. A parser never throws; it takes an input or refuses it with a
// known reason and a message that says what to send instead.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejectReasons } from '../rejections.ts';
import { parseAlarmBatch } from './alarms.ts';
import { parseCameraBatch, parseCameraMessage } from './cameras.ts';
import { decodeVehiclePositions, encodeVehiclePositions } from './gtfs-rt.ts';
import { parseOpen311Filters, parseOpen311Request } from './open311.ts';
import { parseOsmand } from './osmand.ts';

const runs = { numRuns: 10_000 };
const now = Date.parse('2026-11-22T08:00:00Z');
// Strings a hostile or broken sender uses: markup, SQL, control characters, huge numbers, unicode.
const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom('<img src=x onerror=alert(1)>', "' OR 1=1 --", '1e309', '-0', 'NaN', 'Infinity', '0x1F', '\u0000', '📍', '９０', ' 45.6 ', '__proto__', 'constructor'),
  fc.double().map(String),
  fc.integer().map(String),
);
const value = fc.oneof(nasty, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }));
const record = (keys: string[]) => fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), value, { maxKeys: 12 });
const anything = fc.oneof(fc.jsonValue(), record(['x']), fc.constant(undefined));

/** What every parser's answer must be: taken, or refused for a known reason with a message. */
function expectAnswer(result: { ok: boolean; reason?: string; message?: string }): void {
  if (result.ok) return;
  expect(rejectReasons).toContain(result.reason);
  expect(result.message!.length).toBeGreaterThan(10);
}

describe('ingest parsers under 10,000 generated inputs each', () => {
  it('OsmAnd: query strings and Traccar Client JSON', () => {
    const osmandKeys = ['id', 'deviceid', 'lat', 'lon', 'timestamp', 'speed', 'bearing', 'heading', 'altitude', 'accuracy', 'hdop', 'batt', 'valid'];
    const traccar = fc.record({ device_id: value, location: fc.oneof(value, fc.record({ timestamp: value, coords: fc.oneof(value, record(['latitude', 'longitude', 'speed', 'heading', 'accuracy'])) })) }, { requiredKeys: [] });
    fc.assert(
      fc.property(record(osmandKeys), fc.oneof(anything, traccar), (query, body) => expectAnswer(parseOsmand({ query, body }, now))),
      runs,
    );
  });

  it('cameras: HTTP batches and MQTT messages', () => {
    const item = record(['cameraId', 'type', 'severity', 'description', 'time', 'intervalS', 'volume', 'speedKmh', 'occupancy']);
    fc.assert(
      fc.property(fc.oneof(anything, fc.record({ readings: fc.oneof(value, fc.array(item, { maxLength: 4 })), events: fc.oneof(value, fc.array(item, { maxLength: 4 })) }, { requiredKeys: [] })), (body) =>
        expectAnswer(parseCameraBatch(body, now)),
      ),
      runs,
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('city/cameras/cam-00001/readings', 'city/cameras/cam-00001/events', 'city/cameras//events')), fc.oneof(fc.uint8Array({ maxLength: 200 }), item.map((o) => new TextEncoder().encode(JSON.stringify(o)))), (topic, message) =>
        expectAnswer(parseCameraMessage(topic, message, now)),
      ),
      runs,
    );
  });

  it('Open311: report forms and list filters', () => {
    const formKeys = ['service_code', 'lat', 'long', 'address_string', 'description', 'device_id', 'media_url', 'email', 'phone', 'api_key', 'first_name'];
    fc.assert(fc.property(fc.oneof(anything, record(formKeys)), (form) => expectAnswer(parseOpen311Request(form, now, (id) => id === 'insp-0001'))), runs);
    const filterKeys = ['service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'lang'];
    fc.assert(fc.property(fc.oneof(anything, record(filterKeys)), (query) => expectAnswer(parseOpen311Filters(query, now))), runs);
  });

  it('alarms: 110 / 122 / 119 batches', () => {
    const alarm = record(['id', 'line', 'category', 'lat', 'lon', 'address', 'description', 'time']);
    const halfRight = fc.record({ id: value, line: fc.constantFrom('110', '122', '119', '120'), category: fc.constantFrom('crime', 'help', 'traffic', 'fire', 'rescue', 'x'), lat: value, lon: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(anything, fc.record({ alarms: fc.oneof(value, fc.array(fc.oneof(alarm, halfRight), { maxLength: 4 })) }, { requiredKeys: [] })), (body) => {
        const parsed = parseAlarmBatch(body, now, 'fuzz');
        expectAnswer(parsed);
        if (parsed.ok) for (const rejection of parsed.value.rejected) expectAnswer({ ok: false, ...rejection });
      }),
      runs,
    );
  });

  it('GTFS-Realtime: random bytes and damaged real feeds', async () => {
    const real = encodeVehiclePositions(now / 1000, [
      { vehicle: { id: 'bus-0001' }, trip: { tripId: 't1', routeId: 'r1' }, position: { latitude: 45.6, longitude: 84.87, bearing: 90, speed: 8 }, timestamp: now / 1000, stopId: 's1', currentStatus: 'IN_TRANSIT_TO' },
    ]);
    const damaged = fc.tuple(fc.nat({ max: real.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
      const copy = Uint8Array.from(real);
      copy[at] = byte;
      return copy;
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), damaged), async (bytes) => {
        const { events, rejections } = await decodeVehiclePositions(bytes, now, 'fuzz');
        for (const rejection of rejections) expectAnswer({ ok: false, ...rejection });
        for (const event of events) expect(Number.isFinite(event.lat) && Number.isFinite(event.lon)).toBe(true);
      }),
      runs,
    );
  });
});
