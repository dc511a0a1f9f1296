// Online Raft invariants (Figure 3 of the Raft paper, plus durability and apply rules),
// checked after every simulator event. Each check is O(nodes) per event, or O(new entries):
// full-log comparisons run only when something changed (a commit advance, a new leader).
//
// Compaction-aware: entries below a node's firstIndex are covered by its snapshot (which counts
// as holding them: the snapshot's last included term is checked against the committed log);
// committed entries are recorded as nodes reveal them, and a node compacts only from a later
// tick, so every committed entry is seen before any node drops it.
//
// Fencing-aware: a node restored from a backup (view.fenced()) neither votes nor counts toward
// commitment until caught up (raft.ts, "Fencing"). The durability check then asks for what
// safety needs: with k nodes fenced, every election quorum of the n-k others must meet a
// durable holder, i.e. max(1, n-k-q+1) unfenced holders (q with none fenced, as before).
//
// Configuration-aware (membership changes): quorums are those of the relevant configuration,
// read from the node's view — a new leader's grants must come from a quorum of the voters of
// its configuration (the latest in its log, the one it counted votes in), and a leader's
// committed prefix must be durable on a quorum of the voters of the configuration it commits
// in (its latest; a leader that removed itself does not count itself). n, q and k above are
// then that configuration's size, quorum and fenced voters.
import type { RaftView } from "../../impl/raft/api.js";

export interface Violation {
  readonly invariant:
    | "election-safety"
    | "leader-append-only"
    | "log-matching"
    | "leader-completeness"
    | "state-machine-safety"
    | "applied-monotonic"
    | "commit-durable"
    | "vote-once"
    | "election-legitimacy"
    | "log-terms-monotonic"
    | "ack-retained"
    | "commit-within-log";
  readonly node: number;
  readonly detail: string;
}

interface CommittedEntry {
  readonly term: number;
  readonly data: unknown;
  /** An upper bound on the term in which it was committed: the lowest current term of any node
   * that reported it committed (a node learns commits only from leaders of its term or older). */
  commitTermBound: number;
  /** Which node first revealed it as committed, and when (for violation reports). */
  readonly by: number;
  readonly at: number;
}

/** Per-node memory across the node's incarnations (a restart makes a new RaftView). */
interface NodeMemory {
  view: RaftView<unknown> | null;
  /** Last seen applied index in this incarnation. */
  applied: number;
  /** Commit index already checked against the committed log, this incarnation. */
  checkedCommit: number;
  /** Leader term being tracked for append-only, and the tail entry seen then. */
  leaderTerm: number;
  leaderTailIndex: number;
  leaderTail: unknown;
  /** Last durable index seen; kept while the node is down (its disk keeps it). */
  durable: number;
  /** While the node is down: its last view, frozen (what its disk holds up to `durable`). */
  downView: RaftView<unknown> | null;
  /** Last fenced state seen; kept while the node is down (its marker stays on disk). */
  fenced: boolean;
  /** Highest index this node acknowledged (append success, snapshot done) in term ackTerm. */
  ackTerm: number;
  ackIndex: number;
}

/** Votes are keyed by (term, voter); N is far below this. */
const VOTER_SLOTS = 1024;

export class InvariantChecker {
  private readonly leaderOfTerm = new Map<number, number>();
  /** The committed log as the cluster has revealed it: index -> entry. Index 0 unused. */
  private readonly committed: (CommittedEntry | undefined)[] = [undefined];
  private committedMax = 0;
  private readonly nodes: NodeMemory[];
  private readonly allNodes: readonly number[];
  private now = 0;
  /** Granted votes seen on the wire: (term, voter) -> candidate. */
  private readonly votes = new Map<number, number>();
  private pending: Violation | null = null;

  constructor(nodeCount: number) {
    this.nodes = [];
    for (let i = 0; i < nodeCount; i++) {
      this.nodes.push({ view: null, applied: 0, checkedCommit: 0, leaderTerm: -1, leaderTailIndex: 0, leaderTail: undefined, durable: 0, downView: null, fenced: false, ackTerm: -1, ackIndex: 0 });
    }
    this.allNodes = this.nodes.map((_, i) => i);
  }

  /** A node (re)started with a fresh view, or crashed (view null). */
  setView(node: number, view: RaftView<unknown> | null): void {
    const m = this.nodes[node];
    if (m.view !== null) {
      m.durable = m.view.durableIndex();
      m.fenced = m.view.fenced();
    }
    m.downView = view === null ? m.view : null;
    m.view = view;
    m.applied = 0;
    m.checkedCommit = 0;
    m.leaderTerm = -1;
  }

