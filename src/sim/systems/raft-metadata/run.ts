// runCluster: one raft-metadata run through the generic runner, with its result typed for
// callers that want the Raft details (its configuration, final membership, the history).
import type { RaftOptions } from "../../../impl/raft/api.js";
import { runSystem, type RunOptions, type RunResult } from "../../runner/run.js";
import type { Verdict } from "../../runner/verdict.js";
import type { MetaOperation } from "./clients/recorder.js";
import type { ClusterRunOptions } from "./options.js";
import { raftMetadata } from "./system.js";

export type ClusterVerdict = Verdict;

/** A raft-metadata run's result: the generic one with the history always present and the Raft
 * details typed. */
export interface ClusterResult extends Omit<RunResult, "system" | "history" | "operations" | "details"> {
  readonly history: NonNullable<RunResult["history"]>;
  /** The Raft configuration this run used (drawn from the seed in swarm mode). */
  readonly raft: Omit<RaftOptions, "voters" | "bugs">;
  readonly operations: readonly MetaOperation[];
  /** Membership at the end, as the leader lists it (the admin query); null: no leader. */
  readonly members: { readonly leader: number; readonly voters: readonly number[]; readonly learners: readonly number[] } | null;
  /** Join requests a non-leader answered with a redirect to the leader. */
  readonly joinRedirects: number;
}

/** ClusterRunOptions (the flat form tests and scenarios use) → the generic runner's options. */
export function clusterRunOptions(o: ClusterRunOptions): RunOptions {
  return {
    seed: o.seed,
    timeUs: o.timeUs,
    servers: o.servers,
    clients: o.clients,
    faults: o.faults,
    families: o.families,
    everyFamily: o.everyFamily,
    bugs: o.bugs,
    keepTrace: o.keepTrace,
    scenarioName: o.scenarioName,
    inspect: o.inspect,
    options: { raft: o.raft, workload: o.workload, net: o.net, membership: o.membership, swarmConfig: o.swarmConfig, checkTimeoutMs: o.checkTimeoutMs, followerReads: o.followerReads, applyDelayUs: o.applyDelayUs, sessionTtl: o.sessionTtl, leaseCheck: o.leaseCheck, ...(o.onlineChecks !== undefined ? { onlineChecks: o.onlineChecks } : {}), ...(o.livenessStopWhenHealthy !== undefined ? { livenessStopWhenHealthy: o.livenessStopWhenHealthy } : {}), ...(o.fast !== undefined ? { fast: o.fast } : {}) },
  };
}

export function runCluster(o: ClusterRunOptions): ClusterResult {
  const r = runSystem(raftMetadata, clusterRunOptions(o));
  const d = r.details as Pick<ClusterResult, "raft" | "members" | "joinRedirects">;
  return {
    seed: r.seed,
    scenario: r.scenario,
    verdict: r.verdict,
    message: r.message,
    atUs: r.atUs,
    traceHash: r.traceHash,
    stats: r.stats,
    families: r.families,
    faults: r.faults,
    generatedFaults: r.generatedFaults,
    extras: r.extras,
    history: r.history!,
    raft: d.raft,
    lin: r.lin,
    trace: r.trace,
    operations: r.operations as readonly MetaOperation[],
    members: d.members,
    joinRedirects: d.joinRedirects,
  };
}
