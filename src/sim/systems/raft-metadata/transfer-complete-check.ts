// transfer-completes: when the operator asks the leader to hand leadership to another voter of
// its configuration (the "transfer-leader" fault: faults.ts asks only an up leader, for a voter
// other than itself),
//   - the leader accepts: right after the request it is transferring (its transfer target is
//     set) — a request the leader may refuse is only one it cannot serve (not leader, itself, not
//     a voter: dissertation §3.10 and etcd's MsgTransferLeader refuse only those);
//   - if every server is up and the network is whole (no cut link, no slow server, no loss) when
//     it is asked, the target holds all of the leader's log, and no further fault happens before
//     the deadline, leadership has moved by the leader's own transfer deadline (electionMin after
//     the request, its clock): the old leader no longer leads that term (§3.10: the leader sends
//     TimeoutNow once the target is caught up; the target "starts an election, ... and is very
//     likely to" win: it is caught up and the others are up; ours times the transfer out after
//     electionMin, as etcd after an election timeout);
//   - otherwise (target behind, a fault before or during), the transfer ends by that deadline:
//     by then the leader is no longer transferring to that target in that term (§3.10: "if the
//     transfer does not complete within about an election timeout, the prior leader aborts the
//     transfer and resumes accepting client requests"), unless its clock stepped meanwhile.
//   The first and third are the paper's; the second's bound is our Raft's (transferDeadline).
//
// Measured on correct runs (swarm and every-fault 1..1000): see BOUND below.
//
// Why (issue 12): raft.ts's transferLeadership and onTick's abort (215–227, 245: ≈ 20 survivors
// of run 23) changed only whether and when leadership moved, which nothing judged.
//
// Cost: work only in the fault event that asks for a transfer and then one comparison per event
// until its deadline. Read-only: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

export class TransferCompleteCheck {
  /** The leader asked (-1: no request being judged), its term, when, the target it took (-1:
   * not known yet), and what was true when it was asked. */
  private leader = -1;
  private term = 0;
  private at = 0;
  private target = -1;
  private fresh = false;
  private quiet = false;
  private caughtUp = false;
  private stepped = 0;
  private clockMoved = false;
  private readonly deadlineUs: number;

  constructor(private readonly n: number, electionMinUs: number) {
    // BOUND: the leader aborts at electionMin on its own clock (drift ≤ 1000 ppm: 1% margin),
    // judged at the first event after (+ 1 ms).
    this.deadlineUs = electionMinUs * 1.01 + 1_000;
  }

  /** The fault event that asked `leader` to transfer (faults.ts's "transfer-leader"). */
  asked(w: AnyWorld, leader: number): void {
    const node = leader < 0 ? null : (w.nodes[leader] as MetaServer | null);
    if (node === null || !w.isUp(leader) || node.raft.role() !== "leader" || node.raft.voters().length < 2) {
      this.leader = -1; // faults.ts asks nobody then
      return;
    }
    this.leader = leader;
    this.term = node.raft.term();
    this.at = w.now;
    this.target = -1;
    this.fresh = true;
    let quiet = !w.net.anyCut && !w.net.anySlow && w.net.cfg.lossP === 0;
    for (let i = 0; quiet && i < this.n; i++) if (!w.isUp(i) || w.nodes[i] === null) quiet = false;
    this.quiet = quiet;
    const c = w.clocks[leader];
    this.stepped = c.local(w.now) - c.monotonic(w.now);
    this.clockMoved = false;
  }

  /** After every event that may change a server (fault: all = true); null: fine. */
  afterEvent(w: AnyWorld, all: boolean): string | null {
    if (this.leader < 0) return null;
    const l = w.nodes[this.leader] as MetaServer | null;
    const leads = l !== null && l.raft.role() === "leader" && l.raft.term() === this.term;
    if (this.fresh) {
      // The asking event itself.
      this.fresh = false;
      if (!leads) return this.done();
      this.target = l!.raft.transferTarget();
      if (this.target < 0) return this.fail(w, "after the request it is not transferring to anyone (the request was refused or dropped)");
      const t = w.nodes[this.target] as MetaServer | null;
      this.caughtUp = t !== null && t.raft.lastIndex() >= l!.raft.lastIndex() && t.raft.term() <= this.term;
      return null;
    }
    // A paused or crashed leader runs no timer: excused from both bounds.
    // A clock step (each is a fault event of its own; a step back and one forward can cancel
    // out in the sum) moves its transfer deadline on its clock: excused from the abort bound.
    if (all) {
      this.quiet = false;
      if (!w.isUp(this.leader)) return this.done();
      const c = w.clocks[this.leader];
      if (c.local(w.now) - c.monotonic(w.now) !== this.stepped) this.clockMoved = true;
      // A fault may also have asked again (a window fault's transfer, member-change-transfer):
      // the abort bound runs from the last fault that found the leader still transferring.
      if (leads && l!.raft.transferTarget() >= 0) this.at = w.now;
    }
    if (!leads) return this.done();
    if (w.now < this.at + this.deadlineUs) return null;
    if (this.quiet && this.caughtUp) return this.fail(w, `it still leads term ${this.term} ${((w.now - this.at) / 1000).toFixed(3)}ms after it was asked to hand leadership to node ${this.target}, which held its whole log, with every server up, the network whole and no fault since`);
    if (!this.clockMoved && l!.raft.transferTarget() === this.target) return this.fail(w, `it is still transferring to node ${this.target} ${((w.now - this.at) / 1000).toFixed(3)}ms after it was asked, or after the last fault (the transfer was never aborted)`);
    return this.done();
  }

  private done(): null {
    this.leader = -1;
    return null;
  }

  private fail(w: AnyWorld, what: string): string {
    const why = `transfer-completes at node ${this.leader}, t=${(w.now / 1000).toFixed(3)}ms, term ${this.term}: asked at t=${(this.at / 1000).toFixed(3)}ms to hand leadership to another voter, ${what}`;
    this.leader = -1;
    return why;
  }
}
