// What the load tool offers, over the real protocols, and its own log of what was acknowledged.
import { serveVehiclePositions } from '../fixtures/index.ts';
import type { LonLat } from '../geo/index.ts';
import type { PositionEvent } from '../streams/index.ts';
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
  acked(entityId: string, eventTime: number, sentAt: number): void {
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

/** One HTTP request per fix, as trackers send: a 503 is shed (not sent again), anything else but 200 an error. */
export async function offerOsmand(osmandUrl: string, devices: Device[], rate: number, seconds: number, log: AckLog): Promise<void> {
  let next = 0;
  let inFlight = 0;
  const lastTime = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  await paced(
    seconds,
    (count, now) => {
      for (let i = 0; i < count; i++) {
        const device = devices[next++ % devices.length]!;
        log.offered += 1;
        if (inFlight >= maxInFlight) {
          log.errors += 1;
          continue;
        }
        // Fix times strictly increase per device, in ms: no two fixes of a device are the same fix.
        const eventTime = Math.max(now, (lastTime.get(device.id) ?? 0) + 1);
        lastTime.set(device.id, eventTime);
        inFlight += 1;
        const sentAt = Date.now();
        const request = fetch(`${osmandUrl}?id=${device.id}&lat=${device.point[1]}&lon=${device.point[0]}&timestamp=${eventTime}`, { method: 'POST' })
          .then(async (response) => {
            await response.arrayBuffer();
            if (response.status === 200) log.acked(device.id, eventTime, sentAt);
            else if (response.status === 503) log.shed += 1;
            else log.errors += 1;
          })
          .catch(() => void (log.errors += 1))
          .finally(() => {
            inFlight -= 1;
            pending.delete(request);
          });
        pending.add(request);
      }
    },
    rate,
  );
  await Promise.all(pending);
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
