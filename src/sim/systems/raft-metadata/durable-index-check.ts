// A server's durable index (RaftView.durableIndex: how far its log is on stable storage, by its
// own account) against its disk and its log. The account decides what the node may promise:
// a leader counts its own log toward commitment only up to it (Raft §10.2.1, matchOf), so an
// account ahead of the disk commits entries a crash can take away, and an account behind it
// holds back the leader's commit and the answers that wait for it. Three rules:
//
//   durable-beyond-log   the durable index never exceeds the log's last index: entries the log
//                        dropped (a conflict truncated them) are durable on no disk of ours.
//   durable-lag          after an event in which the server's disk completed an fsync, the
//                        server running (not paused: a paused server hears of it later) and no
//                        fsync of its left pending, its durable index is its last index: every
//                        write it made is on the disk, and fsyncs complete in order, so the
//                        last completion covers every entry (Raft's onPersisted contract).
//   self-send            a server never puts a message to itself on the wire: its own vote and
//                        acknowledgement are stepped locally (durability.ts), as etcd's raft
//                        steps them; through the network they would be delayed, lost or cut.
//
// Why (issue 12 part 3): the durability bookkeeping's queue handling in durability.ts (dropping
// writes not yet durable, not clamping a truncated write) and the local step of a self-addressed
// answer survived every check: each only delays or over-claims, which no other check compares
// with the disk.
//
// Read-only (views, the disk's counters): hash-neutral. Per event: two view reads of the one
// server it ran, and an integer compare.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { NodeStatus, TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";
import type { AnyWorld } from "../../runner/system.js";

export class DurableIndexCheck {
  /** Per server: its disk's completed fsyncs when last judged (a completion since: judge the lag). */
  private readonly completions: Float64Array;

  constructor(private readonly n: number) {
    this.completions = new Float64Array(n);
  }

  /** onSend of any server-to-server message; null: fine. */
  sent(w: AnyWorld, from: number, to: number, type: string): string | null {
    if (from !== to) return null;
    return `self-send at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it sent a ${type} to itself over the network`;
  }

  /** After every event (`only`: the server it touched, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    if (only === TOUCHED_NONE) return null;
    if (only !== TOUCHED_ALL) return this.check(w, only);
    for (let i = 0; i < this.n; i++) {
      const why = this.check(w, i);
      if (why !== null) return why;
    }
    return null;
  }

  private check(w: AnyWorld, id: number): string | null {
    const s = w.nodes[id] as MetaServer | null;
    const disk = w.disks[id];
    const done = disk.fsyncsCompleted;
    const completed = done !== this.completions[id];
    this.completions[id] = done;
    if (s === null) return null;
    const r = s.raft;
    const durable = r.durableIndex();
    const last = r.lastIndex();
    if (durable > last) return `durable-beyond-log at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its durable index is ${durable}, past its last index ${last}`;
    if (completed && durable < last && disk.pendingFsyncs === 0 && w.status[id] === NodeStatus.up) {
      return `durable-lag at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its disk completed every fsync, yet its durable index is ${durable}, below its last index ${last}`;
    }
    return null;
  }
}
