// raftsim's public surface: the one export list (everything else is internal, however long its
// path). `import { simulate, sweep, replay, check, systems, models, faults, simProperty } from
// "raftsim"`. The CLI and the benchmarks go through it.
import { addModel, getModel, modelNames } from "./check.js";
import { casRegister, etcdCasRegister, knossosCasRegister, porcupineKv, register } from "../check/models/index.js";
import { GENERIC_FAULT_KINDS } from "../sim/faults/kinds.js";
import { GENERIC_FAMILIES } from "../sim/faults/swarm.js";
import { defineModel } from "./models.js";
import { metadataKvRanges } from "../sim/systems/raft-metadata/model-ranges.js";
import { episodes, episodesToActions, faultCount, schedule, SCHEDULE_FAMILIES } from "./faults.js";
import { allSystems, getSystem, isBuiltinSystem, listSystems, registerSystem } from "./systems.js";

// ---- runs, replays, sweeps, checks: the objects `--json` prints -------------------------------
export { simulate, replay, type Simulation, type SimulationOptions, type Replay, type ReplayOptions } from "./library.js";
export { runOptionsFor, ScenarioSystemError, type SimulateOptions, type TimedRun } from "./simulate.js";
export { type RunSummary, type CheckSummary } from "./summary.js";
export { sweep, type SweepOptions, type SweepReport, type SweepFailure, type SweepProgress } from "./sweep.js";
export { compare, resolveFamilies, resolveVariants, CompareInputError, ScheduleMismatchError, SWARM_ROW, type CompareOptions, type CompareReport, type CompareRow, type CompareCounterexample, type CompareProgress, type CalibrationResult } from "./compare.js";
export { MetricsAggregator, type SeedAggregate } from "./aggregate.js";
export { check, defineModel, UnknownModelError, type History, type PorcupineModel, type PorcupineOperation } from "./models.js";
export { replayLine, rerunLine, shrinkLine, type ReplaySpec } from "./replay.js";
export { scenarioObject, scenarioYaml, NoScenarioFormError } from "./shrunk-scenario.js";
export { checkCorpusFile, checkEntry, corpusEntry, parseCorpus, saveFailure, CorpusFormatError, type CorpusEntry, type CorpusCheck } from "./corpus.js";
export { shrink, failureOf, sameFailure, describeFailure, materialise, NotFailingError, MaterialiseError, type Failure, type RunFigures, type ShrinkOptions, type ShrinkProgress, type ShrinkResult } from "./shrink.js";
export { buildReport, writeReport, reportData, NoTraceError, type ReportMeta, type ReportData } from "./report/index.js";
export { simProperty, checkSimProperty, type SimPropertyOptions, type SimPropertyReport, type SimCase } from "./property.js";
export { nodeStatesAt, checkInstants, InstantError, type InstantSnapshot, type NodeSnapshot, type NodeField } from "./inspect.js";
export { filterTrace, keepRecord, parseTraceKinds, parseTraceNodes, parseTraceWindow, traceKindNames, TraceFilterError, type TraceFilter, type TraceRecord } from "./trace-filter.js";
export { type Episode, type ScheduleFamily, type ScheduleOptions } from "./faults.js";

// ---- systems ---------------------------------------------------------------------------------
export { DEFAULT_SYSTEM, getSystem, listSystems, registerSystem, resolveBugs, UnknownBugError, UnknownSystemError, type PlantedBug, type System, type SystemInfo, type SystemVariant } from "./systems.js";
export { listDetectors, type DetectorInfo, type ParamDoc } from "./detectors.js";
export { runSystem, type RunOptions, type RunResult, type LinSummary } from "../sim/runner/run.js";
export { judge, VERDICTS, EXPECTATIONS, type Verdict, type Expectation, type Judgement } from "../sim/runner/verdict.js";
export { runCluster, clusterRunOptions, type ClusterResult } from "../sim/systems/raft-metadata/run.js";
export { WORKLOAD_PROFILES, swarmWorkload, type WorkloadProfile, type SwarmWorkload } from "../sim/systems/raft-metadata/swarm.js";
export { runSimulation } from "../sim/systems/pingpong/run.js";
export { FIGURE16_DEFAULTS, formatFigure16, runFigure16, type Deviation, type Figure16Options, type Figure16Row, type Figure16Table } from "../sim/systems/raft-metadata/experiments/figure16.js";
export { CLUSTER_MSG_HEADER_BYTES, GOSSIP_ENTRY_BYTES, MESSAGE_DETECTORS, MESSAGE_SIZES, messageCost, messagesTable, type MessageCost, type MessageRow } from "../sim/systems/failover/message-cost.js";

