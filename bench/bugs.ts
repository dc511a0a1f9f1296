// Seeds-to-detect per planted bug: `npm run bugs:table`. For every planted bug of every system,
// the lowest failing seed of the default swarm (10 s runs, seeds 1..BUGS_MAX_SEED, default 1000),
// with the system's own assertions on and with them off (`--sut-asserts off`), and the check
// that found it (failureOf: an invariant's name, `linearizability`, a liveness condition, or
// `Error` for an assertion inside the system). Prints a table and writes reports/bugs/<date>.json,
// latest.json and src/api/bug-finds.ts, which `raftsim bugs --json` reports (`found`) and
// test/sim/bug-finds.test.ts replays.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { failureOf, getSystem, simulate, sweep, systems } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: npm run bugs:table   (node dist/bench/bugs.js)
Seeds-to-detect per planted bug, assertions on and off. Environment: BUGS_MAX_SEED (default
1000), BUGS_JOBS, BUGS_SYSTEMS (a,b), BUGS_FROM (a JSON to re-render). Writes reports/bugs/,
and src/api/bug-finds.ts. BUGS_ONLINE_CHECKS=starting|none: raft-metadata's bugs only, with
assertions off, judged with fewer of its online checks (the checks it had when issue 12 began,
or the history check alone); writes only reports/bugs/<date>-checks-<set>.json.
  -h, --help       this text`, {});

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const maxSeed = Number(process.env.BUGS_MAX_SEED ?? 1000);
const timeUs = 10_000_000;
const jobs = Number(process.env.BUGS_JOBS ?? os.availableParallelism());
const checkSet = process.env.BUGS_ONLINE_CHECKS;
if (checkSet !== undefined && checkSet !== "starting" && checkSet !== "none") {
  process.stderr.write(`bugs: BUGS_ONLINE_CHECKS must be starting or none (got ${JSON.stringify(checkSet)})\n`);
  process.exit(2);
}
const systemOptions = checkSet === undefined ? {} : { systemOptions: { onlineChecks: checkSet } };

interface Found { seed: number | null; check: string | null }

/** A find as the table prints it. */
const cell = (f: Found): string => (f.seed === null ? `not found in 1..${maxSeed}` : `seed ${String(f.seed).padStart(4)} ${f.check}`);

/** The median seed of these finds (a bug not found counts as past every seed). */
function medianSeed(finds: readonly Found[]): number {
  const seeds = finds.map((f) => f.seed ?? Infinity).sort((a, b) => a - b);
  return seeds[Math.floor((seeds.length - 1) / 2)]!;
}

async function first(system: string, bug: string, sutAsserts: boolean): Promise<Found> {
  const r = await sweep({ system, seeds: { from: 1, to: maxSeed }, bugs: [bug], stopOnFirst: true, sutAsserts, timeUs, jobs, ...systemOptions });
  const f = r.failures[0];
  if (f === undefined) return { seed: null, check: null };
  const run = simulate({ system, seed: f.seed, timeUs, bugs: [bug], sutAsserts, ...systemOptions }).result;
  return { seed: f.seed, check: failureOf(run)?.check ?? null };
}

const t0 = performance.now();
if (checkSet !== undefined) {
  // Fewer checks: what the sweep-speed bar's like-for-like reading would keep (README, "Where the
  // sweep-speed bar stands"). Assertions off only: with them on, the code's own assertions find
  // what the checks miss.
  const out: { bug: string; assertsOff: Found }[] = [];
  for (const bug of getSystem("raft-metadata").bugs) {
    const off = await first("raft-metadata", bug.name, false);
    out.push({ bug: bug.name, assertsOff: off });
    process.stdout.write(`${`raft-metadata/${bug.name}`.padEnd(46)} off: ${cell(off)}\n`);
  }
  const med = medianSeed(out.map((r) => r.assertsOff));
  const notFound = out.filter((r) => r.assertsOff.seed === null).map((r) => r.bug);
  const report = { date: new Date().toISOString(), onlineChecks: checkSet, maxSeed, timeUs, medianSeedsToDetectAssertsOff: med, notFound, wallMs: Math.round(performance.now() - t0), rows: out };
  process.stdout.write(`onlineChecks ${checkSet}: median seeds-to-detect (assertions off): ${med}; not found within ${maxSeed}: ${notFound.length === 0 ? "none" : notFound.join(", ")}\n`);
  const dir = path.join(repoRoot, "reports", "bugs");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${report.date.slice(0, 10)}-checks-${checkSet}.json`), JSON.stringify(report, null, 2) + "\n");
  process.exit(0);
}
type Row = { system: string; bug: string; assertsOn: Found; assertsOff: Found };
let rows: Row[] = [];
// BUGS_FROM=reports/bugs/latest.json: rewrite src/api/bug-finds.ts from an earlier report.
if (process.env.BUGS_FROM !== undefined) rows = (JSON.parse(readFileSync(process.env.BUGS_FROM, "utf8")) as { rows: Row[] }).rows;
else {
  // BUGS_SYSTEMS=a,b: measure only those systems; the others' rows come from latest.json.
  const only = process.env.BUGS_SYSTEMS?.split(",");
  if (only !== undefined) {
    const prev = (JSON.parse(readFileSync(path.join(repoRoot, "reports", "bugs", "latest.json"), "utf8")) as { rows: Row[] }).rows;
    rows = prev.filter((r) => !only.includes(r.system) && systems.names().includes(r.system));
  }
  for (const name of systems.names().filter((n) => only === undefined || only.includes(n))) {
  for (const bug of getSystem(name).bugs) {
    const on = await first(name, bug.name, true);
    const off = await first(name, bug.name, false);
    rows.push({ system: name, bug: bug.name, assertsOn: on, assertsOff: off });
    process.stdout.write(`${`${name}/${bug.name}`.padEnd(46)} on: ${cell(on).padEnd(36)} off: ${cell(off)}\n`);
  }
}
}
const median = medianSeed(rows.map((r) => r.assertsOff));
const missed = rows.filter((r) => r.assertsOff.seed === null).map((r) => `${r.system}/${r.bug}`);
const report = { date: new Date().toISOString(), maxSeed, timeUs, medianSeedsToDetectAssertsOff: median, notFound: missed, wallMs: Math.round(performance.now() - t0), rows };
process.stdout.write(`median seeds-to-detect (assertions off): ${median}; not found within ${maxSeed}: ${missed.length === 0 ? "none" : missed.join(", ")}\n`);
const dir = path.join(repoRoot, "reports", "bugs");
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(report, null, 2) + "\n";
if (process.env.BUGS_FROM === undefined) {
  writeFileSync(path.join(dir, `${report.date.slice(0, 10)}.json`), json);
  writeFileSync(path.join(dir, "latest.json"), json);
}
const lit = (f: Found) => `{ seed: ${f.seed}, check: ${JSON.stringify(f.check)} }`;
const table = rows.map((r) => `  ${JSON.stringify(`${r.system}/${r.bug}`)}: { assertsOn: ${lit(r.assertsOn)}, assertsOff: ${lit(r.assertsOff)} },`).join("\n");
writeFileSync(
  path.join(repoRoot, "src", "api", "bug-finds.ts"),
  `// Generated by \`npm run bugs:table\` (bench/bugs.ts) on ${report.date.slice(0, 10)}: per planted bug, the lowest seed of the\n` +
    `// default swarm (10 s runs, seeds 1..${maxSeed}) that finds it, and the check that does, with the system's own\n` +
    `// assertions on and off (--sut-asserts off). seed null: not found in that range. Replayed by\n` +
    `// test/sim/bug-finds.test.ts; do not edit by hand.\n` +
    `export interface BugFind {\n  readonly seed: number | null;\n  readonly check: string | null;\n}\n\n` +
    `export const BUG_FINDS_MAX_SEED = ${maxSeed};\n\n` +
    `export const BUG_FINDS: Readonly<Record<string, { readonly assertsOn: BugFind; readonly assertsOff: BugFind }>> = {\n${table}\n};\n`,
);
