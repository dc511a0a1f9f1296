// Options shared by `run` and `replay`, and the one-run driver both use.
import { writeFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { formatCounterexample } from "../check/counterexample.js";
import { BUGS, findBug, type BugName } from "../impl/bugs.js";
import { runCluster, type ClusterResult, type ClusterVerdict } from "../sim/cluster/run.js";
import { formatDuration, parseDuration } from "./duration.js";
import { Exit, type ExitCode } from "./exit-codes.js";
import { loadScenario } from "./scenario-file.js";

export interface SimCliOptions {
  seed: number;
  scenario?: string;
  time: number; // µs
  trace?: string;
  json?: boolean;
  bug: BugName[];
}

function collectBug(text: string, prev: BugName[]): BugName[] {
  const b = findBug(text);
  if (b === undefined) throw new InvalidArgumentError(`unknown bug "${text}"; one of: ${BUGS.map((x) => x.name).join(", ")}`);
  return [...prev, b.name];
}

export function parseSeed(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError("expected a non-negative integer");
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError("must be below 2^53");
  return n;
}

/** A duration option ("30s") → µs, as a commander argument parser. */
export function parseTime(text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function addSimOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--seed <n>", "root seed (integer)", parseSeed)
    .option("--scenario <file>", "explicit fault schedule (JSON) instead of a generated one")
    .option("--time <duration>", "simulated time, e.g. 30s, 500ms, 2m", parseTime, 30_000_000)
    .option("--trace <file>", "write every trace record as JSON lines to <file>")
    .option("--bug <name>", "switch on a planted bug (repeatable; see `raftsim bugs`)", collectBug, [] as BugName[])
    .option("--json", "print one JSON object on stdout");
}

export interface TimedRun {
  result: ClusterResult;
  wallMs: number;
}

export function simulate(o: SimCliOptions): TimedRun {
  const scenario = o.scenario !== undefined ? loadScenario(o.scenario) : null;
  const t0 = process.hrtime.bigint();
  const result = runCluster({
    seed: o.seed,
    timeUs: o.time,
    faults: scenario?.faults,
    scenarioName: scenario?.name ?? null,
    bugs: o.bug,
    keepTrace: o.trace !== undefined,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (o.trace !== undefined) {
    const lines: string[] = [];
    for (const r of result.trace.records()) lines.push(JSON.stringify(r));
    writeFileSync(o.trace, lines.length > 0 ? lines.join("\n") + "\n" : "");
  }
  return { result, wallMs };
}

export function replayCommand(o: SimCliOptions, hash: string): string {
  const parts = ["raftsim replay", `--seed ${o.seed}`, `--time ${formatDuration(o.time)}`];
  if (o.scenario !== undefined) parts.push(`--scenario ${shellQuote(o.scenario)}`);
  for (const b of o.bug) parts.push(`--bug ${b}`);
  parts.push(`--expect-hash ${hash}`);
  return parts.join(" ");
}

function shellQuote(s: string): string {
  return /^[\w./:@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function verdictExit(v: ClusterVerdict): ExitCode {
  return v === "ok" ? Exit.ok : v === "violation" ? Exit.violation : v === "liveness" ? Exit.liveness : Exit.undecided;
}

export function summaryJson(o: SimCliOptions, r: TimedRun, extra: object = {}): string {
  const res = r.result;
  return JSON.stringify({
    seed: res.seed,
    scenario: res.scenario,
    verdict: res.verdict,
    message: res.message,
    traceHash: res.traceHash,
    atMs: res.verdict === "ok" ? null : res.atUs / 1000,
    bugs: o.bug,
    faults: { families: res.families, actions: res.faults.length },
    history: res.history,
    linearizability: res.lin === null ? null : { verdict: res.lin.verdict, partitions: res.lin.partitions, ms: Math.round(res.lin.ms * 10) / 10, counterexample: res.lin.counterexample ?? null },
    stats: {
      events: res.stats.events,
      messages: res.stats.messagesDelivered,
      simulatedMs: res.stats.simulatedUs / 1000,
      wallMs: Math.round(r.wallMs * 10) / 10,
    },
    replay: replayCommand(o, res.traceHash),
    ...extra,
  });
}

export function summaryText(o: SimCliOptions, r: TimedRun): string {
  const res = r.result;
  const s = res.stats;
  const lines = [
    `raftsim: seed ${res.seed}, ${formatDuration(o.time)} simulated, ${res.scenario ? `scenario ${res.scenario}` : `generated faults [${res.families.join(", ") || "none"}]`} (${res.faults.length} actions)`,
    `verdict:    ${res.verdict}${res.message ? ` — ${res.message}` : ""}`,
    `history:    ${res.history.ops} ops (${res.history.ok} ok, ${res.history.fail} fail, ${res.history.info} info); linearizability ${res.lin === null ? "not checked" : `${res.lin.verdict} in ${res.lin.ms.toFixed(0)} ms over ${res.lin.partitions} key(s)`}`,
    `trace hash: ${res.traceHash}`,
    `events ${s.events}, messages delivered ${s.messagesDelivered}, dropped ${s.messagesDropped}, wall ${r.wallMs.toFixed(0)} ms`,
    `replay:     ${replayCommand(o, res.traceHash)}`,
  ];
  if (res.lin?.counterexample) lines.push("", formatCounterexample(res.lin.counterexample));
  return lines.join("\n");
}