  /** A vote grant seen on the wire (not a PreVote): each voter grants at most one candidate
   * per term, across restarts too (Raft §5.2; the vote must survive a crash). */
  recordVote(voter: number, term: number, candidate: number): void {
    const key = term * VOTER_SLOTS + voter;
    const prior = this.votes.get(key);
    if (prior === undefined) this.votes.set(key, candidate);
    else if (prior !== candidate && this.pending === null) {
      this.pending = { invariant: "vote-once", node: voter, detail: `node ${voter} granted its term-${term} vote to both ${prior} and ${candidate}` };
    }
  }

  /** An acknowledgement seen on the wire: `node` told the leader of `term` that its log
   * matches the leader's up to `index` (sent only once durable). While the node stays in that
   * term it never holds less: within a term only that leader's entries arrive, and they never
   * conflict with what matched (a snapshot at or below index has the matching last entry, §7),
   * and a crash keeps durable entries. */
  recordAck(node: number, term: number, index: number): void {
    const m = this.nodes[node];
    if (term > m.ackTerm) {
      m.ackTerm = term;
      m.ackIndex = index;
    } else if (term === m.ackTerm && index > m.ackIndex) {
      m.ackIndex = index;
    }
  }

  /** The node's durable state was replaced from a backup (snapshot-restore): it legitimately
   * forgot its acknowledgements (and is fenced for it). */
  forgetAcks(node: number): void {
    const m = this.nodes[node];
    m.ackTerm = -1;
    m.ackIndex = 0;
  }

  /** Terms never decrease along a log: every entry was appended by the leader of its term,
   * whose log held only entries of that term or older (a consequence of Log Matching). Scans
   * each live node's uncommitted tail — where a bad append lands — so it stays cheap. */
  checkLogTerms(dirty?: Uint8Array): Violation | null {
    for (let id = 0; id < this.nodes.length; id++) {
      // dirty (optional): the nodes whose logs may have changed since they were last scanned
      // (the caller's to mark); a log scanned clean and unchanged since is clean still.
      if (dirty !== undefined) {
        if (dirty[id] === 0) continue;
        dirty[id] = 0;
      }
      const v = this.nodes[id].view;
      if (v === null) continue;
      const lo = Math.max(v.firstIndex(), v.commitIndex(), 1);
      let next = v.entry(v.lastIndex());
      for (let i = v.lastIndex() - 1; i >= lo && next !== undefined; i--) {
        const e = v.entry(i);
        if (e === undefined) break;
        if (e.term > next.term) {
          return { invariant: "log-terms-monotonic", node: v.id, detail: `entry ${i} has term ${e.term} but entry ${i + 1} has term ${next.term}` };
        }
        next = e;
      }
    }
    return null;
  }

  /** A violation seen on the wire (a second vote in a term), not yet reported; null if none. */
  pendingViolation(): Violation | null {
    return this.pending;
  }

  /** Checks every live node, or only `only` (the one node an event could change: the others'
   * state, and so their checks, are as they were after the previous event); returns the first
   * violation found, or null. */
  check(now = 0, only = -1): Violation | null {
    this.now = now;
    if (this.pending !== null) return this.pending;
    if (only >= 0) {
      const m = this.nodes[only];
      return m.view === null ? null : this.checkNode(only, m, m.view);
    }
    for (let id = 0; id < this.nodes.length; id++) {
      const m = this.nodes[id];
      const v = m.view;
      if (v === null) continue;
      const bad = this.checkNode(id, m, v);
      if (bad !== null) return bad;
    }
    return null;
  }

  /** The committed log revealed so far (for the end-of-run acknowledged-write check). */
  committedEntry(index: number): CommittedEntry | undefined {
    return this.committed[index];
  }

  committedIndex(): number {
    return this.committedMax;
  }

  /** Log Matching over every pair of live nodes: if two logs hold an entry with the same index
   * and term, they agree on every entry up to it. O(nodes² · log); call at quiet points. */
  checkLogMatching(): Violation | null {
    const live = this.nodes.map((m) => m.view).filter((v): v is RaftView<unknown> => v !== null);
    for (let a = 0; a < live.length; a++) {
      for (let b = a + 1; b < live.length; b++) {
        const x = live[a];
        const y = live[b];
        const hi = Math.min(x.lastIndex(), y.lastIndex());
        const lo = Math.max(x.firstIndex(), y.firstIndex());
        let matchAt = -1;
        for (let i = hi; i >= lo; i--) {
          if (x.entry(i)?.term === y.entry(i)?.term) {
            matchAt = i;
            break;
          }
        }
        for (let i = matchAt; i >= lo; i--) {
          const ex = x.entry(i);
          const ey = y.entry(i);
          if (ex === undefined || ey === undefined) break;
          if (ex.term !== ey.term || !sameData(ex.data, ey.data)) {
            return {
              invariant: "log-matching",
              node: x.id,
              detail: `nodes ${x.id} and ${y.id} agree at index ${matchAt} (term ${x.entry(matchAt)?.term}) but differ at index ${i}`,
            };
          }
        }
      }
    }
    return null;
  }

