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
import type { WorkloadConfig } from "./clients/config.js";

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
 * clamped to ±maxDriftPpm (drift moves the monotonic clock the lease is timed on, and the lease
 * allows for drift only up to that bound). Clock jumps, offset steps and strobes stay: they step
 * the wall clocks, and the lease runs on each node's monotonic clock, which steps never move
 * (src/impl/raft/state.ts, leaseNow; the planted bug lease-on-wall-clock is what they find).
 * Pauses stay: a paused node's clock keeps running, which a lease tolerates. Read-index runs are
 * unchanged; explicit schedules (scenarios) are never filtered, so they can break the bound on
 * purpose. */
export function leaseSafeSchedule(actions: readonly FaultAction[], raft: Pick<RaftOptions, "readMode" | "maxDriftPpm">): readonly FaultAction[] {
  if (raft.readMode !== "lease") return actions;
  const bound = raft.maxDriftPpm ?? 1000;
  const out: FaultAction[] = [];
  for (const a of actions) {
    if (isGenericFault(a) && a.kind === "clock-drift" && Math.abs(a.ppm) > bound) out.push({ ...a, ppm: Math.sign(a.ppm) * bound });
    else out.push(a);
  }
  return out;
}

/** Snapshot settings for a swarm seed (see RaftOptions.snapshotEvery / snapshotChunk). */
export function swarmSnapshots(r: Rng): Pick<RaftOptions, "snapshotEvery" | "snapshotChunk"> {
  return { snapshotEvery: r.pick([16, 64, 256, 500]), snapshotChunk: r.pick([1, 2, 64]) };
}

// ---- the workload (issue 12): an operation mix per seed, follower reads, sticky clients and
// CheckQuorum off, all from the stream "workload-mix" so no earlier draw moves ----------------

/** The swarm's workload draws are on (false: every seed runs the default workload, as before). */
export const WORKLOAD_SWARM = true;

/** An operation-mix profile: the keys the clients use and how often each op is issued. */
export interface WorkloadProfile {
  readonly name: "balanced" | "write-heavy" | "read-heavy" | "cas-contention" | "ranges";
  /** Relative weight of the profile in the draw. */
  readonly weight: number;
  readonly workload: Partial<WorkloadConfig>;
}

/** Lists read the keys under "d/": two of the four keys, so the rest still check key by key
 * (model-ranges.ts puts a list and the keys it covers into one part). */
const RANGE_KEYS = ["a", "b", "d/1", "d/2"] as const;

export const WORKLOAD_PROFILES: readonly WorkloadProfile[] = [
  // Today's mix (40% reads): seeds that draw it with nothing else new run as before.
  { name: "balanced", weight: 3, workload: {} },
  { name: "write-heavy", weight: 2, workload: { mix: { get: 1, put: 5, delete: 1, cas: 3, exists: 0 } } },
  // 18 of 22 ops read (82%): gets, exists and lists.
  { name: "read-heavy", weight: 2, workload: { keys: RANGE_KEYS, listPrefix: "d/", mix: { get: 12, put: 2, delete: 1, cas: 1, exists: 3, list: 3 } } },
  // One or two hot keys, mostly CAS, often with a stale expectation.
  { name: "cas-contention", weight: 2, workload: { keys: ["a", "b"], mix: { get: 1, put: 1, delete: 0, cas: 8, exists: 0 }, staleCasP: 0.3 } },
  // Everything, lists included.
  { name: "ranges", weight: 2, workload: { keys: RANGE_KEYS, listPrefix: "d/", mix: { get: 2, put: 2, delete: 1, cas: 2, exists: 1, list: 2 } } },
];

export interface SwarmWorkload {
  readonly profile: WorkloadProfile["name"];
  readonly workload: Partial<WorkloadConfig>;
  /** Followers serve reads (with a read index from the leader); clients read from any server. */
  readonly followerReads: boolean;
  /** CheckQuorum off (unless lease reads or membership changes need it on). */
  readonly checkQuorumOff: boolean;
  /** Asynchronous apply this long after commit (MetaServer's applyDelayUs); undefined: apply in
   * the commit step. */
  readonly applyDelayUs: number | undefined;
  /** Client sessions expire after this many log entries without a command (undefined: never). */
  readonly sessionTtl: number | undefined;
}

/** Multi-key transactions (the store's txn) in a third of the seeds: a tenth or a quarter of the
 * ops, over every key or over a random pair. Drawn from the stream "txn", after every other
 * draw, so a seed without txns draws exactly what it drew before they existed. */
export function swarmTxns(t: Rng, keys: readonly string[]): Partial<WorkloadConfig> {
  if (!t.chance(1 / 3)) return {};
  const txnP = t.pick([0.1, 0.25]);
  if (keys.length <= 2 || t.chance(0.5)) return { txnP };
  const pool = [...keys];
  const a = pool.splice(t.int(0, pool.length - 1), 1)[0]!;
  const b = pool[t.int(0, pool.length - 1)]!;
  return { txnP, txnKeys: [a, b] };
}

export function swarmWorkload(r: Rng): SwarmWorkload {
  let total = 0;
  for (const p of WORKLOAD_PROFILES) total += p.weight;
  let x = r.int(0, total - 1);
  let k = 0;
  while (x >= WORKLOAD_PROFILES[k]!.weight) x -= WORKLOAD_PROFILES[k++]!.weight;
  const p = WORKLOAD_PROFILES[k]!;
  const followerReads = r.chance(0.3);
  // Clients that keep retrying on the server they last used, for a while (a deposed leader
  // that has not noticed keeps them).
  const stickyUs = r.chance(0.4) ? r.pick([300 * MS, 1000 * MS]) : 0;
  const checkQuorumOff = r.chance(0.4);
  // Commit and apply as separate steps (Kvrocks' apply channel), the store some ms behind.
  const applyDelayUs = r.chance(0.4) ? r.pick([0, 2 * MS, 10 * MS, 50 * MS]) : undefined;
  // Sessions that expire: after 50 entries (a client that waits out a partition loses its
  // session), or 500.
  const sessionTtl = r.chance(0.3) ? r.pick([50, 500]) : undefined;
  // Clients that send reads to any server even without follower reads: a follower redirects
  // them, but a deposed leader that has not noticed answers them itself.
  const readsAnywhere = !followerReads && r.chance(0.5);
  let workload: Partial<WorkloadConfig> = stickyUs > 0 ? { ...p.workload, stickyUs } : p.workload;
  if (readsAnywhere) workload = { ...workload, readsAnywhere };
  workload = { ...workload, ...swarmTxns(r.fork("txn"), p.workload.keys ?? ["a", "b", "c"]) };
  return { profile: p.name, workload, followerReads, checkQuorumOff, applyDelayUs, sessionTtl };
}
