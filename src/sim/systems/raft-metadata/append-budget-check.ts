// append-budget: a leader spends no AppendEntries that tell a follower nothing (issue 12 part 3:
// step-leader.ts and replication.ts mutants that re-send a pipeline's entries or send empty
// appends cost only messages — never a wrong log, never a missed deadline — so no other check saw
// them). Judged on the wire per leader, follower and term, in three rules:
//
//   (a) one empty append per step: in one step (one event) the leader sends follower F at most
//       one empty append — a second repeats the first (ours: the pipeline loop stops when nothing
//       is left, step-leader.ts; etcd's maybeSendAppend(sendIfEmpty=false) likewise). One empty
//       append after entries in the same step is allowed: a leadership transfer nudges its
//       target that way (etcd too).
//   (b) no empty append to a follower that holds what it would check: an empty AppendEntries
//       whose prevIndex F already acknowledged in this term and whose commit index
//       (min(commit, prevIndex), what F may take from it) F was already sent in an append is
//       redundant — except in the step of F's rejection or snapshot answer, where it is the probe
//       that finds F's log (ours; Figure 2 sends empty AppendEntries only as heartbeats, and
//       heartbeats here are their own message, which heartbeat-check judges).
//   (c) no entry sent twice while replicating: once F acknowledged the end of a probing episode,
//       the leader sends F each entry once — an append that starts below the end of an earlier
//       one (prevIndex < the highest index already sent to F) re-sends entries in flight, which
//       only a rejection, a heartbeat answer (a probe re-sent after a loss) or a snapshot answer
//       from F, or the acknowledgement that ends probing (replicate starts again from match + 1),
//       justify (etcd's StateReplicate: optimistic next, rewound only by MaybeDecrTo; ours:
//       step-leader.ts moves next only forward on an acknowledgement).
// The budget is ours in its details (one empty append per step, probes answered at once), not
// in its spirit: a Raft that re-sends in-flight entries on every acknowledgement still works, and
// pays for it in messages.
//
// Read-only (messages), never draws or schedules: hash-neutral. Cost: typed-array reads per
// append and per answer, no allocation.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { PairEpochs, PAIR_NEW, PAIR_SAME } from "./pair-epoch.js";

type WireMsg = {
  readonly type: string;
  readonly term: number;
  readonly success?: boolean;
  readonly index?: number;
  readonly next?: number;
  readonly prevIndex?: number;
  readonly commit?: number;
  readonly entries?: readonly unknown[];
};

export class AppendBudgetCheck {
  /** Per leader * n + follower: the epoch the pair's state is of (pair-epoch.ts). */
  private readonly epochs: PairEpochs;
  /** The highest index F acknowledged in the term. */
  private readonly acked: Float64Array;
  /** The highest commit index an append told F (min(commit, its last index)). */
  private readonly told: Float64Array;
  /** The highest index sent to F since the last restart of replication (rule c). */
  private readonly sentHigh: Float64Array;
  /** The event of F's last rejection or snapshot answer, of its last heartbeat answer or
   * probe-ending acknowledgement, of the last append and of the last empty append sent to F. */
  private readonly probeIn: Float64Array;
  private readonly resendIn: Float64Array;
  private readonly appIn: Float64Array;
  private readonly emptyIn: Float64Array;
  /** The event of an acknowledgement that reached the leader while it was probing F. */
  private readonly endIn: Float64Array;
  /** A rejection or a finished snapshot since F's last acknowledgement: the next one ends probing. */
  private readonly probing: Uint8Array;

  constructor(private readonly n: number) {
    this.epochs = new PairEpochs(n * n);
    this.acked = new Float64Array(n * n);
    this.told = new Float64Array(n * n);
    this.sentHigh = new Float64Array(n * n);
    this.probeIn = new Float64Array(n * n).fill(-1);
    this.resendIn = new Float64Array(n * n).fill(-1);
    this.appIn = new Float64Array(n * n).fill(-1);
    this.emptyIn = new Float64Array(n * n).fill(-1);
    this.endIn = new Float64Array(n * n).fill(-1);
    this.probing = new Uint8Array(n * n);
  }

