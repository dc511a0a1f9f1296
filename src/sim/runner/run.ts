// The generic runner: one checked run of any registered system, in two phases as in
// TigerBeetle's VOPR — faults until the final heal, then the system's liveness phase — then its
// end checks and the check of its client history against its model. Every run is a function
// of (system, seed, options): the schedule comes from the stream "nemesis", the system draws
// its own configuration from its streams, and the world forks the rest (src/sim/runner/seeds.ts
// lists every stream).
import { checkOperations, type CheckResult } from "../../check/linearizability.js";
import type { Operation } from "../../check/history.js";
import { generateSchedule, faultExecutor, type FaultAction, type GeneratedSchedule } from "../faults/index.js";
import { Rng } from "../kernel/rng.js";
import { BudgetExhaustedError } from "../kernel/scheduler.js";
import type { NetConfig } from "../kernel/network.js";
import type { Trace } from "../kernel/trace.js";
import { World, type WorldStats } from "../kernel/world.js";
import { livenessWindowUs } from "./liveness-window.js";
import { LivelockError } from "./livelock.js";
import { snapshotNodes } from "./inspect.js";
import { CheckFailure, type AnyWorld, type InstantSnapshot, type System } from "./system.js";
import type { Verdict } from "./verdict.js";

/** The history check's default budget in search steps (CheckOptions.maxSteps) for a system that
 * names no wall-clock budget. A wall-clock budget made a seed's verdict depend on the machine's
 * load: every-fault seed 543 (23 ops, 14 indeterminate, all keys joined by txns) takes 2-3.6 s on
 * a quiet machine and crossed 10 s under load 13-17, turning ok into unknown. It needs 5.8 M
 * steps; 30 M is about 10 s of the heaviest model (metadata-kv-ranges, ~3 M steps/s) here. */
export const RUN_CHECK_STEPS = 30_000_000;

export interface RunOptions {
  readonly seed: number;
  /** Total simulated time, µs: the fault phase, then the liveness phase. */
  readonly timeUs: number;
  readonly servers?: number;
  readonly clients?: number;
  /** Explicit fault schedule (a scenario); undefined → generated from the seed (swarm). */
  readonly faults?: readonly FaultAction[];
  /** Fault families the swarm may enable, by name (default: all the system's). */
  readonly families?: readonly string[];
  /** Every fault family on every seed, instead of the swarm's random subset. */
  readonly everyFamily?: boolean;
  readonly bugs?: readonly string[];
  /** false: the system under test's own assertions are off (RunRequest.sutAsserts). */
  readonly sutAsserts?: boolean;
  readonly keepTrace?: boolean;
  /** The network profile at boot (a scenario's net block); default: the system's, else the kernel's. */
  readonly net?: Partial<NetConfig>;
  readonly scenarioName?: string | null;
  /** The system's own options (opaque to the runner). */
  readonly options?: unknown;
  /** Called with the world at the end of the run (before the history check): for debugging a
   * seed — node states, disks, the network. */
  readonly inspect?: (world: AnyWorld) => void;
  /** Instants (virtual µs) at which to snapshot every node (RunResult.snapshots): the state
   * after every event with time ≤ the instant. Observing changes nothing: the trace hash is
   * the same with and without. */
  readonly snapshotsAt?: readonly number[];
}

export type LinSummary = Pick<CheckResult, "verdict" | "partitions" | "ms" | "reason" | "counterexample" | "leftOut">;

export interface RunResult {
  readonly seed: number;
  readonly system: string;
  readonly scenario: string | null;
  readonly verdict: Verdict;
  /** Why the verdict is not ok: the invariant, check or liveness condition that failed. */
  readonly message: string | null;
  /** Virtual time of the failure, µs (end of run when an end check failed). */
  readonly atUs: number;
  readonly traceHash: string;
  readonly stats: WorldStats;
  readonly families: readonly string[];
  readonly faults: readonly FaultAction[];
  /** The schedule as generated, before the system's adjustSchedule (the same array as faults
   * when it has none, or the schedule was explicit): what `raftsim compare` checks is alike
   * across a system's variants, since a variant may carry some actions out and drop others. */
  readonly generatedFaults: readonly FaultAction[];
  /** The generated schedule's extras (what its families passed to the system); {} for an
   * explicit schedule. */
  readonly extras: Readonly<Record<string, unknown>>;
  /** Client history counts; null for a system that records none. */
  readonly history: { ops: number; ok: number; fail: number; info: number } | null;
  readonly lin: LinSummary | null;
  readonly trace: Trace;
  readonly operations: readonly Operation<unknown, unknown>[];
  readonly details: Readonly<Record<string, unknown>>;
  /** The snapshots asked for with RunOptions.snapshotsAt, in instant order (absent otherwise). */
  readonly snapshots?: readonly InstantSnapshot[];
}

