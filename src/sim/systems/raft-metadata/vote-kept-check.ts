// vote-kept: a server that restarts from its disk remembers the vote it last cast — after a
// restart (not a backup restore) its term is above the term of the last vote it granted or
// asked for, or equal to it with the vote still for the same candidate. Raft paper Figure 2
// ("Persistent state on all servers: currentTerm, votedFor — updated on stable storage before
// responding to RPCs") and §5.2 (each server votes for at most one candidate in a term): a
// server that forgets its vote across a crash can grant a second one in the same term, and two
// leaders of one term become possible. "Last vote cast" is read off the wire: a granted
// RequestVote answer (not a PreVote) in term t for candidate c, and a RequestVote (not a PreVote)
// that c sends in term t, having voted for itself.
//
// Why (issue 12 part 3, compaction.ts): a snapshot's save starts a new WAL segment whose base
// re-writes the hard state, and the older segments are dropped once the snapshot is durable. A
// base that lost its hard-state record (or wrote a malformed one) recovered term 0 and no vote
// after the next crash, and nothing judged it: the recovery check compares a restart with what
// the disk held, which was wrong already, and the node simply adopted the leader's term again.
//
// Exempt: a backup restore (the operator rewinds the disk on purpose; fencing.ts keeps that
// node from voting until it is caught up), which clears what the node promised. The disks of
// every run lose only writes that were not yet synced (src/sim/kernel/disk.ts: readCorruptP is 0
// in every configuration the harness builds), so a vote answered after its write was durable
// must survive.
//
// Cost: two array writes per RequestVote or granted vote sent (rare); per fault event one pass
// over the servers comparing object references. Read-only (sends, views): hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

export class VoteKeptCheck {
  /** Per server: the term of the last vote it cast that the wire saw (-1: none since boot or restore). */
  private readonly votedTerm: Float64Array;
  /** Per server: the candidate of that vote. */
  private readonly votedFor: Int32Array;
  /** Per server: the node object last seen (a new one: it restarted), and its restore count. */
  private readonly seen: (object | null)[];
  private readonly restoresSeen: Int32Array;

  constructor(private readonly n: number) {
    this.votedTerm = new Float64Array(n).fill(-1);
    this.votedFor = new Int32Array(n).fill(-1);
    this.seen = new Array<object | null>(n).fill(null);
    this.restoresSeen = new Int32Array(n);
  }

  /** onSend of a RequestVote (not a PreVote) by candidate `from` in `term`: it voted for itself. */
  askedVote(from: number, term: number): void {
    if (from < this.n && term >= this.votedTerm[from]) {
      this.votedTerm[from] = term;
      this.votedFor[from] = from;
    }
  }

  /** onSend of a granted RequestVote answer (not a PreVote) by `from` to `to` in `term`. */
  grantedVote(from: number, to: number, term: number): void {
    if (from < this.n && term >= this.votedTerm[from]) {
      this.votedTerm[from] = term;
      this.votedFor[from] = to;
    }
  }

  /** After a fault event (the only kind that restarts or restores a server); null: fine. */
  afterFault(w: AnyWorld): string | null {
    for (let i = 0; i < this.n; i++) {
      const node = w.nodes[i] as MetaServer | null;
      if (node === this.seen[i]) continue;
      this.seen[i] = node;
      if (w.restores[i] !== this.restoresSeen[i]) {
        // A backup restore: the node legitimately forgot votes cast since that backup.
        this.restoresSeen[i] = w.restores[i];
        this.votedTerm[i] = -1;
        continue;
      }
      if (node === null || this.votedTerm[i] < 0) continue;
      const t = this.votedTerm[i];
      const c = this.votedFor[i];
      const term = node.raft.term();
      if (term > t || (term === t && node.raft.votedFor() === c)) continue;
      return `vote-kept at node ${i}, t=${(w.now / 1000).toFixed(3)}ms: it restarted with term ${term} and vote ${node.raft.votedFor()}, but before the crash it had voted for ${c} in term ${t} (a vote is durable before it is answered: Figure 2)`;
    }
    return null;
  }
}
