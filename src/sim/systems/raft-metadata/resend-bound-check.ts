// resend-bound: the probe a leader sends after acting on a rejection re-sends no entry that the
// rejection's own conflict hint showed the follower already holds (issue 12 part 3: step-leader
// mutants of the backtracking arithmetic move the next probe lower — it still succeeds, one
// round trip later or at once, and only re-sends entries, so probe-bound, which counts
// rejections, never sees them).
//
// The hint (Raft paper §5.3, "the follower can include the term of the conflicting entry and the
// first index it stores for that term"; etcd's MsgAppResp RejectHint/LogTerm and
// findConflictByTerm) tells the leader where the logs can still agree. From a rejection of
// prevIndex r with hint (hintIndex, hintTerm), the lowest prevIndex the leader's next probe may
// have, L, is:
//   - hintTerm ≠ 0 (the follower holds r, with term hintTerm, and its run of that term starts at
//     hintIndex): the highest i ≤ r in [hintIndex, r] at which the leader's own log has term
//     hintTerm — by Log Matching (§5.3) the follower holds entries 1..i exactly as the leader
//     does, so a probe below i re-sends entries it has; hintIndex − 1 if there is none (the
//     follower's entries from hintIndex on conflict, nothing is known below).
//   - hintTerm = 0 (the follower's log ends at hintIndex): min(hintIndex, r − 1) — etcd's
//     MaybeDecrTo (next = min(rejected, hint + 1)). This half is ours-and-etcd's rather than the
//     paper's: the paper's plain rule (decrement by one) also stays at or above it.
// A snapshot chunk instead of an append is a probe at the leader's snapshot index: it is judged
// the same way (a leader that holds entries after L must send them, not a snapshot).
// A rejection's probe is the append or chunk the leader sends the follower in the step in which
// the rejection reached it (a stale rejection gets none: stale-answer-check.ts).
//
// Read-only (messages and the leader's log view), never draws or schedules: hash-neutral. Cost:
// a type test per answer; on a rejection, a walk down the leader's log over at most the
// follower's run of hintTerm.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = {
  readonly type: string;
  readonly term: number;
  readonly success?: boolean;
  readonly index?: number;
  readonly hintIndex?: number;
  readonly hintTerm?: number;
  readonly prevIndex?: number;
};

/** The view of a log the bound reads (Raft's RaftView). */
export interface LogView {
  lastIndex(): number;
  snapshotIndex(): number;
  snapshotTerm(): number;
  entry(i: number): { readonly term: number } | undefined;
}

/** The lowest prevIndex the hint justifies (header); `l` is the leader's log. */
export function justifiedProbe(l: LogView, rejected: number, hintIndex: number, hintTerm: number): number {
  if (hintTerm === 0) return hintIndex < rejected - 1 ? hintIndex : rejected - 1;
  const snap = l.snapshotIndex();
  let i = rejected < l.lastIndex() ? rejected : l.lastIndex();
  for (; i >= hintIndex && i >= snap; i--) {
    const t = i === snap ? l.snapshotTerm() : (l.entry(i)?.term ?? -1);
    if (t === hintTerm) return i < rejected - 1 ? i : rejected - 1;
    if (t < hintTerm) break; // terms never decrease along a log: none of hintTerm lower down
  }
  return hintIndex - 1 < rejected - 1 ? hintIndex - 1 : rejected - 1;
}

export class ResendBoundCheck {
  /** Per leader * n + follower: the event in which a rejection reached the leader, and the
   * lowest prevIndex its hint allows the probe answering it. */
  private readonly rejIn: Float64Array;
  private readonly floor: Float64Array;
  private readonly rejected: Float64Array;
  /** The smallest prevIndex − L seen (tests and calibration; negative: a violation). */
  minMargin = Infinity;

  constructor(private readonly n: number) {
    this.rejIn = new Float64Array(n * n).fill(-1);
    this.floor = new Float64Array(n * n);
    this.rejected = new Float64Array(n * n);
  }

  /** The world's onDeliver of an answer from follower `from` to `to`. */
  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.type !== "appResp" || msg.success !== false || msg.index === 0 || from >= this.n || to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (raft.term() !== msg.term || raft.role() !== "leader") return;
    const k = to * this.n + from;
    this.rejIn[k] = w.sched.executed;
    this.rejected[k] = msg.index!;
    this.floor[k] = justifiedProbe(raft, msg.index!, msg.hintIndex!, msg.hintTerm!);
  }

  /** The world's onSend of an app or snap from `from` to `to`; a violation's text, or null. */
  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): string | null {
    const t = msg.type;
    if ((t !== "app" && t !== "snap") || from >= this.n || to >= this.n) return null;
    const k = from * this.n + to;
    if (this.rejIn[k] !== w.sched.executed) return null;
    this.rejIn[k] = -1; // one probe answers a rejection
    // A chunk stands for a probe just below the snapshot's index: the entries up to it are gone.
    const prev = t === "app" ? msg.prevIndex! : (msg.index! - 1);
    const margin = prev - this.floor[k];
    if (margin < this.minMargin) this.minMargin = margin;
    if (margin >= 0) return null;
    return `resend-bound at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: follower ${to} rejected index ${this.rejected[k]} with a hint that shows it holds the leader's entries up to ${this.floor[k]}, and the leader's next probe was ${t === "app" ? `an append from prevIndex ${prev}` : `a snapshot at ${prev + 1} instead of the entries after ${this.floor[k]}`}`;
  }
}