  private checkNode(id: number, m: NodeMemory, v: RaftView<unknown>): Violation | null {
    const term = v.term();
    const role = v.role();
    // Election Safety: at most one leader per term, ever.
    if (role === "leader") {
      // Already checked as this term's leader (m.leaderTerm): the map holds this node for the
      // term (a second leader of it finds this node there and fails), so the lookup is spared.
      const prior = m.leaderTerm === term ? id : this.leaderOfTerm.get(term);
      if (prior === undefined) {
        this.leaderOfTerm.set(term, id);
        const el = this.checkElection(id, term);
        if (el !== null) return el;
        const lc = this.checkLeaderCompleteness(id, v);
        if (lc !== null) return lc;
      } else if (prior !== id) {
        return { invariant: "election-safety", node: id, detail: `nodes ${prior} and ${id} are both leader of term ${term}` };
      }
      // Leader Append-Only: while leader of this term, the entry at the tail seen last is still there.
      if (m.leaderTerm === term) {
        // (A tail that a snapshot now covers was compacted, not rewritten.)
        if (v.lastIndex() < m.leaderTailIndex || (m.leaderTailIndex >= v.firstIndex() && v.entry(m.leaderTailIndex) !== m.leaderTail)) {
          return {
            invariant: "leader-append-only",
            node: id,
            detail: `leader of term ${term} lost or rewrote its entry at index ${m.leaderTailIndex}`,
          };
        }
      }
      m.leaderTerm = term;
      m.leaderTailIndex = v.lastIndex();
      m.leaderTail = v.entry(m.leaderTailIndex);
    } else {
      m.leaderTerm = -1;
    }

    // Applied index never decreases within an incarnation.
    const applied = v.appliedIndex();
    if (applied < m.applied) {
      return { invariant: "applied-monotonic", node: id, detail: `applied index went from ${m.applied} to ${applied}` };
    }
    m.applied = applied;

    // State Machine Safety: every entry a node considers committed matches the committed log.
    const commit = v.commitIndex();
    if (commit < m.checkedCommit) {
      // A commit index that goes back is how a node can later apply a different entry there.
      return { invariant: "state-machine-safety", node: id, detail: `commit index decreased from ${m.checkedCommit} to ${commit}` };
    }
    if (commit > m.checkedCommit) {
      // A node commits only what it holds: a follower takes min(leaderCommit, the index of its
      // last new entry) (Figure 2, AppendEntries step 5). A commit index past its log would let it
      // apply whatever later fills those indexes, committed or not.
      if (commit > v.lastIndex()) {
        return { invariant: "commit-within-log", node: id, detail: `commit index ${commit} is beyond its last log index ${v.lastIndex()}` };
      }
      for (let i = Math.max(m.checkedCommit + 1, v.firstIndex()); i <= commit; i++) {
        const e = v.entry(i);
        if (e === undefined) break;
        const known = this.committed[i];
        if (known === undefined) {
          this.committed[i] = { term: e.term, data: e.data, commitTermBound: term, by: id, at: this.now };
          if (i > this.committedMax) this.committedMax = i;
        } else if (known.term === e.term && sameData(known.data, e.data)) {
          if (term < known.commitTermBound) known.commitTermBound = term;
        } else {
          return {
            invariant: "state-machine-safety",
            node: id,
            detail: `index ${i} committed with term ${known.term} (first seen on node ${known.by} at ${ms(known.at)}) but term ${e.term} here`,
          };
        }
      }
      // The committed prefix is durable: a quorum holds it on disk.
      if (role === "leader") {
        const bad = this.checkDurable(id, commit);
        if (bad !== null) return bad;
      }
      m.checkedCommit = commit;
    }
    m.durable = v.durableIndex();
    m.fenced = v.fenced();
    if (m.ackTerm === term && v.lastIndex() < m.ackIndex) {
      return { invariant: "ack-retained", node: id, detail: `node ${id} acknowledged index ${m.ackIndex} in term ${term} but its log now ends at ${v.lastIndex()}` };
    }
    // A snapshot holds committed entries only: its last included entry is the committed one.
    const si = v.snapshotIndex();
    if (si > 0) {
      const known = this.committed[si];
      if (known !== undefined && known.term !== v.snapshotTerm()) {
        return { invariant: "state-machine-safety", node: id, detail: `snapshot at index ${si} has term ${v.snapshotTerm()} but the committed entry there has term ${known.term}` };
      }
    }
    return null;
  }

