// Runs the benchmarks and writes reports/bench/latest.json. `npm run bench`.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchCluster, benchSweep } from "./cluster.js";
import { benchNetwork, benchPlaceholder, benchRng, benchScheduler } from "./kernel.js";

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
  step("placeholder", () => benchPlaceholder());
  step("rng", () => benchRng());
  step("cluster", () => benchCluster());
  const sweepSeeds = Number(process.env.BENCH_SWEEP_SEEDS ?? 10_000);
  console.log(`sweep: ${sweepSeeds} seeds on 2 worker threads (BENCH_SWEEP_SEEDS to change)...`);
  report.sweep = await benchSweep(repoRoot, sweepSeeds, 2);
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
