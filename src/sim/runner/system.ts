// The System contract: everything the generic runner (run.ts) needs to know about one system
// under test, as one registered record. A system brings pure node code (src/impl), its trace
// keys, clients, online observers, its liveness condition, end-of-run checks, the model its
// history is checked against, its planted bugs, its fault families and kinds, and what a fault
// target such as "leader" means for it. The runner owns the seed, the world, the two phases
// (faults, then heal and converge) and the verdict.
//
// To add a system: copy src/sim/systems/pingpong/ (and src/impl/pingpong/), then add one line
// to src/sim/systems/index.ts.
import type { Model } from "../../check/model.js";
import type { Operation } from "../../check/history.js";
import type { FaultAction, FaultHooks, GeneratedSchedule, SwarmFamily } from "../faults/index.js";
import type { WorldOptions, World } from "../kernel/world.js";

export type AnyWorld = World<any, any, any, any>;

/** compareMetrics for a system whose run details keep its metrics in one section: the named
 * columns, in the order given, each the section's number or null (not measured in that run). */
export function metricColumns(section: unknown, names: readonly string[]): Readonly<Record<string, number | null>> {
  const k = (section ?? {}) as Record<string, unknown>;
  const out: Record<string, number | null> = {};
  for (const n of names) out[n] = typeof k[n] === "number" ? (k[n] as number) : null;
  return out;
}

export interface PlantedBug {
  readonly name: string;
  readonly description: string;
  /** The checks that should catch it. */
  readonly breaks: string;
  /** A seed (10 s default run) on which the harness finds it; the same seed passes without it. */
  readonly detectingSeed?: number;
  /** The shipped scenario (scenarios/NAME.yaml) whose run of detectingSeed finds it, for a bug
   * that a 10 s run of the default swarm cannot reach (kvrocks-controller: detection alone takes
   * 5 probe periods of 3 s). Absent: the 10 s default run. */
  readonly detectingScenario?: string;
}

/** One value of a node's snapshot: plain data (a table cell, a JSON value). */
export type NodeField = string | number | boolean | null;

/** One node's state at an instant (`raftsim replay --at`): the world's view of it (status,
 * clock, disk), then the fields its system reports, by name, in display order. */
export interface NodeSnapshot {
  readonly node: number;
  readonly fields: Readonly<Record<string, NodeField>>;
}

/** Every node's state at one virtual instant of a run. */
export interface InstantSnapshot {
  readonly atUs: number;
  /** False when the run stopped (a violation, the event budget) before atUs: the nodes are
   * then as they were when it stopped, at stoppedAtUs. */
  readonly reached: boolean;
  readonly stoppedAtUs?: number;
  readonly nodes: readonly NodeSnapshot[];
}

/** What the runner hands the system for one run. */
export interface RunRequest {
  readonly seed: number;
  readonly timeUs: number;
  /** When the generated schedule heals (explicit schedules carry their own heal-all). */
  readonly healAtUs: number;
  readonly servers: number;
  readonly clients: number;
  readonly bugs: readonly string[];
  /** false: the system under test runs with its own assertions off (`--sut-asserts off`), so
   * only the harness's checks can find a bug. Default true. */
  readonly sutAsserts?: boolean;
  /** The swarm's schedule (null: an explicit one was given). */
  readonly generated: GeneratedSchedule | null;
  /** The explicit schedule, if any (before the runner appends a heal-all). */
  readonly explicitFaults: readonly FaultAction[] | null;
  /** The system's own options (a scenario's system block, test overrides); opaque here. */
  readonly options: unknown;
}

/** The parts of the world a system supplies. */
export type SystemWorldOptions = Omit<WorldOptions<any, any, any, any>, "seed" | "servers" | "clients" | "keepTrace" | "applyFault">;

/** One run of a system: built by System.setup, used by the runner in this order — world,
 * attach, initial actions + schedule, fault phase, liveness, final check, finish, end checks,
 * history check, details. */
