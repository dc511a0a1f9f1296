// transfer-runs-its-timeout (§3.10: "if the transfer does not complete within an election
// timeout, the prior leader aborts the transfer and resumes accepting client requests"; our
// Raft times it with electionMin): a leader does not give up a leadership transfer before
// electionMin has passed, on its own Raft clock, since it was asked. transfer-completes
// (transfer-complete-check.ts) bounds the other side — the transfer completes, or is aborted,
// by then; an abort too early leaves a target that was catching up without its TimeoutNow, and
// the leader taking proposals again in the middle of a transfer.
//
// A transfer ends while its leader still leads the term it began in, with the target still in
// its configuration, only by that abort (a completed transfer deposes the leader; a removal of
// the target ends it with the configuration change, confchange.ts). The request's time is taken
// where it is made: a fault event (transfer-leader, member-change-transfer: every server is
// looked at then) or a window fault inside another event (system.ts passes it here). A transfer
// first seen in the leader's own event (no request seen) is not judged.
//
// Why (issue 12): raft.ts's transfer deadline and its abort in onTick (220, 245) survived every
// check: a transfer aborted at the first tick still ends, and one whose target was caught up at
// the request completes at once.
//
// Times are the leader's Raft time (its MonotonicTime of the local clock, the time the deadline
// is kept in): clock steps change nothing. Read-only (views), never draws or schedules:
// hash-neutral. Per event: one typed-array read, more only while a transfer runs.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";

export class TransferAbortCheck {
  /** Per server: the transfer it runs (target, -1: none), its term, its node object, and when
   * it was asked (Raft time; NaN: not seen asked, not judged). */
  private readonly target: Int32Array;
  private readonly term: Float64Array;
  private readonly node: unknown[];
  private readonly askedAt: Float64Array;

  constructor(
    private readonly n: number,
    private readonly electionMinUs: number,
  ) {
    this.target = new Int32Array(n).fill(-1);
    this.term = new Float64Array(n);
    this.node = new Array<unknown>(n).fill(null);
    this.askedAt = new Float64Array(n).fill(NaN);
  }

  /** A window fault asked `leader` to transfer, from inside an event (faults.ts). */
  asked(w: AnyWorld, leader: number): void {
    if (leader >= 0 && leader < this.n) this.look(w, leader, true);
  }

  /** afterEvent(…) would report nothing and change nothing for the event
   * of server `only` (≥ 0) (a caller's gate, inlined where a call is not: most events leave
   * this check nothing to do). */
  idle(only: number): boolean {
    return only >= 0 && (only >= this.n || this.target[only] === -1);
  }

  /** After every event (`only`: the server it ran, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    if (only === TOUCHED_NONE) return null;
    // A server's own event matters only while it runs a transfer seen asked (a transfer starts
    // only at a request, which this sees at a fault or a window): one typed-array read otherwise.
    if (only !== TOUCHED_ALL) return only < this.n && this.target[only] !== -1 ? this.look(w, only, false) : null;
    for (let i = 0; i < this.n; i++) {
      const why = this.look(w, i, true);
      if (why !== null) return why;
    }
    return null;
  }

  /** Server `id` now; `asking`: a request may have been made in this event. */
  private look(w: AnyWorld, id: number, asking: boolean): string | null {
    const s = w.nodes[id] as MetaServer | null;
    const had = this.target[id];
    if (s === null || s.raft.curRole !== "leader") {
      this.target[id] = -1;
      return null;
    }
    const r = s.raft;
    const t = r.transferee;
    if (t === had && (t === -1 || (r.curTerm === this.term[id] && s === this.node[id]))) return null;
    let why: string | null = null;
    if (had !== -1 && t === -1 && r.curTerm === this.term[id] && s === this.node[id] && r.cfg.has(had)) {
      const ran = r.clock.peek(w.localNow(id)) - this.askedAt[id];
      if (ran < this.electionMinUs) {
        why = `transfer-runs-its-timeout at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${r.curTerm}: it gave up its leadership transfer to node ${had} ${(ran / 1000).toFixed(3)}ms (its Raft clock) after it was asked, before the minimum election timeout ${(this.electionMinUs / 1000).toFixed(3)}ms, still leading and node ${had} still a voter`;
      }
    }
    this.target[id] = t;
    this.term[id] = r.curTerm;
    this.node[id] = s;
    this.askedAt[id] = t !== -1 && asking ? r.clock.peek(w.localNow(id)) : NaN;
    return why;
  }
}
