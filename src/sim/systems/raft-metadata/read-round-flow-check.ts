// read-round-flow (ours: the coalesced ReadIndex rounds of read-only.ts — "one read round in
// flight at a time: a read registered while one is out rides the next, which goes out once that
// one is confirmed or at the next heartbeat tick"). With coalesceHeartbeats, outside a heartbeat
// tick a leader sends a new read round (a heartbeat round with a new seq) only when
//   - a read was registered in that step and no round of its term was awaiting its quorum
//     (and then it must: a read registered with no round in flight gets its round at once), or
//   - a heartbeat answer in that step confirmed the round in flight (a quorum of its voters,
//     itself included, acknowledged it) and a read waits for the new round.
// So a read never waits for a round it could have had, and no round goes out that no read needs
// or while one is in flight (each costs a heartbeat to every follower; a read-heavy leader
// otherwise floods them). §6.4 asks only that the round follow the read; the one-in-flight
// schedule is this Raft's (etcd batches the same way through its ReadOnly queue).
//
// A round is seen as the leader's read seq moving (Raft.readSeq: it moves only when a round
// starts), a registration as a new element at the end of its ReadIndex queue, a confirmation as
// the leader's recorded acknowledgements (Progress.ackedSeq, which step-leader.ts keeps — not
// read-only.ts's count, which this judges). Rounds of earlier terms are not in flight (a new
// leader starts none out). Not in lease mode (a lease read's renewal round needs no read) nor
// with periodic heartbeats (a round per read).
//
// Why (issue 12): read-only.ts's round flags (readRoundOut / readRoundWanted) and nextReadRound's
// confirmation test survived every check: a round too many, or a read left for the next tick,
// is still correct and at most a heartbeat interval late (read-round-due's bound is two).
//
// Read-only (views), never draws or schedules: hash-neutral. Per event: the role of the server it ran; of a leader, a few field
// reads; the quorum count only when a round started or a read was registered.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { RoleCode } from "../../../impl/raft/api.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";

type Read = { readonly seq: number };
const LEADER: number = RoleCode.leader;

export class ReadRoundFlowCheck {
  /** Per server: its read seq and the last element of its ReadIndex queue after the last event
   * that ran it; its read seq when it last became leader (rounds up to it are of earlier terms). */
  private readonly seq: Float64Array;
  private readonly tail: unknown[];
  private readonly termSeq: Float64Array;
  /** Per server: the configuration index when its last round started, or NaN when that round
   * needed no quorum round (a voter alone answers its reads without one: nothing in flight). A
   * round is judged in flight only under the configuration it started in (a change moves the
   * quorum that confirms it, with no answer the leader could react to). */
  private readonly roundConf: Float64Array;
  /** The leader a heartbeat answer was delivered to in this event (-1: none). */
  private answeredTo = -1;

  constructor(private readonly n: number) {
    this.seq = new Float64Array(n);
    this.tail = new Array<unknown>(n).fill(undefined);
    this.termSeq = new Float64Array(n);
    this.roundConf = new Float64Array(n).fill(NaN);
  }

  /** A role note: a new leader has no round in flight; its queue and seq are taken now (the
   * events of a server that does not lead are not looked at). */
  roleNoted(w: AnyWorld, id: number, code: number): void {
    if (code !== LEADER || id >= this.n) return;
    const s = w.nodes[id] as MetaServer | null;
    if (s === null) return;
    this.termSeq[id] = s.raft.readSeq;
    this.sync(w, id);
  }

  /** The delivery of a heartbeat answer to `to`. */
  answered(to: number): void {
    this.answeredTo = to;
  }

  /** After every event (`only`: the server it ran, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    const answeredTo = this.answeredTo;
    this.answeredTo = -1;
    if (only === TOUCHED_NONE) return null;
    if (only === TOUCHED_ALL) {
      for (let i = 0; i < this.n; i++) this.sync(w, i);
      return null;
    }
    if (only >= this.n) return null;
    const s = w.nodes[only] as MetaServer | null;
    if (s === null) return null;
    const r = s.raft;
    if (r.curRole !== "leader" || r.opts.coalesceHeartbeats !== true || r.lease !== null) return null;
    const seqBefore = this.seq[only];
    const tailBefore = this.tail[only];
    this.sync(w, only);
    const seqNow = r.readSeq;
    const tailNow = this.tail[only];
    const registered = tailNow !== undefined && tailNow !== tailBefore;
    const started = seqNow > seqBefore;
    const conf = this.roundConf[only];
    if (started) this.roundConf[only] = r.cfg.quorum > 1 || !r.isVoter ? r.configIndex() : NaN;
    if (!registered && !(started && answeredTo === only)) return null;
    // The round of this term before the event, if one could be in flight (0: none sent this
    // term; a round of a voter alone; the configuration changed since: not judged).
    if (seqBefore > this.termSeq[only] && conf !== r.configIndex()) return null;
    const prev = seqBefore > this.termSeq[only] ? seqBefore : 0;
    const at = `read-round-flow at node ${only}, t=${(w.now / 1000).toFixed(3)}ms, term ${r.curTerm}`;
    if (registered && answeredTo !== only) {
      // Acknowledgements move only on heartbeat answers: the count now is the count before.
      const outBefore = prev > 0 && !this.confirmed(r, prev);
      if (started && outBefore) return `${at}: a read registered while round ${prev} awaited its quorum, and it sent round ${seqNow} at once instead of waiting for it`;
      if (!started && !outBefore && (tailNow as Read).seq > seqNow) return `${at}: a read registered with no round in flight (round ${prev} confirmed or none this term) waits for round ${(tailNow as Read).seq}, which it did not send`;
      return null;
    }
    if (started && answeredTo === only) {
      if (prev > 0 && !this.confirmed(r, prev)) return `${at}: a heartbeat answer started round ${seqNow} while round ${prev} still awaited its quorum`;
      if (tailNow === undefined || (tailNow as Read).seq !== seqNow) return `${at}: a heartbeat answer started round ${seqNow}, which no pending read waits for`;
    }
    return null;
  }

  private sync(w: AnyWorld, id: number): void {
    const s = w.nodes[id] as MetaServer | null;
    if (s === null) {
      this.tail[id] = undefined;
      return;
    }
    const r = s.raft;
    this.seq[id] = r.readSeq;
    const rs = r.reads;
    this.tail[id] = rs.length > r.readHead ? rs[rs.length - 1] : undefined;
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
