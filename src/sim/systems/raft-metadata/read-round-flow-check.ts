// read-round-flow (ours: the coalesced ReadIndex rounds of read-only.ts — "one read round in
// flight at a time: a read registered while one is out rides the next, which goes out once that
// one is confirmed or at the next heartbeat tick"). With coalesceHeartbeats, outside a heartbeat
// tick a leader sends a new read round (a heartbeat round with a new seq) only when
//   - a read was registered in that step and no round of its term was awaiting its quorum, or
//   - a heartbeat answer in that step confirmed the round in flight (a quorum of its voters,
//     itself included, acknowledged it) and a read waits for the new round.
// So no round goes out that no read needs, or while one is in flight (each costs a heartbeat to every follower; a read-heavy leader
// otherwise floods them). §6.4 asks only that the round follow the read; the one-in-flight
// schedule is this Raft's (etcd batches the same way through its ReadOnly queue).
//
// Judged where a round starts: the first heartbeat a leader sends with a new seq (onSend). Its
// context: a heartbeat answer delivered to it in this event (the confirming step), a heartbeat
// tick (its heartbeat deadline was just set to now + heartbeatUs on its Raft clock: a tick may
// send a wanted round whatever is in flight), or neither (a registration). Confirmation is the
// leader's recorded acknowledgements (Progress.ackedSeq, which step-leader.ts keeps — not
// read-only.ts's count, which this judges); a round is judged in flight only under the
// configuration it started in, and not the first of a term (a new leader has none out). Not in
// lease mode (a lease read's renewal round needs no read) nor with periodic heartbeats (a round
// per read). A read registered with no round in flight that gets none at once is left to
// read-round-due, which bounds its wait.
//
// Why (issue 12): read-only.ts's round flags (readRoundOut / readRoundWanted) and nextReadRound's
// confirmation test survived every check: a round too many, or a read left for the next tick,
// is still correct and at most a heartbeat interval late (read-round-due's bound is two).
//
// Read-only (views), never draws or schedules: hash-neutral. Work only at a heartbeat send (a
// comparison) and when a round starts (the quorum count); per event one store.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type Heartbeat = { readonly term: number; readonly seq: number };
type Read = { readonly seq: number };

export class ReadRoundFlowCheck {
  /** Per leader: the highest round seq it sent in term sentTerm. */
  private readonly sentSeq: Float64Array;
  private readonly sentTerm: Float64Array;
  /** Per leader: the configuration index when its last round started, NaN when that round
   * needed no quorum (a voter alone) or was the first seen in the term. */
  private readonly roundConf: Float64Array;
  /** The leader a heartbeat answer was delivered to in this event (-1: none). */
  private answeredTo = -1;
  private pending: string | null = null;

  constructor(private readonly n: number) {
    this.sentSeq = new Float64Array(n);
    this.sentTerm = new Float64Array(n).fill(-1);
    this.roundConf = new Float64Array(n).fill(NaN);
  }

  /** The delivery of a heartbeat answer to `to`. */
  answered(to: number): void {
    this.answeredTo = to;
  }

  /** onSend of a heartbeat by `from`. */
  sentHeartbeat(w: AnyWorld, from: number, msg: Heartbeat): void {
    if (from >= this.n) return;
    if (msg.term !== this.sentTerm[from]) {
      this.sentTerm[from] = msg.term;
      this.sentSeq[from] = msg.seq;
      this.roundConf[from] = NaN;
      return;
    }
    if (msg.seq <= this.sentSeq[from]) return;
    const prev = this.sentSeq[from];
    this.sentSeq[from] = msg.seq;
    const s = w.nodes[from] as MetaServer | null;
    if (s === null) return;
    const r = s.raft;
    const conf = this.roundConf[from];
    // A round sent for reads has them waiting on it (they are queued before its heartbeats
    // leave); a plain heartbeat can carry a new seq too — that of a round a voter alone took
    // without sending (read-only.ts), seen on the wire once the configuration grew: not in flight.
    const rs = r.reads;
    const waiting = rs.length > r.readHead && (rs[rs.length - 1] as Read).seq === msg.seq;
    this.roundConf[from] = waiting && (r.cfg.quorum > 1 || !r.isVoter) ? r.configIndex() : NaN;
    if (this.pending !== null || r.curRole !== "leader" || r.opts.coalesceHeartbeats !== true || r.lease !== null) return;
    // The message head (at()) is built only on failure: this runs at every round a leader starts.
    const answer = this.answeredTo === from;
    if (answer && !waiting) {
      this.pending = `${at(from, w.now, r.curTerm)}: a heartbeat answer started round ${msg.seq}, which no pending read waits for`;
      return;
    }
    if (conf !== r.configIndex()) return;
    const confirmed = this.confirmed(r, prev);
    if (answer) {
      if (!confirmed) this.pending = `${at(from, w.now, r.curTerm)}: a heartbeat answer started round ${msg.seq} while round ${prev} still awaited its quorum`;
      return;
    }
    if (confirmed || r.heartbeatDeadline === r.clock.peek(w.localNow(from)) + r.opts.heartbeatUs) return;
    this.pending = `${at(from, w.now, r.curTerm)}: it started round ${msg.seq} while round ${prev} awaited its quorum, neither at a heartbeat tick nor on the answer that confirmed it`;
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.answeredTo < 0 && this.pending === null;
  }

  /** After every event; null: fine. */
  afterEvent(): string | null {
    this.answeredTo = -1;
    const p = this.pending;
    this.pending = null;
    return p;
  }

  /** A quorum of the leader's voters (itself included) acknowledged round `seq`, by the
   * acknowledgements it recorded. */
  private confirmed(r: MetaServer["raft"], seq: number): boolean {
    let acks = 0;
    for (const p of r.cfg.ids) {
      if (p === r.id || r.prs[p]!.ackedSeq >= seq) acks++;
    }
    return acks >= r.cfg.quorum;
  }
}

function at(id: number, nowUs: number, term: number): string {
  return `read-round-flow at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms, term ${term}`;
}
