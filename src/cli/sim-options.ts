// Options shared by `run` and `replay`, and the one-run driver both use.
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { formatCounterexample } from "../api/check.js";
import { simulate as simulateRun, type TimedRun } from "../api/simulate.js";
import { DEFAULT_SYSTEM, getSystem, resolveBugs, resolveDetector, UnknownBugError, UnknownDetectorError } from "../api/systems.js";
import { parseSystem } from "./system-option.js";

export { parseSystem };
import type { Verdict } from "../api/index.js";
import { replayLine } from "../api/replay.js";
import { writeReport, type ReportMeta } from "../api/report/index.js";
import { runSummary } from "../api/summary.js";
import { metricsTable } from "./metrics-table.js";
import { formatDuration, parseDuration } from "../util/duration.js";
import { Exit, type ExitCode } from "./exit-codes.js";
import { judge, timeOverrideProblem } from "../api/scenarios.js";
import { describeIoError, IoError, UsageError } from "./errors.js";
import { parseSeedRange, type SeedRange } from "../util/ranges.js";
import { expectationExit, loadScenarioForCli } from "./scenario-file.js";
import type { LoadedScenario } from "../api/scenarios.js";
import type { TraceFilter } from "../api/trace-filter.js";
import { addTraceFilterOptions, resolveTraceFilter, writeTrace, type TraceCliOptions } from "./trace-options.js";

export interface SimCliOptions extends TraceCliOptions {
  seed?: number;
  scenario?: string;
  time?: number; // µs
  trace?: string;
  report?: string;
  json?: boolean;
  bug: string[];
  sutAsserts?: boolean;
  everyFault?: boolean;
  system?: string;
  faults?: FaultList;
  detector?: string;
  families?: string[];
  systemOptions?: Record<string, unknown>;
  /** --no-fast (commander: fast false): raft-metadata's original event model. */
  fast?: boolean;
}

/** The options of one run after the scenario (if any) filled in what the command line left out. */
export interface ResolvedSim {
  seed: number;
  time: number; // µs
  /** --scenario as given (a name or a path): the replay command repeats it. */
  scenarioRef?: string;
  scenario: LoadedScenario | null;
  trace?: string;
  /** What --trace writes (--trace-node, --trace-kind, --trace-window); undefined: everything. */
  traceFilter?: TraceFilter;
  /** --report: the flight recorder's HTML file. */
  report?: string;
  json?: boolean;
  /** Bugs from the command line (the scenario's own come from its file). */
  bug: string[];
  /** false: --sut-asserts off. */
  sutAsserts: boolean;
  everyFault: boolean;
  /** The system under test (default raft-metadata). */
  system: string;
  /** --faults: an explicit schedule (virtual µs), as simProperty and the API's replay lines give it. */
  faults?: FaultList;
  /** --detector: the detector family (systems with detectors: failover). */
  detector?: string;
  /** --families: the fault families the swarm may draw (compare's family rows). */
  families?: string[];
  /** --system-options: system options laid over the run's (compare's variants). */
  systemOptions?: Record<string, unknown>;
}

