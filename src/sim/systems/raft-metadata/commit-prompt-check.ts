// commit-prompt: a leader commits as soon as an acknowledgement gives it a quorum. In the step in
// which a leader of term T hears, in T, an unfenced success (an AppendEntries success or a
// finished snapshot) from a member of its configuration for an index above every unfenced
// success that member sent it in T before (so the leader's commit rule must look again), its
// commit index at the end of the step is at least every index N of term T that a quorum of its
// voters acknowledged: itself by its durable index, each other voter by the highest unfenced
// success it sent the leader in T since its last rejection (a rejection may say it lost entries:
// the leader may then forget what it acknowledged) and since it last joined the configuration.
//
// Source: Figure 2, Rules for Servers, Leaders: "If there exists an N such that N > commitIndex,
// a majority of matchIndex[i] >= N, and log[N].term == currentTerm: set commitIndex = N"; etcd
// stepLeader's MsgAppResp (`if r.maybeCommit()` on every acknowledgement that updates the
// follower's progress). The fenced flag and the durable self-count are ours (fencing.ts;
// state.ts matchOf). Counted on the wire, never above what a correct leader counts: the bounds
// are lower bounds of the leader's own (Progress.cmatch only rises to an unfenced success, and
// falls only on a rejection or with a new Progress).
//
// Why (issue 12 part 3): step-leader.ts's bookkeeping of cmatch (an older acknowledgement that
// lowers it, an acknowledgement that does not re-run the commit rule) delayed commits until some
// later answer; safety checks see nothing wrong in a late commit, and the liveness window only
// a commit that never comes.
//
// Judged only in steps where a correct leader runs its commit rule; a commit index that could
// move between answers (the leader's own write becoming durable, a configuration change that
// shrinks the quorum) is not judged until the next such step. Read-only, never draws or
// schedules: hash-neutral. Cost: per append/snapshot answer delivered to a leader, a few typed
// array reads and writes; the quorum count (a sort of at most n numbers in a preallocated
// array) only in the steps that pass the test above and end with the commit index below the
// acknowledged index (not the step that completes a quorum in the usual case).
import { RoleCode } from "../../../impl/raft/api.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

type WireAnswer = { readonly type: string; readonly term: number; readonly index: number; readonly success?: boolean; readonly next?: number; readonly fenced?: boolean };

export class CommitPromptCheck {
  /** Per node: 1 while it leads (from role notes). */
  private readonly leading: Uint8Array;
  /** Per leader * n + member: the term the two numbers below are of (-1: none). */
  private readonly term: Float64Array;
  /** The highest unfenced success index the member sent the leader in that term (an upper bound
   * of the leader's cmatch of it). */
  private readonly hi: Float64Array;
  /** The same since the member's last rejection (a lower bound of cmatch, while `pr` holds). */
  private readonly lo: Float64Array;
  /** The leader's Progress object of the member when `lo` was last raised: a new one (the member
   * left and rejoined the configuration) starts at 0. */
  private readonly pr: unknown[];
  /** The leader whose commit rule this event must have run (-1: none). */
  private due = -1;
  private dueTerm = 0;
  /** The index that acknowledgement acknowledged. */
  private dueIndex = 0;
  /** The due leader's voters as the answer reached it: the configuration its commit rule used
   * (a promotion later in the same step adds a voter, whose acknowledgement the rule did not
   * count: swarm seed 62, a learner promoted by the answer that also raised its match). */
  private dueCfg: { readonly ids: readonly number[]; readonly quorum: number } | null = null;
  private readonly scratch: Float64Array;

  constructor(private readonly n: number) {
    this.leading = new Uint8Array(n);
    this.term = new Float64Array(n * n).fill(-1);
    this.hi = new Float64Array(n * n);
    this.lo = new Float64Array(n * n);
    this.pr = new Array<unknown>(n * n).fill(null);
    this.scratch = new Float64Array(n);
  }

