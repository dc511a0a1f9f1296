// Shrinking figures: `npm run shrink:figures`. Every planted bug of every system at its
// detecting seed (10 s runs), shrunk with a budget of SHRINK_BUDGET (default 60s) each, one at a
// time on this thread: faults, clients, servers, simulated time and events before and after, the
// candidates replayed and the wall time. Prints a table and writes
// reports/shrink/<date>.json and reports/shrink/latest.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getSystem, shrink, systems } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: npm run shrink:figures   (node dist/bench/shrink.js)
Every planted bug at its detecting seed, shrunk (SHRINK_BUDGET_MS each, default 60000).
Writes reports/shrink/<date>.json and latest.json.
  -h, --help       this text`, {});

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const budgetMs = Number(process.env.SHRINK_BUDGET_MS ?? 60_000);

const rows = [];
for (const system of systems.names().map(getSystem)) {
  for (const bug of system.bugs) {
    if (bug.detectingSeed === undefined) continue;
    const r = shrink(system, { seed: bug.detectingSeed, timeUs: 10_000_000, bugs: [bug.name] }, { budgetMs });
    const row = {
      system: system.name,
      bug: bug.name,
      seed: bug.detectingSeed,
      failure: r.failure,
      before: r.before,
      after: r.after,
      eventsRatio: +(r.before.events / Math.max(1, r.after.events)).toFixed(1),
      steps: r.steps,
      accepted: r.accepted,
      wallMs: Math.round(r.wallMs),
      budgetExhausted: r.budgetExhausted,
      schedule: r.options.faults,
    };
    rows.push(row);
    process.stdout.write(
      `${`${system.name}/${bug.name}`.padEnd(45)} ${r.failure.check.padEnd(22)} faults ${String(r.before.faults).padStart(3)} -> ${String(r.after.faults).padEnd(3)} events ${String(r.before.events).padStart(6)} -> ${String(r.after.events).padEnd(6)} (${row.eventsRatio}x) ${(row.wallMs / 1000).toFixed(1)}s\n`,
    );
  }
}
const ratios = rows.map((r) => r.eventsRatio).sort((a, b) => a - b);
const median = ratios.length % 2 === 1 ? ratios[(ratios.length - 1) / 2]! : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
const summary = {
  date: new Date().toISOString(),
  budgetMs,
  bugs: rows.length,
  medianEventsRatio: median,
  maxWallMs: Math.max(...rows.map((r) => r.wallMs)),
  totalWallMs: rows.reduce((a, r) => a + r.wallMs, 0),
  rows,
};
process.stdout.write(`median ${median}x fewer events; slowest ${(summary.maxWallMs / 1000).toFixed(1)}s; all ${(summary.totalWallMs / 1000).toFixed(1)}s\n`);
const dir = path.join(repoRoot, "reports", "shrink");
mkdirSync(dir, { recursive: true });
const text = JSON.stringify(summary, null, 1) + "\n";
writeFileSync(path.join(dir, `${summary.date.slice(0, 10)}.json`), text);
writeFileSync(path.join(dir, "latest.json"), text);