/** A comma-separated list of names (`what` names them in the error). */
export function parseNameList(text: string, what = "names"): string[] {
  const xs = text.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (xs.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${what}`);
  return xs;
}

/** --families a,b: names, checked against the system in resolveSim. */
function parseFamilies(text: string): string[] {
  return parseNameList(text, "fault family names");
}

/** --system-options '<json>': a JSON object. */
export function parseSystemOptions(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InvalidArgumentError("expected a JSON object of system options");
  return v as Record<string, unknown>;
}

type FaultList = { at: number; kind: string; [field: string]: unknown }[];

/** --faults '<json>' or --faults @FILE: a JSON array of fault actions ({at (µs), kind, ...}). */
export function parseFaults(text: string): FaultList {
  let json = text;
  if (text.startsWith("@")) {
    try {
      json = readFileSync(text.slice(1), "utf8");
    } catch (e) {
      throw new InvalidArgumentError(`cannot read ${text.slice(1)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new InvalidArgumentError(`not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(v)) throw new InvalidArgumentError("expected a JSON array of fault actions");
  v.forEach((a: unknown, i) => {
    const f = a as { at?: unknown; kind?: unknown };
    if (typeof a !== "object" || a === null || typeof f.kind !== "string" || typeof f.at !== "number" || !Number.isInteger(f.at) || f.at < 0)
      throw new InvalidArgumentError(`action ${i}: expected {"at": <µs, a non-negative integer>, "kind": "<fault kind>", ...}`);
  });
  return v as FaultList;
}

const DEFAULT_TIME_US = 30_000_000;

/** --bug is checked against the chosen system's catalogue once --system is known (resolveSim). */
function collectBug(text: string, prev: string[]): string[] {
  return [...prev, text.trim()];
}

/** The system of a run: --system, else the scenario's, else the default; a --system that
 * contradicts the scenario's own is a usage error. */
export function systemFor(flag: string | undefined, scenario: { readonly name: string; readonly system: string } | undefined): string {
  if (flag !== undefined && scenario !== undefined && flag !== scenario.system)
    throw new UsageError(`scenario ${scenario.name} is a ${scenario.system} scenario; --system ${flag} does not match (leave --system out)`);
  return flag ?? scenario?.system ?? DEFAULT_SYSTEM;
}

/** --bug names checked against the system's catalogue; an unknown one is a usage error (64). */
export function checkBugs(system: string, bugs: readonly string[]): void {
  try {
    resolveBugs(getSystem(system), bugs);
  } catch (e) {
    if (e instanceof UnknownBugError) throw new UsageError(e.message);
    throw e;
  }
}

/** --detector checked against the system's detector families; unknown: a usage error (64). */
export function checkDetector(system: string, detector: string | undefined): void {
  if (detector === undefined) return;
  try {
    resolveDetector(getSystem(system), detector);
  } catch (e) {
    if (e instanceof UnknownDetectorError) throw new UsageError(e.message);
    throw e;
  }
}

/** A parser that throws Error, as a commander argument parser (its message becomes the usage
 * error's). */
function optionParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

/** --sut-asserts on|off → whether the system under test keeps its own assertions. */
export function parseOnOff(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === "on") return true;
  if (t === "off") return false;
  throw new InvalidArgumentError(`expected on or off, found ${JSON.stringify(text)}`);
}

/** "A..B" or "N" → the inclusive seed range, as a commander argument parser. */
export const parseSeedRangeOption: (text: string) => SeedRange = optionParser(parseSeedRange);

export function parseSeed(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError("expected a non-negative integer");
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError("must be below 2^53");
  return n;
}

/** A duration option ("30s") → µs, as a commander argument parser. */
export const parseTime: (text: string) => number = optionParser(parseDuration);

export function addSimOptions(cmd: Command): Command {
  return addTraceFilterOptions(cmd
    .option("--seed <n>", "root seed (integer); required unless --scenario gives seeds (then: its first seed)", parseSeed)
    .option("--scenario <name|file>", "a scenario: a name from scenarios/ (see `raftsim scenarios`) or a .yaml/.json file")
    .option("--time <duration>", "simulated time, e.g. 30s, 500ms, 2m (default: the scenario's, else 30s)", parseTime)
    .option("--trace <file>", "write every trace record as JSON lines to <file> (- : stdout); the --trace-* filters below choose which")
    .option("--report <file.html>", "write the flight recorder: one self-contained HTML file drawing the run (timelines per node, the client history with the counterexample marked, the failure, messages, the replay and shrink commands)")
    .option("--system <name>", `the system under test (see \`raftsim systems\`; default ${DEFAULT_SYSTEM})`, parseSystem)
    .option("--bug <name>", "switch on a planted bug of the system (repeatable; see `raftsim bugs`)", collectBug, [] as string[])
    .option("--sut-asserts <on|off>", "off: switch off the system under test's own assertions, so only the harness's checks can find a bug (default on)", parseOnOff, true)
    .option("--every-fault", "enable every fault family (default: a random subset drawn from the seed)")
    .option("--detector <name>", "the detector family of a system that has several (failover: gossip)")
    .option("--families <a,b>", "let the swarm draw only these fault families (see `raftsim systems`; compare's family rows)", parseFamilies)
    .option("--system-options <json>", "system options laid over the run's, as a JSON object (what `raftsim compare` prints for a variant)", parseSystemOptions)
    .option("--no-fast", "raft-metadata: run the original event model (periodic heartbeats to every follower, clients at full speed to the end of the liveness window) instead of the default fast one; the same as --system-options '{\"fast\":false}', and other trace hashes")
    .option("--faults <json|@file>", "an explicit fault schedule instead of the generated one: a JSON array of {at (µs), kind, ...} (what simProperty prints)", parseFaults)
    .option("--json", "print one JSON object on stdout"));
}

export type { TimedRun };

/** Throws IoError (exit 74) unless `file` can be written: checked before a run, so a bad
 * --trace path fails in a moment rather than after the whole simulation. Creates nothing. */
export function checkWritable(file: string, option = "--trace"): void {
  const full = resolve(file);
  const fail = (why: string): never => {
    throw new IoError(file, `${option}: cannot write: ${why}`);
  };
  let st;
  try {
    st = statSync(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") fail(describeIoError(e));
  }
  if (st !== undefined) {
    if (st.isDirectory()) fail("is a directory, expected a file");
    try {
      accessSync(full, constants.W_OK);
    } catch (e) {
      fail(describeIoError(e));
    }
    return;
  }
  const dir = dirname(full);
  try {
    if (!statSync(dir).isDirectory()) fail(`${dirname(file)} is not a directory`);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    if (e instanceof IoError) throw e;
    fail((e as NodeJS.ErrnoException).code === "ENOENT" ? `no directory ${dirname(file)}` : describeIoError(e));
  }
}

/** Fill in seed and time from the scenario; loading errors become CLI errors (exit 65 / 64). */
export function resolveSim(o: SimCliOptions): ResolvedSim {
  if (o.trace !== undefined && o.trace !== "-") checkWritable(o.trace);
  if (o.report !== undefined) checkWritable(o.report, "--report");
  const scenario = o.scenario !== undefined ? loadScenarioForCli(o.scenario) : null;
  const seed = o.seed ?? scenario?.scenario.seeds[0];
  if (seed === undefined) throw new UsageError("required option '--seed <n>' not specified (or give --scenario NAME, whose first seed is the default)");
  const tooShort = scenario !== null && o.time !== undefined ? timeOverrideProblem(scenario.scenario, o.time) : null;
  if (tooShort !== null) throw new UsageError(tooShort);
  const system = systemFor(o.system, scenario?.scenario);
  checkBugs(system, o.bug);
  checkDetector(system, o.detector);
  if (o.faults !== undefined && scenario !== null) throw new UsageError("--faults and --scenario both give a fault schedule: use one");
  if (o.faults !== undefined && o.everyFault === true) throw new UsageError("--faults gives the schedule: --every-fault has nothing to do");
  if (o.families !== undefined) {
    if (o.faults !== undefined || scenario !== null) throw new UsageError("--families chooses what the swarm draws: it does not go with --faults or --scenario");
    const known = getSystem(system).families.map((f) => f.name);
    const bad = o.families.find((f) => !known.includes(f));
    if (bad !== undefined) throw new UsageError(`--families: unknown fault family "${bad}" of system ${system}; known: ${known.join(", ")}`);
  }
  const time = o.time ?? scenario?.scenario.timeUs ?? DEFAULT_TIME_US;
  const systemOptions = withFastFlag(system, o.fast, o.systemOptions);
  checkSystemOptions(system, systemOptions);
  const traceFilter = resolveTraceFilter(o, system, time);
  return {
    seed,
    time,
    scenarioRef: o.scenario,
    scenario,
    trace: o.trace,
    ...(traceFilter !== undefined ? { traceFilter } : {}),
    report: o.report,
    json: o.json,
    bug: o.bug,
    sutAsserts: o.sutAsserts !== false,
    everyFault: o.everyFault ?? false,
    system,
    ...(o.faults !== undefined ? { faults: o.faults } : {}),
    ...(o.detector !== undefined ? { detector: o.detector } : {}),
    ...(o.families !== undefined ? { families: o.families } : {}),
    ...(systemOptions !== undefined ? { systemOptions } : {}),
  };
}

/** Refuses (UsageError, exit 64) --system-options naming an option the system does not read
 * (System.optionKeys, where it lists them), and an onlineChecks value raft-metadata does not know.
 * The values of the other options are the system's to judge when the run is set up. */
export function checkSystemOptions(system: string, systemOptions: Readonly<Record<string, unknown>> | undefined): void {
  if (systemOptions === undefined) return;
  const known = getSystem(system).optionKeys;
  if (known !== undefined) {
    const unknown = Object.keys(systemOptions).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new UsageError(`--system-options: system ${system} has no option${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; ${known.length === 0 ? "it takes none" : `its options: ${known.join(", ")}`}`);
  }
  const checks = systemOptions.onlineChecks;
  if (checks !== undefined && (system !== "raft-metadata" || (checks !== "all" && checks !== "starting" && checks !== "none"))) {
    throw new UsageError(`--system-options: onlineChecks is raft-metadata's, one of "all", "starting", "none" (got ${JSON.stringify(checks)} for system ${system})`);
  }
}

/** --no-fast → system option { fast: false } (raft-metadata's only: other systems have no fast
 * mode, and saying so beats ignoring the flag). */
export function withFastFlag(system: string, fast: boolean | undefined, systemOptions: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (fast !== false) return systemOptions;
  if (system !== "raft-metadata") throw new UsageError(`--no-fast: only raft-metadata has a fast mode (system ${system})`);
  return { ...systemOptions, fast: false };
}

/** One run; `at`: instants (µs) to snapshot every node at (RunResult.snapshots). */
export function simulate(o: ResolvedSim, at?: readonly number[]): TimedRun {
  const keepTrace = o.trace !== undefined || o.report !== undefined;
  const { result, wallMs } = simulateRun({
    system: o.system,
    seed: o.seed,
    timeUs: o.time,
    bugs: o.bug,
    sutAsserts: o.sutAsserts,
    everyFamily: o.everyFault,
    keepTrace,
    scenario: o.scenario?.scenario,
    ...(o.faults !== undefined ? { faults: o.faults } : {}),
    ...(at !== undefined ? { at } : {}),
    detector: o.detector,
    ...(o.families !== undefined ? { families: o.families } : {}),
    ...(o.systemOptions !== undefined ? { systemOptions: o.systemOptions } : {}),
  });
  if (o.trace !== undefined) writeTrace(o.trace, result.trace.records(), o.traceFilter);
  if (o.report !== undefined) {
    const meta: ReportMeta = { timeUs: o.time, bugs: o.bug, sutAsserts: o.sutAsserts, detector: o.detector, everyFault: o.everyFault, ...(o.scenarioRef !== undefined ? { scenarioRef: o.scenarioRef } : {}), ...(o.faults !== undefined ? { faults: o.faults } : {}), ...(o.scenario !== null && o.scenario.scenario.bugs.length > 0 ? { options: [["scenario's bugs", o.scenario.scenario.bugs.join(", ")]] as [string, string][] } : {}), ...(o.families !== undefined || o.systemOptions !== undefined ? { commands: [["replay", replayCommand(o, result.traceHash)]] as [string, string][] } : {}) };
    try {
      writeReport(o.report, result, meta);
    } catch (e) {
      throw new IoError(o.report, `--report: cannot write: ${describeIoError(e)}`);
    }
  }
  return { result, wallMs };
}

export function replayCommand(o: ResolvedSim, hash: string): string {
  return replayLine({ system: o.system, seed: o.seed, timeUs: o.time, scenarioRef: o.scenarioRef, bugs: o.bug, sutAsserts: o.sutAsserts, everyFault: o.everyFault, ...(o.faults !== undefined ? { faults: o.faults } : {}), detector: o.detector, ...(o.families !== undefined ? { families: o.families } : {}), ...(o.systemOptions !== undefined ? { systemOptions: o.systemOptions } : {}) }, hash);
}

/** The exit code of a run: from its verdict, or — with a scenario — from the verdict judged
 * against the scenario's expectation (0 when it matches). */
export function runExit(o: ResolvedSim, v: Verdict): ExitCode {
  return o.scenario !== null ? expectationExit(o.scenario.scenario.expect, v) : verdictExit(v);
}

/** One line for stderr when a scenario's expectation is not met, else null. */
export function expectationMismatch(o: ResolvedSim, v: Verdict): string | null {
  if (o.scenario === null) return null;
  const j = judge(o.scenario.scenario.expect, v);
  return j.met ? null : `raftsim: scenario ${o.scenario.scenario.name}, seed ${o.seed}: ${j.message}\n`;
}

function expectationLine(expect: LoadedScenario["scenario"]["expect"], v: Verdict): string {
  const j = judge(expect, v);
  return j.met ? j.message : `MISMATCH — ${j.message}`;
}

export function verdictExit(v: Verdict): ExitCode {
  return v === "ok" ? Exit.ok : v === "violation" ? Exit.violation : v === "liveness" ? Exit.liveness : Exit.undecided;
}

export function summaryJson(o: ResolvedSim, r: TimedRun, extra: object = {}): string {
  const sc = o.scenario;
  const scenario = sc === null ? undefined : { file: sc.file, expect: sc.scenario.expect, expectationMet: judge(sc.scenario.expect, r.result.verdict).met };
  const bugs = sc === null ? o.bug : [...new Set([...sc.scenario.bugs, ...o.bug])];
  return JSON.stringify({ ...runSummary(r, { bugs, replay: replayCommand(o, r.result.traceHash), scenario }), ...(o.report !== undefined ? { report: o.report } : {}), ...extra });
}

export function summaryText(o: ResolvedSim, r: TimedRun): string {
  const res = r.result;
  const s = res.stats;
  const lines = [
    `raftsim: ${res.system === DEFAULT_SYSTEM ? "" : `system ${res.system}, `}seed ${res.seed}, ${formatDuration(o.time)} simulated, ${res.scenario ? `scenario ${res.scenario}, ` : ""}${o.faults !== undefined || (o.scenario !== null && "schedule" in o.scenario.scenario.faults) ? "scheduled faults" : `generated faults [${res.families.join(", ") || "none"}]`} (${res.faults.length} actions)`,
    `verdict:    ${res.verdict}${res.message ? ` — ${res.message}` : ""}`,
    res.history === null
      ? `history:    none (system ${res.system} records no client history)`
      : `history:    ${res.history.ops} ops (${res.history.ok} ok, ${res.history.fail} fail, ${res.history.info} info); linearizability ${res.lin === null ? "not checked" : `${res.lin.verdict} in ${res.lin.ms.toFixed(0)} ms over ${res.lin.partitions} key(s)${res.lin.leftOut !== undefined ? ` (with the run's witness: ${res.lin.leftOut} info op(s) no server committed left out)` : ""}`}`,
    ...(o.scenario !== null ? [`expect:     ${expectationLine(o.scenario.scenario.expect, res.verdict)}`] : []),
    `trace hash: ${res.traceHash}`,
    `events ${s.events}, messages delivered ${s.messagesDelivered}, dropped ${s.messagesDropped}, wall ${r.wallMs.toFixed(0)} ms`,
    `replay:     ${replayCommand(o, res.traceHash)}`,
    ...(o.report !== undefined ? [`report:     ${o.report}`] : []),
  ];
  const measured = metricsTable(res.details.metrics);
  if (measured.length > 0) lines.push("measured (true simulated time; n = samples):", ...measured.map((l) => `  ${l}`));
  if (res.lin?.counterexample) lines.push("", formatCounterexample(res.lin.counterexample));
  return lines.join("\n");
}