  /** onNote, a role note: whether `id` leads from now on. */
  roleNoted(id: number, code: number): void {
    if (id < this.n) this.leading[id] = code === RoleCode.leader ? 1 : 0;
  }

  /** onDeliver of an append or snapshot answer from `from` to `to`, before `to` handles it. */
  answerDelivered(w: AnyWorld, from: number, to: number, msg: WireAnswer): void {
    if (to >= this.n || from >= this.n || this.leading[to] === 0) return;
    const success = msg.type === "appResp" ? msg.success === true : msg.next! < 0;
    if (!success && (msg.type !== "appResp" || msg.index === 0)) return; // a chunk request, or a bare stale-term refusal
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (msg.term !== raft.term()) return; // another term's answer: the term rule handles it, not the commit rule
    const k = to * this.n + from;
    if (this.term[k] !== msg.term) {
      this.term[k] = msg.term;
      this.hi[k] = 0;
      this.lo[k] = 0;
      this.pr[k] = null;
    }
    if (!success) {
      this.lo[k] = 0;
      return;
    }
    if (msg.fenced === true) return;
    const p = raft.prs[from];
    if (p === undefined) return; // not a member: the leader ignores it
    if (this.pr[k] !== p) {
      this.pr[k] = p;
      this.lo[k] = 0;
    }
    if (msg.index > this.lo[k]) this.lo[k] = msg.index;
    if (msg.index <= this.hi[k]) return;
    this.hi[k] = msg.index;
    // Above every unfenced success before: above the leader's cmatch, so it runs maybeCommit.
    this.due = to;
    this.dueTerm = msg.term;
    this.dueIndex = msg.index;
    this.dueCfg = raft.cfg;
  }

  /** Whether afterEvent has anything to judge (small enough to be inlined at the call). */
  pending(): boolean {
    return this.due >= 0;
  }

  afterEvent(w: AnyWorld, touched: number): string | null {
    if (this.due < 0) return null;
    const id = this.due;
    this.due = -1;
    if (touched === TOUCHED_ALL) {
      // A fault may crash, rebuild or restore any node: start afresh (a crashed node leads no more).
      for (let i = 0; i < this.n; i++) if (w.nodes[i] === null) this.leading[i] = 0;
      return null;
    }
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const raft = node.raft;
    const term = this.dueTerm;
    // Judged only where the acknowledgement itself is above the commit index: in the usual step
    // the answer that completes a quorum moves the commit index to its own index, and nothing
    // needs counting (a quorum above the commit index that does not include this member's new
    // bound was there before this step, and is judged with the next answer of one of its members).
    const c = raft.commitIndex();
    if (c >= this.dueIndex || raft.role() !== "leader" || raft.term() !== term) return null;
    const ids = this.dueCfg!.ids;
    const quorum = this.dueCfg!.quorum;
    if (quorum > ids.length || quorum < 1) return null;
    // The quorum-th highest of the voters' bounds (insertion sort, descending, no allocation).
    const s = this.scratch;
    let m = 0;
    for (const v of ids) {
      let x = 0;
      if (v === id) x = raft.durable;
      else if (v < this.n) {
        const k = id * this.n + v;
        if (this.term[k] === term && this.pr[k] === raft.prs[v]) x = this.lo[k];
      }
      let j = m++;
      while (j > 0 && s[j - 1] < x) {
        s[j] = s[j - 1];
        j--;
      }
      s[j] = x;
    }
    const q = s[quorum - 1];
    if (q <= c || raft.log.termAt(q) !== term) return null;
    return `commit-prompt at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: a quorum of its voters (${quorum} of ${ids.length}, itself by its durable index) acknowledged ${q}, an entry of its term, without the fenced flag, yet after the acknowledgement that completed it the leader's commit index is ${c} (Figure 2: commitIndex = N once a majority's matchIndex >= N)`;
  }
}
