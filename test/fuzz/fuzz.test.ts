// The fuzz suite of issue 18: generated bad input on the three surfaces (mutated histories,
// mutated scenarios, command lines) must keep the contract of contract.ts. `npm test` runs a
// short, fixed-seed sample; `npm run fuzz` (FUZZ=long) runs ≥ 10,000 cases and writes the
// counts per surface and outcome to reports/fuzz/.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Tally, violations } from "./contract.js";
import {
  arbCheckCase,
  arbCliCase,
  arbScenarioCase,
  BIN,
  describeCheckCase,
  describeScenarioCase,
  ROOT,
  runCheckCase,
  runCliCase,
  runScenarioCase,
} from "./surfaces.js";

const LONG = process.env.FUZZ === "long";
const SEED = Number(process.env.FUZZ_SEED ?? 18);
const N = {
  check: Number(process.env.FUZZ_CHECK ?? (LONG ? 6500 : 250)),
  scenario: Number(process.env.FUZZ_SCENARIO ?? (LONG ? 3500 : 150)),
  cli: Number(process.env.FUZZ_CLI ?? (LONG ? 500 : 12)),
};
const tally = new Tally();

// In-process cases: a library that calls process.emitWarning would print "(node:PID) …" on the
// CLI's stderr; the warnings are collected and count as that case's output.
const warnings: string[] = [];
process.on("warning", (w) => warnings.push(`(node) ${w.name}: ${w.message}`));
async function emitted(): Promise<string> {
  await new Promise((r) => setImmediate(r));
  return warnings.splice(0).join("\n");
}
const started = Date.now();

function report(surface: string): string[] {
  return tally.violations.filter((v) => v.surface === surface).slice(0, 10).map((v) => `${v.problems.join("; ")}\n    case: ${v.case.slice(0, 400)}\n    stderr: ${v.stderr}`);
}

beforeAll(() => {
  try {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  } catch {
    /* type errors elsewhere: emitted anyway */
  }
  expect(existsSync(BIN)).toBe(true);
});

describe(`fuzz (${LONG ? "long" : "short"} run, seed ${SEED})`, () => {
  it(`check: ${N.check} mutated histories keep the contract`, async () => {
    for (const c of fc.sample(arbCheckCase(), { numRuns: N.check, seed: SEED })) {
      const { outcome, expect: e } = runCheckCase(c);
      outcome.stderr += await emitted();
      tally.add("check", outcome, violations(outcome, e), () => describeCheckCase(c));
    }
    expect(report("check")).toEqual([]);
  }, 3_600_000);

  it(`scenario: ${N.scenario} mutated scenario files keep the contract`, async () => {
    for (const c of fc.sample(arbScenarioCase(), { numRuns: N.scenario, seed: SEED + 1 })) {
      const { outcome, expect: e } = runScenarioCase(c);
      outcome.stderr += await emitted();
      tally.add("scenario", outcome, violations(outcome, e), () => describeScenarioCase(c));
    }
    expect(report("scenario")).toEqual([]);
  }, 3_600_000);

  it(`cli: ${N.cli} generated command lines (spawned) keep the contract`, async () => {
    const cases = fc.sample(arbCliCase(), { numRuns: N.cli, seed: SEED + 2 });
    const maxMs = 30_000;
    let next = 0;
    const lane = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        // A huge sweep only has to start without building its range: a few seconds tell.
        const { outcome, expect: e } = await runCliCase(c, c.mayRunLong ? 4_000 : maxMs);
        tally.add("cli", outcome, violations(outcome, e), () => JSON.stringify(c.argv));
      }
    };
    await Promise.all([lane(), lane()]);
    expect(report("cli")).toEqual([]);
  }, 3_600_000);

  it.runIf(LONG)("writes the counts to reports/fuzz/", () => {
    const dir = path.join(ROOT, "reports/fuzz");
    mkdirSync(dir, { recursive: true });
    const summary = {
      date: new Date().toISOString(),
      seed: SEED,
      cases: tally.cases,
      total: tally.total,
      outcomes: tally.outcomes,
      violations: tally.violations.length,
      violationsBySurface: Object.fromEntries(Object.keys(tally.cases).map((s) => [s, tally.violations.filter((v) => v.surface === s).length])),
      examples: tally.violations.slice(0, 50),
      wallMs: Date.now() - started,
    };
    const text = JSON.stringify(summary, null, 2) + "\n";
    writeFileSync(path.join(dir, `fuzz-${summary.date.slice(0, 10)}.json`), text);
    writeFileSync(path.join(dir, "latest.json"), text);
    process.stdout.write(`fuzz: ${summary.total} cases ${JSON.stringify(tally.cases)}, ${summary.violations} contract violations → reports/fuzz/latest.json\n`);
    expect(summary.total).toBeGreaterThanOrEqual(10_000);
  });
});
