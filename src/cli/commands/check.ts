// `raftsim check FILE`: judge a recorded history for linearizability.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { InputError, UsageError } from "../errors.js";
import { Exit, type ExitCode } from "../exit-codes.js";
import { checkOperations, formatCounterexample, FORMATS, getModel, HistoryError, HistoryInputError, isFormat, modelNames, readHistory } from "../../api/check.js";
import { checkSummary } from "../../api/summary.js";

export interface CheckCliOptions {
  format?: string;
  model?: string;
  timeout?: string;
  json?: boolean;
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

/** Runs the check and prints the outcome; returns the exit code (never throws for bad input). */
export function runCheck(file: string, opts: CheckCliOptions, io: Io = stdio): ExitCode {
  try {
    if (opts.format !== undefined && !isFormat(opts.format)) throw new UsageError(`unknown --format "${opts.format}" (one of: ${FORMATS.join(", ")})`);
    if (opts.model !== undefined && getModel(opts.model) === undefined) throw new UsageError(`unknown --model "${opts.model}" (one of: ${modelNames().join(", ")})`);
    const timeoutMs = parseDuration(opts.timeout ?? "60s");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new InputError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let history;
    try {
      history = readHistory(text, file, opts.format as Parameters<typeof readHistory>[2]);
    } catch (e) {
      if (e instanceof HistoryInputError) throw new InputError(e.where, e.problem); // same message, exit 65
      throw e;
    }
    const modelName = opts.model ?? history.model;
    const model = getModel(modelName);
    if (model === undefined) throw new InputError(file, `the history names an unknown model "${modelName}"`);
    let result;
    try {
      result = checkOperations(model, history.ops, { timeoutMs });
    } catch (e) {
      if (e instanceof HistoryError) throw new InputError(`${file}: op ${e.index + 1}`, e.message);
      if (e instanceof TypeError) throw new InputError(file, e.message); // the model rejects an op's shape
      throw e;
    }
    const code: ExitCode = result.verdict === "ok" ? Exit.ok : result.verdict === "illegal" ? Exit.violation : Exit.undecided;
    if (opts.json) {
      io.out(JSON.stringify(checkSummary(result, model.name)));
      return code;
    }
    const summary = `${result.ops} ops, ${result.partitions} partition${result.partitions === 1 ? "" : "s"}, model ${model.name}, ${result.ms.toFixed(1)} ms`;
    if (result.verdict === "ok") io.out(`ok: linearizable (${summary})`);
    else if (result.verdict === "illegal") {
      io.out(`illegal: not linearizable (${summary})`);
      if (result.counterexample) io.out(formatCounterexample(result.counterexample));
    } else io.out(`unknown: ${result.reason === "memory" ? "memory budget exhausted" : `no verdict within ${timeoutMs} ms`} (${summary})`);
    if (result.unchecked > 0) io.err(`raftsim check: warning: ${result.unchecked} ops the model cannot place by key (e.g. list) were not checked`);
    return code;
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      io.err(`raftsim check: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

export function checkCommand(): Command {
  return new Command("check")
    .description("check a history of client operations for linearizability")
    .argument("<file>", "history file")
    .option("--format <format>", `history format: ${FORMATS.join(" | ")} (default: guessed from the content)`)
    .option("--model <name>", `model: ${modelNames().join(" | ")} (default: per format, or the JSONL header)`)
    .option("--timeout <duration>", "give up with verdict unknown after this long (e.g. 10s, 500ms)", "60s")
    .option("--json", "print {verdict, model, ops, partitions, ms, counterexample?} as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 linearizable, 1 not linearizable, 3 unknown (budget exhausted),
64 bad usage, 65 malformed history (the message names the line).

Default models: jsonl → metadata-kv, porcupine-etcd → etcd-cas-register,
porcupine-kv → porcupine-kv, edn → knossos-cas-register.`,
    )
    .action((file: string, opts: CheckCliOptions) => {
      process.exitCode = runCheck(file, opts);
    });
}
