// bench/mutation-summary.ts, the mechanical "of non-equivalent" figure: a listed equivalent
// takes a surviving mutant out of the denominator; one that matches a detected mutant is
// reported as a wrong argument. Run on a hand-made report in Stryker's JSON schema: two mutants
// of one line that share text, mutator, replacement and start column (a nested condition and the
// whole one, each → true), one killed and one surviving, told apart only by where they end.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, ROOT } from "../support/cli.js";

const SCRIPT = join(ROOT, "dist/bench/mutation-summary.js");
const FILE = "src/impl/raft/example.ts";
const source = ["export function f(a: number, b: number): number {", "  if (a > 0 && b > 0) return 1;", "  return 0;", "}", ""].join("\n");

function mutant(id: string, endColumn: number, status: string) {
  return { id, mutatorName: "ConditionalExpression", replacement: "true", status, location: { start: { line: 2, column: 7 }, end: { line: 2, column: endColumn } } };
}

/** The whole condition (`a > 0 && b > 0` → true, ends at 21) is killed; its left operand alone
 * (`a > 0` → true, ends at 12) survives. */
const report = { schemaVersion: "1", thresholds: { high: 80, low: 60 }, files: { [FILE]: { language: "typescript", source, mutants: [mutant("1", 21, "Killed"), mutant("2", 12, "Survived")] } } };

function summarise(equivalents: object[]): { code: number | null; out: string; latest: string } {
  const dir = mkdtempSync(join(tmpdir(), "raftsim-mutsum-"));
  writeFileSync(join(dir, "report.json"), JSON.stringify(report));
  writeFileSync(join(dir, "eq.json"), JSON.stringify(equivalents));
  const r = spawnSync(process.execPath, [SCRIPT, join(dir, "report.json"), join(dir, "eq.json"), dir], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr, latest: readFileSync(join(dir, "latest.md"), "utf8") };
}

const base = { file: FILE, original: "if (a > 0 && b > 0) return 1;", mutator: "ConditionalExpression", replacement: "true", column: 7, why: "test" };

describe("mutation-summary: equivalents matched mechanically", () => {
  beforeAll(buildCli, 120_000);

  it("an entry naming its end column takes out only the survivor: 1 of 1 non-equivalent detected", () => {
    const r = summarise([{ ...base, endColumn: 12 }]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("1 survivors argued equivalent, 100.0% of non-equivalent");
    expect(r.latest).not.toContain("Listed as equivalent, but detected");
  });

  it("without the end column the same entry also matches the killed mutant: reported as a wrong argument", () => {
    const r = summarise([base]);
    expect(r.out).toContain("1 mutants listed as equivalent were detected");
    expect(r.latest).toContain("Listed as equivalent, but detected");
  });

  it("with no entry the survivor counts: 1 of 2 detected", () => {
    const r = summarise([]);
    expect(r.out).toContain("0 survivors argued equivalent, 50.0% of non-equivalent");
  });

  it("an entry ending elsewhere matches nothing and is named stale", () => {
    const r = summarise([{ ...base, endColumn: 30 }]);
    expect(r.out).toContain("0 survivors argued equivalent");
    expect(r.out).toContain("matched no mutant (stale)");
  });
});
