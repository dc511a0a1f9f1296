// Times the checker on every history of the corpus (test/data/histories, or $RAFTSIM_HISTORIES) (median of 3 runs per file) beside Porcupine's
// reference_ms from expected.tsv, then on generated adversarial histories (src/check/adversarial.ts),
// then on hard histories recorded from raftsim's own runs (test/data/*.history.json), with and
// without the run's account of the info ops that never took effect (CheckOptions.neverApplied).
// With --expose-gc, a full GC runs before each timed check (as a sweep sees it: the checker
// runs once per seed, between allocations of the simulation).
// Run: npx tsc -p tsconfig.build.json && node --expose-gc dist/bench/checker.js [histories-dir] [--no-warmup] [--runs N] [--only SUBSTRING]
// (--only: time only the files whose path contains SUBSTRING, e.g. --only etcd_046 --runs 2000)
// Writes reports/bench/checker.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readHistory } from "../src/check/formats/index.js";
import { checkOperations } from "../src/check/linearizability.js";
import { getModel } from "../src/check/models/index.js";
import { readExpected } from "../src/check/corpus.js";
import { ADVERSARIAL_SET, adversarialHistory } from "../src/check/adversarial.js";
import { casRegister } from "../src/check/models/index.js";
import type { Operation } from "../src/check/history.js";
import { models } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

const gc = (globalThis as { gc?: () => void }).gc;

/** The corpus the bench times: $RAFTSIM_HISTORIES, else the copy in the repository. */
export function historiesDir(repoRoot: string): string {
  return process.env.RAFTSIM_HISTORIES ? path.resolve(process.env.RAFTSIM_HISTORIES) : path.join(repoRoot, "test", "data", "histories");
}

export interface BenchRow {
  file: string;
  expected: "ok" | "illegal";
  verdict: string;
  ms: number;
  referenceMs: number | null;
  ratio: number | null;
}

