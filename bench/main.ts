// Runs the benchmarks and writes reports/bench/latest.json. `npm run bench [-- --system NAME]`:
// the kernel micro-benchmarks, then the system under test (default raft-metadata; every
// registered system with --system all), a sweep of it, and the checker on the history corpus.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchCluster, benchSweep } from "./cluster.js";
import { benchNetwork, benchPingpong, benchRng, benchScheduler } from "./kernel.js";
import { listSystems } from "../src/api/index.js";

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
  const out = path.join(repoRoot, "reports", "bench");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), path.join(out, "latest.json")) || "latest.json"}`);
}

main().catch((e) => {
  console.error(`bench failed: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
});
