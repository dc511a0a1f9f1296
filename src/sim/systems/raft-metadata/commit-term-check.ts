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
// Judged on the leader's view (its term, commit index and the term of the entry there).
// Read-only, never draws or schedules: hash-neutral. Per event: one byte read unless the
// touched node leads; for a leader two numbers, and the log's term at the commit index only
// when the commit index moved.
import { RoleCode } from "../../../impl/raft/api.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

export class CommitTermCheck {
  /** Per node: 1 while it leads (from role notes). */
  private readonly leading: Uint8Array;
  /** Per node: its commit index after the last event judged (-1: not yet seen in this term). */
  private readonly commitSeen: Float64Array;
  private readonly termSeen: Float64Array;

  constructor(private readonly n: number) {
    this.leading = new Uint8Array(n);
    this.commitSeen = new Float64Array(n).fill(-1);
    this.termSeen = new Float64Array(n).fill(-1);
  }

  /** onNote, a role note: whether `id` leads from now on. */
  roleNoted(id: number, code: number): void {
    if (id >= this.n) return;
    this.leading[id] = code === RoleCode.leader ? 1 : 0;
    this.commitSeen[id] = -1;
  }

  afterEvent(w: AnyWorld, touched: number): string | null {
    if (touched >= 0) return this.leading[touched] === 0 ? null : this.judge(w, touched);
    if (touched !== TOUCHED_ALL) return null;
    // A fault may crash, rebuild or restore any node: start afresh (a crashed node leads no more).
    for (let i = 0; i < this.n; i++) {
      if (w.nodes[i] === null) this.leading[i] = 0;
      this.commitSeen[i] = -1;
    }
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
