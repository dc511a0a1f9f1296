// raft-metadata's liveness condition after the final heal: a leader that a majority of its
// configuration follows, client operations succeeding again, and nothing left unanswered.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import type { WorkloadActor } from "./clients/actor.js";
import { S } from "../../../util/time.js";


/** The clients stop issuing new operations for the last 40% of the window (stopWhenHealthy:
 * as soon as the condition below holds), and every one they had in flight must be answered by
 * the end. Returns a description of the failure, or null. */
export function runLivenessPhase(world: AnyWorld, actors: readonly WorkloadActor[], healAt: number, endUs: number, stopWhenHealthy = false): string | null {
  const okAtHeal = actors.map((a) => a.client.counters().ok);
  const drainAt = healAt + Math.floor((endUs - healAt) * 0.6);
  if (stopWhenHealthy) {
    // livenessStopWhenHealthy: the clients stop as soon as the cluster is healthy — every
    // client had an operation succeed after the heal, a leader is followed by a majority, and
    // every member has applied what that leader had committed at that moment (the catch-up
    // after a heal: appends, snapshot installs, is where some bugs show) — and the run ends
    // once every open operation is answered (at endUs at the latest, as before). Not healthy by
    // 60% of the window: the clients stop then, as without the option.
    let next = 0; // the first client not yet seen to succeed after the heal
    let target = -1; // the leader's commit index when the clients had all succeeded
    const healthy = (): boolean => {
      while (next < actors.length && actors[next].client.counters().ok > okAtHeal[next]) next++;
      if (next < actors.length) return false;
      const l = knownLeader(world);
      if (l < 0) return false;
      const lead = (world.nodes[l] as MetaServer).raft;
      if (target < 0) target = lead.commitIndex();
      for (const m of lead.voters()) if (!caughtUp(world, m, target)) return false;
      for (const m of lead.learners()) if (!caughtUp(world, m, target)) return false;
      return true;
    };
    const anyPending = (): boolean => actors.some((a) => a.client.pending());
    if (!healthy()) world.runUntil(drainAt, healthy);
    // The catch-up floor: a correct cluster is healthy well inside the 60% (swarm 1..1000 and
    // every-fault 1..300 at 10 s: at most 1.05 s of the 2 s); one that is not has a member that
    // replication leaves behind (a stalled pipeline, a probe never sent), which is slow, not
    // wrong, and no other check would say so. Only where the 60% is at least 1.9 s (runs of
    // 9.5 s and longer; 10 s gives 2 s): in shorter windows correct runs miss it (--time 2s and 3s: 2-3 of 200 seeds
    // at 0.6 s). Judged after the drain, so the failures reported before keep their messages.
    let lagging = healthy() || drainAt - healAt < CATCH_UP_FLOOR_MIN_US ? null : unhealthyWhy(world, actors, next, target);
    for (const a of actors) a.client.stop(world.now);
    // The floor is calibrated on pipelines that move a member's backlog in a round trip or two
    // (the default maxBatch 64 × maxInflight 8). The swarm also draws narrow ones, down to one
    // entry per round trip (~4.4 ms: ~230 entries/s), and the operator may promote a learner
    // that has not caught up (member-change-transfer, member-churn; Raft's own promotion waits
    // for promoteLag, §4.2.1): then every commit waits for that voter to copy hundreds of
    // entries, and learners that join once the change commits copy the whole log after it.
    // That is slow by configuration, not a bug, so the floor alone fails correct runs (seeds
    // 28320 and 25609, every-fault 16351: steady progress at one entry per round trip, healthy
    // 0.2-0.4 s after the floor). Past the floor, the cluster gets the time its members'
    // remaining backlog takes at a lower bound of the pipeline's rate (CatchUpAllowance), and no
    // more: what the bugs this rule exists for leave behind is not excused. A stalled pipeline
    // or a follower that never answers copies nothing more, so it still fails (later, by at most
    // the allowance); one that moves slower than the bound (an entry per heartbeat, as a lost
    // wake-up does) misses it; a member that holds every entry but never applies (backlog 0)
    // gets no allowance at all. On the default wide pipeline the allowance is a few round trips
    // and a heartbeat. What it does not judge: the rate before the floor (only the backlog left
    // at the floor, or at a member's first sight after it, is measured), so a narrow pipeline
    // that stalled for a while and then ran at full rate passes; the online checks
    // (catch-up-on-heartbeat-answer, the pipeline and append checks) watch that part.
    let extended = "";
    if (lagging !== null) {
      const allowance = new CatchUpAllowance(world, healAt);
      let deadline = allowance.extend(drainAt);
      if (deadline > drainAt) {
        const due = (): boolean => {
          if (healthy()) return true;
          const d = allowance.extend(world.now); // a member that joined meanwhile brings its backlog
          if (d <= deadline) return false;
          deadline = d;
          return true;
        };
        while (world.now < Math.min(deadline, endUs) && !healthy()) world.runUntil(Math.min(deadline, endUs), due);
        if (healthy()) lagging = null;
        else extended = `, nor ${((Math.min(deadline, endUs) - healAt) / S).toFixed(2)}s after it${deadline > endUs ? " (the end of the window)" : ""}, the time ${allowance.describe()} allowed (${unhealthyWhy(world, actors, next, target)})`;
      }
    }
    if (anyPending()) world.runUntil(endUs, () => !anyPending());
    // The run may stop here, before endUs, so the end verdict's "no leader by the end of the
    // window" is judged now only if a leader is known now. Without one (the leader just stepped
    // down: it committed its own removal and handed over with TimeoutNow (§4.2.2), or a
    // higher term deposed it), a new one has until endUs, as without the option: the instant
    // the last open operation is answered is not the end of the window.
    if (knownLeader(world) < 0) world.runUntil(endUs, () => knownLeader(world) >= 0);
    const why = endVerdict(world, actors, okAtHeal, healAt, endUs);
    if (why !== null || lagging === null) return why;
    return `replication did not catch up: the cluster was not healthy ${((drainAt - healAt) / S).toFixed(1)}s after the final heal (${lagging})${extended}`;
  } else {
    world.runUntil(drainAt);
    for (const a of actors) a.client.stop(world.now);
    world.runUntil(endUs);
  }
  return endVerdict(world, actors, okAtHeal, healAt, endUs);
}

