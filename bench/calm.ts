// P-FD3 in numbers: calm runs of the failover system (no faults at all: no crash, no loss, no
// pause, the network's ordinary delays and the clocks' ordinary drift) for every detector, one
// simulated hour per seed, counting false FAILs (must be 0: the run is then a violation anyway)
// and false suspicions (PFAIL of a live node: a metric). `npm run bench:calm [-- --detectors
// gossip,phi --seeds 1..200 --hours 1] [--out FILE]`; writes reports/bench/calm-<date>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { simulate } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: npm run bench:calm [-- OPTIONS]   (node dist/bench/calm.js [OPTIONS])
Calm runs of the failover system for every detector, one simulated hour per seed: false FAILs
(must be 0) and false suspicions. Writes reports/bench/calm-<date>.json.
  --detectors a,b  detectors to run (default: all)
  --seeds A..B     seeds
  --hours H        simulated hours per seed
  --out FILE       where to write the JSON
  -h, --help       this text`, { detectors: { type: "string" }, seeds: { type: "string" }, hours: { type: "string" }, out: { type: "string" } });

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

function seedRange(s: string): number[] {
  const m = /^(\d+)\.\.(\d+)$/.exec(s);
  if (m === null) throw new Error(`--seeds: expected FROM..TO, got "${s}"`);
  const out: number[] = [];
  for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(i);
  return out;
}

interface DetectorRow {
  detector: string;
  seeds: number;
  simulatedHours: number;
  violations: { seed: number; failure: string }[];
  falseFails: number;
  falseSuspicions: number;
  seedsWithFalseSuspicion: number;
  wallS: number;
}

function main(): void {
  const detectors = arg("--detectors", "gossip,timeout,phi,swim").split(",");
  const seeds = seedRange(arg("--seeds", "1..200"));
  const hours = Number(arg("--hours", "1"));
  if (!(hours > 0)) throw new Error(`--hours: a positive number, got ${arg("--hours", "1")}`);
  const rows: DetectorRow[] = [];
  for (const detector of detectors) {
    const t0 = performance.now();
    const row: DetectorRow = { detector, seeds: seeds.length, simulatedHours: hours * seeds.length, violations: [], falseFails: 0, falseSuspicions: 0, seedsWithFalseSuspicion: 0, wallS: 0 };
    for (const seed of seeds) {
      const r = simulate({ system: "failover", seed, detector, timeUs: Math.round(hours * 3600e6), faults: [] });
      const d = r.result.details as { detector?: { falseSuspicions?: number; falseFails?: number } };
      if (r.summary.verdict !== "ok") row.violations.push({ seed, failure: `${r.summary.verdict}: ${r.summary.message ?? ""}` });
      row.falseFails += d.detector?.falseFails ?? 0;
      const fs = d.detector?.falseSuspicions ?? 0;
      row.falseSuspicions += fs;
      if (fs > 0) row.seedsWithFalseSuspicion++;
      if (seed % 10 === 0) process.stderr.write(`${detector}: seed ${seed} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
    row.wallS = Math.round((performance.now() - t0) / 100) / 10;
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const out = path.join(repoRoot, "reports", "bench");
  mkdirSync(out, { recursive: true });
  const file = path.resolve(arg("--out", path.join(out, `calm-${new Date().toISOString().slice(0, 10)}.json`)));
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main();
