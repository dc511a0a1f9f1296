// Two promptness rules of log replication, judged on the wire within the event that obliges
// the leader (issue 12 part 3: progress.ts mutants that hold a probe back until the next
// heartbeat answer cost a round trip each time — never a wrong answer, so nothing else saw them):
//
//   leader-announce: a node that becomes leader sends an AppendEntries to every other member of
//     its configuration in that same event (Figure 2, "Upon election: send initial empty
//     AppendEntries RPCs to each server"; here they carry the term's no-op entry).
//   probe-after-reject: a leader that hears a rejection it acts on (of its term, not stale — a
//     rejection of the index it is probing, or above the match it is replicating from) sends the
//     follower its next probe, an append or a snapshot chunk, in that same event (§5.3: "After
//     a rejection, the leader decrements nextIndex and retries the AppendEntries RPC").
//   pipeline-on-match: a leader that hears the success that ends probing a follower (its
//     progress was probing, the answer acknowledges more than the match) fills the pipeline at
//     once: in that step it sends the follower min(maxInflight, the batches of maxBatch entries
//     the follower still lacks) non-empty appends (etcd's becomeReplicate + sendAppend loop) —
//     not one at a time (a leader that never leaves probing sends one append per round trip).
//   Whether an answer is stale, or ends probing, depends on the leader's progress of the follower
//   just before it handles the answer, which is read then (a broken progress can only make the
//   check expect less); an event in which the leader stopped leading, or the follower's next
//   entries are compacted (a snapshot goes instead), owes nothing.
//
// Read-only (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";
import { leaderActsOnRejection } from "./rejection-rule.js";

type WireMsg = { readonly type: string; readonly term: number; readonly success?: boolean; readonly index?: number; readonly entries?: readonly unknown[]; readonly probe?: number };

export class PromptSendCheck {
  /** Per from * n + to: the number of the last event in which an append or snapshot chunk went
   * that way (compared with `event`, so nothing is cleared between events). */
  private readonly sentIn: Float64Array;
  /** Per from * n + to: non-empty appends sent in the event numbered in appendsIn. */
  private readonly appendCount: Int32Array;
  private readonly appendsIn: Float64Array;
  /** The current event's number. */
  private event = 1;
  /** The event of the last append or chunk sent (idle(): an event that sent none may share its
   * number with the next, as no send is stamped with it). */
  private sentEvent = 0;
  /** Probes owed in the current event (leader * n + follower): the first owedLen. */
  private readonly owed: number[] = [];
  private owedLen = 0;
  /** Pipelines owed in the current event: leader * n + follower, the term, how many appends
   * (the first fillsLen). Both lists are emptied by their counts, not `length = 0`, which drops
   * the backing store and reallocates it at the next push. */
  private readonly fills: number[] = [];
  private fillsLen = 0;
  /** Per node: the term in which it was last seen leading (-1: not leading). */
  private readonly ledTerm: Float64Array;

  constructor(private readonly n: number) {
    this.ledTerm = new Float64Array(n).fill(-1);
    this.sentIn = new Float64Array(n * n);
    this.appendCount = new Int32Array(n * n);
    this.appendsIn = new Float64Array(n * n);
  }

  private sent(k: number): boolean {
    return this.sentIn[k] === this.event;
  }

  onSend(from: number, to: number, msg: WireMsg): void {
    if ((msg.type === "app" || msg.type === "snap") && from < this.n && to < this.n) {
      const k = from * this.n + to;
      this.sentIn[k] = this.event;
      this.sentEvent = this.event;
      if (msg.type === "app" && msg.entries!.length > 0 && this.fillsLen > 0) {
        if (this.appendsIn[k] !== this.event) {
          this.appendsIn[k] = this.event;
          this.appendCount[k] = 0;
        }
        this.appendCount[k]++;
      }
    }
  }

  /** The world's onDeliver, before the leader handles the message. */
  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.type !== "appResp" || msg.index === 0 || from >= this.n || to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (raft.role() !== "leader" || raft.term() !== msg.term) return;
    const pr = raft.prs[from];
    if (pr === undefined) return;
    if (msg.success === true) {
      if (pr.replicate || msg.index! <= pr.match || msg.index! + 1 <= raft.snapshotIndex()) return;
      const batches = Math.ceil((raft.lastIndex() - msg.index!) / raft.opts.maxBatch);
      const want = Math.min(raft.opts.maxInflight, batches);
      if (want > 0) {
        const f = this.fills;
        f[this.fillsLen++] = to * this.n + from;
        f[this.fillsLen++] = msg.term;
        f[this.fillsLen++] = want;
      }
      return;
    }
    if (leaderActsOnRejection(pr, msg.index!, msg.probe!)) this.owed[this.owedLen++] = to * this.n + from;
  }

  /** afterEvent(w, touched) for the event of server `touched` (≥ 0), which does not lead
   * (`leads` false), would judge nothing and change nothing but the event number, which no send
   * of this event carries (a caller's gate: most events are of followers). */
  idle(touched: number, leads: boolean): boolean {
    return !leads && touched >= 0 && this.owedLen === 0 && this.fillsLen === 0 && this.sentEvent !== this.event && this.ledTerm[touched] === -1;
  }

  /** After every event: the obligations of the event, for the server it touched (World.touched:
   * a node, TOUCHED_NONE or TOUCHED_ALL). */
  afterEvent(w: AnyWorld, touched: number): string | null {
    let why: string | null = null;
    const owed = this.owed;
    for (let i = 0; i < this.owedLen; i++) {
      const k = owed[i];
      if (!this.sent(k)) {
        why = `probe-after-reject at node ${Math.floor(k / this.n)}, t=${(w.now / 1000).toFixed(3)}ms: follower ${k % this.n} rejected an append, and the leader sent it no new probe (append or snapshot chunk) in return`;
        break;
      }
    }
    for (let i = 0; why === null && i < this.fillsLen; i += 3) why = this.filled(w, this.fills[i], this.fills[i + 1], this.fills[i + 2]);
    if (why === null) {
      if (touched >= 0) why = this.announced(w, touched);
      else if (touched === TOUCHED_ALL) for (let i = 0; i < this.n && why === null; i++) why = this.announced(w, i);
    }
    this.owedLen = 0;
    this.fillsLen = 0;
    this.event++;
    return why;
  }

  private filled(w: AnyWorld, k: number, term: number, want: number): string | null {
    const id = Math.floor(k / this.n);
    const node = w.nodes[id] as MetaServer | null;
    if (node === null || node.raft.role() !== "leader" || node.raft.term() !== term) return null;
    const got = this.appendsIn[k] === this.event ? this.appendCount[k] : 0;
    if (got >= want) return null;
    return `pipeline-on-match at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: follower ${k % this.n} matched, ending probing, and lacks at least ${want} batches, but the leader sent it ${got} non-empty append(s) in that step (maxInflight ${node.raft.opts.maxInflight})`;
  }

  private announced(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null || node.raft.role() !== "leader") {
      this.ledTerm[id] = -1;
      return null;
    }
    const raft = node.raft;
    const term = raft.term();
    if (this.ledTerm[id] === term) return null;
    this.ledTerm[id] = term;
    for (const members of [raft.voters(), raft.learners()]) {
      for (const p of members) {
        if (p !== id && p < this.n && !this.sent(id * this.n + p)) {
          return `leader-announce at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: elected, but sent member ${p} no AppendEntries in the same step`;
        }
      }
    }
    return null;
  }
}
