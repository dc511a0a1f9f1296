// Swarm testing over the system's configuration, not only its faults: each generated seed
// also draws Raft's knobs. Some bugs only show under some settings — a Figure-8 commit needs
// appends that carry one entry at a time, a stale vote needs split votes, which tight
// election-timeout ranges make common, and a deposed leader's stale read lasts longest when
// CheckQuorum is off. All choices are legal configurations of a correct Raft.
import type { RaftOptions } from "../../impl/raft/api.js";
import type { Rng } from "../rng.js";
import { MS } from "./config.js";

export type RaftTiming = Omit<RaftOptions, "voters" | "bugs">;

export function swarmRaftTiming(r: Rng): RaftTiming {
  const [electionMinUs, electionMaxUs] = r.pick([
    [150 * MS, 300 * MS],
    [150 * MS, 175 * MS],
    [100 * MS, 110 * MS],
    [300 * MS, 600 * MS],
  ] as const);
  return {
    electionMinUs,
    electionMaxUs,
    heartbeatUs: Math.floor(electionMinUs / r.pick([3, 5])),
    preVote: r.chance(0.7),
    checkQuorum: r.chance(0.7),
    maxInflight: r.pick([1, 2, 8]),
    maxBatch: r.pick([1, 2, 8, 64]),
  };
}
