// The JSON objects the CLI prints with --json, built here so that library users get the very
// same objects: `raftsim run --json` / `replay --json` (runSummary) and `raftsim check --json`
// (checkSummary).
import type { CheckResult } from "../check/linearizability.js";
import type { Counterexample } from "../check/counterexample.js";
import type { Expectation, Verdict } from "../sim/runner/verdict.js";
import type { TimedRun } from "./simulate.js";

export interface RunSummary {
  system: string;
  seed: number;
  scenario: string | null;
  verdict: Verdict;
  message: string | null;
  traceHash: string;
  /** Virtual time of the failure, ms; null when ok. */
  atMs: number | null;
  bugs: string[];
  /** With a scenario file: the file, its expectation, whether the verdict met it. */
  scenarioFile?: string;
  expect?: Expectation;
  expectationMet?: boolean;
  faults: { families: string[]; actions: number };
  history: { ops: number; ok: number; fail: number; info: number } | null;
  linearizability: {
    verdict: CheckResult["verdict"];
    partitions: number;
    ms: number;
    counterexample: Counterexample | null;
    /** Info ops the run's witness left out (CheckOptions.neverApplied), when the verdict came from that check. */
    leftOut?: number;
  } | null;
  stats: { events: number; messages: number; simulatedMs: number; wallMs: number };
  /** The command that reruns this seed and insists on its trace hash. */
  replay: string;
  /** Systems with detectors (failover): detection and failover measurements (RunResult.details). */
  detector?: unknown;
  failover?: unknown;
  /** Systems that measure QoS, availability and traffic (failover): RunResult.details' own. */
  qos?: unknown;
  unavailability?: unknown;
  traffic?: unknown;
  /** Every distribution the run measured, by name: {n, p50, p99, max} (RunResult.details.metrics). */
  metrics?: unknown;
  /** replay only: the hash asked for, and whether the rerun matched it. */
  expectedHash?: string | null;
  match?: boolean;
}

export interface SummaryContext {
  readonly bugs: readonly string[];
  readonly replay: string;
  readonly scenario?: { readonly file: string; readonly expect: Expectation; readonly expectationMet: boolean };
}

/** The object `raftsim run --json` prints for one run. */
export function runSummary(r: TimedRun, ctx: SummaryContext): RunSummary {
  const res = r.result;
  const sc = ctx.scenario;
  return {
    system: res.system,
    seed: res.seed,
    scenario: res.scenario,
    verdict: res.verdict,
    message: res.message,
    traceHash: res.traceHash,
    atMs: res.verdict === "ok" ? null : res.atUs / 1000,
    bugs: [...ctx.bugs],
    ...(sc === undefined ? {} : { scenarioFile: sc.file, expect: sc.expect, expectationMet: sc.expectationMet }),
    faults: { families: [...res.families], actions: res.faults.length },
    history: res.history,
    linearizability:
      res.lin === null ? null : { verdict: res.lin.verdict, partitions: res.lin.partitions, ms: Math.round(res.lin.ms * 10) / 10, counterexample: res.lin.counterexample ?? null, ...(res.lin.leftOut !== undefined ? { leftOut: res.lin.leftOut } : {}) },
    stats: {
      events: res.stats.events,
      messages: res.stats.messagesDelivered,
      simulatedMs: res.stats.simulatedUs / 1000,
      wallMs: Math.round(r.wallMs * 10) / 10,
    },
    replay: ctx.replay,
    ...("detector" in res.details ? { detector: res.details.detector } : {}),
    ...("failover" in res.details ? { failover: res.details.failover } : {}),
    ...("qos" in res.details ? { qos: res.details.qos } : {}),
    ...("unavailability" in res.details ? { unavailability: res.details.unavailability } : {}),
    ...("traffic" in res.details ? { traffic: res.details.traffic } : {}),
    ...("metrics" in res.details ? { metrics: res.details.metrics } : {}),
  };
}

export interface CheckSummary {
  verdict: CheckResult["verdict"];
  model: string;
  ops: number;
  partitions: number;
  unchecked: number;
  /** Whether the caller accepted unchecked ops (--lenient). */
  lenient: boolean;
  ms: number;
  reason?: "timeout" | "memory" | "steps" | "unchecked";
  counterexample?: Counterexample;
}

/** What `check --json` prints. Ops the model could not place (unchecked) leave the verdict
 * open — unknown, reason "unchecked" — unless `lenient` asks to judge the rest. */
export function checkSummary(result: CheckResult, model: string, lenient = false): CheckSummary {
  const partial = result.unchecked > 0 && !lenient && result.verdict === "ok";
  const reason = partial ? "unchecked" : result.reason;
  return {
    verdict: partial ? "unknown" : result.verdict,
    model,
    ops: result.ops,
    partitions: result.partitions,
    unchecked: result.unchecked,
    lenient,
    ms: Math.round(result.ms * 100) / 100,
    ...(reason ? { reason } : {}),
    ...(result.counterexample ? { counterexample: result.counterexample } : {}),
  };
}
