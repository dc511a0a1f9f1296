// How a follower answers the leader's AppendEntries and heartbeats, judged against its own log
// right after it handled one (the delivery's event):
//
// - `append-reject`: a rejection is genuine and its conflict hint says what the log holds
//   (Figure 2, AppendEntries receiver rule 2: reject only if the log has no entry at prevIndex
//   whose term is prevTerm; §5.3: "the follower can include the term of the conflicting entry and
//   the first index it stores for that term"). The hint: term 0 and the last index when the log
//   ends before prevIndex; else the term of the entry at prevIndex and the first index of that
//   term's run, not below commit + 1 (ours: entries up to the commit index are the leader's, so
//   the run is cut there; messages.ts documents the bound).
// - `append-ack-index`: an acceptance answered in the same step names the last entry the append
//   carried, prevIndex + entries (etcd's MsgAppResp Index = lastnewi; an answer deferred until
//   the entries are durable is sent later and judged by the durability checks instead).
// - `follower-commit`: after an accepted append, the commit index is at least min(leaderCommit,
//   index of the last new entry) (Figure 2, AppendEntries receiver rule 5); after a heartbeat of
//   its term, at least min(the heartbeat's commit, its last index) (etcd's handleHeartbeat, whose
//   leader sends min(its commit, the follower's match) as ours does). Except on a server fenced
//   after a restore (ours, step-follower.ts: it learns its commit only from appends).
//
// Why (issue 12 part 3): step-follower.ts's hint walk, its "log ends here" test and its
// heartbeat commit could change without a wrong answer — the leader's probe bound and liveness
// tolerate a worse hint, and a follower that learns its commit only from appends still serves.
//
// Cost: on every append and heartbeat delivered, a reference kept; after that event, one array
// read against the commit index its notes gave (view reads only when it is below the message's
// commit); a rejection (rare) reads at most four entries. Read-only (deliveries, sends,
// views): never draws or schedules, hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { NodeStatus } from "../../kernel/world.js";

type Entry = { readonly index: number; readonly term: number };
type Delivered = { readonly type: string; readonly term: number; readonly commit: number; readonly prevIndex?: number; readonly prevTerm?: number; readonly entries?: readonly Entry[] };
type Answer = { readonly type: string; readonly term: number; readonly success: boolean; readonly index: number; readonly hintIndex: number; readonly hintTerm: number };

/** The view of a server the checks read. */
export interface FollowerLog {
  term(): number;
  role(): string;
  commitIndex(): number;
  lastIndex(): number;
  snapshotIndex(): number;
  snapshotTerm(): number;
  fenced(): boolean;
  entry(i: number): { readonly term: number } | undefined;
}

/** The term of the entry at i in `log` (the snapshot's at its index; -1: not held). */
function termAt(log: FollowerLog, i: number): number {
  if (i === 0) return 0;
  const s = log.snapshotIndex();
  if (i === s) return log.snapshotTerm();
  if (i < s) return -1;
  const e = log.entry(i);
  return e === undefined ? -1 : e.term;
}

/** What is wrong with a rejection `a` of an append (prevIndex, prevTerm) by `log`; null: fine. */
export function rejectionFault(log: FollowerLog, prevIndex: number, prevTerm: number, a: Answer): string | null {
  const last = log.lastIndex();
  const commit = log.commitIndex();
  if (a.index !== prevIndex) return `it rejected index ${a.index} of an append from prevIndex ${prevIndex}`;
  if (prevIndex > last) {
    if (a.hintTerm !== 0 || a.hintIndex !== last) return `its log ends at ${last}, before prevIndex ${prevIndex}, but the hint is (index ${a.hintIndex}, term ${a.hintTerm}) instead of (${last}, 0)`;
    return null;
  }
  const t = termAt(log, prevIndex);
  if (t === prevTerm) return `it holds the entry at prevIndex ${prevIndex} with prevTerm ${prevTerm}`;
  if (a.hintTerm !== t) return `its entry at prevIndex ${prevIndex} has term ${t}, but the hint's term is ${a.hintTerm}`;
  if (a.hintIndex > prevIndex || termAt(log, a.hintIndex) !== t) return `the hint's index ${a.hintIndex} is not an entry of term ${t} at or below prevIndex ${prevIndex}`;
  // A mismatch at or below the commit index is the leader's fault (Leader Completeness), and
  // the walk does not run: the hint is prevIndex itself.
  if (prevIndex > commit) {
    if (a.hintIndex <= commit) return `the hint's index ${a.hintIndex} is at or below its commit index ${commit}`;
    if (a.hintIndex - 1 > commit && termAt(log, a.hintIndex - 1) === t) return `the hint's index ${a.hintIndex} is not the first entry of term ${t} above its commit index ${commit} (${a.hintIndex - 1} has that term too)`;
  }
  return null;
}

