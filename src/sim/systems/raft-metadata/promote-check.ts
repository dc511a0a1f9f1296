// promote-caught-up: our Raft promotes its learners itself (RaftOptions.promoteLag, default 16:
// confchange.ts maybePromote), and promises two things about it:
//   - never before the learner has caught up: a learner the leader promotes on its own (not at
//     the operator's request) had acknowledged, in the leader's term, an index at least the
//     leader's commit index and within promoteLag of the leader's last index, and its last
//     answer did not say it is fenced (a fenced voter neither votes nor counts);
//   - at once when it has: when a learner's acknowledgement raises what the leader knows of its
//     log to such an index, and the leader may change its configuration (it leads, no transfer,
//     an entry of its term committed, no change pending), the leader has proposed a promotion by
//     the end of that step.
// Judged from the wire (leader-acks.ts): the acknowledgements give an upper bound on the
// leader's match (for "never before") and the raising one its exact value (for "at once").
//
// Source: dissertation §4.2.1 (a new server joins as a non-voting member and is added as a
// voter once caught up, so that it does not stall commitment) and etcd's learners (promotion of
// a caught-up learner); the promoteLag threshold and the automatic promotion are ours.
//
// Why (issue 12): maybePromote (confchange.ts 184–195, about 20 survivors of run 31) decided
// when learners become voters; a learner promoted early, late or never left the cluster live
// and safe as far as every other check could tell.
//
// Cost: per append response delivered in a membership run, a few typed-array reads; the rest only
// on learners' acknowledgements and configuration notes (rare). Read-only: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { commitTerm } from "./conf-request-check.js";
import type { LeaderAcks } from "./leader-acks.js";

export class PromoteCheck {
  /** The leader expected to have proposed a promotion by the end of this event (-1: none). */
  private expectAt = -1;
  private expectTerm = 0;
  private expectCommit = 0;
  private expectWhy = "";

  constructor(private readonly acks: LeaderAcks, private readonly lag: number) {}

  /** An append response from `from` delivered to `to`, before `to` handles it. `hiBefore`: the
   * acknowledged bound before this one (LeaderAcks.hi). */
  ackDelivered(w: AnyWorld, from: number, to: number, term: number, index: number, fenced: boolean, hiBefore: number): void {
    if (index <= hiBefore || fenced) return;
    const r = (w.nodes[to] as MetaServer).raft;
    const last = r.lastIndex();
    const commit = r.commitIndex();
    if (index + this.lag < last || index < commit) return;
    if (!r.learners().includes(from) || r.confChangePending() || r.transferTarget() !== -1 || commitTerm(r) !== term) return;
    this.expectAt = to;
    this.expectTerm = term;
    this.expectCommit = commit;
    this.expectWhy = `learner ${from} acknowledged index ${index} (leader's last index ${last}, commit ${commit}, promoteLag ${this.lag}), not fenced`;
  }

  /** A configuration note of leader `id` for its own new entry, outside an operator request:
   * a voter that was not one before was promoted by the leader itself. */
  configNoted(w: AnyWorld, id: number): string | null {
    const r = (w.nodes[id] as MetaServer).raft;
    const ci = r.configIndex();
    const before = r.votersAt(ci - 1);
    const term = r.term();
    for (const v of r.voters()) {
      if (before.includes(v)) continue;
      const hi = this.acks.hi(id, v, term);
      const last = ci - 1;
      const commit = r.commitIndex();
      if (hi >= commit && hi + this.lag >= last && !this.acks.fenced(id, v, term)) continue;
      return `promote-caught-up at node ${id}, t=${(w.now / 1000).toFixed(3)}ms (term ${term}): it promoted learner ${v} on its own (entry ${ci}), but the learner had acknowledged at most index ${hi} in this term${this.acks.fenced(id, v, term) ? " and its last answer said it is fenced" : ""}: not caught up (commit ${commit}, last index ${last}, promoteLag ${this.lag})`;
    }
    return null;
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld): string | null {
    const at = this.expectAt;
    if (at < 0) return null;
    this.expectAt = -1;
    const n = w.nodes[at] as MetaServer | null;
    if (n === null) return null;
    const r = n.raft;
    if (r.role() !== "leader" || r.term() !== this.expectTerm || r.commitIndex() !== this.expectCommit) return null;
    if (r.confChangePending()) return null;
    return `promote-caught-up at node ${at}, t=${(w.now / 1000).toFixed(3)}ms (term ${this.expectTerm}): ${this.expectWhy}, and the leader could change its configuration (no transfer, an entry of its term committed, no change pending), but it proposed no promotion`;
  }
}
