// What the load tool offers, over the real protocols, and its own log of what was acknowledged.
import { serveVehiclePositions } from '../fixtures/index.ts';
import type { LonLat } from '../geo/index.ts';
import type { PositionEvent } from '../streams/index.ts';
import mqtt from 'mqtt';
import { Subject } from 'rxjs';

export interface Device {
  id: string;
  point: LonLat;
}

/** Everything the load tool offered, and its own log of what the server acknowledged. */
export class AckLog {
  /** Per entity, acknowledged fixes in fix-time order: [fix time ms, when it was sent ms]. */
  readonly byEntity = new Map<string, [number, number][]>();
  offered = 0;
  acknowledged = 0;
  shed = 0;
  errors = 0;
  /** Told of every acknowledgement: the screens in their own process keep a copy of the log. */
  onAck?: (entityId: string, eventTime: number, sentAt: number) => void;
  acked(entityId: string, eventTime: number, sentAt: number): void {
    this.onAck?.(entityId, eventTime, sentAt);
    const fixes = this.byEntity.get(entityId) ?? this.byEntity.set(entityId, []).get(entityId)!;
    let at = fixes.length;
    while (at > 0 && fixes[at - 1]![0] > eventTime) at -= 1;
    fixes.splice(at, 0, [eventTime, sentAt]);
    this.acknowledged += 1;
  }
  /** Every acknowledged fix as "entity@fix time ms". */
  keys(): string[] {
    return [...this.byEntity].flatMap(([id, fixes]) => fixes.map(([time]) => `${id}@${time}`));
  }
}

// Requests in flight past this are not sent (counted as errors): the generator must not queue without bound.
const maxInFlight = 4_000;
// A sender's step: every 100 ms it sends a tenth of a second's worth.
const stepMs = 100;

/** Repeats `step` every 100 ms for `seconds`, at the rate asked, spreading sends over devices. */
async function paced(seconds: number, step: (count: number, now: number) => void, rate: number): Promise<void> {
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < seconds * 1000) {
    const due = Math.floor(((Date.now() - started + stepMs) / 1000) * rate) - sent;
    if (due > 0) step(due, Date.now());
    sent += Math.max(0, due);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Sends in flight, at most `maxInFlight` (past it a send is not made and counts as an error). */
class Flights {
  private readonly pending = new Set<Promise<void>>();
  constructor(private readonly log: AckLog) {}
  /** Starts `send` unless too many are in flight; false when it was not started. */
  start(send: () => Promise<void>): boolean {
    if (this.pending.size >= maxInFlight) {
      this.log.errors += 1;
      return false;
    }
    const flight: Promise<void> = send()
      .catch(() => void (this.log.errors += 1))
      .finally(() => this.pending.delete(flight));
    this.pending.add(flight);
    return true;
  }
  done = () => Promise.all(this.pending);
}

/** Per device, a new fix time for each send: at least `now`, strictly after its last (in ms: no two fixes of a device are the same fix). */
function nextTimes() {
  const last = new Map<string, number>();
  return (id: string, now: number) => {
    const time = Math.max(now, (last.get(id) ?? 0) + 1);
    last.set(id, time);
    return time;
  };
}

/** One HTTP request per fix, as trackers send: a 503 is shed (not sent again), anything else but 200 an error. */
export async function offerOsmand(osmandUrl: string, devices: Device[], rate: number, seconds: number, log: AckLog): Promise<void> {
  let next = 0;
  const flights = new Flights(log);
  const timeFor = nextTimes();
  await paced(
    seconds,
    (count, now) => {
      for (let i = 0; i < count; i++) {
        const device = devices[next++ % devices.length]!;
        log.offered += 1;
        flights.start(async () => {
          const eventTime = timeFor(device.id, now);
          const sentAt = Date.now();
          const response = await fetch(`${osmandUrl}?id=${device.id}&lat=${device.point[1]}&lon=${device.point[0]}&timestamp=${eventTime}`, { method: 'POST' });
          await response.arrayBuffer();
          if (response.status === 200) log.acked(device.id, eventTime, sentAt);
          else if (response.status === 503) log.shed += 1;
          else log.errors += 1;
        });
      }
    },
    rate,
  );
  await flights.done();
}

/** A camera detector record's counting period, ms: a reading is on screens once its segment's traffic is updated to its period's end. */
export const readingPeriodMs = 60_000;

/**
 * Detector records over MQTT, as camera gateways publish them (QoS 1): acknowledged is what the
 * broker acknowledged (PUBACK), which the server's persistent session then holds for it. Each
 * reading's period start, in ms, is its key.
 */
export async function offerMqtt(mqttUrl: string, cameraIds: string[], rate: number, seconds: number, log: AckLog): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `onescreen-load-${process.pid}`, clean: true, protocolVersion: 5 });
  let next = 0;
  const flights = new Flights(log);
  const timeFor = nextTimes();
  try {
    await paced(
      seconds,
      (count, now) => {
        for (let i = 0; i < count; i++) {
          const cameraId = cameraIds[next++ % cameraIds.length]!;
          log.offered += 1;
          flights.start(async () => {
            const periodStart = timeFor(cameraId, now);
            const sentAt = Date.now();
            const reading = { periodStart, periodS: readingPeriodMs / 1000, volume: 12, occupancyPct: 9, meanSpeedKmh: 38 };
            await client.publishAsync(`city/cameras/${cameraId}/readings`, JSON.stringify(reading), { qos: 1 });
            log.acked(cameraId, periodStart, sentAt);
          });
        }
      },
      rate,
    );
    await flights.done();
  } finally {
    await client.endAsync();
  }
}

/**
 * A transit agency's VehiclePositions feed of `rate` vehicles, each with a new report every second
 * some 8 m further along, east for 100 s, then west for 100 s (a jump back would be refused as an
 * impossible speed), which the server polls every second. Every report a poll fetched is offered; the server gives
 * no answer per report, so the check afterwards counts the polls it skipped (shed) from /metrics.
 */
export async function offerGtfsRt(rate: number, log: AckLog, anchor: LonLat) {
  const reports = new Subject<PositionEvent>();
  const fetched = new Set<string>();
  const feed = await serveVehiclePositions(reports, {
    onServed: (served) => {
      const now = Date.now();
      for (const report of served) {
        const key = `${report.entityId}@${report.eventTime}`;
        if (fetched.has(key)) continue;
        fetched.add(key);
        log.offered += 1;
        log.acked(report.entityId, report.eventTime, now);
      }
    },
  });
  const vehicles = Array.from({ length: rate }, (_, i) => ({ id: `load-bus-${String(i + 1).padStart(5, '0')}`, point: [anchor[0] + (i % 100) * 0.0005, anchor[1] + Math.floor(i / 100) * 0.0005] as LonLat }));
  return {
    url: feed.url,
    async run(seconds: number): Promise<void> {
      // One new report per vehicle each second, stamped with that second.
      await paced(
        seconds,
        () => {
          const eventTime = Math.floor(Date.now() / 1000) * 1000;
          const second = (eventTime / 1000) % 200;
          const east = (second < 100 ? second : 200 - second) * 0.0001;
          for (const vehicle of vehicles) {
            reports.next({ type: 'position', sourceId: 'load', entityId: vehicle.id, lon: vehicle.point[0] + east, lat: vehicle.point[1], headingDeg: second < 100 ? 90 : 270, speedKmh: 30, eventTime, receivedAt: eventTime });
          }
        },
        1,
      );
    },
    close: () => feed.close(),
  };
}
