// Are the planted bugs still found with raft-metadata's event-saving options on (issue 12 part
// 5)? (They are on by default now: the recorded seeds are the fast model's, so compare with
// --options '{"fast":false}'.) For each bug: its recorded seed (src/api/bug-finds.ts, assertions off) is rerun with the
// options on; then, if that seed no longer finds it, the lowest failing seed in 1..BUGS_MAX_SEED
// (default 1000). With --rate N: instead, per bug, how many of seeds 1..N find it with the
// options off and on (detection rate: the fair measure of power when a change moves hashes).
// Writes nothing.
//   npm run build && node dist/bench/events-bugs.js [--options '{"fast":true}'] [--rate N [--bugs a,b]]   (--rate: off is fast: false)
import os from "node:os";
import { BUG_FINDS } from "../src/api/bug-finds.js";
import { failureOf, getSystem, runSystem, sweep } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: node dist/bench/events-bugs.js [--options JSON] [--rate N [--bugs a,b]]
Whether the planted bugs are still found with raft-metadata's event-saving options on
(BUGS_MAX_SEED, BUGS_JOBS). Writes nothing.
  -h, --help       this text`, { options: { type: "string" }, rate: { type: "string" }, bugs: { type: "string" } });

const i = process.argv.indexOf("--options");
const systemOptions = JSON.parse(i >= 0 ? process.argv[i + 1] : '{"fast":true}') as Record<string, unknown>;
const maxSeed = Number(process.env.BUGS_MAX_SEED ?? 1000);
const jobs = Number(process.env.BUGS_JOBS ?? Math.min(2, os.availableParallelism()));
const timeUs = 10_000_000;
const system = getSystem("raft-metadata");
const ri = process.argv.indexOf("--rate");
if (ri >= 0) {
  const n = Number(process.argv[ri + 1]);
  const bi = process.argv.indexOf("--bugs");
  const names = bi >= 0 ? process.argv[bi + 1].split(",") : system.bugs.map((b) => b.name);
  for (const name of names) {
    const found: number[] = [];
    for (const opts of [{ fast: false }, systemOptions]) {
      const s = await sweep({ system: "raft-metadata", seeds: { from: 1, to: n }, bugs: [name], sutAsserts: false, timeUs, jobs, systemOptions: opts });
      found.push(s.failures.length);
    }
    process.stdout.write(`${name.padEnd(32)} seeds 1..${n} finding it: off ${found[0]}, on ${found[1]}\n`);
  }
  process.exit(0);
}
let missed = 0;
for (const bug of system.bugs) {
  const want = BUG_FINDS[`raft-metadata/${bug.name}`]?.assertsOff;
  let atRecorded = "-";
  if (want?.seed != null) {
    const r = runSystem(system, { seed: want.seed, timeUs, bugs: [bug.name], sutAsserts: false, options: systemOptions });
    atRecorded = r.verdict === "ok" ? "ok (missed)" : `${r.verdict} ${failureOf(r)?.check ?? ""}`;
    if (r.verdict !== "ok") {
      process.stdout.write(`${bug.name.padEnd(32)} recorded seed ${String(want.seed).padStart(4)} (${want.check}): found, ${atRecorded}\n`);
      continue;
    }
  }
  const s = await sweep({ system: "raft-metadata", seeds: { from: 1, to: maxSeed }, bugs: [bug.name], stopOnFirst: true, sutAsserts: false, timeUs, jobs, systemOptions });
  const f = s.failures[0];
  if (f === undefined) missed++;
  process.stdout.write(`${bug.name.padEnd(32)} recorded seed ${String(want?.seed ?? "-").padStart(4)} (${want?.check}): ${atRecorded}; first in 1..${maxSeed}: ${f === undefined ? "NOT FOUND" : `seed ${f.seed} ${f.verdict}`}\n`);
}
process.stdout.write(`options ${JSON.stringify(systemOptions)}: ${missed} bug(s) not found within ${maxSeed} seeds\n`);