export class AppendAnswerCheck {
  // The append or heartbeat delivered in the current event (to = -1: none): the message itself,
  // read only when an answer or the commit index needs it (most events need neither).
  private to = -1;
  private from = -1;
  private msg: Delivered | null = null;
  private pending: string | null = null;
  /** Per server: its commit index, from its commit notes (a fault resyncs it from the views), so
   * that the common case — the commit index already covers the message's — reads no view. */
  private readonly commitOf: Float64Array;

  constructor(n: number) {
    this.commitOf = new Float64Array(n);
  }

  /** The world's onNote of a commit at index `commit` by server `id`. */
  committed(id: number, commit: number): void {
    if (id < this.commitOf.length) this.commitOf[id] = commit;
  }

  /** After a fault (World.touched = TOUCHED_ALL): a restart or restore may have moved any
   * server's commit index without a note. */
  resync(w: AnyWorld): void {
    for (let i = 0; i < this.commitOf.length; i++) {
      const node = w.nodes[i] as MetaServer | null;
      this.commitOf[i] = node === null ? 0 : node.raft.commitIndex();
    }
  }

  /** onDeliver of an append or a heartbeat. */
  delivered(from: number, to: number, m: Delivered): void {
    this.to = to;
    this.from = from;
    this.msg = m;
  }

  /** The last index an append carries, and that entry's term (prevTerm when it carries none). */
  private static lastNew(m: Delivered): number {
    return m.prevIndex! + m.entries!.length;
  }

  private static lastTerm(m: Delivered): number {
    const n = m.entries!.length;
    return n > 0 ? m.entries![n - 1].term : m.prevTerm!;
  }

  /** onSend of an appResp: judged only as the answer to the append delivered in this event. */
  sentAnswer(w: AnyWorld, from: number, to: number, a: Answer): void {
    const m = this.msg;
    if (from !== this.to || to !== this.from || m === null || m.type !== "app" || this.pending !== null) return;
    const node = w.nodes[from] as MetaServer | null;
    if (node === null) return;
    const log = node.raft as FollowerLog;
    if (a.term !== m.term || log.term() !== m.term) return; // a stale append's answer
    // The message head is built only on failure (this runs for every answer to an append).
    if (!a.success) {
      const why = rejectionFault(log, m.prevIndex!, m.prevTerm!, a);
      if (why !== null) this.pending = `append-reject ${at(from, w.now, m.term)}: ${why}`;
    } else if (a.index !== AppendAnswerCheck.lastNew(m)) {
      this.pending = `append-ack-index ${at(from, w.now, m.term)}: it accepted an append of the entries ${m.prevIndex! + 1}..${AppendAnswerCheck.lastNew(m)} and answered index ${a.index}`;
    }
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.to < 0 && this.msg === null && this.pending === null;
  }

  /** After the event (World.touched); null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    const v = this.pending;
    this.pending = null;
    const id = this.to;
    const m = this.msg;
    this.to = -1;
    this.msg = null;
    if (v !== null || id < 0 || touched !== id || m === null || this.commitOf[id] >= m.commit) return v;
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const log = node.raft as FollowerLog;
    // The common case first, in one view read: the commit index already covers what the message
    // carried (the bound below is at most this one, as lastNew and the last index bound it).
    const c = log.commitIndex();
    if (c >= m.commit) return null;
    if (w.status[id] !== NodeStatus.up || log.term() !== m.term) return null; // stale: ignored (or answered stale-term)
    if (log.role() !== "follower") return null; // learners are followers too
    const isAppend = m.type === "app";
    let want: number;
    if (isAppend) {
      const lastNew = AppendAnswerCheck.lastNew(m);
      want = m.commit < lastNew ? m.commit : lastNew;
      if (c >= want) return null;
      // Accepted: the log holds the append's last entry (Log Matching: then it holds them all).
      if (lastNew > log.snapshotIndex() && termAt(log, lastNew) !== AppendAnswerCheck.lastTerm(m)) return null;
    } else {
      if (log.fenced()) return null;
      const last = log.lastIndex();
      want = m.commit < last ? m.commit : last;
      if (c >= want) return null;
    }
    const what = isAppend ? `an accepted append with leaderCommit ${m.commit} and last new entry ${AppendAnswerCheck.lastNew(m)}` : `a heartbeat with commit ${m.commit}, its log ending at ${log.lastIndex()}`;
    return `follower-commit at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${m.term}: after ${what} from ${this.from}, its commit index is ${c}, below ${want}`;
  }
}

function at(id: number, nowUs: number, term: number): string {
  return `at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms, term ${term}`;
}
