// snapshot-policy: a server takes a snapshot only when its configuration asks for one — never
// with snapshotEvery 0 (snapshots off), and only once at least snapshotEvery applied entries
// follow its previous snapshot (RaftOptions.snapshotEvery: "Take a snapshot (and compact the
// log) once this many applied entries follow the last one; 0 or absent: never"). Our Raft's own
// contract, the way etcd's SnapshotCount is: a snapshot taken early costs a full state-machine
// copy and an fsync, and compacts away entries a lagging follower could still have been sent
// (it then needs the whole snapshot instead).
//
// Why (issue 12 part 3, gap item 5): compaction's policy (when a snapshot is due: raft.ts's
// onTick, compaction.ts's maybeScheduleSnapshot) could change freely — snapshots every tick, or
// in runs that asked for none — without a wrong answer: nothing judged it.
//
// The other half of gap item 5 (at a quiet point applied − snapshot index ≤ snapshotEvery +
// slack; no WAL segment older than the durable snapshot's base) is not judged here.
//
// Cost: one comparison per snapshot note; one view read per server after a fault. Read-only (notes and
// views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

export class SnapshotPolicyCheck {
  /** Per server: its latest snapshot's index (taken, installed, or recovered). */
  private readonly base: Float64Array;
  private pending: string | null = null;

  constructor(private readonly n: number) {
    this.base = new Float64Array(n);
  }

  /** A node took (NOTE_SNAPSHOT_TAKEN) or installed (installed = true) a snapshot at `index`, in
   * the current event. */
  noted(w: AnyWorld, id: number, index: number, installed: boolean): void {
    if (id >= this.n || this.pending !== null) return;
    if (installed) {
      this.base[id] = index;
      return;
    }
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return;
    const every = node.raft.opts.snapshotEvery ?? 0;
    const since = index - this.base[id];
    // The message head is built only on failure (this runs for every snapshot taken).
    if (every <= 0) this.pending = `${at(id, w.now)}: it took a snapshot at index ${index}, but its snapshotEvery is ${every} (snapshots off)`;
    else if (since < every) this.pending = `${at(id, w.now)}: it took a snapshot at index ${index}, only ${since} entries past its previous one (${this.base[id]}); snapshotEvery is ${every}`;
    else this.base[id] = index;
  }

  /** afterEvent(w, touched) for an event other than a fault would report nothing and change
   * nothing (a caller's gate). */
  idle(): boolean {
    return this.pending === null;
  }

  /** After every event (World.touched); null: fine. A server's snapshot base moves only by its
   * own notes, or by a fault (a restart recovers one, a restore brings an older one). */
  afterEvent(w: AnyWorld, touched: number): string | null {
    if (touched === TOUCHED_ALL) {
      for (let i = 0; i < this.n; i++) {
        const node = w.nodes[i] as MetaServer | null;
        if (node !== null) this.base[i] = node.raft.snapshotIndex();
      }
    }
    const v = this.pending;
    this.pending = null;
    return v;
  }
}

function at(id: number, nowUs: number): string {
  return `snapshot-policy at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms`;
}
