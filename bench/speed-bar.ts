// `npm run bench:speed-bar -- --baseline DIR`: issue 12's sweep-speed bar, measured the way the
// bar reads (the standard sweep's seeds per minute, this build against a baseline build, on the
// same machine in one window) and split by what raft-metadata checks online, so the gap can be
// read: with every check (what `npm run sweep` runs), with only the checks raft-metadata had when
// the issue began (`onlineChecks: "starting"`: like for like with the starting main), and with
// the history check alone (`"none"`: the simulation and the code under test). The checks only
// read, so the three sets run the same events; only the verdicts could differ, and every seed
// must be ok in every run.
//
// Whole processes, as a user runs them (start-up, worker threads and JIT warm-up included), in
// turn: each round runs the baseline and then the three sets, the set order rotating by round,
// and each ratio is taken against the same round's baseline, so a drift in the machine's speed
// hits both sides of it alike (the machines are shared: absolute times move). Medians of the
// rounds, with min and max.
// Writes reports/bench/speed-bar-<date>.json (git-ignored: one machine's figures of one day).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gitCommit } from "./git-commit.js";
import { seedRange } from "./seed-passes.js";
import { BENCH_EXIT, checkBenchArgs } from "./usage.js";

const USAGE = `Usage: npm run bench:speed-bar -- --baseline DIR [OPTIONS]   (node dist/bench/speed-bar.js ...)
The standard sweep (raftsim sweep --seeds 1..2000) of this build against a baseline build, whole
processes in turn, with raft-metadata's online checks all on (what npm run sweep runs), as they
were when issue 12 began ("starting") and off but the history check ("none"). Prints the wall
ratio of each against the baseline (median, min-max over the rounds) and its speed-up in seeds
per minute. Writes reports/bench/speed-bar-<date>.json.
  --baseline DIR   a built checkout to compare with (its dist/bundle/main.js, else
                   dist/src/cli/main.js); e.g. git worktree add --detach /tmp/base 5374de5,
                   then npx tsc -p tsconfig.build.json there
  --seeds A..B     the seeds of each sweep (default 1..2000, the standard sweep)
  --rounds N       rounds (default 3, 1 to 20)
  --sets LIST      which check sets, comma-separated, of all,starting,none (default all three)
  --json           print the report as JSON only
  -h, --help       this text
Exit codes: 0 measured; 1 a sweep failed or a seed was not ok; 2 bad arguments.`;

const SETS = ["all", "starting", "none"] as const;
type CheckSet = (typeof SETS)[number];

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");

interface SweepRun {
  wallMs: number;
  ok: number;
  seeds: number;
}

function usageError(msg: string): never {
  process.stderr.write(`speed-bar: ${msg}\n\n${USAGE}\n`);
  process.exit(BENCH_EXIT.usage);
}

/** One whole sweep process; its wall time measured from outside. Exits 1 when it fails. */
function sweep(label: string, cli: string, seeds: string, extra: readonly string[]): SweepRun {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, "sweep", "--seeds", seeds, "--json", "--no-progress", ...extra], { encoding: "utf8", maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t0;
  const report = parseReport(r.stdout);
  if (r.status !== 0 || report === null || report.verdicts?.ok === undefined || report.seeds === undefined) {
    process.stderr.write(`speed-bar: the ${label} sweep failed (exit ${r.status}):\n${(r.stderr ?? "").slice(-2000)}\n`);
    process.exit(BENCH_EXIT.failed);
  }
  if (report.verdicts.ok !== report.seeds) {
    process.stderr.write(`speed-bar: the ${label} sweep had ${report.seeds - report.verdicts.ok} seed(s) not ok: the bar is measured on correct runs\n`);
    process.exit(BENCH_EXIT.failed);
  }
  return { wallMs, ok: report.verdicts.ok, seeds: report.seeds };
}

