// Runs the benchmarks and writes reports/bench/latest.json. `npm run bench [-- --system NAME]`:
// the kernel micro-benchmarks, then the system under test (default raft-metadata; every
// registered system with --system all), a sweep of it, the checker on the history corpus, and
// the failover system's benchmarks (bench/failover.ts): the 60-node hour, and messages per node
// per second against N, also written to reports/bench/failover-messages-<date>.json.
// `--only failover`: just the failover benchmarks; `--no-messages`: without the N sweep;
// `--no-hour`: without the 60-node hour.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchCluster, benchSweep } from "./cluster.js";
import { benchFailoverHour } from "./failover.js";
import { benchNetwork, benchPingpong, benchRng, benchScheduler } from "./kernel.js";
import { listSystems, messageCost, messagesTable } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: npm run bench [-- OPTIONS]   (node dist/bench/main.js [OPTIONS])
The kernel micro-benchmarks, the system under test, a sweep of it (BENCH_SWEEP_SEEDS, default
10000), the checker on the history corpus, and the failover benchmarks. Writes
reports/bench/latest.json.
  --system NAME    the system to bench (default raft-metadata; "all": every registered system)
  --only failover  only the failover benchmarks
  --no-hour        without the failover 60-node hour
  --no-messages    without the failover messages-per-node sweep over N
  -h, --help       this text`, { system: { type: "string" }, only: { type: "string" }, "no-hour": { type: "boolean" }, "no-messages": { type: "boolean" } });

// dist/bench/main.js or bench/main.ts → the repo root is two or one levels up.
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");

async function main(): Promise<void> {
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "?",
  };
  const step = (name: string, f: () => unknown) => {
    const r = f();
    report[name] = r;
    console.log(`${name}: ${JSON.stringify(r)}`);
  };
  const out = path.join(repoRoot, "reports", "bench");
  mkdirSync(out, { recursive: true });
  if (arg("--only") !== "failover") await kernelAndSystems(report, step);
  if (!process.argv.includes("--no-hour")) step("failover", () => benchFailoverHour({ defaultSpanS: Number(process.env.BENCH_FO_DEFAULT_SPAN_S ?? 300) }));
  if (!process.argv.includes("--no-messages")) {
    console.log("failover messages per node per second against N (calm runs; N = 300 takes minutes)...");
    const m = messageCost({ wallClockMs: () => performance.now(), log: (r) => console.log(`  ${r.detector} N=${r.servers}: ${JSON.stringify(r)}`) });
    report.failoverMessages = m;
    const file = path.join(out, `failover-messages-${new Date().toISOString().slice(0, 10)}.json`);
    writeFileSync(file, JSON.stringify(m, null, 2) + "\n");
    console.log(messagesTable(m));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
  writeFileSync(path.join(out, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), path.join(out, "latest.json")) || "latest.json"}`);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function kernelAndSystems(report: Record<string, unknown>, step: (name: string, f: () => unknown) => void): Promise<void> {
  step("scheduler", () => benchScheduler());
  step("network", () => benchNetwork());
  step("pingpong", () => benchPingpong());
  step("rng", () => benchRng());
  const i = process.argv.indexOf("--system");
  const wanted = i >= 0 ? process.argv[i + 1] : "raft-metadata";
  const known = listSystems().map((s) => s.name);
  const systems = wanted === "all" ? known : [wanted];
  for (const s of systems) if (!known.includes(s)) throw new Error(`unknown system "${s}"; known systems: ${known.join(", ")} (or all)`);
  report.system = systems.join(",");
  // "cluster" keeps its name for comparison with earlier reports: the first system chosen.
  step("cluster", () => benchCluster(60, 10_000_000, systems[0]));
  for (const s of systems.slice(1)) step(`cluster:${s}`, () => benchCluster(60, 10_000_000, s));
  const sweepSeeds = Number(process.env.BENCH_SWEEP_SEEDS ?? 10_000);
  console.log(`sweep: ${sweepSeeds} seeds of ${systems[0]} on 2 worker threads (BENCH_SWEEP_SEEDS to change)...`);
  report.sweep = await benchSweep(repoRoot, sweepSeeds, 2, systems[0]);
  console.log(`sweep: ${JSON.stringify(report.sweep)}`);
  try {
    const mod = (await import("./checker.js" as string)) as { benchChecker?: (dir: string) => Promise<object>; historiesDir: (root: string) => string };
    if (typeof mod.benchChecker !== "function") throw new Error("bench/checker.ts does not export benchChecker");
    report.checker = await mod.benchChecker(mod.historiesDir(repoRoot));
    console.log(`checker: done`);
  } catch (e) {
    report.checker = { skipped: e instanceof Error ? e.message : String(e) };
    console.log(`checker: skipped (${(report.checker as { skipped: string }).skipped})`);
  }
}

main().catch((e) => {
  console.error(`bench failed: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
});
