// raftsim's public surface: the one export list (everything else is internal, however long its
// path). The CLI and the benchmarks go through it.
export { simulate, runOptionsFor, ScenarioSystemError, type SimulateOptions, type TimedRun } from "./simulate.js";
export { DEFAULT_SYSTEM, getSystem, listSystems, resolveBugs, UnknownBugError, UnknownSystemError, type PlantedBug, type System, type SystemInfo } from "./systems.js";
export { runSystem, type RunOptions, type RunResult, type LinSummary } from "../sim/runner/run.js";
export { judge, VERDICTS, EXPECTATIONS, type Verdict, type Expectation, type Judgement } from "../sim/runner/verdict.js";
export { runCluster, clusterRunOptions, type ClusterResult } from "../sim/systems/raft-metadata/run.js";
export { runSimulation } from "../sim/systems/pingpong/run.js";
export { formatFigure16, runFigure16, type Figure16Options, type Figure16Row, type Figure16Table } from "../sim/systems/raft-metadata/experiments/figure16.js";
export { addModel, checkOperations, formatCounterexample, getModel, modelNames, readHistory, type CheckResult, type LinVerdict, type Operation } from "./check.js";
