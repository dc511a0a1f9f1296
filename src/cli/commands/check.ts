// `raftsim check FILE`: judge a recorded history for linearizability.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { clip, describeIoError, InputError, IoError, UsageError } from "../errors.js";
import { Exit, type ExitCode } from "../exit-codes.js";
import { checkSummary } from "../../api/summary.js";
import { checkOperations, formatCounterexample, FORMATS, getModel, HistoryError, HistoryInputError, isFormat, modelNames, readHistory } from "../../api/check.js";

export interface CheckCliOptions {
  format?: string;
  model?: string;
  timeout?: string;
  json?: boolean;
  /** Judge the ops the model can place even when some it cannot (list ops) were left out. */
  lenient?: boolean;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Io = { out: (l) => process.stdout.write(l + "\n"), err: (l) => process.stderr.write(l + "\n") };

/** "10s", "500ms", "2m", or a bare number of seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (m === null) throw new UsageError(`bad --timeout "${s}" (use e.g. 10s, 500ms, 2m)`);
  const n = Number(m[1]);
  return m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000;
}

/** JavaScript's own wording in an error message: not something to show a user. */
const INTERNAL = /Cannot read propert|is not iterable|is not a function|is not defined|undefined|\[object |Maximum call stack|is not an object|Cannot convert|Invalid array length/;

/** Runs the check and prints the outcome; returns the exit code (never throws for bad input). */
export function runCheck(file: string, opts: CheckCliOptions, io: Io = stdio): ExitCode {
  try {
    checkUsage(opts);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new IoError(file, `cannot read: ${describeIoError(e)}`);
    }
    return checkText(text, file, opts, io);
  } catch (e) {
    return reportError(e, io);
  }
}

/** A usage, input or I/O error is the command's answer (its message and exit code); anything
 * else is a bug of raftsim and goes on up. */
function reportError(e: unknown, io: Io): ExitCode {
  if (e instanceof InputError || e instanceof UsageError || e instanceof IoError) {
    io.err(`raftsim check: ${e.message}`);
    return e.exitCode;
  }
  throw e;
}

function checkUsage(opts: CheckCliOptions): number {
  if (opts.format !== undefined && !isFormat(opts.format)) throw new UsageError(`unknown --format "${clip(opts.format, 40)}" (one of: ${FORMATS.join(", ")})`);
  if (opts.model !== undefined && getModel(opts.model) === undefined) throw new UsageError(`unknown --model "${clip(opts.model, 40)}" (one of: ${modelNames().join(", ")})`);
  return parseDuration(opts.timeout ?? "60s");
}

/**
 * `raftsim check` on a history's text (`file` names it in messages): what runCheck does once the
 * file is read. Exported so tests and the fuzz suite run the command in-process.
 */
export function runCheckText(text: string, file: string, opts: CheckCliOptions, io: Io = stdio): ExitCode {
  try {
    checkUsage(opts);
    return checkText(text, file, opts, io);
  } catch (e) {
    return reportError(e, io);
  }
}

function checkText(text: string, file: string, opts: CheckCliOptions, io: Io): ExitCode {
  const timeoutMs = checkUsage(opts);
  let history;
  try {
    history = readHistory(text, file, opts.format as Parameters<typeof readHistory>[2], opts.model);
  } catch (e) {
    if (e instanceof HistoryInputError) throw new InputError(e.where, e.problem); // same message, exit 65
    throw e;
  }
  const modelName = history.model;
  const model = getModel(modelName);
  if (model === undefined) throw new InputError(file, `header "model": unknown model "${clip(modelName, 40)}" (expected one of: ${modelNames().join(", ")}; or pass --model)`);
  let result;
  try {
    result = checkOperations(model, history.ops, { timeoutMs });
  } catch (e) {
    if (e instanceof HistoryError) throw new InputError(`${file}${history.lines[e.index] !== undefined ? `:${history.lines[e.index]}` : ""}`, `op ${e.index + 1}: ${e.message}`);
    // The model rejects an op's shape in the middle of the search (checkShapes missed it).
    if (e instanceof TypeError) throw new InputError(file, `an op model ${model.name} cannot apply: ${e.message === "" || INTERNAL.test(e.message) ? "its input or output is not what the model reads" : clip(e.message, 100)}`);
    throw e;
  }
  const lenient = opts.lenient ?? false;
  // Ops left out of the check leave the verdict open, unless the user asked to judge the rest
  // (one rule for the CLI and the library: src/api/summary.ts).
  const s = checkSummary(result, model.name, lenient);
  const verdict = s.verdict;
  const reason = s.reason;
  const code: ExitCode = verdict === "ok" ? Exit.ok : verdict === "illegal" ? Exit.violation : Exit.undecided;
  if (opts.json) {
    io.out(JSON.stringify(s));
    return code;
  }
  const summary = `${result.ops} ops, ${result.partitions} partition${result.partitions === 1 ? "" : "s"}, model ${model.name}, ${result.ms.toFixed(1)} ms`;
  const skipped = `${result.unchecked} op${result.unchecked === 1 ? "" : "s"} the model cannot place by key (e.g. list)`;
  if (verdict === "ok") io.out(`ok: linearizable (${summary})`);
  else if (verdict === "illegal") {
    io.out(`illegal: not linearizable (${summary})`);
    if (result.counterexample) io.out(formatCounterexample(result.counterexample));
  } else if (reason === "unchecked") io.out(`unknown: ${skipped} not checked; the rest is linearizable (${summary}); --lenient accepts that`);
  else io.out(`unknown: ${reason === "memory" ? "memory budget exhausted" : `no verdict within ${timeoutMs} ms`} (${summary})`);
  if (result.unchecked > 0 && reason !== "unchecked") io.err(`raftsim check: warning: ${skipped} were not checked${lenient ? " (--lenient)" : ""}`);
  return code;
}

export function checkCommand(): Command {
  return new Command("check")
    .description("check a history of client operations for linearizability")
    .argument("<file>", "history file")
    .option("--format <format>", `history format: ${FORMATS.join(" | ")} (default: guessed from the content)`)
    .option("--model <name>", `model: ${modelNames().join(" | ")} (default: per format, or the JSONL header)`)
    .option("--timeout <duration>", "give up with verdict unknown after this long (e.g. 10s, 500ms)", "60s")
    .option("--lenient", "judge the ops the model can place even when some (e.g. list) cannot be checked (default: verdict unknown)")
    .option("--json", "print {verdict, model, ops, partitions, unchecked, lenient, ms, reason?, counterexample?} as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 linearizable, 1 not linearizable, 3 unknown (budget exhausted, or ops
the model cannot place were left out and --lenient was not given), 64 bad usage,
65 malformed history (the message names the line), 74 the file cannot be read.

Default models: jsonl → metadata-kv, porcupine-etcd → etcd-cas-register,
porcupine-kv → porcupine-kv, edn → knossos-cas-register.`,
    )
    .action((file: string, opts: CheckCliOptions) => {
      process.exitCode = runCheck(file, opts);
    });
}
