// The seed-stream table: every random stream a run draws from, forked by label from the run's
// root seed (src/sim/kernel/rng.ts: a fork depends on the parent's key and the label only, so
// consumers never shift each other's draws). Labels are hash input — rename the concepts, never
// the strings. test/sim/runner/seeds.test.ts fails when a fork label in src/ is missing here.
export interface StreamEntry {
  /** The label as forked ("<i>" etc. stand for numbers and names filled in at run time). */
  readonly label: string;
  /** The stream it is forked from: "root" (the run's seed) or another label. */
  readonly parent: string;
  readonly consumer: string;
}

export const SEED_STREAMS: readonly StreamEntry[] = [
  { label: "nemesis", parent: "root", consumer: "the fault schedule: which families are on, then each family's draws (runner/run.ts)" },
  { label: "family/<name>", parent: "nemesis", consumer: "one swarm family's episodes and choices (faults/swarm.ts)" },
  { label: "family/<name>/draw", parent: "nemesis", consumer: "whether a family with a stream of its own is on (raft-metadata: membership)" },
  { label: "family/crash/restore", parent: "nemesis", consumer: "backup restores riding with the crash family (faults/swarm.ts)" },
  { label: "swarm-config", parent: "root", consumer: "raft-metadata's configuration on generated runs (systems/raft-metadata/swarm.ts)" },
  { label: "read-mode", parent: "swarm-config", consumer: "raft-metadata's read mode and drift bound" },
  { label: "snapshots", parent: "swarm-config", consumer: "raft-metadata's snapshot frequency and chunk size" },
  { label: "workload-mix", parent: "root", consumer: "raft-metadata's workload on generated runs: op-mix profile, follower reads, sticky clients, CheckQuorum off (systems/raft-metadata/swarm.ts)" },
  { label: "txn", parent: "workload-mix", consumer: "raft-metadata: whether a generated run issues multi-key txns, their share and keys (swarm.ts swarmTxns), drawn after every other workload draw" },
  { label: "network", parent: "root", consumer: "latency, loss, duplication, reordering (kernel/network.ts)" },
  { label: "fault-exec", parent: "root", consumer: "choices made while faults run: trigger durations, re-add targets (world.faultRng)" },
  { label: "clocks", parent: "root", consumer: "each node's initial clock offset (kernel/world.ts)" },
  { label: "disk/<i>", parent: "root", consumer: "server i's disk: fsync latency, crash loss (kernel/disk.ts)" },
  { label: "node/<i>/<incarnation>", parent: "root", consumer: "the ImplRng handed to server i in one incarnation (election jitter)" },
  { label: "actor/<id>", parent: "root", consumer: "client actor on endpoint id (workload choices, think times)" },
  { label: "txn", parent: "actor/<id>", consumer: "raft-metadata client: whether an op is a txn, and the txn itself (only with workload.txn > 0)" },
  { label: "valkey-conformance", parent: "root", consumer: "the Valkey module conformance suite's world (api/valkey-conformance/world.ts)" },
  { label: "vc-net", parent: "valkey-conformance", consumer: "its message latencies" },
  { label: "vc-clocks", parent: "valkey-conformance", consumer: "its per-node clock offsets" },
  { label: "vc-node/<i>/<incarnation>", parent: "valkey-conformance", consumer: "the ImplRng handed to the module on node i in one incarnation" },
  { label: "figure16/<range>", parent: "root", consumer: "the Figure 16 experiment: trial seeds per timeout range" },
  { label: "figure16/crash-at", parent: "root", consumer: "the Figure 16 experiment: when the leader is crashed" },
];
