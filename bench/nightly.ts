// The long sweep: `npm run nightly`. Runs the built CLI's sweep twice — the default swarm and
// --every-fault — and writes a summary (seeds, verdict counts, failures with their replay lines,
// seeds/min, wall time) to reports/nightly/<date>.json and reports/nightly/latest.json.
//
//   NIGHTLY_SEEDS=1..100000             default-swarm seeds ("A..B", or N for 1..N; 0 skips)
//   NIGHTLY_EVERY_FAULT_SEEDS=1..20000  --every-fault seeds (same forms)
//   NIGHTLY_JOBS=2                      worker threads per sweep
//   NIGHTLY_SUT_ASSERTS=on              off: the code under test's own assertions off, so only
//                                       the harness's checks can fail a seed
//
// Exit code 0 when every seed passed, 1 when any failed (the summary lists them), 2 when a
// sweep could not run. A progress bar shows on stderr when it is a terminal.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gitCommit } from "./git-commit.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: npm run nightly   (node dist/bench/nightly.js)
The long sweep: the default swarm and --every-fault. Environment: NIGHTLY_SEEDS (default
1..100000), NIGHTLY_EVERY_FAULT_SEEDS (default 1..20000), NIGHTLY_JOBS (default 2),
NIGHTLY_SUT_ASSERTS (on|off, default on). Writes
reports/nightly/<date>.json and latest.json. Exit 0 all passed, 1 a seed failed, 2 a sweep
could not run.
  -h, --help       this text`, {});

// dist/bench/nightly.js or bench/nightly.ts → the repo root is two or one levels up.
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const bin = path.join(repoRoot, "dist/src/cli/main.js");

interface SweepJson {
  seeds: number;
  ran: number;
  verdicts: Record<string, number>;
  errors: number;
  failures: { seed: number; verdict: string; message?: string; error?: string; replay: string }[];
  wallMs: number;
  seedsPerMinute: number;
  jobs: number;
}

interface Part {
  name: string;
  command: string;
  seeds: string;
  ran: number;
  verdicts: Record<string, number>;
  errors: number;
  failures: SweepJson["failures"];
  seedsPerMinute: number;
  wallMs: number;
  exitCode: number | null;
}

/** "A..B" as is; "N" means 1..N; "0" or "" skips. */
function seedRange(env: string | undefined, dflt: string): string | null {
  const v = (env ?? dflt).trim();
  if (v === "" || v === "0") return null;
  if (/^\d+$/.test(v)) return `1..${v}`;
  if (/^\d+\.\.\d+$/.test(v)) return v;
  throw new Error(`bad seed range ${JSON.stringify(v)}: expected A..B or a count N`);
}

function runSweep(name: string, seeds: string, jobs: number, extra: string[]): Promise<Part> {
  const args = ["sweep", "--seeds", seeds, "--jobs", String(jobs), "--json", ...extra];
  const command = `raftsim ${args.join(" ")}`;
  console.log(`nightly: ${name}: ${command}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      let r: SweepJson;
      try {
        r = JSON.parse(out) as SweepJson;
      } catch {
        reject(new Error(`${command} exited ${code} without a JSON report: ${out.slice(0, 500)}`));
        return;
      }
      resolve({
        name,
        command,
        seeds,
        ran: r.ran,
        verdicts: r.verdicts,
        errors: r.errors,
        failures: r.failures,
        seedsPerMinute: r.seedsPerMinute,
        wallMs: r.wallMs,
        exitCode: code,
      });
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  // Read before the sweeps: the code they run is the tree as it is now.
  const commit = gitCommit(repoRoot);
  const jobs = Number(process.env.NIGHTLY_JOBS ?? 2);
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new Error(`bad NIGHTLY_JOBS ${process.env.NIGHTLY_JOBS}`);
  const asserts = (process.env.NIGHTLY_SUT_ASSERTS ?? "on").trim();
  if (asserts !== "on" && asserts !== "off") throw new Error(`bad NIGHTLY_SUT_ASSERTS ${JSON.stringify(asserts)}: expected on or off`);
  const common = asserts === "off" ? ["--sut-asserts", "off"] : [];
  const plan: [string, string | null, string[]][] = [
    ["default", seedRange(process.env.NIGHTLY_SEEDS, "1..100000"), common],
    ["every-fault", seedRange(process.env.NIGHTLY_EVERY_FAULT_SEEDS, "1..20000"), ["--every-fault", ...common]],
  ];
  const parts: Part[] = [];
  for (const [name, seeds, extra] of plan) {
    if (seeds === null) continue;
    const p = await runSweep(name, seeds, jobs, extra);
    parts.push(p);
    console.log(
      `nightly: ${name}: ${p.ran} seeds, ${JSON.stringify(p.verdicts)}, ${p.errors} errors, ${p.failures.length} failing, ${p.seedsPerMinute} seeds/min, ${(p.wallMs / 1000).toFixed(0)} s`,
    );
    for (const f of p.failures) console.log(`  seed ${f.seed}: ${f.error !== undefined ? `internal error: ${f.error}` : `${f.verdict}: ${f.message}`}\n    replay: ${f.replay}`);
  }
  const seeds = parts.reduce((n, p) => n + p.ran, 0);
  const sweepMs = parts.reduce((n, p) => n + p.wallMs, 0);
  const failures = parts.reduce((n, p) => n + p.failures.length, 0);
  const summary = {
    date: new Date(started).toISOString(),
    // The code swept (a failing seed replays on this commit); null outside a git checkout.
    commit,
    sutAsserts: asserts,
    node: process.version,
    cpus: os.cpus().length,
    jobs,
    seeds,
    failures,
    seedsPerMinute: sweepMs > 0 ? Math.round((seeds * 60_000) / sweepMs) : 0,
    wallMs: Date.now() - started,
    sweeps: parts,
  };
  const dir = path.join(repoRoot, "reports", "nightly");
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(summary, null, 2) + "\n";
  const file = path.join(dir, `${summary.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, text);
  writeFileSync(path.join(dir, "latest.json"), text);
  console.log(`nightly: ${seeds} seeds, ${failures} failing, ${summary.seedsPerMinute} seeds/min, ${(summary.wallMs / 60_000).toFixed(1)} min; wrote ${path.relative(process.cwd(), file)}`);
  process.exitCode = failures > 0 ? 1 : 0;
}


main().catch((e) => {
  console.error(`nightly failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 2;
});
