// snapshot-due: a server whose applied index is snapshotEvery or more past its snapshot, with no
// snapshot write in flight, takes a snapshot by its next tick — in the same virtual instant, as
// nothing delays that tick but the events already queued for it (RaftOptions.snapshotEvery: "Take a
// snapshot (and compact the log) once this many applied entries follow the last one"; compaction.ts:
// "the next tick takes one at the applied index"). Ours, like snapshot-policy (the other half of
// that contract: never early): a Raft that snapshots on another schedule would fail it, and the
// property it stands for is §7's — a log that is never compacted grows without bound, and a
// restart replays all of it.
//
// Why (issue 12 part 3, the "other half of gap item 5" snapshot-policy-check.ts left open): a
// server that stopped snapshotting (the schedule never set, a write in flight never cleared, the
// threshold off by one) answered every client right: nothing judged it.
//
// "A write in flight" is read off the disk, not the node: the durable snapshot file's index is
// below the server's snapshot index until the save's fsync completes (snapshot.ts, disk.ts). A
// paused server (no events reach it), a crashed one, and every fault event (a pause, resume,
// restart, restore or clock step may move what is due and when the tick comes) restart the
// clock of what is due.
//
// Cost: work only for a server whose commit index reached snapshotEvery past its snapshot or
// that took or installed a snapshot in the event, and while it is due or saving: a few view
// reads and one map lookup. Read-only
// (notes, views, the disk's durable files): never draws or schedules, hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { SNAPSHOT_FILE } from "../../../impl/raft/snapshot.js";
import type { AnyWorld } from "../../runner/system.js";
import { NodeStatus, TOUCHED_ALL } from "../../kernel/world.js";

/** How long past the instant a snapshot fell due its tick may come: the wake-up's conversion
 * from the node's local clock to virtual time rounds, and drift stretches it by parts per
 * million. Far below any other event's spacing that matters (a heartbeat interval). */
export const SNAPSHOT_DUE_SLACK_US = 1_000;

export class SnapshotDueCheck {
  /** Per server: 1 while it must be looked at after its events (its commit moved, it snapshots,
   * it is due, or a save is in flight). */
  private readonly watch: Uint8Array;
  /** Per server: the virtual time it was first seen due (-1: not due). */
  private readonly dueSince: Float64Array;
  /** Per server: the commit index below which it cannot be due (its snapshot index plus
   * snapshotEvery when last judged; the applied index never passes the commit index), so that a
   * commit below it is not looked at. 0: look at every commit. */
  private readonly dueFrom: Float64Array;

  constructor(private readonly n: number) {
    this.watch = new Uint8Array(n);
    this.dueSince = new Float64Array(n).fill(-1);
    this.dueFrom = new Float64Array(n);
  }

  /** The world's onNote of a commit (at index `commit`) by server `id`. */
  committed(id: number, commit: number): void {
    if (id < this.n && commit >= this.dueFrom[id]) this.watch[id] = 1;
  }

  /** The world's onNote of a snapshot taken or installed (or any other custom note) by `id`. */
  noted(id: number): void {
    if (id < this.n) {
      this.watch[id] = 1;
      this.dueFrom[id] = 0;
    }
  }

  /** afterEvent(…) would report nothing and change nothing for the event
   * of server `touched` (≥ 0) (a caller's gate, inlined where a call is not: most events leave
   * this check nothing to do). */
  idle(touched: number): boolean {
    return touched >= 0 && (touched >= this.n || this.watch[touched] === 0);
  }

  /** After every event (World.touched); null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    if (touched === TOUCHED_ALL) {
      // A fault: what is due, and when the tick comes, may have moved for anyone.
      this.dueSince.fill(-1);
      this.dueFrom.fill(0);
      this.watch.fill(1);
      return null;
    }
    if (touched < 0 || touched >= this.n || this.watch[touched] === 0) return null;
    return this.judge(w, touched);
  }

  private judge(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null || w.status[id] !== NodeStatus.up) {
      // Crashed (watched again from its restart, a fault) or paused (nothing reaches it).
      this.dueSince[id] = -1;
      return null;
    }
    const raft = node.raft;
    const every = raft.opts.snapshotEvery ?? 0;
    const snap = raft.snapshotIndex();
    const applied = raft.appliedIndex();
    if (every <= 0 || applied - snap < every) {
      this.dueSince[id] = -1;
      this.watch[id] = 0;
      // Only a commit at snap + every or above, or a new snapshot (a note), can make it due.
      this.dueFrom[id] = every <= 0 ? Number.POSITIVE_INFINITY : snap + every;
      return null;
    }
    const file = w.disks[id].durableFile(SNAPSHOT_FILE) as { readonly index: number } | undefined;
    if ((file === undefined ? 0 : file.index) < snap) {
      // The latest snapshot is still being written: the next one waits for it. Watched on.
      this.dueSince[id] = -1;
      return null;
    }
    const since = this.dueSince[id];
    if (since < 0) {
      this.dueSince[id] = w.now;
      return null;
    }
    if (w.now <= since + SNAPSHOT_DUE_SLACK_US) return null;
    return `snapshot-due at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: applied index ${applied} is ${applied - snap} entries past its snapshot (${snap}), snapshotEvery is ${every}, no snapshot write is in flight, and it has taken none since t=${(since / 1000).toFixed(3)}ms`;
  }
}
