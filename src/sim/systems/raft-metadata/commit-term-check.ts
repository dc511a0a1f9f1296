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
// Judged on the leader's view (its term, commit index and the term of the entry there), in the
// steps in which an append or snapshot answer reached a leader (where maybeCommit runs; a voter
// alone commits on its own persistence and is judged at its next answer: the rule is on the
// index reached, so a later look judges every move since). Read-only, never draws or schedules:
// hash-neutral. Per event: one field read unless an answer reached a leader.
import { RoleCode } from "../../../impl/raft/api.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

export class CommitTermCheck {
  /** Per node: 1 while it leads (from role notes). */
  private readonly leading: Uint8Array;
  /** Per node: its commit index after the last event judged (-1: not yet seen in this term). */
  private readonly commitSeen: Float64Array;
  private readonly termSeen: Float64Array;
  /** Per node: 1 if an append or snapshot answer reached it (leading) in the current event. */
  private readonly answered: Uint8Array;
  private marked = 0;

  constructor(private readonly n: number) {
    this.leading = new Uint8Array(n);
    this.commitSeen = new Float64Array(n).fill(-1);
    this.termSeen = new Float64Array(n).fill(-1);
    this.answered = new Uint8Array(n);
  }

  /** onNote, a role note: whether `id` leads from now on; a new leader's commit index and term
   * are taken at once (its first answers may move the commit index). */
  roleNoted(w: AnyWorld, id: number, code: number): void {
    if (id >= this.n) return;
    const leads = code === RoleCode.leader;
    this.leading[id] = leads ? 1 : 0;
    this.commitSeen[id] = -1;
    if (!leads) return;
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return;
    this.commitSeen[id] = node.raft.commitIndex();
    this.termSeen[id] = node.raft.term();
  }

  /** onDeliver of an append or snapshot answer to `to`. */
  answerDelivered(to: number): void {
    if (to >= this.n || this.leading[to] === 0 || this.answered[to] === 1) return;
    this.answered[to] = 1;
    this.marked++;
  }

  afterEvent(w: AnyWorld, touched: number): string | null {
    // Most events deliver no answer to a leader: one field read, nothing else.
    if (this.marked === 0) return null;
    if (touched >= 0) {
      if (this.answered[touched] === 0) return null;
      this.answered[touched] = 0;
      this.marked--;
      return this.judge(w, touched);
    }
    // A fault may crash, rebuild or restore any node: start afresh (a crashed node leads no more).
    for (let i = 0; i < this.n; i++) {
      if (w.nodes[i] === null) this.leading[i] = 0;
      this.commitSeen[i] = -1;
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
    this.commitSeen[id] = c;
    const term = raft.term();
    if (seen < 0 || this.termSeen[id] !== term) {
      this.termSeen[id] = term;
      return null;
    }
    if (c <= seen || raft.role() !== "leader") return null;
    const t = raft.log.termAt(c);
    if (t === term) return null;
    return `commit-current-term at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: the leader moved its commit index from ${seen} to ${c}, an entry of term ${t}, not of its own term (Figure 8: only an entry of the leader's term is committed by counting replicas)`;
  }
}