export interface SystemRun {
  readonly world: SystemWorldOptions;
  /** Fault targets, the system's own fault kinds, heal-all hook. */
  readonly faults: FaultHooks;
  /** Called once with the world, before it runs. */
  attach?(w: AnyWorld): void;
  /** Rewrites a generated schedule (Raft: lease-safe filtering). */
  adjustSchedule?(actions: readonly FaultAction[]): readonly FaultAction[];
  /** Scheduled before the fault schedule (Raft: a bootstrapped universe's first joins). */
  readonly initialActions?: readonly FaultAction[];
  /** The end of the liveness phase, given the last heal. */
  endAt(lastHealUs: number, timeUs: number): number;
  /** Runs the world from the last heal to endUs and says why the system did not recover, or
   * null (TigerBeetle's pending()). Throw CheckFailure for a safety violation. */
  liveness(w: AnyWorld, lastHealUs: number, endUs: number): string | null;
  /** A last safety check inside the run (Raft: full Log Matching). Throw CheckFailure. */
  finalCheck?(w: AnyWorld): void;
  /** After the run, before the history is read (clients give up what is in flight). */
  finish?(w: AnyWorld): void;
  /** End-of-run checks over the history (no acknowledged write lost): a message, or null. */
  endCheck?(): string | null;
  /** The client history and the model to check it against; none: no history check. */
  readonly history?: {
    operations(): readonly Operation<unknown, unknown>[];
    readonly model: Model<any, any, any>;
    /** Wall-clock budget of the check, ms. Default: none, and then the step budget below. */
    readonly timeoutMs?: number;
    /** Search steps of the check (deterministic: the same verdict under any load). Default:
     * RUN_CHECK_STEPS when no wall-clock budget is given. */
    readonly maxSteps?: number;
    /** The system's own account of which info ops never took effect: positions in
     * `operations` (what operations() returned; CheckOptions.neverApplied). A hint the check
     * tries first and never trusts. */
    neverApplied?(operations: readonly Operation<unknown, unknown>[]): ReadonlySet<number>;
  };
  /** Node `id`'s state as named plain fields (role, term, log, ... — whatever the system has;
   * the runner and the CLI know none of them), or null when it has none to show (a crashed
   * node). Called at an instant a user asked about (`replay --at`), from inside the run: it
   * must only read (no sends, timers, randomness, trace records) so the run goes on exactly as
   * without it. `atUs` is the instant; the node's local time there is w.clocks[id].local(atUs).
   * A failure detector's view of the cluster plugs in here as more fields. */
  inspectNode?(w: AnyWorld, id: number, atUs: number): Readonly<Record<string, NodeField>> | null;
  /** System-specific result fields (Raft: its configuration, members, join redirects). */
  details?(w: AnyWorld): Readonly<Record<string, unknown>>;
}

export interface System {
  /** "raft-metadata", "pingpong". */
  readonly name: string;
  readonly description: string;
  readonly defaults: { readonly servers: number; readonly clients: number };
  readonly bugs: readonly PlantedBug[];
  /** Swarm families, in generation order (draw order frozen: see src/sim/faults/swarm.ts). */
  readonly families: readonly SwarmFamily[];
  /** Fault kinds only this system executes (codes reserved in src/sim/faults/codes.ts). */
  readonly faultKinds: readonly string[];
  /** Named fault targets this system resolves ("leader"). */
  readonly targets: readonly string[];
  /** The detector families it can run (`--detector NAME`, its options' `detector`), the
   * default first. None: the system takes no --detector. */
  readonly detectors?: readonly string[];
  /** Names of its nodes' note codes (NodeEnv.note), for decoded traces. */
  readonly noteNames?: Readonly<Record<number, string>>;
  /** Its part of the scenario file format: a ScenarioBlock (src/sim/scenario/schema.ts), kept
   * opaque here so the runner does not depend on the file format. None: no scenario files. */
  readonly scenario?: unknown;
  /** The model of its client operations, registered by name for `raftsim check --model`. */
  readonly model?: Model<any, any, any>;
  /** The top-level names of the system options (RunOptions.options) its setup reads: the CLI
   * refuses a --system-options object naming another (a misspelt option would otherwise be
   * ignored without a word, and the run would not be the one asked for). Every built-in system
   * lists them (optionKeysOf checks a list against the options type); [] takes none. None: not
   * checked (a system of your own, registered in the API). */
  readonly optionKeys?: readonly string[];
  setup(req: RunRequest): SystemRun;
  /** The system options that make an explicit replay of a generated run's schedule
   * (RunResult.faults) reproduce that run: whatever else it drew from its seed or from the
   * schedule's extras (Raft: its configuration and membership). None: the run's options as
   * they were. Used by shrinking (src/api/shrink.ts); ordinary runs never call it. */
  materialise?(run: MaterialiseRequest): unknown;
  /** Lighter variants of its options for shrinking (fewer client operations, fewer keys),
   * lightest first; each must still be expressible in its scenario block. */
  lighter?(options: unknown): readonly unknown[];
  /** How the flight recorder (`--report`, src/api/report) draws its note records: per-node
   * state lanes and point markers. None: only the kernel's records (crashes, restarts, pauses,
   * disk and clock faults, partitions, messages) and the client history are drawn. */
  readonly recorder?: RecorderSpec;
  /** Named design variants for `raftsim compare --variants a,b`: each is a set of system
   * options laid over the run's own (shallow merge), run on the same seeds and so on the same
   * generated fault schedules. None: the system has nothing to compare. */
  readonly variants?: readonly SystemVariant[];
  /** The compare table's columns for one run: named numbers (null: not measured in that run)
   * read from the run's details. None: compare shows only verdicts. */
  compareMetrics?(details: Readonly<Record<string, unknown>>): Readonly<Record<string, number | null>>;
  /** `raftsim compare --calibrate TARGET`: the runs each variant is tuned on (an explicit fault
   * schedule, the same for every variant) and the compare column whose median over the seeds
   * is brought to TARGET by a bisection over the variant's knob. None: no calibration. */
  readonly calibration?: CompareCalibration;
}

