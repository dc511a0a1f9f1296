// The Valkey module conformance suite at length: `npm run valkey:conformance`. Runs every check
// of the suite (src/api/valkey-conformance) on raft-module over seeds 1..VC_SEEDS (default 100),
// prints failures and wall time per check, and writes reports/valkey-conformance/latest.json.
// VC_LOSS, VC_DUP, VC_SPIKE, VC_SPIKE_US: network faults (see below). The suite's own test runs 3 seeds; this is the measurement behind the figures in
// docs/valkey-contract.md. VC_MODULE=gossip runs it on gossip-module instead (report:
// latest-gossip.json).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gossipModule, moduleConformance, raftModule } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: npm run valkey:conformance   (node dist/bench/valkey-conformance.js)
The Valkey module conformance suite at length. Environment: VC_SEEDS (default 100), VC_MODULE
(raft | gossip), VC_LOSS, VC_DUP, VC_SPIKE, VC_SPIKE_US. Writes reports/valkey-conformance/.
  -h, --help       this text`, {});

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const n = Number(process.env.VC_SEEDS ?? 100);
if (!(Number.isSafeInteger(n) && n >= 1)) {
  console.error(`VC_SEEDS must be a positive integer, got ${process.env.VC_SEEDS}`);
  process.exit(2);
}
// VC_MODULE: which module the suite runs on.
const moduleName = process.env.VC_MODULE ?? "raft";
const factories = { raft: () => raftModule(), gossip: () => gossipModule() } as const;
if (!(moduleName in factories)) {
  console.error(`VC_MODULE must be one of ${Object.keys(factories).join(", ")}, got ${moduleName}`);
  process.exit(2);
}
const factory = factories[moduleName as keyof typeof factories]();
const seeds = Array.from({ length: n }, (_, i) => i + 1);
// VC_LOSS / VC_DUP: message loss and duplication rates for the run (default 0).
const lossRate = Number(process.env.VC_LOSS ?? 0);
const dupRate = Number(process.env.VC_DUP ?? 0);
// VC_SPIKE / VC_SPIKE_US: share of messages delayed by VC_SPIKE_US more (default 0 / 200000).
const spikeRate = Number(process.env.VC_SPIKE ?? 0);
const spikeUs = Number(process.env.VC_SPIKE_US ?? 200_000);
const rows: { check: string; seeds: number; failed: number; wallMs: number; failures: readonly string[] }[] = [];
for (const c of moduleConformance(factory, { seeds, lossRate, dupRate, spikeRate, spikeUs })) {
  const t0 = performance.now();
  const r = c.run();
  const wallMs = Math.round(performance.now() - t0);
  rows.push({ check: c.name, seeds: n, failed: r.failures.length, wallMs, failures: r.failures });
  console.log(`${c.name.padEnd(16)} seeds 1..${n} loss ${lossRate} dup ${dupRate} spike ${spikeRate}x${spikeUs / 1000}ms  failed ${r.failures.length}  ${wallMs} ms`);
  for (const f of r.failures) console.log(`  ${f}`);
}
const out = path.join(repoRoot, "reports", "valkey-conformance");
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, moduleName === "raft" ? "latest.json" : `latest-${moduleName}.json`), JSON.stringify({ module: `${moduleName}-module`, seeds: `1..${n}`, lossRate, dupRate, spikeRate, spikeUs, rows }, null, 2) + "\n");
process.exit(rows.some((r) => r.failed > 0) ? 1 : 0);