export interface BenchTotals {
  etcdMs: number;
  etcdReferenceMs: number;
  etcdRatio: number;
  allMs: number;
  wrongVerdicts: number;
  worstRatio: { file: string; ratio: number } | null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * warmup: one untimed pass over all files first, so the JIT has compiled the search before
 * timing starts (Porcupine is compiled ahead of time). Parsing is not timed, as in Porcupine's.
 */
export async function benchChecker(historiesDir: string, runs = 3, warmup = true, only?: string): Promise<{ files: BenchRow[]; totals: BenchTotals }> {
  const files: BenchRow[] = [];
  const loaded = readExpected(historiesDir).map((e) => {
    const h = readHistory(readFileSync(path.join(historiesDir, e.file), "utf8"), e.file, e.format);
    const model = getModel(h.model);
    if (model === undefined) throw new Error(`no model ${h.model}`);
    return { e, h, model };
  });
  if (warmup) for (const { h, model } of loaded) checkOperations(model, h.ops, { timeoutMs: 60_000 });
  for (const { e, h, model } of loaded) {
    // --only: time just these files (the warm-up still runs over all of them, as in a full run).
    if (only !== undefined && !e.file.includes(only)) continue;
    const times: number[] = [];
    let verdict = "";
    for (let i = 0; i < runs; i++) {
      gc?.();
      const r = checkOperations(model, h.ops, { timeoutMs: 60_000 });
      times.push(r.ms);
      verdict = r.verdict;
    }
    const ms = median(times);
    files.push({ file: e.file, expected: e.expected, verdict, ms, referenceMs: e.referenceMs, ratio: e.referenceMs ? ms / e.referenceMs : null });
  }
  const etcd = files.filter((f) => f.file.startsWith("porcupine/etcd/"));
  const etcdMs = etcd.reduce((a, f) => a + f.ms, 0);
  const etcdReferenceMs = etcd.reduce((a, f) => a + (f.referenceMs ?? 0), 0);
  let worst: BenchTotals["worstRatio"] = null;
  for (const f of files) if (f.ratio !== null && (worst === null || f.ratio > worst.ratio)) worst = { file: f.file, ratio: f.ratio };
  return {
    files,
    totals: {
      etcdMs,
      etcdReferenceMs,
      etcdRatio: etcdMs / etcdReferenceMs,
      allMs: files.reduce((a, f) => a + f.ms, 0),
      wrongVerdicts: files.filter((f) => f.verdict !== f.expected).length,
      worstRatio: worst,
    },
  };
}

export interface AdversarialRow {
  kind: string;
  ops: number;
  seed: number;
  expected: string;
  verdict: string;
  reason: string | null;
  ms: number;
  rssMiB: number;
}

/** The generated histories, each checked once (after a GC) with the default budgets. */
export function benchAdversarial(): AdversarialRow[] {
  return ADVERSARIAL_SET.map((s) => {
    const h = adversarialHistory(s.kind, s.ops, s.seed);
    gc?.();
    const r = checkOperations(casRegister, h, { timeoutMs: 120_000 });
    return { kind: s.kind, ops: s.ops, seed: s.seed, expected: s.expected, verdict: r.verdict, reason: r.reason ?? null, ms: r.ms, rssMiB: process.memoryUsage().rss / 2 ** 20 };
  });
}

export interface RecordedRow {
  name: string;
  ops: number;
  info: number;
  witness: number | null; // info ops the run's account leaves out; null: checked without it
  verdict: string;
  reason: string | null;
  ms: number;
}

/** A budget the recorded rows share: past 200 k memoised states the verdict is unknown (the
 * run's own budget is 2 M states and 30 M steps; this keeps the bench to seconds). */
const RECORDED_BUDGET = { maxMemoryStates: 200_000, timeoutMs: 60_000 };

/** raft-metadata histories recorded from runs that the plain search found hard, each checked
 * once (after a GC) without and, where the file has it, with the run's account. */
export function benchRecorded(root: string): RecordedRow[] {
  const rows: RecordedRow[] = [];
  const model = models.metadataKvRanges([]);
  for (const [name, file] of [["every-fault-2359 (10 s)", "every-fault-2359.history.json"], ["stall-2058 (30 s)", "stall-2058.history.json"]] as const) {
    const raw = JSON.parse(readFileSync(path.join(root, "test", "data", file), "utf8")) as unknown;
    const list = (Array.isArray(raw) ? raw : (raw as { operations: unknown[] }).operations) as (Operation<never, never> & { ret: number | null })[];
    const ops = list.map((o) => ({ ...o, ret: o.ret ?? Infinity }));
    const account = Array.isArray(raw) ? null : new Set((raw as { neverApplied: number[] }).neverApplied);
    const info = ops.filter((o) => o.status === "info").length;
    for (const acc of account === null ? [null] : [null, account]) {
      gc?.();
      const r = checkOperations(model, ops, { ...RECORDED_BUDGET, ...(acc !== null ? { neverApplied: acc } : {}) });
      rows.push({ name, ops: ops.length, info, witness: acc === null ? null : acc.size, verdict: r.verdict, reason: r.reason ?? null, ms: r.ms });
    }
  }
  return rows;
}

function printTable(r: Awaited<ReturnType<typeof benchChecker>>): void {
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad("file", 50)} ${pad("expected", 8)} ${pad("verdict", 8)} ${"ms".padStart(9)} ${"ref_ms".padStart(8)} ${"ratio".padStart(7)}`);
  for (const f of r.files) {
    const flag = f.verdict === f.expected ? "" : "  WRONG";
    console.log(
      `${pad(f.file, 50)} ${pad(f.expected, 8)} ${pad(f.verdict, 8)} ${f.ms.toFixed(2).padStart(9)} ${(f.referenceMs?.toFixed(2) ?? "-").padStart(8)} ${(f.ratio?.toFixed(2) ?? "-").padStart(7)}${flag}`,
    );
  }
  const t = r.totals;
  console.log(`etcd total: ${t.etcdMs.toFixed(1)} ms vs Porcupine ${t.etcdReferenceMs.toFixed(1)} ms (ratio ${t.etcdRatio.toFixed(2)})`);
  console.log(`all files: ${t.allMs.toFixed(1)} ms; worst ratio ${t.worstRatio ? `${t.worstRatio.ratio.toFixed(2)} (${t.worstRatio.file})` : "-"}; wrong verdicts: ${t.wrongVerdicts}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  checkBenchArgs(`Usage: node --expose-gc dist/bench/checker.js [HISTORIES_DIR] [--no-warmup] [--runs N] [--only SUBSTRING]
Times the checker on every history of the corpus (test/data/histories, or $RAFTSIM_HISTORIES)
beside Porcupine's reference times, then on generated adversarial histories, then on hard
histories recorded from raftsim's runs (with and without the run's account). Writes
reports/bench/checker.json.
  --runs N            timed runs per file (default 3; the median is reported)
  --only SUBSTRING    only the files whose path contains it (skips the generated and recorded histories)
  --no-warmup         no warm-up run
  -h, --help          this text`, { runs: { type: "string" }, only: { type: "string" }, "no-warmup": { type: "boolean" } }, 1);
  const args = process.argv.slice(2);
  const arg = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--runs" && args[i - 1] !== "--only");
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
  const dir = arg ? path.resolve(arg) : historiesDir(root);
  const ri = process.argv.indexOf("--runs");
  const runs = ri >= 0 ? Number(process.argv[ri + 1]) : 3;
  const oi = process.argv.indexOf("--only");
  const only = oi >= 0 ? process.argv[oi + 1] : undefined;
  const r = await benchChecker(dir, runs, !process.argv.includes("--no-warmup"), only);
  printTable(r);
  // --only (one file, e.g. to profile its fixed cost with --runs 2000 --cpu-prof) skips the generated histories.
  const adversarial = only === undefined ? benchAdversarial() : [];
  for (const a of adversarial) {
    console.log(`adversarial ${a.kind.padEnd(22)} ${String(a.ops).padStart(7)} ops  ${a.verdict.padEnd(8)} ${a.ms.toFixed(1).padStart(9)} ms  rss ${a.rssMiB.toFixed(0)} MiB${a.verdict === a.expected ? "" : `  (true verdict ${a.expected}${a.verdict === "unknown" ? `: out of budget (${a.reason})` : ": WRONG"})`}`);
  }
  const recorded = only === undefined ? benchRecorded(root) : [];
  for (const a of recorded) {
    console.log(`recorded ${a.name.padEnd(25)} ${String(a.ops).padStart(4)} ops (${a.info} info) ${a.witness === null ? "without the run's account" : `account leaves out ${a.witness}`.padEnd(25)}  ${a.verdict.padEnd(8)} ${a.ms.toFixed(1).padStart(9)} ms${a.reason !== null ? ` (${a.reason})` : ""}`);
  }
  const out = path.join(root, "reports", "bench");
  mkdirSync(out, { recursive: true });
  const withRatio = r.files.filter((f) => f.ratio !== null);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    gcBeforeEachCheck: gc !== undefined,
    runsPerFile: runs,
    totals: { ...r.totals, referencedMs: withRatio.reduce((a, f) => a + f.ms, 0), referenceMs: withRatio.reduce((a, f) => a + (f.referenceMs ?? 0), 0) },
    files: r.files,
    adversarial,
    recorded,
  };
  report.totals = { ...report.totals, ...{ ratio: report.totals.referencedMs / report.totals.referenceMs } };
  writeFileSync(path.join(out, "checker.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`total vs Porcupine (files with a reference time): ${(report.totals.referencedMs / report.totals.referenceMs).toFixed(3)}; wrote reports/bench/checker.json`);
  // Recorded histories are linearizable (their runs passed every other check): illegal is wrong.
  if (r.totals.wrongVerdicts > 0 || adversarial.some((a) => a.verdict !== a.expected && a.verdict !== "unknown") || recorded.some((a) => a.verdict === "illegal")) process.exitCode = 1;
}
