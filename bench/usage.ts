// Argument checking shared by the bench scripts (each is run as `node dist/bench/<name>.js`):
// `--help` prints the script's usage and exits 0; an option the script does not know, or one
// missing its value, is an error naming it, with the usage, and exit code 2 — never a silent
// full run of a benchmark that takes minutes. Node's own util.parseArgs does the parsing
// (src/api/script-args.ts); the scripts keep reading their options as before.
import path from "node:path";
import { argsError, type OptionSpec } from "../src/api/script-args.js";

/** Exit codes shared by the bench scripts. */
export const BENCH_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function checkBenchArgs(usage: string, options: OptionSpec = {}, positionals = 0, argv: readonly string[] = process.argv.slice(2)): void {
  const script = path.basename(process.argv[1] ?? "bench");
  const text = usage.trimEnd() + "\n";
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(text);
    process.exit(BENCH_EXIT.ok);
  }
  const bad = argsError(options, positionals, argv);
  if (bad !== null) {
    process.stderr.write(`${script}: ${bad}\n\n${text}`);
    process.exit(BENCH_EXIT.usage);
  }
}
