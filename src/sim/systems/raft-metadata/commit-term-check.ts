// commit-current-term: a leader moves its commit index only to an entry of its own term
// (Raft §5.4.2 and Figure 2, "log[N].term == currentTerm"; etcd's raftLog.maybeCommit takes the
// leader's term). A leader that counts replicas of an older term's entry may commit an entry a
// later leader overwrites (Figure 8); whether that shows as a lost write needs the rare
// schedule of Figure 8, while the rule itself breaks at nearly every election (followers
// acknowledge their old entries before the new leader's no-op is durable), so it is judged
// directly, in the step in which the commit index moves. Entries of older terms are still
// committed, but only as the prefix of one of the leader's own (§5.4.2): the new commit index
// itself is always of the leader's term.
//
//
// commit-unfenced-quorum (same steps): the new commit index is covered by a quorum of the
// leader's voters — itself and the voters whose success (an AppendEntries answer, or a finished
// snapshot) for an index at or above it reached the leader in its term, not flagged fenced.
// Source: Figure 2's commit rule (a majority of matchIndex ≥ N, §5.3); the fenced flag is ours
// (fencing.ts: a node restored from a backup forgot what it acknowledged, so leaders count its
// answers toward nothing). Counted on the wire, never below what the leader may count: a correct
// leader never fails it.
//
// Judged on the leader's view (its term, commit index and the term of the entry there), in the
// steps in which an append or snapshot answer reached a leader (where maybeCommit runs), on the
// move within that step (its state taken as the answer is delivered, before it handles it); a
// voter alone commits on its own persistence, not judged. Read-only, never draws or schedules:
// hash-neutral. Per event: one field read unless an answer reached a leader.
import { RoleCode } from "../../../impl/raft/api.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireAnswer = { readonly type: string; readonly term: number; readonly index: number; readonly success?: boolean; readonly next?: number; readonly fenced?: boolean };

export class CommitTermCheck {
  /** Per node: 1 while it leads (from role notes). */
  private readonly leading: Uint8Array;
  /** Per node: its commit index and term before the current event's first answer reached it,
   * and its voters then (the configuration its commit rule used in this step; a change it
   * commits may add a voter in the same step). */
  private readonly commitSeen: Float64Array;
  /** The configuration object (VoterSet: ids, quorum), replaced, never changed, by a change. */
  private readonly cfgSeen: ({ readonly ids: readonly number[]; readonly quorum: number } | null)[];
  /** Per node: 1 if an append or snapshot answer reached it (leading) in the current event. */
  private readonly answered: Uint8Array;
  private marked = 0;
  /** Per leader * n + follower: the highest index of an unfenced success delivered, and its term. */
  private readonly acked: Float64Array;
  private readonly ackedTerm: Float64Array;

  constructor(private readonly n: number) {
    this.leading = new Uint8Array(n);
    this.commitSeen = new Float64Array(n).fill(-1);
    this.answered = new Uint8Array(n);
    this.cfgSeen = new Array<{ readonly ids: readonly number[]; readonly quorum: number } | null>(n).fill(null);
    this.acked = new Float64Array(n * n);
    this.ackedTerm = new Float64Array(n * n).fill(-1);
  }

  /** onNote, a role note: whether `id` leads from now on. */
  roleNoted(id: number, code: number): void {
    if (id >= this.n) return;
    this.leading[id] = code === RoleCode.leader ? 1 : 0;
  }

  /** onDeliver of an append or snapshot answer from `from` to `to`. */
  answerDelivered(w: AnyWorld, from: number, to: number, msg: WireAnswer): void {
    if (to >= this.n || from >= this.n || this.leading[to] === 0) return;
    if (msg.fenced !== true && (msg.type === "appResp" ? msg.success === true : msg.next! < 0)) {
      const k = to * this.n + from;
      // A late answer of an older term (the leader drops it: raft.ts's term rule) must not
      // replace one of a newer term: swarm seeds 2226 and 6212 failed when a term-14 answer
      // arrived after node 4's term-15 acknowledgement of 103.
      if (msg.term > this.ackedTerm[k]) {
        this.ackedTerm[k] = msg.term;
        this.acked[k] = msg.index;
      } else if (msg.term === this.ackedTerm[k] && msg.index > this.acked[k]) this.acked[k] = msg.index;
    }
    if (this.answered[to] === 1) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    // Delivered before the leader handles it: its state before the step.
    // Two field reads (a leader stays in its term while it leads: the role test below suffices).
    const raft = node.raft;
    this.commitSeen[to] = raft.commit;
    this.cfgSeen[to] = raft.cfg;
    this.answered[to] = 1;
    this.marked++;
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.marked === 0;
  }

  afterEvent(w: AnyWorld, touched: number): string | null {
    // Most events deliver no answer to a leader: one field read, nothing else.
    if (this.idle()) return null;
    if (touched >= 0) {
      if (this.answered[touched] === 0) return null;
      this.answered[touched] = 0;
      this.marked--;
      return this.judge(w, touched);
    }
    // A fault may crash, rebuild or restore any node: start afresh (a crashed node leads no more).
    for (let i = 0; i < this.n; i++) {
      if (w.nodes[i] === null) this.leading[i] = 0;
      this.answered[i] = 0;
    }
    this.marked = 0;
    return null;
  }

  private judge(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const raft = node.raft;
    const c = raft.commitIndex();
    const seen = this.commitSeen[id];
    const term = raft.term();
    if (c <= seen || raft.role() !== "leader") return null;
    const t = raft.log.termAt(c);
    if (t === term) {
      // The configuration before the step, or the one after it (the step may have changed it).
      const before = this.cfgSeen[id]!;
      if (this.quorumCovers(id, before.ids, before.quorum, term, c) < 0) return null;
      const acks = this.quorumCovers(id, raft.voters(), raft.cfg.quorum, term, c);
      if (acks < 0) return null;
      return `commit-unfenced-quorum at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: the leader moved its commit index from ${seen} to ${c}, but only ${acks} of its voters (itself included; quorum ${raft.cfg.quorum}) acknowledged ${c} or above in its term without the fenced flag`;
    }
    return `commit-current-term at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: the leader moved its commit index from ${seen} to ${c}, an entry of term ${t}, not of its own term (Figure 8: only an entry of the leader's term is committed by counting replicas)`;
  }

  /** -1 if a quorum of `voters` acknowledged `c` (the leader counts itself), else how many did. */
  private quorumCovers(id: number, voters: readonly number[], quorum: number, term: number, c: number): number {
    let acks = 0;
    for (const p of voters) {
      const k = id * this.n + p;
      if ((p === id || (p < this.n && this.ackedTerm[k] === term && this.acked[k] >= c)) && ++acks >= quorum) return -1;
    }
    return acks;
  }
}
