// Seeds-to-detect per planted bug: `npm run bugs:table`. For every planted bug of every system,
// the lowest failing seed of the default swarm (10 s runs, seeds 1..BUGS_MAX_SEED, default 1000),
// with the system's own assertions on and with them off (`--sut-asserts off`), and the check
// that found it (failureOf: an invariant's name, `linearizability`, a liveness condition, or
// `Error` for an assertion inside the system). Prints a table and writes reports/bugs/<date>.json
// and latest.json; the numbers in each system's bugs.ts (`found`) come from here and
// test/sim/bugs-found.test.ts replays them.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { failureOf, getSystem, simulate, sweep, systems } from "../src/api/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const maxSeed = Number(process.env.BUGS_MAX_SEED ?? 1000);
const timeUs = 10_000_000;
const jobs = Number(process.env.BUGS_JOBS ?? os.availableParallelism());

interface Found { seed: number | null; check: string | null }

async function first(system: string, bug: string, sutAsserts: boolean): Promise<Found> {
  const r = await sweep({ system, seeds: { from: 1, to: maxSeed }, bugs: [bug], stopOnFirst: true, sutAsserts, timeUs, jobs });
  const f = r.failures[0];
  if (f === undefined) return { seed: null, check: null };
  const run = simulate({ system, seed: f.seed, timeUs, bugs: [bug], sutAsserts }).result;
  return { seed: f.seed, check: failureOf(run)?.check ?? null };
}

const t0 = performance.now();
const rows = [];
for (const name of systems.names()) {
  for (const bug of getSystem(name).bugs) {
    const on = await first(name, bug.name, true);
    const off = await first(name, bug.name, false);
    rows.push({ system: name, bug: bug.name, assertsOn: on, assertsOff: off });
    const cell = (f: Found) => (f.seed === null ? `not found in 1..${maxSeed}` : `seed ${String(f.seed).padStart(4)} ${f.check}`);
    process.stdout.write(`${`${name}/${bug.name}`.padEnd(46)} on: ${cell(on).padEnd(36)} off: ${cell(off)}\n`);
  }
}
const offSeeds = rows.map((r) => r.assertsOff.seed ?? Infinity).sort((a, b) => a - b);
const median = offSeeds[Math.floor((offSeeds.length - 1) / 2)];
const missed = rows.filter((r) => r.assertsOff.seed === null).map((r) => `${r.system}/${r.bug}`);
const report = { date: new Date().toISOString(), maxSeed, timeUs, medianSeedsToDetectAssertsOff: median, notFound: missed, wallMs: Math.round(performance.now() - t0), rows };
process.stdout.write(`median seeds-to-detect (assertions off): ${median}; not found within ${maxSeed}: ${missed.length === 0 ? "none" : missed.join(", ")}\n`);
const dir = path.join(repoRoot, "reports", "bugs");
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(report, null, 2) + "\n";
writeFileSync(path.join(dir, `${report.date.slice(0, 10)}.json`), json);
writeFileSync(path.join(dir, "latest.json"), json);
