// Swarm testing over the system's configuration, not only its faults: each generated seed
// also draws Raft's knobs. Some bugs only show under some settings — a Figure-8 commit needs
// appends that carry one entry at a time, a stale vote needs split votes, which tight
// election-timeout ranges make common, and a deposed leader's stale read lasts longest when
// CheckQuorum is off; frequent snapshots with tiny chunks make InstallSnapshot common and
// long. All choices are legal configurations of a correct Raft.
import type { RaftOptions } from "../../../impl/raft/api.js";
import { isGenericFault, type FaultAction } from "../../faults/index.js";
import type { Rng } from "../../kernel/rng.js";
import { MS } from "./options.js";

export type RaftTiming = Omit<RaftOptions, "voters" | "bugs">;

export function swarmRaftTiming(r: Rng): RaftTiming {
  const [electionMinUs, electionMaxUs] = r.pick([
    [150 * MS, 300 * MS],
    [150 * MS, 175 * MS],
    [100 * MS, 110 * MS],
    [300 * MS, 600 * MS],
  ] as const);
  // Read mode from its own stream, so the draws above stay what they were before it existed.
  const rm = r.fork("read-mode");
  const lease = rm.chance(0.3);
  return {
    electionMinUs,
    electionMaxUs,
    heartbeatUs: Math.floor(electionMinUs / r.pick([3, 5])),
    preVote: r.chance(0.7),
    checkQuorum: r.chance(0.7) || lease, // lease reads rest on CheckQuorum's follower-side check
    maxInflight: r.pick([1, 2, 8]),
    maxBatch: r.pick([1, 2, 8, 64]),
    readMode: lease ? "lease" : "read-index",
    maxDriftPpm: rm.pick([500, 1000]),
    // Snapshots from their own stream too: frequent ones with tiny chunks make InstallSnapshot
    // common and long (a follower behind across a snapshot needs one).
    ...swarmSnapshots(r.fork("snapshots")),
  };
}

/** A generated schedule made to respect the clock assumption of lease reads: clock drift is
 * clamped to ±maxDriftPpm and clock jumps/offset steps (outside any drift bound — NTP stepping
 * a wall clock; a real deployment times leases on a monotonic clock) are dropped. Pauses stay:
 * a paused node's clock keeps running, which a lease tolerates. Read-index runs are unchanged;
 * explicit schedules (scenarios) are never filtered, so they can break the bound on purpose. */
export function leaseSafeSchedule(actions: readonly FaultAction[], raft: Pick<RaftOptions, "readMode" | "maxDriftPpm">): readonly FaultAction[] {
  if (raft.readMode !== "lease") return actions;
  const bound = raft.maxDriftPpm ?? 1000;
  const out: FaultAction[] = [];
  for (const a of actions) {
    if (a.kind === "clock-jump" || a.kind === "clock-offset" || a.kind === "clock-strobe") continue;
    if (isGenericFault(a) && a.kind === "clock-drift" && Math.abs(a.ppm) > bound) out.push({ ...a, ppm: Math.sign(a.ppm) * bound });
    else out.push(a);
  }
  return out;
}

/** Snapshot settings for a swarm seed (see RaftOptions.snapshotEvery / snapshotChunk). */
export function swarmSnapshots(r: Rng): Pick<RaftOptions, "snapshotEvery" | "snapshotChunk"> {
  return { snapshotEvery: r.pick([16, 64, 256, 500]), snapshotChunk: r.pick([1, 2, 64]) };
}
