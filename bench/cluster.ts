// Benchmarks of the full system: one 5-node, 5-client cluster with swarm faults, and a sweep
// through the real CLI (worker threads) with its memory sampled from /proc while it runs.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { getSystem, runSystem } from "../src/api/index.js";

export interface ClusterBench {
  seeds: number;
  simulatedSecondsPerSeed: number;
  /** Simulated time over wall time, simulation only (the linearizability check excluded). */
  simToWall: number;
  /** Simulated time over wall time, including the linearizability check. */
  simToWallWithCheck: number;
  eventsPerSec: number;
  msPerSeed: number;
  checkMsPerSeed: number;
  eventsPerSimulatedSecond: number;
}

/** One system's runs back to back (default raft-metadata: 5 servers, 5 clients, swarm faults). */
export function benchCluster(seeds = 60, timeUs = 10_000_000, systemName = "raft-metadata"): ClusterBench & { system: string } {
  const system = getSystem(systemName);
  const runCluster = (o: { seed: number; timeUs: number }) => runSystem(system, o);
  for (let s = 1; s <= 5; s++) runCluster({ seed: 100_000 + s, timeUs }); // JIT warm-up
  let events = 0;
  let simUs = 0;
  let checkMs = 0;
  const t0 = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runCluster({ seed, timeUs });
    events += r.stats.events;
    simUs += r.stats.simulatedUs;
    checkMs += r.lin?.ms ?? 0;
  }
  const wallMs = performance.now() - t0;
  const simMs = wallMs - checkMs;
  return {
    system: systemName,
    seeds,
    simulatedSecondsPerSeed: timeUs / 1e6,
    simToWall: Math.round(simUs / 1000 / simMs),
    simToWallWithCheck: Math.round(simUs / 1000 / wallMs),
    eventsPerSec: Math.round((events / simMs) * 1000),
    msPerSeed: +(wallMs / seeds).toFixed(1),
    checkMsPerSeed: +(checkMs / seeds).toFixed(1),
    eventsPerSimulatedSecond: Math.round(events / (simUs / 1e6)),
  };
}

export interface SweepBench {
  seeds: number;
  /** Worker threads the sweep used (the request, capped to the CPUs and batches). */
  jobs: number;
  jobsRequested: number;
  seedsPerMinute: number;
  wallMs: number;
  verdicts: Record<string, number>;
  /** Resident memory of the sweep process (all worker threads), MB. */
  peakRssMb: number;
  /** RSS at 10%, 50% and 90% of the run: flat means no growth with seeds. */
  rssMbAt: { p10: number; p50: number; p90: number };
}

/** Runs `raftsim sweep` (the built CLI, which calls src/api/sweep.ts) as a child process and
 * samples its RSS every 250 ms: the child's RSS is the memory of the sweep alone. */
export function benchSweep(repoRoot: string, seeds: number, jobs = 2, system = "raft-metadata"): Promise<SweepBench> {
  const bin = path.join(repoRoot, "dist/src/cli/main.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "sweep", "--system", system, "--seeds", `1..${seeds}`, "--jobs", String(jobs), "--json", "--no-progress"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const samples: number[] = [];
    const timer = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) samples.push(Number(m[1]) / 1024);
      } catch {
        /* the process has just exited */
      }
    }, 250);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", () => {
      clearInterval(timer);
      try {
        const r = JSON.parse(out) as { seedsPerMinute: number; wallMs: number; verdicts: Record<string, number>; jobs: number; jobsRequested: number };
        const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0);
        resolve({
          seeds,
          jobs: r.jobs,
          jobsRequested: r.jobsRequested,
          seedsPerMinute: r.seedsPerMinute,
          wallMs: r.wallMs,
          verdicts: r.verdicts,
          peakRssMb: Math.round(Math.max(0, ...samples)),
          rssMbAt: { p10: at(0.1), p50: at(0.5), p90: at(0.9) },
        });
      } catch (e) {
        reject(new Error(`sweep output was not JSON: ${(e as Error).message}: ${out.slice(0, 200)}`));
      }
    });
  });
}
