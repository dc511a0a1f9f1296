// Settings of a cluster run: the Raft timing, the workload and the phases. Defaults model a
// LAN cluster (a few ms per hop), Raft's usual 150–300 ms election timeouts.
import type { BugName } from "./bugs.js";
import type { RaftBugName, RaftOptions } from "../../../impl/raft/api.js";
import { DEFAULT_MAX_DRIFT_PPM, withReadMode } from "../../../impl/raft/lease.js";
import type { FaultAction } from "../../faults/index.js";
import type { MembershipSetup } from "./faults.js";
import type { NetConfig } from "../../kernel/network.js";
import type { WorkloadConfig } from "./clients/config.js";
import type { World } from "../../kernel/world.js";

export interface ClusterRunOptions {
  readonly seed: number;
  readonly servers?: number;
  readonly clients?: number;
  /** Total simulated time, µs: the fault phase, then the liveness phase. */
  readonly timeUs: number;
  /** Explicit fault schedule (a scenario); undefined → generated from the seed (swarm). */
  readonly faults?: readonly FaultAction[];
  readonly scenarioName?: string | null;
  /** Fault families the swarm may enable (default: all). */
  readonly families?: readonly string[];
  /** Called with the world at the end of the run (before the history check): for debugging a
   * seed — node states, disks, the network. */
  readonly inspect?: (world: World<any, any, any, any>) => void;
  /** Every fault family on every seed, instead of the swarm's random subset. */
  readonly everyFamily?: boolean;
  readonly bugs?: readonly BugName[];
  readonly keepTrace?: boolean;
  /** Draw Raft's configuration from the seed when faults are generated (default true). */
  readonly swarmConfig?: boolean;
  readonly raft?: Partial<Omit<RaftOptions, "voters" | "bugs">>;
  readonly workload?: Partial<WorkloadConfig>;
  readonly net?: Partial<NetConfig>;
  /** Membership: servers 0..initialVoters-1 start as the configuration (with bootstrap, server
   * 0 alone, and the others join it at the start), the rest are spares outside it (empty
   * disks, waiting to join). Undefined: every server is a voter — unless the swarm draws the
   * membership family, which sets its own. */
  readonly membership?: MembershipSetup;
  /** Wall-clock budget of the linearizability check, ms. Default: none; the runner's budget in
   * search steps (RUN_CHECK_STEPS) bounds it instead, so a verdict never depends on load. */
  readonly checkTimeoutMs?: number;
  /** End the liveness phase once its condition holds (every client had an operation succeed
   * after the heal, a leader followed by a majority) and every open operation is answered,
   * instead of running the clients at full speed to 60% of the window. Default: `fast`. */
  readonly livenessStopWhenHealthy?: boolean;
  /** Every option that means fewer events per simulated second, on: raft.coalesceHeartbeats and
   * livenessStopWhenHealthy (each is overridden by its own explicit setting). Default true
   * (about 2x the seeds per minute of the sweep, issue 12); false (`--no-fast`) runs the
   * original model: periodic heartbeats to every follower, clients at full speed to the end of
   * the liveness window. The two give different trace hashes for the same seed. */
  readonly fast?: boolean;
  /** Followers serve reads with a read index from the leader (MetaServer's followerReads), and
   * clients send reads to any server. Undefined: off, or drawn from the seed (swarm). */
  readonly followerReads?: boolean;
  /** Asynchronous apply through a channel, this many µs after commit (MetaServer's
   * applyDelayUs). Undefined: applied in the commit step, or drawn from the seed (swarm). */
  readonly applyDelayUs?: number;
  /** Client sessions expire after this many log entries without a command of theirs
   * (MetaServer's sessionTtl); clients then open new ones. Undefined: never, or drawn (swarm). */
  readonly sessionTtl?: number;
  /** Check lease safety directly in lease mode (lease-check.ts; default true). false: only the
   * history shows a broken lease, as a stale read (tests that demonstrate the stale read). */
  readonly leaseCheck?: boolean;
  /** Which of the harness's checks run (default "all"). "starting": only those raft-metadata
   * had when issue 12 began (the Raft invariants, the store-state, lease and durability checks,
   * the history check); "none": only the history check. For measuring what the checks cost
   * (`npm run bench:check-share`): a run finds far less without them. Every mode runs the same
   * events. */
  readonly onlineChecks?: "all" | "starting" | "none";
}

/** raft-metadata's own run options (RunOptions.options): a scenario's Raft and workload blocks,
 * and test overrides. */
export type RaftMetadataOptions = Pick<ClusterRunOptions, (typeof RAFT_METADATA_OPTION_KEYS)[number]>;

/** RaftMetadataOptions' names (System.optionKeys: what --system-options may name). The type is
 * built from this list, so the two cannot drift apart. */
export const RAFT_METADATA_OPTION_KEYS = ["raft", "workload", "net", "membership", "swarmConfig", "checkTimeoutMs", "livenessStopWhenHealthy", "fast", "followerReads", "applyDelayUs", "sessionTtl", "leaseCheck", "onlineChecks"] as const satisfies readonly (keyof ClusterRunOptions)[];

import { MS, S } from "../../../util/time.js";

export { MS, S };

export const defaultRaftTiming = {
  electionMinUs: 150 * MS,
  electionMaxUs: 300 * MS,
  heartbeatUs: 50 * MS,
  preVote: true,
  checkQuorum: true,
  maxInflight: 8,
  maxBatch: 64,
  // A 10 s run commits ~1,500-3,000 entries: several snapshots per node, and InstallSnapshot
  // for every node that falls behind across one.
  snapshotEvery: 256,
  snapshotChunk: 2,
  readMode: "read-index",
  maxDriftPpm: DEFAULT_MAX_DRIFT_PPM,
} as const;

export function raftOptions(servers: number, o: ClusterRunOptions, base: Omit<RaftOptions, "voters" | "bugs"> = defaultRaftTiming): RaftOptions {
  const voters: number[] = [];
  for (let i = 0; i < servers; i++) voters.push(i);
  const raftBugs = new Set<RaftBugName>();
  for (const b of o.bugs ?? []) if (b !== "no-session-dedup") raftBugs.add(b);
  // Lease reads force CheckQuorum on: the lease rests on its follower-side check (lease.ts).
  return withReadMode({ ...base, ...o.raft, voters, bugs: raftBugs });
}

/** The liveness window (one definition for every system: src/sim/runner/liveness-window.ts). */
export { livenessWindowUs } from "../../runner/liveness-window.js";