/** The liveness phase's verdict at its end: a leader, progress since the heal, nothing left
 * unanswered. */
function endVerdict(world: AnyWorld, actors: readonly WorkloadActor[], okAtHeal: readonly number[], healAt: number, endUs: number): string | null {
  const leader = knownLeader(world);
  if (leader < 0) return `no leader ${((endUs - healAt) / S).toFixed(1)}s after the final heal`;
  const progressed = actors.some((a, i) => a.client.counters().ok > okAtHeal[i]);
  if (!progressed) return `no client operation succeeded in the ${((endUs - healAt) / S).toFixed(1)}s after the final heal`;
  const stuck = actors.filter((a) => a.client.pending()).map((a) => a.client.process());
  if (stuck.length > 0) return `operations of client process(es) ${stuck.join(", ")} still unanswered at the end of the liveness phase`;
  return null;
}

/** Which part of health was missing (built only on failure). */
function unhealthyWhy(world: AnyWorld, actors: readonly WorkloadActor[], next: number, target: number): string {
  if (next < actors.length) return `client process ${actors[next].client.process()} had no operation succeed after the heal`;
  const l = knownLeader(world);
  if (l < 0) return "no leader followed by a majority";
  const lead = (world.nodes[l] as MetaServer).raft;
  for (const m of [...lead.voters(), ...lead.learners()]) {
    if (!caughtUp(world, m, target)) {
      const n = world.nodes[m] as MetaServer | null;
      return `member ${m} ${n === null ? "is down" : `applied ${n.raft.appliedIndex()}`}, leader ${l} had committed ${target}`;
    }
  }
  return "not healthy";
}

/** A correct pipeline moves maxBatch × maxInflight entries at least every PIPELINE_SLACK mean
 * round trips once the faults are healed (measured at maxBatch 1 × maxInflight 1: one entry per
 * 4.3-4.4 ms at the default network and disk, whose mean round trip, 2 × latency + fsync, is
 * 4.4 ms). */
