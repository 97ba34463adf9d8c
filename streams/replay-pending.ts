// What a replay has read of the past and not yet shown, per kind, oldest first (streams/replay-player.ts).
import type { AuditRecord, GeofenceAlert, Incident, JoinedCameraEvent, LivePosition, Past, SegmentTraffic, ServiceRequest, Warning } from '../geo/index.ts';
import { appendAll } from './append.ts';
import type { LiveAssignment } from './socket-contract.ts';

/** What is read and not yet shown, oldest first; taken from the front as the clock passes it. */
export class Due<T> {
  private items: T[] = [];
  private next = 0;
  constructor(private readonly atOf: (item: T) => number) {}
  add(items: readonly T[]): void {
    // The shown part goes once it is most of the list, so taking from the front stays cheap.
    if (this.next > this.items.length / 2) [this.items, this.next] = [this.items.slice(this.next), 0];
    appendAll(this.items, items);
  }
  /** Everything up to `at`. */
  take(at: number): T[] {
    const start = this.next;
    while (this.next < this.items.length && this.atOf(this.items[this.next]!) <= at) this.next += 1;
    return this.items.slice(start, this.next);
  }
}

/** Everything read and not yet shown, by kind. */
export class Pending {
  fixes = new Due<LivePosition>((fix) => fix.fixTime!);
  incidents = new Due<Past<Incident>>((past) => past.at);
  reports = new Due<Past<ServiceRequest>>((past) => past.at);
  assignments = new Due<Past<LiveAssignment>>((past) => past.at);
  warnings = new Due<Past<Warning>>((past) => past.at);
  geofenceAlerts = new Due<Past<GeofenceAlert>>((past) => past.at);
  traffic = new Due<Past<SegmentTraffic>>((past) => past.at);
  cameraEvents = new Due<Past<JoinedCameraEvent>>((past) => past.at);
  audit = new Due<Past<AuditRecord>>((past) => past.at);
}
