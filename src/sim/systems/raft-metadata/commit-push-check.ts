// How a leader tells its followers a new commit index, in the step in which its commit rule
// moves it (a commit note of a leader), judged on the wire at the end of that step:
//
//   commit-pushed (without coalesceHeartbeats): every follower the leader replicates to that has
//     been sent all its entries (replicate state, next past the last index) and has room in its
//     pipeline is sent an AppendEntries carrying the new commit index in that step — an empty one
//     if need be. Source: etcd stepLeader (`if r.maybeCommit() { r.bcastAppend() }`, which sends
//     empty appends too), so that followers apply (and serve follower reads) a round trip
//     earlier than the next heartbeat; ours follows it unless coalescing.
//   commit-rides (with coalesceHeartbeats, ours: the `fast` option's promise): no empty
//     AppendEntries goes to a follower in replicate state just because the commit index moved;
//     the new index rides on the next append or, at the latest, the next heartbeat tick
//     (replication.ts heartbeatTick; heartbeat-check.ts judges that the tick sends it). The one
//     empty append such a step may carry is the probe that follows a finished snapshot, to its
//     sender.
//
// Why (issue 12 part 3): step-leader.ts's `pushEmpty` (line 170) decided both; every mutant of
// it changed only when followers learned a commit index, which nothing judged.
//
// Cost: on a commit note, one array read (leading); on an append sent in a step that moved a
// leader's commit, a few field reads; at the end of such a step (uncoalesced runs only), one look
// at each peer's progress. Read-only (messages and views), never draws or schedules:
// hash-neutral.
import { RoleCode } from "../../../impl/raft/api.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

type WireMsg = { readonly type: string; readonly term: number; readonly commit?: number; readonly entries?: readonly unknown[]; readonly next?: number };

export class CommitPushCheck {
  /** Per node: 1 while it leads (from role notes). */
  private readonly leading: Uint8Array;
  /** The leader whose commit moved in this event (-1: none), the new index and term. */
  private moved = -1;
  private commit = 0;
  private term = 0;
  /** Per follower: the highest commit index the moved leader sent it in an append this event. */
  private readonly sent: Float64Array;
  /** The sender of a snapshot answer delivered to a leader in this event (-1: none). */
  private snapFrom = -1;
  private snapTo = -1;
  private violation: string | null = null;

  constructor(private readonly n: number) {
    this.leading = new Uint8Array(n);
    this.sent = new Float64Array(n).fill(-1);
  }

  /** onNote of a role note. */
  roleNoted(id: number, code: number): void {
    if (id < this.n) this.leading[id] = code === RoleCode.leader ? 1 : 0;
  }

  /** onNote of a commit note (a = the new commit index, b = the term). */
  commitNoted(id: number, index: number, term: number): void {
    if (id >= this.n || this.leading[id] === 0) return;
    if (this.moved !== id) {
      if (this.moved >= 0) this.sent.fill(-1);
      this.moved = id;
    }
    this.commit = index;
    this.term = term;
  }

  /** onDeliver of a snapshot answer. */
  deliveredSnapshotAnswer(from: number, to: number): void {
    this.snapFrom = from;
    this.snapTo = to;
  }

  /** onSend of an append. */
  sentAppend(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (from !== this.moved || to >= this.n) return;
    if (msg.commit! > this.sent[to]) this.sent[to] = msg.commit!;
    if (msg.entries!.length > 0 || this.violation !== null) return;
    const node = w.nodes[from] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (raft.opts.coalesceHeartbeats !== true) return;
    if (to === this.snapFrom && from === this.snapTo) return; // the probe after a finished snapshot
    const pr = raft.prs[to];
    if (pr === undefined || !pr.replicate) return;
    this.violation = `commit-rides at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: with coalesceHeartbeats, in the step that moved its commit index to ${this.commit} it sent follower ${to} (replicating) an empty append (the commit index rides on the next append or heartbeat tick; replication.ts)`;
  }

  /** Whether afterEvent has anything to do (small enough to be inlined at the call). */
  pending(): boolean {
    return this.moved >= 0 || this.snapFrom >= 0;
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    this.snapFrom = -1;
    if (this.moved < 0) return null;
    const id = this.moved;
    this.moved = -1;
    let why = this.violation;
    this.violation = null;
    if (touched === TOUCHED_ALL) {
      for (let i = 0; i < this.n; i++) if (w.nodes[i] === null) this.leading[i] = 0;
      why = null;
    } else if (why === null) why = this.judgePushed(w, id);
    this.sent.fill(-1);
    return why;
  }

  private judgePushed(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const raft = node.raft;
    if (raft.opts.coalesceHeartbeats === true || raft.role() !== "leader" || raft.term() !== this.term) return null;
    const last = raft.log.lastIndex();
    for (const p of raft.peers) {
      const pr = raft.prs[p];
      if (pr === undefined || !pr.replicate || pr.next <= last || pr.inflightFull() || p >= this.n) continue;
      if (this.sent[p] >= this.commit) continue;
      return `commit-pushed at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${this.term}: its commit index moved to ${this.commit}, but follower ${p} (replicating, sent every entry, room in its pipeline) was sent no append carrying it in that step (etcd bcastAppend after maybeCommit; coalesceHeartbeats off)`;
    }
    return null;
  }
}