const PIPELINE_SLACK = 2;

/** The time past the catch-up floor that the members' remaining backlog excuses (see
 * runLivenessPhase). Each member is measured once, when first seen in the known leader's
 * configuration past the floor: its backlog is what the leader holds beyond what the member
 * has (the leader's match, or the member's durable log if longer: a just-elected leader's match
 * is 0), copied maxBatch × maxInflight entries per PIPELINE_SLACK mean round trips (2 × the
 * network's latency + the member's fsync, means of their lognormals, as heal-all leaves them),
 * then one heartbeat and a round trip more for the commit to reach every member (health reads
 * Raft's applied index, which an asynchronous apply channel does not hold back). A member that
 * is down or has nothing to copy brings nothing; without a known leader, nothing is granted. */
class CatchUpAllowance {
  private readonly seen = new Set<number>();
  private due = 0;
  private why = "";

  constructor(
    private readonly world: AnyWorld,
    private readonly healAt: number,
  ) {}

  /** The deadline so far, taking in members first seen now. */
  extend(now: number): number {
    if (this.due === 0) this.due = now;
    const l = knownLeader(this.world);
    if (l < 0) return this.due;
    const lead = (this.world.nodes[l] as MetaServer).raft;
    // Called after every event while the allowance runs: the two lists are read in place.
    for (const group of [lead.voters(), lead.learners()]) for (const m of group) {
      if (m === l || this.seen.has(m)) continue;
      this.seen.add(m);
      const n = this.world.nodes[m] as MetaServer | null;
      const pr = lead.prs[m];
      if (n === null || !this.world.isUp(m) || pr === undefined) continue;
      const last = lead.lastIndex();
      const backlog = last - Math.max(pr.match, Math.min(n.raft.durableIndex(), last));
      if (backlog <= 0) continue;
      const width = lead.opts.maxBatch * lead.opts.maxInflight;
      const net = this.world.net.cfg;
      const disk = this.world.disks[m].cfg;
      const rtt = 2 * net.latencyMedianUs * Math.exp((net.latencySigma * net.latencySigma) / 2) + disk.fsyncMedianUs * Math.exp((disk.fsyncSigma * disk.fsyncSigma) / 2);
      const at = now + (Math.ceil(backlog / width) + 1) * PIPELINE_SLACK * rtt + lead.opts.heartbeatUs;
      if (at > this.due) {
        this.due = Math.ceil(at);
        this.why = `member ${m}'s backlog of ${backlog} entries (${((now - this.healAt) / S).toFixed(2)}s after the heal) at ${width} ${width === 1 ? "entry" : "entries"} per round trip (mean ${(rtt / 1000).toFixed(1)}ms)`;
      }
    }
    return this.due;
  }

  describe(): string {
    return this.why;
  }
}

/** The catch-up floor applies only when the clients' 60% of the liveness window is at least
 * this long (see runLivenessPhase). */
const CATCH_UP_FLOOR_MIN_US = 1.9 * S;

function caughtUp(world: AnyWorld, node: number, index: number): boolean {
  const n = world.nodes[node] as MetaServer | null;
  return n !== null && n.raft.appliedIndex() >= index;
}

/** A live leader of a term above `afterTerm` that a majority of the voters of its configuration
 * follow in its term, or -1. (The liveness phase, the final membership listing and the Figure
 * 16 experiment all ask this.) */
export function knownLeader(world: AnyWorld, afterTerm = -1): number {
  const N = world.servers;
  for (let i = 0; i < N; i++) {
    const n = world.nodes[i] as MetaServer | null;
    if (n === null || n.raft.role() !== "leader" || n.raft.term() <= afterTerm) continue;
    const voters = n.raft.voters();
    let followers = 0;
    for (const j of voters) {
      const m = world.nodes[j] as MetaServer | null;
      if (m !== null && m.raft.term() === n.raft.term() && m.raft.leader() === i) followers++;
    }
    if (followers > voters.length / 2) return i;
  }
  return -1;
}
