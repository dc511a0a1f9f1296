// `npm run bench:check-share`: how much of a sweep's CPU the online checks take, against the
// simulator and the code under test. The sweep-speed bar of issue 12 (2x the seeds per minute
// of the main the issue started from) was set before that issue asked for the harness's own
// checks; raft-metadata now judges some forty of them after every event, on every message sent
// and on every message delivered. This measures what they cost, so that the speed bar's gap can
// be read as "simulator" or "checks".
//
// Three modes, each in a fresh child process (a fresh isolate, as a sweep worker is, with the
// sweep's JIT settings), running the same seeds PASSES times as a sweep worker runs its batch
// (runSeeds, the sweep's defaults), chosen by raft-metadata's `onlineChecks` option:
//   - full:      every check, as every sweep runs it;
//   - starting:  only the checks raft-metadata had when issue 12 began (the Raft invariants on
//                the touched node, the log scans, the store-state, lease and durability checks,
//                the history check);
//   - none:      only the history check.
// What is not a check runs in every mode (the window faults that fire on sends and notes, the
// operator's membership requests, the livelock guard), and the checks only read, so the three
// modes run the same events (the same trace hashes). (The fourth stop's version removed the
// world's hooks instead, which also stopped the window faults and the starting main's own
// checks: it overstated what the simulation alone is worth.)
// Writes reports/bench/check-share-<date>.json (git-ignored: figures of one machine and day).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { System } from "../src/api/index.js";
import { runPasses, seedRange } from "./seed-passes.js";
import { checkBenchArgs } from "./usage.js";

const USAGE = `Usage: npm run bench:check-share [-- OPTIONS]   (node dist/bench/check-share.js [OPTIONS])
The online checks' share of a sweep's CPU (raft-metadata, default options): the same seeds
with every check, with only the checks raft-metadata had when issue 12 began, and with only
the history check, each mode in a fresh process. Writes reports/bench/check-share-<date>.json.
  --seeds A..B     the seeds of one pass (default 1..200)
  --passes N       passes over them in one process (default 3; the last is the warm one)
  --json           print the report as JSON only
  -h, --help       this text`;

const MODES = ["full", "starting", "none"] as const;
type Mode = (typeof MODES)[number];

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");

/** raft-metadata with the checks of `mode` (see the header). */
export function withChecks(sys: System, mode: Mode): System {
  const onlineChecks = mode === "full" ? "all" : mode;
  return { ...sys, setup: (req) => sys.setup({ ...req, options: { ...(req.options ?? {}), onlineChecks } }) };
}

async function child(mode: Mode, lo: number, hi: number, passes: number): Promise<void> {
  const r = await runPasses(lo, hi, passes, (sys) => withChecks(sys, mode));
  process.stdout.write(`CHECKSHARE ${JSON.stringify(r)}\n`);
}

function parseSeeds(s: string): [number, number] {
  const r = seedRange(s);
  if (r === null) {
    process.stderr.write(`check-share: --seeds must be A..B with 1 <= A <= B (got ${JSON.stringify(s)})\n`);
    process.exit(2);
  }
  return r;
}

interface ModeResult {
  cpuMs: number[];
  events: number;
  ok: number;
}

function runChild(mode: Mode, seeds: string, passes: number): ModeResult {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", mode, "--seeds", seeds, "--passes", String(passes)], { encoding: "utf8", maxBuffer: 64 << 20 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("CHECKSHARE "));
  if (r.status !== 0 || line === undefined) {
    process.stderr.write(`check-share: the ${mode} child failed (exit ${r.status}):\n${r.stderr}\n`);
    process.exit(1);
  }
  return JSON.parse(line.slice("CHECKSHARE ".length)) as ModeResult;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    const mode = argv[1] as Mode;
    const [lo, hi] = parseSeeds(argv[argv.indexOf("--seeds") + 1]!);
    await child(mode, lo, hi, Number(argv[argv.indexOf("--passes") + 1]));
    return;
  }
  checkBenchArgs(USAGE, { seeds: { type: "string" }, passes: { type: "string" }, json: { type: "boolean" } });
  const at = (k: string): string | undefined => { const i = argv.indexOf(k); return i < 0 ? undefined : argv[i + 1]; };
  const seeds = at("--seeds") ?? "1..200";
  const [lo, hi] = parseSeeds(seeds);
  const passes = Number(at("--passes") ?? "3");
  if (!Number.isInteger(passes) || passes < 2 || passes > 20) {
    process.stderr.write(`check-share: --passes must be an integer from 2 to 20 (got ${JSON.stringify(at("--passes"))})\n`);
    process.exit(2);
  }
  const json = argv.includes("--json");
  const n = hi - lo + 1;
  const modes: Record<string, ModeResult & { warmMsPerSeed: number; warmNsPerEvent: number; warmUpMs: number }> = {};
  for (const mode of MODES) {
    if (!json) process.stderr.write(`check-share: ${mode}, seeds ${seeds} x ${passes}...\n`);
    const r = runChild(mode, seeds, passes);
    const warm = r.cpuMs[r.cpuMs.length - 1]!;
    modes[mode] = { ...r, warmMsPerSeed: warm / n, warmNsPerEvent: (warm * 1e6) / r.events, warmUpMs: r.cpuMs[0]! - warm };
  }
  const full = modes.full!, off = modes.none!, starting = modes.starting!;
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    seeds,
    passes,
    modes,
    // What the checks take of a warm seed (per event: the two modes' events differ a little).
    // The three modes run the same events (see the header): per seed and per event agree.
    checkShareWarmPerEvent: 1 - off.warmNsPerEvent / full.warmNsPerEvent,
    checkShareWarmPerSeed: 1 - off.warmMsPerSeed / full.warmMsPerSeed,
    // The checks added since issue 12 began: full against starting.
    addedShareWarmPerSeed: 1 - starting.warmMsPerSeed / full.warmMsPerSeed,
    // What they add to a fresh isolate's warm-up (its first pass over the last).
    warmUpShareOfChecks: full.warmUpMs > 0 ? 1 - off.warmUpMs / full.warmUpMs : 0,
  };
  const dir = path.join(repoRoot, "reports", "bench");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `check-share-${report.date.slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return;
  }
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  for (const m of MODES) {
    const r = modes[m]!;
    process.stdout.write(`${m.padEnd(10)} passes ${r.cpuMs.map((c) => (c / 1000).toFixed(2) + "s").join(" ")}  warm ${r.warmMsPerSeed.toFixed(2)} ms/seed, ${r.warmNsPerEvent.toFixed(0)} ns/event  warm-up ${(r.warmUpMs / 1000).toFixed(2)} s  events ${r.events}${m === "full" ? `  ok ${r.ok}/${n}` : ""}\n`);
  }
  process.stdout.write(`online checks: ${pct(report.checkShareWarmPerSeed)} of a warm seed's CPU (those added since issue 12 began: ${pct(report.addedShareWarmPerSeed)}); ${pct(report.warmUpShareOfChecks)} of a fresh isolate's warm-up\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

await main();