/** A system's option names for System.optionKeys, checked against its options type T at compile
 * time: `optionKeysOf<T>()([...])` is a type error unless the list names every key of T and
 * nothing else, so what the CLI accepts cannot drift from what setup() reads through T. */
export function optionKeysOf<T>(): <const L extends readonly (keyof T & string)[]>(keys: L & ([Exclude<keyof T, L[number]>] extends [never] ? unknown : { readonly missing: Exclude<keyof T, L[number]> })) => L {
  return (keys) => keys;
}

export interface CompareCalibration {
  /** What the runs are ("calm primary crash at 5 s, down 60 s"). */
  readonly description: string;
  readonly faults: readonly FaultAction[];
  readonly timeUs: number;
  /** Seeds the median is taken over. */
  readonly seeds: readonly number[];
  /** A compareMetrics column, increasing with the knob (crash-to-failover time). */
  readonly column: string;
}

/** A variant's one tunable parameter for calibration: options(x) replaces the variant's options;
 * the measured column must grow with x over [lo, hi]. */
export interface VariantKnob {
  /** What x is ("valkey.nodeTimeoutMs"). */
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  /** x is rounded to this step (ms, µs...) so calibrated values read well and replay exactly. */
  readonly step: number;
  options(x: number): Readonly<Record<string, unknown>>;
}

/** One design variant of a system (`raftsim compare`). */
export interface SystemVariant {
  readonly name: string;
  readonly description: string;
  /** System options laid over the run's options (a shallow merge). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Its calibration knob (compare --calibrate); none: run as it is. */
  readonly knob?: VariantKnob;
}

/** The flight recorder's view of a system's notes (T.note: a = node, b = note code, c, d). */
export interface RecorderSpec {
  /** State lanes, drawn per node, top to bottom: each note with code `note` sets the lane's
   * value (arg `value`) from its time until the next one (a step series). */
  readonly lanes: readonly RecorderLane[];
  /** Notes drawn as labelled point markers on the node's timeline (membership changes...). */
  readonly markers?: readonly RecorderMarker[];
  /** Client records (T.client: a = actor, b = code, c, d) drawn as markers on the client's row. */
  readonly clientMarkers?: readonly RecorderMarker[];
}

export interface RecorderLane {
  readonly name: string;
  readonly note: number;
  /** Which argument of the note holds the value. */
  readonly value: "c" | "d";
  /** "enum": value names (colored bands); "step": a number (drawn as its value). */
  readonly kind: "enum" | "step";
  /** Names of enum values (absent: the number). */
  readonly names?: Readonly<Record<number, string>>;
  /** A second argument shown with the value ("term"), named. */
  readonly aux?: { readonly arg: "c" | "d"; readonly name: string };
  /** For "enum" lanes: a value drawn as "nothing" (no band), e.g. -1 for "no leader known". */
  readonly none?: number;
  /** Split the lane by the value of this argument (one row per distinct value: e.g. an
   * observer's suspicion per target node); the value then comes from the other argument. */
  readonly splitBy?: "c" | "d";
}

export interface RecorderMarker {
  /** The note code (for clientMarkers: the client record's b). */
  readonly code: number;
  /** Only notes whose argument c equals this (a sub-code, as Raft's custom notes). */
  readonly sub?: number;
  /** The label; {c} and {d} are replaced by the arguments. */
  readonly label: string;
}

/** What System.materialise gets: the run's own system options and what the run reported. */
export interface MaterialiseRequest {
  readonly options: unknown;
  /** The generated schedule's extras (RunResult.extras). */
  readonly extras: Readonly<Record<string, unknown>>;
  /** RunResult.details. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** A safety check failed at virtual time atUs: the run's verdict is "violation". */
export class CheckFailure extends Error {
  constructor(message: string, readonly atUs: number) {
    super(message);
    this.name = "CheckFailure";
  }
}
