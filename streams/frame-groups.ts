import type { EntityKind } from '../geo/index.ts';
import { FrameCursor, type LivePositionTable } from './position-frames.ts';
import type { PositionFrame } from './socket-contract.ts';

/** How the groups reach their clients. */
export interface FrameLink<Client> {
  /** Whether the client's connection can take a frame now (its transport has written what it had). */
  writable(client: Client): boolean;
  /** Sends one frame to each of these clients: cut once, the same for all. */
  send(clients: readonly Client[], frame: PositionFrame): void;
  /** A frame held back because the client could not take it (its changes go in its next). */
  deferred(client: Client): void;
}

interface Group {
  kinds: ReadonlySet<EntityKind>;
  shared: FrameCursor;
  /** Its clients that keep up with its frames. */
  following: Set<unknown>;
  /** Its clients, keeping up or not. */
  members: number;
}

const keyOf = (kinds: ReadonlySet<EntityKind>) => [...kinds].sort().join();

/**
 * Position frames cut once per change for each set of layers, and sent alike to every client of
 * that set that keeps up: a client joins with a keyframe in the group's numbering (its snapshot)
 * and then takes the group's frames. A client that cannot take a frame when it is cut goes on
 * with a cursor of its own, its changes conflated into its next frame as before, so a slow screen
 * neither holds the others back nor is sent a backlog; it joins the group again when it asks for
 * a keyframe (resync) or subscribes again.
 */
export class FrameGroups<Client> {
  private readonly groups = new Map<string, Group>();
  private readonly groupOf = new Map<Client, Group>();
  private readonly own = new Map<Client, FrameCursor>();

  constructor(
    private readonly table: LivePositionTable,
    private readonly link: FrameLink<Client>,
  ) {}

  /** The client follows these kinds from a keyframe (no kinds: it stops). */
  follow(client: Client, kinds: ReadonlySet<EntityKind>): void {
    this.leave(client);
    if (kinds.size === 0) return;
    const key = keyOf(kinds);
    let group = this.groups.get(key);
    if (!group) {
      group = { kinds, shared: new FrameCursor(this.table, kinds), following: new Set(), members: 0 };
      // Numbers every entity of the group's kinds; that first frame goes to nobody, its snapshots to each who joins.
      group.shared.nextFrame();
      this.groups.set(key, group);
    }
    this.groupOf.set(client, group);
    group.members += 1;
    if (this.link.writable(client)) {
      group.following.add(client);
      this.link.send([client], group.shared.snapshot());
    } else this.own.set(client, new FrameCursor(this.table, kinds));
  }

  /** The table's slots that changed: one frame per group, and one per client going alone. */
  changed(slots: readonly number[]): void {
    for (const group of this.groups.values()) {
      group.shared.markChanged(slots);
      if (!group.shared.hasPending) continue;
      const ready: Client[] = [];
      for (const client of group.following as Set<Client>) {
        if (this.link.writable(client)) ready.push(client);
        else this.goAlone(client, group);
      }
      // With none to take it, the changes wait in the group's cursor: a snapshot shows them, its next frame carries them.
      if (ready.length > 0) this.link.send(ready, group.shared.nextFrame()!);
    }
    for (const [client, cursor] of this.own) {
      cursor.markChanged(slots);
      this.sendOwn(client, cursor);
    }
  }

  /** The client's connection can take more: what it was held back from goes now. */
  drained(client: Client): void {
    const cursor = this.own.get(client);
    if (cursor) this.sendOwn(client, cursor);
  }

  /** The client lost track (a frame missed): a keyframe, in the group's numbering if it can take it now. */
  resync(client: Client): void {
    const group = this.groupOf.get(client);
    if (group) this.follow(client, group.kinds);
  }

  leave(client: Client): void {
    const group = this.groupOf.get(client);
    this.groupOf.delete(client);
    this.own.delete(client);
    if (!group) return;
    group.following.delete(client);
    group.members -= 1;
    // The last of its clients gone: its cursor goes too.
    if (group.members === 0) this.groups.delete(keyOf(group.kinds));
  }

  /** Before the group's frame is cut: the client's own cursor takes over where the group's frames left it. */
  private goAlone(client: Client, group: Group): void {
    group.following.delete(client);
    this.own.set(client, group.shared.fork());
  }

  private sendOwn(client: Client, cursor: FrameCursor): void {
    if (!cursor.hasPending) return;
    if (!this.link.writable(client)) return this.link.deferred(client);
    this.link.send([client], cursor.nextFrame()!);
  }
}