// ---- writing a system of your own (the System contract and what it runs on) ------------------
export { CheckFailure, type AnyWorld, type RunRequest, type SystemRun, type SystemWorldOptions, type RecorderSpec, type RecorderLane, type RecorderMarker } from "../sim/runner/system.js";
export type { Actor, ActorEnv, ActorFactory, NodeFactory, World, WorldStats } from "../sim/kernel/world.js";
export type { ImplRng, NodeEnv, NodeId, Recovered, SimNode } from "../impl/node.js";
export { GENERIC_FAULT_KINDS, type FaultAction, type GenericFault, type GenericFaultKind, type SystemFault } from "../sim/faults/kinds.js";
export { GENERIC_FAMILIES, type SwarmFamily } from "../sim/faults/swarm.js";

// ---- the Valkey modular-clustering contract: write a Clustering module, check it ------------
export { moduleConformance, runConformance, CONFORMANCE_CHECKS, ConformanceWorld, CoreRecord, type ConformanceCheck, type ConformanceOptions, type ConformanceResult, type WorldOptions as ConformanceWorldOptions } from "./valkey-conformance/index.js";
export { mintRevision, revisionPayload, shardOf, type ClusteringModule, type ClusterMembership, type ClusterPlan, type CommandResult, type CoreCallbacks, type GossipScope, type GossipUpdate, type MemberInfo, type MemberState, type MetadataEntry, type MetadataOp, type ModuleContext, type ModuleFactory, type Revision as ModuleRevision, type ShardId, type ShardLogUpdate, type ShardMembership, type ShardPlan, type UpdateResult } from "../impl/valkey-contract/contract.js";
export { raftModule, RaftModule, RAFT_MODULE_DEFAULTS, type RaftModuleOptions, type RaftModuleMessage } from "../impl/valkey-contract/raft-module/module.js";
export { gossipModule, GossipModule, GOSSIP_MODULE_DEFAULTS, GOSSIP_MODULE_BUGS, type GossipModuleOptions, type GossipModuleMessage, type GossipModuleBug } from "../impl/valkey-contract/gossip-module/module.js";

// ---- the checker on its own ----------------------------------------------------------------
export { addModel, checkOperations, formatCounterexample, getModel, modelNames, readHistory, type CheckResult, type LinVerdict, type Operation } from "./check.js";
export type { Event, Status } from "../check/history.js";
export type { Model } from "../check/model.js";
export type { RegisterInput, RegisterOutput, RegisterValue, KvInput, KvOutput } from "../check/models/index.js";

/** The systems under test: the built-in ones and any you register. */
export const systems = {
  list: listSystems,
  get: getSystem,
  register: registerSystem,
  isBuiltin: isBuiltinSystem,
  names: (): string[] => allSystems().map((s) => s.name),
} as const;

/** Models for the linearizability checker: the built-in ones, the registry, and defineModel for
 * a model in Porcupine's shape. */
export const models = {
  get: getModel,
  names: modelNames,
  add: addModel,
  define: defineModel,
  register,
  casRegister,
  etcdCasRegister,
  knossosCasRegister,
  porcupineKv,
  /** raft-metadata's model for histories with lists or multi-key txns (lists under the given
   * prefixes are checked against every key they cover; txns join their keys' parts). */
  metadataKvRanges,
} as const;

/** The generic fault kinds and swarm families every system can be subjected to, and fault
 * schedules as fast-check arbitraries (`faults.schedule({ servers, durationMs, maxFaults })`). */
export const faults = {
  kinds: GENERIC_FAULT_KINDS,
  families: GENERIC_FAMILIES.map((f) => f.name),
  /** The families faults.schedule draws from. */
  scheduleFamilies: SCHEDULE_FAMILIES,
  schedule,
  episodes,
  episodesToActions,
  count: faultCount,
} as const;
