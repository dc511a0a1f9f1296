// The regression corpus: failing runs kept as JSON lines — the seed and flags they were found
// with, the shrunk run (explicit schedule, size, the system's options) and the failure it must
// show — rerun by `raftsim corpus FILE`. An entry found with planted bugs on also records that
// the shrunk run passes with them off, and the rerun checks both.
import { appendFileSync, readFileSync } from "node:fs";
import type { FaultAction } from "../sim/faults/kinds.js";
import { runSystem, type RunOptions } from "../sim/runner/run.js";
import type { Verdict } from "../sim/runner/verdict.js";
import { describeFailure, failureOf, sameFailure, shrink, type Failure, type ShrinkOptions, type ShrinkResult } from "./shrink.js";
import { getSystem } from "./systems.js";
import { formatDuration } from "../util/duration.js";

export interface CorpusEntry {
  readonly system: string;
  readonly seed: number;
  /** How the failure was found: the run's flags. */
  readonly flags: { readonly time: string; readonly bugs: readonly string[]; readonly everyFault: boolean; readonly scenario: string | null };
  /** The shrunk run. */
  readonly run: {
    readonly servers: number;
    readonly clients: number;
    readonly timeUs: number;
    readonly faults: readonly FaultAction[];
    /** The planted bugs on (the flags' and a scenario's own). */
    readonly bugs: readonly string[];
    readonly net?: RunOptions["net"];
    /** The system's own options (raft-metadata: Raft's configuration, membership). */
    readonly options?: unknown;
  };
  /** The failure it must show (with its bugs on). */
  readonly expect: Failure;
  /** With the bugs off the shrunk run must give this verdict ("ok"); absent: not checked. */
  readonly withoutBugs?: Verdict;
  /** When it was recorded, for the reader (not checked: code changes move trace hashes). */
  readonly traceHash?: string;
  readonly events?: number;
}

/** The corpus entry for a shrunk failure found by `flags`. */
export function corpusEntry(system: string, seed: number, flags: { timeUs: number; bugs: readonly string[]; everyFault: boolean; scenario?: string }, r: ShrinkResult): CorpusEntry {
  const o = r.options;
  const bugs = o.bugs ?? [];
  let withoutBugs: Verdict | undefined;
  if (bugs.length > 0) withoutBugs = runSystem(getSystem(system), { ...o, bugs: [] }).verdict;
  return {
    system,
    seed,
    flags: { time: formatDuration(flags.timeUs), bugs: [...flags.bugs], everyFault: flags.everyFault, scenario: flags.scenario ?? null },
    run: {
      servers: o.servers!,
      clients: o.clients!,
      timeUs: o.timeUs,
      faults: o.faults!,
      bugs: [...bugs],
      ...(o.net !== undefined ? { net: o.net } : {}),
      ...(o.options !== undefined ? { options: o.options } : {}),
    },
    expect: r.failure,
    ...(withoutBugs === "ok" ? { withoutBugs } : {}),
    traceHash: r.after.traceHash,
    events: r.after.events,
  };
}

/** The run options of an entry (its bugs on, or `bugs` instead). */
export function entryRunOptions(e: CorpusEntry, bugs?: readonly string[]): RunOptions {
  return {
    seed: e.seed,
    timeUs: e.run.timeUs,
    servers: e.run.servers,
    clients: e.run.clients,
    faults: e.run.faults,
    bugs: bugs ?? e.run.bugs,
    ...(e.run.net !== undefined ? { net: e.run.net } : {}),
    ...(e.run.options !== undefined ? { options: e.run.options } : {}),
  };
}

export class CorpusFormatError extends Error {
  constructor(readonly where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = "CorpusFormatError";
  }
}

/** Parse JSONL text (blank lines and lines starting with // are skipped). */
export function parseCorpus(text: string, file = "corpus"): { line: number; entry: CorpusEntry }[] {
  const out: { line: number; entry: CorpusEntry }[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("//")) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new CorpusFormatError(`${file}:${i + 1}`, `not JSON: ${(e as Error).message}`);
    }
    const e = v as CorpusEntry;
    const bad = (what: string) => {
      throw new CorpusFormatError(`${file}:${i + 1}`, what);
    };
    if (typeof e !== "object" || e === null) bad("expected an object");
    if (typeof e.system !== "string") bad("system: expected a system name");
    if (!Number.isSafeInteger(e.seed)) bad("seed: expected an integer");
    if (typeof e.run !== "object" || e.run === null || !Array.isArray(e.run.faults) || !Array.isArray(e.run.bugs) || !Number.isSafeInteger(e.run.timeUs)) bad("run: expected {servers, clients, timeUs, faults, bugs}");
    if (typeof e.expect !== "object" || e.expect === null || (e.expect.verdict !== "violation" && e.expect.verdict !== "liveness") || typeof e.expect.check !== "string") bad("expect: expected {verdict: violation|liveness, check}");
    if (typeof e.flags !== "object" || e.flags === null || !Array.isArray(e.flags.bugs)) bad("flags: expected {time, bugs, everyFault, scenario}");
    out.push({ line: i + 1, entry: e });
  });
  return out;
}

export interface CorpusCheck {
  readonly line: number;
  readonly entry: CorpusEntry;
  readonly ok: boolean;
  /** What the rerun gave: the failure (or verdict) with the bugs on, and off. */
  readonly got: string;
  readonly gotWithoutBugs?: Verdict;
  readonly problems: readonly string[];
  readonly events: number;
}

/** Rerun one entry: the expected failure with its bugs on; with them off, the recorded verdict. */
export function checkEntry(line: number, e: CorpusEntry): CorpusCheck {
  const system = getSystem(e.system);
  const r = runSystem(system, entryRunOptions(e));
  const f = failureOf(r);
  const problems: string[] = [];
  if (!sameFailure(e.expect, f)) problems.push(`expected ${describeFailure(e.expect)}, got ${r.verdict}${r.message !== null ? `: ${r.message}` : ""}`);
  let gotWithoutBugs: Verdict | undefined;
  if (e.withoutBugs !== undefined) {
    gotWithoutBugs = runSystem(system, entryRunOptions(e, [])).verdict;
    if (gotWithoutBugs !== e.withoutBugs) problems.push(`without bugs ${e.run.bugs.join(", ")}: expected ${e.withoutBugs}, got ${gotWithoutBugs}`);
  }
  return { line, entry: e, ok: problems.length === 0, got: f === null ? r.verdict : describeFailure(f), ...(gotWithoutBugs !== undefined ? { gotWithoutBugs } : {}), problems, events: r.stats.events };
}

export function checkCorpusFile(file: string): CorpusCheck[] {
  return parseCorpus(readFileSync(file, "utf8"), file).map(({ line, entry }) => checkEntry(line, entry));
}

export interface SaveFailuresOptions extends ShrinkOptions {
  readonly system: string;
  readonly timeUs: number;
  readonly bugs: readonly string[];
  readonly everyFault: boolean;
  readonly scenarioRef?: string;
  /** Builds the run options of a seed as the sweep ran it. */
  readonly runOptions: (seed: number) => RunOptions;
}

/** Shrink one failing seed of a sweep and append its entry to `file` (JSONL). */
export function saveFailure(file: string, seed: number, o: SaveFailuresOptions): CorpusEntry {
  const r = shrink(getSystem(o.system), o.runOptions(seed), o);
  const entry = corpusEntry(o.system, seed, { timeUs: o.timeUs, bugs: o.bugs, everyFault: o.everyFault, scenario: o.scenarioRef }, r);
  appendFileSync(file, JSON.stringify(entry) + "\n");
  return entry;
}