  /** The pair's state for `term`, started afresh when the term moved on, when F restarted or
   * was restored (its log may have lost entries), or when the leader's view of F is a new one
   * (F removed from the configuration and added back: a new Progress, ours: confchange.ts). */
  private pair(w: AnyWorld, leader: number, f: number, k: number, term: number): boolean {
    const e = this.epochs.enter(w, leader, f, k, term);
    if (e !== PAIR_NEW) return e === PAIR_SAME;
    this.acked[k] = 0;
    this.told[k] = 0;
    this.sentHigh[k] = 0;
    this.probeIn[k] = -1;
    this.resendIn[k] = -1;
    this.appIn[k] = -1;
    this.emptyIn[k] = -1;
    this.endIn[k] = -1;
    this.probing[k] = 1; // a new leader probes first
    return true;
  }

  /** The world's onDeliver of an appResp, hbResp or snapResp from `from` to `to`. */
  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    const t = msg.type;
    if ((t !== "appResp" && t !== "snapResp" && t !== "hbResp") || from >= this.n || to >= this.n) return;
    if (t === "hbResp") {
      // The most frequent answer, and it only marks its step: no reads of the leader (an answer
      // of another term than the pair's marks nothing the pair will look at).
      const h = to * this.n + from;
      if (this.epochs.term[h] === msg.term) this.resendIn[h] = w.sched.executed;
      return;
    }
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (raft.term() !== msg.term || raft.role() !== "leader") return;
    const k = to * this.n + from;
    if (!this.pair(w, to, from, k, msg.term)) return;
    const event = w.sched.executed;
    if (t === "snapResp") {
      this.probeIn[k] = event;
      this.resendIn[k] = event;
      if (msg.next! < 0) {
        if (msg.index! > this.acked[k]) this.acked[k] = msg.index!;
        this.probing[k] = 1;
      }
    } else if (msg.success === true) {
      if (msg.index! > this.acked[k]) this.acked[k] = msg.index!;
      // While probing, an acknowledgement may end it (replicate restarts from match + 1): its
      // step may re-send; probing ends with the first such step that sends F anything (a late
      // or duplicate acknowledgement, which the leader ignores, sends nothing).
      if (this.probing[k] === 1) this.endIn[k] = event;
    } else if (msg.index !== 0) {
      // A rejection at or below an acknowledged index: stale, or F lost entries (a corrupted
      // disk); either way what F holds is known no higher than below it.
      if (msg.index! <= this.acked[k]) this.acked[k] = msg.index! - 1;
      this.probeIn[k] = event;
      this.resendIn[k] = event;
      this.probing[k] = 1;
    }
  }

  /** The world's onSend of an app from `from` (the leader) to `to`; a violation's text, or null. */
  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): string | null {
    if (msg.type !== "app" || from >= this.n || to >= this.n) return null;
    const k = from * this.n + to;
    if (!this.pair(w, from, to, k, msg.term)) return null;
    const event = w.sched.executed;
    const prev = msg.prevIndex!;
    const count = msg.entries!.length;
    const end = prev + count;
    const carries = msg.commit! < end ? msg.commit! : end;
    const ending = this.endIn[k] === event;
    let why = 0;
    if (count === 0) {
      if (this.emptyIn[k] === event) why = 1;
      else if (prev <= this.acked[k] && carries <= this.told[k] && this.probeIn[k] !== event) why = 2;
    } else if (prev < this.sentHigh[k] && this.resendIn[k] !== event && this.probeIn[k] !== event && !ending) {
      why = 3;
    }
    if (why !== 0) return this.violation(w, from, to, msg, why, k);
    if (ending) this.probing[k] = 0;
    const first = this.appIn[k] !== event;
    this.appIn[k] = event;
    if (count === 0) this.emptyIn[k] = event;
    if (carries > this.told[k]) this.told[k] = carries;
    // A step that may restart replication lowers the mark to what its first append sends (an
    // empty one sends no entry).
    if (count > 0 && (end > this.sentHigh[k] || (first && (this.resendIn[k] === event || this.probeIn[k] === event || ending)))) this.sentHigh[k] = end;
    return null;
  }

  private violation(w: AnyWorld, from: number, to: number, msg: WireMsg, why: number, k: number): string {
    const head = `append-budget at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: the leader sent follower ${to}`;
    if (why === 1) return `${head} a second empty append (prevIndex ${msg.prevIndex!}) in the same step`;
    if (why === 2) return `${head} an empty append from prevIndex ${msg.prevIndex!}, which it had acknowledged (up to ${this.acked[k]}), with commit ${msg.commit!} it had already been sent (${this.told[k]})`;
    return `${head} entries ${msg.prevIndex! + 1}..${msg.prevIndex! + msg.entries!.length} again (entries up to ${this.sentHigh[k]} already sent) in a step with no rejection, heartbeat or snapshot answer from it and no end of probing`;
  }
}