/** The sweep's --json report (the fields read here), or null when stdout is not one. */
function parseReport(stdout: string | null): { seeds?: number; verdicts?: { ok?: number } } | null {
  try {
    const v: unknown = JSON.parse(stdout ?? "");
    return typeof v === "object" && v !== null ? (v as { seeds?: number; verdicts?: { ok?: number } }) : null;
  } catch {
    return null;
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function main(): void {
  checkBenchArgs(USAGE, { baseline: { type: "string" }, seeds: { type: "string" }, rounds: { type: "string" }, sets: { type: "string" }, json: { type: "boolean" } });
  const argv = process.argv.slice(2);
  const at = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i < 0 ? undefined : argv[i + 1];
  };
  const baseDir = at("--baseline");
  if (baseDir === undefined) usageError("--baseline DIR is required (a built checkout to compare with)");
  const baseCli = [path.join(baseDir, "dist/bundle/main.js"), path.join(baseDir, "dist/src/cli/main.js")].find((f) => existsSync(f));
  if (baseCli === undefined) usageError(`--baseline ${baseDir}: neither dist/bundle/main.js nor dist/src/cli/main.js is there (build it first: npx tsc -p tsconfig.build.json)`);
  const ownCli = path.join(repoRoot, "dist/bundle/main.js");
  if (!existsSync(ownCli)) usageError(`${ownCli} is missing: run npm run build first`);
  const seeds = at("--seeds") ?? "1..2000";
  if (seedRange(seeds) === null) usageError(`--seeds must be A..B with 1 <= A <= B (got ${JSON.stringify(seeds)})`);
  const rounds = Number(at("--rounds") ?? "3");
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) usageError(`--rounds must be an integer from 1 to 20 (got ${JSON.stringify(at("--rounds"))})`);
  const setsArg = at("--sets");
  const sets: CheckSet[] = setsArg === undefined ? [...SETS] : (setsArg.split(",").map((s) => s.trim()) as CheckSet[]);
  for (const s of sets) if (!SETS.includes(s)) usageError(`--sets: ${JSON.stringify(s)} is not one of ${SETS.join(", ")}`);
  const json = argv.includes("--json");

  const base: number[] = [];
  const walls: Record<string, number[]> = Object.fromEntries(sets.map((s) => [s, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(sets.map((s) => [s, []]));
  for (let round = 0; round < rounds; round++) {
    if (!json) process.stderr.write(`speed-bar: round ${round + 1}/${rounds}: baseline...\n`);
    const b = sweep("baseline", baseCli, seeds, []);
    base.push(b.wallMs);
    // Rotate the sets' order so no set always runs right after the baseline.
    for (let k = 0; k < sets.length; k++) {
      const set = sets[(k + round) % sets.length]!;
      if (!json) process.stderr.write(`speed-bar: round ${round + 1}/${rounds}: ${set}...\n`);
      const a = sweep(set, ownCli, seeds, ["--system-options", JSON.stringify({ onlineChecks: set })]);
      walls[set]!.push(a.wallMs);
      ratios[set]!.push(a.wallMs / b.wallMs);
    }
  }
  const date = new Date().toISOString();
  const rows = sets.map((set) => {
    const r = ratios[set]!;
    const m = median(r);
    return { set, wallRatioMedian: m, wallRatioMin: Math.min(...r), wallRatioMax: Math.max(...r), speedUp: 1 / m, wallMsMedian: median(walls[set]!), wallRatios: r };
  });
  const report = { date, node: process.version, seeds, rounds, commit: gitCommit(repoRoot), baseline: path.resolve(baseDir), baselineCommit: gitCommit(baseDir), baselineWallMsMedian: median(base), baselineWallMs: base, bar: 0.5, rows };
  const dir = path.join(repoRoot, "reports", "bench");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `speed-bar-${date.slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return;
  }
  process.stdout.write(`sweep --seeds ${seeds}, ${rounds} round(s); baseline ${path.resolve(baseDir)}: median ${(report.baselineWallMsMedian / 1000).toFixed(2)} s\n`);
  for (const r of rows) {
    process.stdout.write(`${r.set.padEnd(9)} wall ${(r.wallMsMedian / 1000).toFixed(2)} s  A/B ${r.wallRatioMedian.toFixed(3)} (${r.wallRatioMin.toFixed(3)}-${r.wallRatioMax.toFixed(3)})  ${r.speedUp.toFixed(2)}x the seeds per minute${r.wallRatioMedian <= 0.5 ? "  (at or past the 2x bar)" : ""}\n`);
  }
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main();
