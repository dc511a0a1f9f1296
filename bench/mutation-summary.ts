// `npm run mutation:summary`: the score and the survivors of the last `npm run mutation`, from
// Stryker's reports/mutation/mutation.json, into reports/mutation/latest.md (per file: killed,
// timeout, survived, no coverage, ignored; the score of all mutants and of covered ones; how the
// killed ones were killed) and reports/mutation/survivors.json (file:line, mutator, replacement,
// the original line). The hand-written analysis lives beside them in summary.md.
//
// "Of non-equivalent", mechanically: Stryker's Ignored mutants (the ignorer plugins of
// stryker-ignorers.mjs and `// Stryker disable` comments, each with its argument) are outside
// every score already; the survivors argued equivalent one by one are listed in
// reports/mutation/equivalents.json (or the file named by a second argument): {file, original,
// mutator, replacement, column?, line?, why}, matched by the original line's text, not its number, so
// the list survives edits elsewhere in a file. The summary subtracts the matches from the
// denominator, and names every listed entry that matched a killed mutant (the argument was
// wrong) or nothing (stale).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: npm run mutation:summary   (node dist/bench/mutation-summary.js [STRYKER_JSON [EQUIVALENTS_JSON [OUT_DIR]]])
The score and survivors of a Stryker run (default reports/mutation/mutation.json), with the
argued equivalents of reports/mutation/equivalents.json, into latest.md and survivors.json of
OUT_DIR (default reports/mutation).
  -h, --help       this text`, {}, 3);

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const dir = path.join(repoRoot, "reports", "mutation");
const input = process.argv[2] ?? path.join(dir, "mutation.json");
const equivalentsFile = process.argv[3] ?? path.join(dir, "equivalents.json");
const outDir = process.argv[4] ?? dir;

/** One survivor argued equivalent (equivalents.json). */
interface Equivalent {
  file: string;
  original: string;
  mutator: string;
  replacement: string;
  column?: number;
  /** Only where the same text, mutator and column occur twice in a file: the line (moves with edits). */
  line?: number;
  /** Only where two mutants share text, mutator, replacement and start column (nested
   * conditions starting at one column, each → true): the column where the mutated span ends,
   * which tells them apart. */
  endColumn?: number;
  why: string;
}
const equivalents: Equivalent[] = existsSync(equivalentsFile) ? (JSON.parse(readFileSync(equivalentsFile, "utf8")) as Equivalent[]) : [];
const norm = (x: string): string => x.replace(/\s+/g, " ").trim();
/** The key a mutant and a listed equivalent share: file, line text, mutator, replacement. */
const eqKey = (file: string, original: string, mutator: string, replacement: string): string => `${path.basename(file)}\u0000${norm(original)}\u0000${mutator}\u0000${norm(replacement)}`;
const eqIndex = new Map<string, Equivalent[]>();
for (const e of equivalents) {
  const k = eqKey(e.file, e.original, e.mutator, e.replacement);
  const list = eqIndex.get(k) ?? [];
  list.push(e);
  eqIndex.set(k, list);
}
const eqUsed = new Set<Equivalent>();
const eqContradicted: { e: Equivalent; status: string }[] = [];
/** The listed equivalent matching this mutant, if any (a column, line or end column, when listed, must match too). */
function listedEquivalent(file: string, original: string, m: Mutant): Equivalent | undefined {
  const list = eqIndex.get(eqKey(file, original, m.mutatorName, m.replacement ?? ""));
  return list?.find((e) => (e.column === undefined || e.column === m.location.start.column) && (e.line === undefined || e.line === m.location.start.line) && (e.endColumn === undefined || e.endColumn === m.location.end.column));
}

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
  coveredBy?: string[];
  killedBy?: string[];
  testsCompleted?: number;
  static?: boolean;
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
  testFiles?: Record<string, { tests: { id: string; name: string }[] }>;
}

if (!existsSync(input)) {
  process.stderr.write(`no ${path.relative(process.cwd(), input)}: run npm run mutation first\n`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(input, "utf8")) as Report;
const testName = new Map<string, string>();
for (const tf of Object.values(report.testFiles ?? {})) for (const t of tf.tests) testName.set(t.id, t.name);

/** How a killed mutant was killed, from the failing run's message (test/mutation/sweep.mutation.ts
 * throws "<verdict>: <message>"). */
function killedHow(m: Mutant): string {
  if (m.status === "Timeout") return "timeout (hang)";
  const r = m.statusReason ?? "";
  if (/^(violation: )?(TypeError|RangeError|ReferenceError|Error): /.test(r) || /violation: (TypeError|RangeError|ReferenceError|Error): /.test(r)) return "crash (exception in the run)";
  if (/not linearizable/.test(r)) return "linearizability";
  if (r.includes("liveness: ")) return /budget/i.test(r) ? "liveness (event budget)" : "liveness";
  if (r.includes("violation: ")) {
    const m2 = /violation: ([a-z][a-z0-9-]*)/.exec(r);
    return m2 !== null ? `check: ${m2[1]}` : "check";
  }
  if (r.includes("unknown: ")) return "linearizability unknown";
  return r === "" ? "?" : "other";
}

const STATUSES = ["Killed", "Timeout", "Survived", "NoCoverage", "Ignored", "CompileError", "RuntimeError"] as const;
type Counts = Record<(typeof STATUSES)[number], number> & { ignorer: number; comment: number; argued: number };
const zero = (): Counts => ({ Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0, ignorer: 0, comment: 0, argued: 0 });
/** Ignored by a plugin of stryker-ignorers.mjs (its reasons point to summary.md), else by a comment. */
const byIgnorer = (m: Mutant): boolean => /argued in reports\/mutation\/summary\.md/.test(m.statusReason ?? "");
/** Detected over the mutants not argued equivalent (Stryker's ignored ones are outside already). */
const ofNonEquivalent = (c: Counts): number => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage - c.argued;
  return valid <= 0 ? NaN : (100 * (c.Killed + c.Timeout)) / valid;
};
const score = (c: Counts): { total: number; covered: number } => {
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  const covered = detected + c.Survived;
  return { total: valid === 0 ? NaN : (100 * detected) / valid, covered: covered === 0 ? NaN : (100 * detected) / covered };
};
const pct = (x: number): string => (Number.isNaN(x) ? "n/a" : `${x.toFixed(1)}%`);

const all = zero();
const rows: string[] = [];
const how = new Map<string, number>();
const survivors: { file: string; line: number; column: number; mutator: string; replacement: string; original: string; status: string; coveredBy: number; equivalent?: string }[] = [];
for (const file of Object.keys(report.files).sort()) {
  const f = report.files[file];
  const lines = f.source.split("\n");
  const c = zero();
  for (const m of f.mutants) {
    c[m.status as keyof Counts] = (c[m.status as keyof Counts] ?? 0) + 1;
    all[m.status as keyof Counts] = (all[m.status as keyof Counts] ?? 0) + 1;
    if (m.status === "Killed" || m.status === "Timeout") how.set(killedHow(m), (how.get(killedHow(m)) ?? 0) + 1);
    if (m.status === "Ignored") {
      const k = byIgnorer(m) ? "ignorer" : "comment";
      c[k]++;
      all[k]++;
    }
    const originalLine = lines[m.location.start.line - 1] ?? "";
    const eq = m.status === "Ignored" ? undefined : listedEquivalent(file, originalLine, m);
    if (eq !== undefined) {
      eqUsed.add(eq);
      if (m.status === "Survived" || m.status === "NoCoverage") {
        c.argued++;
        all.argued++;
      } else eqContradicted.push({ e: eq, status: m.status });
    }
    if (m.status === "Survived" || m.status === "NoCoverage") {
      survivors.push({
        file,
        line: m.location.start.line,
        column: m.location.start.column,
        mutator: m.mutatorName,
        replacement: (m.replacement ?? "").replace(/\s+/g, " ").slice(0, 160),
        original: (lines[m.location.start.line - 1] ?? "").trim().slice(0, 160),
        status: m.status,
        coveredBy: m.coveredBy?.length ?? 0,
        ...(eq !== undefined ? { equivalent: eq.why } : {}),
      });
    }
  }
  const s = score(c);
  rows.push(`| ${path.basename(file)} | ${f.mutants.length} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.ignorer} + ${c.comment} | ${pct(s.total)} | ${pct(s.covered)} | ${c.argued} | ${pct(ofNonEquivalent(c))} |`);
}
const s = score(all);
const total = Object.values(report.files).reduce((n, f) => n + f.mutants.length, 0);
const md = [
  `# Mutation score (generated by \`npm run mutation:summary\` from ${path.relative(repoRoot, input)})`,
  "",
  `Score = (killed + timeout) / (killed + timeout + survived + no coverage); covered = the same without no-coverage mutants. Ignored mutants (by an ignorer plugin of stryker-ignorers.mjs + by a \`// Stryker disable\` comment; each argued equivalent where it is declared) are outside every score. "Argued" = survivors listed as equivalent in ${path.relative(repoRoot, equivalentsFile)} (${equivalents.length} entries; argued in summary.md); "of non-equivalent" = detected / (killed + timeout + survived + no coverage − argued).`,
  "",
  "| file | mutants | killed | timeout | survived | no cov | ignored (ignorer + comment) | score | covered | argued | of non-equivalent |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows,
  `| **all** | ${total} | ${all.Killed} | ${all.Timeout} | ${all.Survived} | ${all.NoCoverage} | ${all.ignorer} + ${all.comment} | **${pct(s.total)}** | ${pct(s.covered)} | ${all.argued} | **${pct(ofNonEquivalent(all))}** |`,
  "",
  ...(eqContradicted.length > 0 ? ["**Listed as equivalent, but detected** (the argument is wrong: remove them from the list):", "", ...eqContradicted.map(({ e, status }) => `- ${path.basename(e.file)} \`${e.original}\` ${e.mutator} → \`${e.replacement}\`: ${status}`), ""] : []),
  "",
  "## How the detected mutants were detected",
  "",
  "| by | mutants |",
  "|---|---:|",
  ...[...how.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `| ${k} | ${n} |`),
  "",
  `## Survivors (${survivors.length}; all in survivors.json)`,
  "",
  "| where | status | seeds reaching it | mutator | original → replacement | argued equivalent |",
  "|---|---|---:|---|---|---|",
  ...survivors.map((v) => `| ${path.basename(v.file)}:${v.line}:${v.column} | ${v.status} | ${v.coveredBy} | ${v.mutator} | \`${v.original.replace(/\|/g, "\\|")}\` → \`${v.replacement.replace(/\|/g, "\\|")}\` | ${v.equivalent === undefined ? "" : v.equivalent.replace(/\|/g, "\\|")} |`),
  "",
].join("\n");
writeFileSync(path.join(outDir, "latest.md"), md);
writeFileSync(path.join(outDir, "survivors.json"), JSON.stringify(survivors, null, 1) + "\n");
const stale = equivalents.filter((e) => !eqUsed.has(e) && Object.keys(report.files).some((f) => path.basename(f) === path.basename(e.file)));
process.stdout.write(`${total} mutants (${all.ignorer} ignored by ignorers, ${all.comment} by comments): score ${pct(s.total)}, covered ${pct(s.covered)}; ${all.argued} survivors argued equivalent, ${pct(ofNonEquivalent(all))} of non-equivalent; ${survivors.length} survivors → ${path.relative(process.cwd(), outDir) || "."}/latest.md, survivors.json\n`);
if (eqContradicted.length > 0) process.stdout.write(`${eqContradicted.length} mutants listed as equivalent were detected (latest.md names them)\n`);
if (stale.length > 0) process.stdout.write(`${stale.length} entries of ${path.relative(repoRoot, equivalentsFile)} for these files matched no mutant (stale): ${stale.slice(0, 5).map((e) => `${path.basename(e.file)} "${e.original.slice(0, 40)}" ${e.mutator} ${e.replacement}`).join("; ")}\n`);
