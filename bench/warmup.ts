// `npm run bench:warmup`: what a sweep worker pays before it runs at full speed. A sweep's worker
// thread is a fresh V8 isolate: it interprets, profiles, compiles with TurboFan, deoptimises
// where a later seed shows a shape or path the first ones did not, and compiles again. On
// 2026-12-06 the first 100 seeds of raft-metadata cost about 3 times what they cost once warm,
// and a default sweep (2 workers, 500 seeds each) pays that twice: a large share of its CPU.
// This measures it, so that a change meant to cut it (smaller hot functions, stable object
// shapes, fewer deoptimisations) can be judged on a count the machine's load does not move.
//
// One child process per measurement (a fresh isolate, as a worker is):
//   - passes: the same seeds run PASSES times in one process; the CPU of each pass (all of the
//     process's threads: V8 compiles on background threads). warm-up = pass 1 − the last pass.
//   - compiles and deopts: the same first pass under --trace-opt --trace-deopt-verbose, counted
//     from V8's trace, with the source positions that deoptimised most. The counts vary a little
//     run to run (concurrent compilation races the main thread) but far less than CPU times do
//     on a shared machine.
// Writes reports/bench/warmup-<date>.json. Runs seeds as a sweep worker does (its JIT settings, runSeeds, the
// sweep's defaults: 10 s each, generated faults), without the pool around it.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runPasses, seedRange } from "./seed-passes.js";
import { checkBenchArgs } from "./usage.js";

const USAGE = `Usage: npm run bench:warmup [-- OPTIONS]   (node dist/bench/warmup.js [OPTIONS])
What a fresh worker isolate pays before it runs seeds at full speed (raft-metadata, default
options). Writes reports/bench/warmup-<date>.json.
  --seeds A..B     the seeds of one pass (default 1..100)
  --passes N       passes over them in one process (default 3; warm-up = first - last)
  --no-trace       skip the compile/deopt count (a second child under V8's trace flags)
  --json           print the report as JSON only
  -h, --help       this text`;

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");

/** The child: run the passes as a sweep worker runs its batch (seed-passes.ts), print one JSON
 * line. (Before it set the sweep's JIT settings this measured a warm-up no sweep pays: first
 * 100 seeds 5.97 s of CPU against 1.89 s warm, where a sweep worker's are about 3.2 s against
 * 1.2 s.) */
async function child(lo: number, hi: number, passes: number): Promise<void> {
  const { cpuMs, events } = await runPasses(lo, hi, passes);
  process.stdout.write(`WARMUP ${JSON.stringify({ cpuMs, events })}\n`);
}

function parseSeeds(s: string): [number, number] {
  const r = seedRange(s);
  if (r === null) {
    process.stderr.write(`warmup: --seeds ${s}: expected A..B with 1 <= A <= B\n`);
    process.exit(2);
  }
  return r;
}

function runChild(flags: string[], lo: number, hi: number, passes: number): { out: string; status: number | null } {
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), "--child", `${lo}..${hi}`, String(passes)], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) {
    process.stderr.write(`warmup: the measuring child failed (exit ${r.status}):\n${r.stderr.slice(-2000)}\n`);
    process.exit(1);
  }
  return { out: r.stdout, status: r.status };
}

function parseResult(out: string): { cpuMs: number[]; events: number } {
  const line = out.split("\n").find((l) => l.startsWith("WARMUP "));
  if (line === undefined) {
    process.stderr.write("warmup: the child printed no result\n");
    process.exit(1);
  }
  return JSON.parse(line.slice("WARMUP ".length)) as { cpuMs: number[]; events: number };
}

async function main(): Promise<void> {
  if (process.argv[2] === "--child") {
    const [lo, hi] = parseSeeds(process.argv[3] ?? "");
    return child(lo, hi, Number(process.argv[4]));
  }
  checkBenchArgs(USAGE, { seeds: { type: "string" }, passes: { type: "string" }, "no-trace": { type: "boolean" }, json: { type: "boolean" } });
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const [lo, hi] = parseSeeds(arg("--seeds") ?? "1..100");
  const passes = Number(arg("--passes") ?? 3);
  if (!Number.isInteger(passes) || passes < 2) {
    process.stderr.write(`warmup: --passes ${arg("--passes")}: expected an integer >= 2\n`);
    process.exit(2);
  }
  const json = process.argv.includes("--json");
  const say = (s: string) => {
    if (!json) process.stdout.write(s + "\n");
  };
  say(`warmup: seeds ${lo}..${hi}, ${passes} passes in a fresh process...`);
  const timed = parseResult(runChild([], lo, hi, passes).out);
  const seeds = hi - lo + 1;
  const last = timed.cpuMs[timed.cpuMs.length - 1];
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    seeds: `${lo}..${hi}`,
    passCpuMs: timed.cpuMs.map((x) => Math.round(x)),
    warmupCpuMs: Math.round(timed.cpuMs[0] - last),
    warmCpuMsPerSeed: Number((last / seeds).toFixed(2)),
    eventsPerPass: timed.events,
  };
  if (!process.argv.includes("--no-trace")) {
    say("warmup: counting TurboFan compiles and deoptimisations of the first pass...");
    const traced = runChild(["--trace-opt", "--trace-deopt-verbose"], lo, hi, 1).out;
    const lines = traced.split("\n");
    let compiles = 0;
    let deopts = 0;
    const sites = new Map<string, number>();
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.startsWith("[completed compiling")) compiles++;
      else if (l.startsWith("[bailout (kind:")) {
        deopts++;
        const at = /;;; deoptimize at <([^>]*)>/.exec(lines[i + 1] ?? "");
        if (at !== null) {
          const site = at[1].replace(/^file:\/\/.*?\/dist\//, "");
          sites.set(site, (sites.get(site) ?? 0) + 1);
        }
      }
    }
    report.compiles = compiles;
    report.deopts = deopts;
    report.topDeoptSites = [...sites.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([site, n]) => ({ site, n }));
  }
  const out = path.join(repoRoot, "reports", "bench");
  mkdirSync(out, { recursive: true });
  const file = path.join(out, `warmup-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(report, null, 1) + "\n");
  if (json) process.stdout.write(JSON.stringify(report) + "\n");
  else {
    say(`pass CPU (ms): ${(report.passCpuMs as number[]).join(", ")}; warm-up ${report.warmupCpuMs} ms; warm ${report.warmCpuMsPerSeed} ms/seed`);
    if (report.compiles !== undefined) say(`first pass: ${report.compiles} TurboFan compiles, ${report.deopts} deoptimisations`);
    say(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

await main();