export function runSystem(system: System, o: RunOptions): RunResult {
  const N = o.servers ?? system.defaults.servers;
  const C = o.clients ?? system.defaults.clients;
  const healAt = o.timeUs - livenessWindowUs(o.timeUs);
  // The schedule is drawn first (from the same stream the world would hand out: forks are
  // keyed by label), because a family may decide how the system starts (Raft's membership).
  let generated: GeneratedSchedule | null = null;
  if (o.faults === undefined) {
    generated = generateSchedule(Rng.root(o.seed).fork("nemesis"), { servers: N, healAtUs: healAt, definitions: system.families, families: o.families, everyFamily: o.everyFamily });
  }
  const sys = system.setup({
    seed: o.seed,
    timeUs: o.timeUs,
    healAtUs: healAt,
    servers: N,
    clients: C,
    bugs: o.bugs ?? [],
    sutAsserts: o.sutAsserts ?? true,
    generated,
    explicitFaults: o.faults ?? null,
    options: o.options,
  });
  const world: AnyWorld = new World<any, any, any, any>({
    ...sys.world,
    seed: o.seed,
    servers: N,
    clients: C,
    keepTrace: o.keepTrace ?? false,
    noteNames: system.noteNames,
    ...(o.net !== undefined ? { net: o.net } : {}),
    applyFault: faultExecutor(sys.faults),
  });
  sys.attach?.(world);
  // Snapshots: probes at the asked instants (they observe only). An instant the run never
  // reached (it stopped at a violation first, or the instant is after its end) shows the nodes
  // where it stopped.
  const snapshots: InstantSnapshot[] = [];
  let stopped = false;
  let ended = false;
  const snapshotAt = (at: number): void => {
    const nodes = snapshotNodes(world, sys, at);
    const missed = ended && (at > world.now || (stopped && at >= world.now));
    snapshots.push(missed ? { atUs: at, reached: false, stoppedAtUs: world.now, nodes } : { atUs: at, reached: true, nodes });
  };
  for (const at of o.snapshotsAt ?? []) world.probe(at, snapshotAt);

  let faults: readonly FaultAction[];
  let lastHeal = healAt;
  if (o.faults !== undefined) {
    faults = o.faults;
    const heals = faults.filter((f) => f.kind === "heal-all");
    if (heals.length === 0) faults = [...faults, { at: healAt, kind: "heal-all" }];
    else lastHeal = Math.max(...heals.map((f) => f.at));
  } else {
    faults = sys.adjustSchedule ? sys.adjustSchedule(generated!.actions) : generated!.actions;
  }
  if (sys.initialActions !== undefined && sys.initialActions.length > 0) world.scheduleFaults(sys.initialActions);
  world.scheduleFaults(faults);

  let verdict: Verdict = "ok";
  let message: string | null = null;
  let atUs = 0;
  try {
    world.runUntil(lastHeal);
    const why = sys.liveness(world, lastHeal, sys.endAt(lastHeal, o.timeUs));
    if (why !== null) {
      verdict = "liveness";
      message = why;
      atUs = world.now;
    }
    sys.finalCheck?.(world);
  } catch (e) {
    atUs = world.now;
    stopped = true;
    if (e instanceof CheckFailure) {
      verdict = "violation";
      message = e.message;
      atUs = e.atUs;
    } else if (e instanceof BudgetExhaustedError || e instanceof LivelockError) {
      // The system spun (livelock.ts) or ran past the event budget: it made no progress.
      verdict = "liveness";
      message = e.message;
    } else if (e instanceof Error) {
      // An assertion inside the system under test or the simulator: a bug found.
      verdict = "violation";
      message = `${e.name}: ${e.message}`;
    } else throw e;
  }
  // Instants no later event passed: nothing happened after them before the end — or the run
  // stopped first.
  ended = true;
  world.flushProbes();
  o.inspect?.(world);
  sys.finish?.(world);
  const operations = sys.history?.operations() ?? [];

  if (verdict !== "violation" && sys.endCheck !== undefined) {
    const lost = sys.endCheck();
    if (lost !== null) {
      verdict = "violation";
      message = lost;
      atUs = world.now;
    }
  }
  let lin: LinSummary | null = null;
  if (verdict !== "violation" && sys.history !== undefined) {
    const h = sys.history;
    const r = checkOperations(h.model, operations, { timeoutMs: h.timeoutMs, maxSteps: h.maxSteps ?? (h.timeoutMs === undefined ? RUN_CHECK_STEPS : undefined), neverApplied: h.neverApplied?.(operations) });
    lin = { verdict: r.verdict, partitions: r.partitions, ms: r.ms, reason: r.reason, counterexample: r.counterexample, ...(r.leftOut !== undefined ? { leftOut: r.leftOut } : {}) };
    if (r.verdict === "illegal") {
      verdict = "violation";
      message = `history is not linearizable (${r.counterexample?.parts.length ?? 0} key(s) fail)`;
      atUs = world.now;
    } else if (r.verdict === "unknown" && verdict === "ok") {
      verdict = "unknown";
      message = `linearizability check gave up (${r.reason})`;
    }
  }

  let history: RunResult["history"] = null;
  if (sys.history !== undefined) {
    let ok = 0;
    let fail = 0;
    let info = 0;
    for (const op of operations) {
      if (op.status === "ok") ok++;
      else if (op.status === "fail") fail++;
      else info++;
    }
    history = { ops: operations.length, ok, fail, info };
  }
  return {
    seed: o.seed,
    system: system.name,
    scenario: o.scenarioName ?? null,
    verdict,
    message,
    atUs,
    traceHash: world.trace.hash(),
    stats: world.stats(),
    families: generated?.families ?? [],
    faults,
    generatedFaults: o.faults === undefined ? generated!.actions : faults,
    extras: generated?.extras ?? {},
    history,
    lin,
    trace: world.trace,
    operations,
    details: sys.details?.(world) ?? {},
    ...(o.snapshotsAt !== undefined ? { snapshots } : {}),
  };
}
