// bench/mutation-fast.ts (`npm run mutation:fast`, run from dist/ as npm run build leaves it) on
// a few chosen mutants of quorum.ts over a two-run sweep: a mutant that breaks elections is
// Killed by the first swarm seed and the killing check is named; a mutant that
// reports/mutation/equivalents.json argues equivalent is Survived after every run that reaches
// it; and the mutants it generates for a file are the instrumenter's own (dry-count.ts).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { instrumentFiles } from "./dry-count.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const TOOL = join(root, "dist/bench/mutation-fast.js");
const tmp = mkdtempSync(join(tmpdir(), "mutation-fast-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ReportMutant {
  mutatorName: string;
  replacement: string;
  status: string;
  statusReason?: string;
  killedBy?: string[];
  location: { start: { line: number; column: number } };
}
const run = (args: string[], env: Record<string, string> = {}): string =>
  execFileSync(process.execPath, [TOOL, ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    // Two swarm seeds: enough to kill the chosen mutant, small enough for a test.
    env: { ...process.env, MUTATION_SEEDS: "2", MUTATION_EVERY_FAULT: "0", MUTATION_SCENARIO_SEEDS: "0", ...env },
  });

describe("bench/mutation-fast.ts", () => {
  it("is built (npm run build)", () => {
    expect(existsSync(TOOL), `${TOOL} missing: run npm run build`).toBe(true);
  });

  it("kills an election-breaking mutant and lets an argued equivalent survive", { timeout: 60_000 }, () => {
    const out = join(tmp, "q.json");
    // quorum.ts:40 `(ids.length >> 1) + 1` (the quorum size) and :53 `if (n === 0) return 0;`.
    run(["--only", "quorum.ts:40,quorum.ts:53", "--out", out]);
    const report = JSON.parse(readFileSync(out, "utf8")) as { files: Record<string, { source: string; mutants: ReportMutant[] }> };
    expect(Object.keys(report.files)).toEqual(["src/impl/raft/quorum.ts"]);
    const f = report.files["src/impl/raft/quorum.ts"];
    const lines = f.source.split("\n");
    expect(lines[39]).toContain("(ids.length >> 1) + 1");
    expect(lines[52]).toContain("if (n === 0) return 0;");
    const find = (line: number, mutator: string, replacement: string): ReportMutant => {
      const m = f.mutants.find((x) => x.location.start.line === line && x.mutatorName === mutator && x.replacement === replacement);
      if (m === undefined) throw new Error(`no ${mutator} → ${replacement} on line ${line}: ${JSON.stringify(f.mutants.map((x) => [x.location.start.line, x.mutatorName, x.replacement]))}`);
      return m;
    };
    // A quorum of n/2 - 1 lets a candidate win with too few votes.
    const killed = find(40, "ArithmeticOperator", "(ids.length >> 1) - 1");
    expect(killed.status).toBe("Killed");
    expect(killed.statusReason).toMatch(/^violation: election-legitimacy .*\(run \[swarm 0001\]\)$/);
    expect(killed.killedBy).toEqual(["run0"]);
    // Listed in equivalents.json: committedIndex is never asked of an empty configuration.
    const equivalent = find(53, "ConditionalExpression", "false");
    const listed = (JSON.parse(readFileSync(join(root, "reports/mutation/equivalents.json"), "utf8")) as { file: string; original: string; mutator: string; replacement: string }[]).some(
      (e) => e.file === "src/impl/raft/quorum.ts" && e.original === "if (n === 0) return 0;" && e.mutator === "ConditionalExpression" && e.replacement === "false",
    );
    expect(listed).toBe(true);
    expect(equivalent.status).toBe("Survived");
    expect(equivalent.statusReason).toBeUndefined();
    // Exactly the mutants of the two lines, every one with a verdict.
    expect(new Set(f.mutants.map((m) => m.location.start.line))).toEqual(new Set([40, 53]));
    for (const m of f.mutants) expect(["Killed", "Survived", "Timeout"]).toContain(m.status);
  });

  it("generates the instrumenter's mutants for a file (same count and ignored count as dry-count.ts)", { timeout: 60_000 }, async () => {
    const file = "src/impl/raft/quorum.ts";
    const counts = JSON.parse(run(["--count"], { MUTATION_FILES: file })) as Record<string, { total: number; ignored: number }>;
    const dry = await instrumentFiles([file]);
    expect(dry.length).toBeGreaterThan(20);
    expect(counts).toEqual({ [file]: { total: dry.length, ignored: dry.filter((m) => m.status === "Ignored").length } });
  });

  it("refuses an --only it cannot parse (usage, exit 2)", () => {
    let code = 0;
    try {
      run(["--only", "quorum.ts"]);
    } catch (e) {
      code = (e as { status: number }).status;
    }
    expect(code).toBe(2);
  });
});