  /** A leader of term T was sent grants for term T by a quorum (itself included). Catches a
   * candidate that counts a stale or imagined vote even when no second leader results. */
  private checkElection(id: number, term: number): Violation | null {
    const voters = this.votersOf(id);
    const quorum = Math.floor(voters.length / 2) + 1;
    let granted = 0;
    for (const voter of voters) {
      if (voter === id || this.votes.get(term * VOTER_SLOTS + voter) === id) granted++;
    }
    if (granted >= quorum) return null;
    return {
      invariant: "election-legitimacy",
      node: id,
      detail: `node ${id} became leader of term ${term} with ${granted} vote(s) granted in that term from the voters [${voters.join(", ")}] of its configuration (quorum ${quorum})`,
    };
  }

  /** The voters of the configuration in effect on node id (all nodes when it has no view). */
  private votersOf(id: number): readonly number[] {
    const v = this.nodes[id].view;
    if (v !== null) return v.voters();
    return this.allNodes;
  }

  /** Leader Completeness (Raft §5.4): an entry committed in term T is in the log of every
   * leader of a term above T. A leader of a stale term may appear late (a paused candidate
   * that wakes up to its old votes) and lack later commits; it can never commit anything. */
  private checkLeaderCompleteness(id: number, v: RaftView<unknown>): Violation | null {
    const leaderTerm = v.term();
    for (let i = Math.max(1, v.firstIndex()); i <= this.committedMax; i++) {
      const known = this.committed[i];
      if (known === undefined || known.commitTermBound >= leaderTerm) continue;
      const e = v.entry(i);
      if (e === undefined || e.term !== known.term) {
        return {
          invariant: "leader-completeness",
          node: id,
          detail: `new leader of term ${v.term()} lacks committed index ${i} (term ${known.term}, first seen committed on node ${known.by} at ${ms(known.at)}); its entry there: ${e === undefined ? "none" : `term ${e.term}`}`,
        };
      }
    }
    return null;
  }

  /** The committed prefix must be durable on a quorum of the leader's configuration — the
   * latest in its log — or, while that one is uncommitted, of the configuration at the commit
   * index: a leader may commit under one and append the next in the same step (a caught-up
   * learner is promoted as soon as the change before it commits). */
  private checkDurable(leader: number, commit: number): Violation | null {
    const bad = this.checkDurableIn(leader, commit, this.votersOf(leader));
    if (bad === null) return null;
    const v = this.nodes[leader].view;
    if (v !== null && v.configIndex() > commit && this.checkDurableIn(leader, commit, v.votersAt(commit)) === null) return null;
    return bad;
  }

  private checkDurableIn(leader: number, commit: number, voters: readonly number[]): Violation | null {
    // A holder must hold the committed entry itself, (index, term), not just some entry at that
    // index: a stale entry of an older term would be overwritten, not recovered.
    const lv = this.nodes[leader].view;
    const committedTerm = lv === null ? undefined : termAt(lv, commit);
    let holders = 0;
    let fenced = 0;
    for (const id of voters) {
      const m = this.nodes[id];
      if (m.view !== null ? m.view.fenced() : m.fenced) {
        fenced++;
        continue;
      }
      const d = m.view !== null ? m.view.durableIndex() : m.durable;
      if (d < commit) continue;
      const t = committedTerm === undefined ? undefined : termAt(m.view ?? m.downView, commit);
      if (t === undefined || t === committedTerm) holders++;
    }
    const n = voters.length;
    const quorum = Math.floor(n / 2) + 1;
    const need = fenced === 0 ? quorum : Math.max(1, Math.min(quorum, n - fenced - quorum + 1));
    if (holders >= need) return null;
    return {
      invariant: "commit-durable",
      node: leader,
      detail: `leader committed index ${commit} but only ${holders} unfenced voter(s) of its configuration [${voters.join(", ")}] hold it durably (need ${need}: quorum ${quorum}, ${fenced} fenced)`,
    };
  }
}

/** The term of entry i in a node's log; undefined when unknown there (compacted below its
 * snapshot, or beyond its log): the index-only comparison then stands. */
function termAt(v: RaftView<unknown> | null, i: number): number | undefined {
  if (v === null) return undefined;
  if (i === v.snapshotIndex()) return v.snapshotTerm();
  if (i < v.firstIndex() || i > v.lastIndex()) return undefined;
  return v.entry(i)?.term;
}

/** Entries carry immutable command objects; the same command object travels everywhere, so
 * identity is the fast path and structural equality of plain data the fallback. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function ms(us: number): string {
  return `t=${(us / 1000).toFixed(3)}ms`;
}
