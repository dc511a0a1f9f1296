// `npm run mutation:fast`: the mutants StrykerJS generates for the mutation scope, each run
// against the reduced seed sweep with the code's own assertions off, without Stryker's vitest
// runner — so that one whole-scope run on one commit fits in well under an hour on 2 cores.
//
// Why a runner of our own: under Stryker + vitest an instrumented 10-s run costs ~0.69 s against
// ~0.045 s plain (vitest's per-test machinery and coverage bookkeeping around each run), so the
// ~3,000 mutants of the scope take many hours. The work itself is small: a mutant is killed by
// the first run of test/mutation/cases.ts whose verdict is not ok.
//
// How (mutant switching, as Stryker does, minus vitest):
// 1. The mutants: @stryker-mutator/instrumenter over the scope, through test/mutation/dry-count.ts
//    (the ignorers stryker.config.mjs names, from stryker-ignorers.mjs; `// Stryker disable`
//    comments), so they are Stryker's own mutants, ignored ones reported as Ignored. Its output is
//    each file with every mutant behind a switch `stryMutAct_9fa48("id")` reading
//    globalThis.__stryker__.activeMutant, and `stryCov_9fa48("id")` calls recording, under
//    __stryker__.currentTestId, which mutants a run reaches.
// 2. One bundle, .mutation-fast/run-<pid>/cases.mjs: esbuild-wasm bundles the compiled test/mutation/cases.js
//    of dist/ with every in-scope dist/src/impl file replaced by its instrumented TypeScript
//    (transpiled by esbuild on the way). Everything else is tsc's own output, as in dist/. A
//    second bundle, .mutation-fast/run-<pid>/cases-coverage.mjs, keeps Stryker's coverage counting, which
//    costs ~5x over the whole scope and is needed only once (the baseline); the mutants run in
//    the first, whose stryCov_9fa48 helper is emptied.
// 3. The plain baseline: every run of the sweep on the normal dist (must all be ok), then the
//    same runs in the instrumented bundle with no mutant active (must give the same trace hashes:
//    the switches change nothing while off) in both bundles; the coverage one also records per
//    run which mutants it reaches.
//    A mutant no run reaches is NoCoverage and is not run. A mutant reached while the modules load
//    (static: a module-level initialiser) gets a fresh worker that activates it before loading.
// 4. Worker processes (--workers, default 2: the cores) each load the bundle once and loop: set the
//    active mutant, run the runs that reach it in the sweep's order, stop at the first whose
//    verdict is not ok or which throws (Killed, with that run and the message's start as
//    statusReason). Runs that do not reach a mutant cannot differ from the baseline (same seed,
//    same code on every path they take), so skipping them changes no verdict. A mutant still
//    running after the timeout (max(10 s, 4x the instrumented baseline sweep)) is Timeout: the
//    parent kills that worker (which stops even a synchronous loop) and starts another.
//    A worker that dies (e.g. out of memory, or V8's fatal "invalid array size" from a mutant
//    growing an array without end) kills its mutant, reason "worker died". Processes, not worker
//    threads: such a fatal error ends the whole process, parent included, with threads.
// Why not one process per patched mutant (the simpler alternative): ~0.3-0.5 s more per mutant
// for starting Node and loading the modules, ~20 min more over the scope. The risk of switching
// — state left in a module by one mutant leaking into the next run in the same worker — is
// checked by the hash comparison above (the baseline runs after the modules were loaded once) and
// by spot checks of single mutants (--only), reported in reports/mutation/fast-runner.md; the
// simulation builds every cluster afresh per run, and the impl keeps no module-level state.
//
// Output: Stryker's JSON report schema (files[path].source, mutants with id, mutatorName,
// replacement, location (1-based line and column, as Stryker's reporter writes), status,
// statusReason, coveredBy, killedBy) in reports/mutation/fast.json (--out), which
// `node dist/bench/mutation-summary.js reports/mutation/fast.json` summarises unchanged.
import { build, type Plugin } from "esbuild-wasm";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fork, type ChildProcess } from "node:child_process";
import { instrumentWithCode, type DryMutant } from "../test/mutation/dry-count.js";
import * as plain from "../test/mutation/cases.js";
import { checkBenchArgs } from "./usage.js";
import type { BaselineRun, WorkerInit, WorkerReply, WorkerRequest } from "./mutation-fast-worker.js";

const USAGE = `Usage: npm run mutation:fast   (node dist/bench/mutation-fast.js [options])
Stryker's mutants of the mutation scope (stryker.config.mjs's default, or MUTATION_FILES: comma-
separated globs), each run against the reduced sweep of test/mutation/cases.ts with the code's
assertions off, by mutant switching in worker processes (no vitest). Writes Stryker's JSON report
schema; summarise with node dist/bench/mutation-summary.js <report>.
Environment: MUTATION_SEEDS (default here 30), MUTATION_EVERY_FAULT (8),
MUTATION_SCENARIO_SEEDS (1), MUTATION_TIME_S (10), MUTATION_REGRESSION (1: the long sweeps'
regression seeds; 0: none), MUTATION_ONLINE_CHECKS (all; starting or none: fewer of
raft-metadata's online checks): the sweep, as in test/mutation/cases.ts.
  --only LIST       only these mutants: comma-separated FILE:LINE or FILE:LINE:COLUMN (FILE: a path
                    or its end, e.g. quorum.ts; LINE and COLUMN 1-based, as in the report)
  --out FILE        the report (default reports/mutation/fast.json)
  --workers N       worker processes (default 2)
  --timeout-ms N    the timeout's floor (default 10000; the timeout is max(N, 4x the baseline sweep))
  --count           print each file's mutant count (total, ignored) as JSON and exit: no runs
  -h, --help        this text
Progress on stderr. Exit 0 report written, 1 the baseline failed, 2 usage.`;

checkBenchArgs(USAGE, { only: { type: "string" }, out: { type: "string" }, workers: { type: "string" }, "timeout-ms": { type: "string" }, count: { type: "boolean" } });

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const distRoot = path.join(repoRoot, "dist");
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes("=") ? argv[i].slice(argv[i].indexOf("=") + 1) : argv[i + 1];
};
const posInt = (name: string, dflt: number): number => {
  const v = opt(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`mutation-fast: --${name} must be a positive integer, got ${v}\n`);
    process.exit(2);
  }
  return n;
};
const workers = posInt("workers", Math.min(2, availableParallelism()));
const timeoutFloorMs = posInt("timeout-ms", 10_000);
const outFile = path.resolve(opt("out") ?? path.join(repoRoot, "reports/mutation/fast.json"));

// This tool's sweep: the reduced one the hand-patched rows used, unless the environment says.
process.env.MUTATION_SEEDS ??= "30";
process.env.MUTATION_EVERY_FAULT ??= "8";
process.env.MUTATION_SCENARIO_SEEDS ??= "1";

/** --only: which mutants, by file end and 1-based line (and column). */
interface OnlySpec {
  file: string;
  line: number;
  column?: number;
}
const only: OnlySpec[] | undefined = opt("only")
  ?.split(",")
  .map((s) => s.trim())
  .filter((s) => s !== "")
  .map((s) => {
    const m = /^(.+?):(\d+)(?::(\d+))?$/.exec(s);
    if (m === null) {
      process.stderr.write(`mutation-fast: --only wants FILE:LINE[:COLUMN], got ${s}\n`);
      process.exit(2);
    }
    return { file: m[1], line: Number(m[2]), ...(m[3] !== undefined ? { column: Number(m[3]) } : {}) };
  });

// ---- the scope: stryker.config.mjs's mutate globs (it reads MUTATION_FILES itself) ----
function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(path.join(repoRoot, dir))) {
    const rel = dir === "" ? e : `${dir}/${e}`;
    if (e === "node_modules" || e === "dist" || e.startsWith(".")) continue;
    if (statSync(path.join(repoRoot, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
}
const cfg = ((await import(pathToFileURL(path.join(repoRoot, "stryker.config.mjs")).href)) as { default: { mutate: string[]; thresholds?: unknown } }).default;
const globs = cfg.mutate.map(globRegExp);
const candidates: string[] = [];
walk("src", candidates);
let scope = candidates.filter((f) => globs.some((g) => g.test(f))).sort();
if (only !== undefined) scope = scope.filter((f) => only.some((o) => f === o.file || f.endsWith(`/${o.file}`)));
if (scope.length === 0) {
  process.stderr.write(`mutation-fast: no file to mutate (globs ${cfg.mutate.join(", ")}${only !== undefined ? ", --only" : ""})\n`);
  process.exit(2);
}

const sources = new Map(scope.map((f) => [f, readFileSync(path.join(repoRoot, f), "utf8")]));
const { mutants: allMutants, files: instrumented } = await instrumentWithCode(sources);
// The instrumenter's locations are 0-based lines and columns; Stryker's report (and so
// mutation-summary.ts and equivalents.json) uses 1-based ones.
const loc = (m: DryMutant): { start: { line: number; column: number }; end: { line: number; column: number } } => ({
  start: { line: m.location.start.line + 1, column: m.location.start.column + 1 },
  end: { line: m.location.end.line + 1, column: m.location.end.column + 1 },
});
const selected = (m: DryMutant): boolean => {
  if (only === undefined) return true;
  const l = loc(m).start;
  return only.some((o) => (m.fileName === o.file || m.fileName.endsWith(`/${o.file}`)) && o.line === l.line && (o.column === undefined || o.column === l.column));
};
const mutants = allMutants.filter(selected);

if (argv.includes("--count")) {
  const counts: Record<string, { total: number; ignored: number }> = {};
  for (const f of scope) counts[f] = { total: 0, ignored: 0 };
  for (const m of mutants) {
    counts[m.fileName].total++;
    if (m.status === "Ignored") counts[m.fileName].ignored++;
  }
  process.stdout.write(JSON.stringify(counts, null, 1) + "\n");
  process.exit(0);
}
if (mutants.length === 0) {
  process.stderr.write("mutation-fast: --only selects no mutant\n");
  process.exit(2);
}

// ---- the instrumented bundle ----
// One directory per run, removed when it exits: two runs at once (a whole-scope run and the
// test's, say) must not load each other's bundles — a worker started mid-run (after a timeout or
// a death) would load the other run's instrumentation and every mutant would "survive".
const scratch = path.join(repoRoot, ".mutation-fast", `run-${process.pid}`);
mkdirSync(scratch, { recursive: true });
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const byDistPath = new Map<string, string>();
for (const [f, code] of instrumented) byDistPath.set(path.join(distRoot, f.replace(/\.ts$/, ".js")), code);
/** Stryker's coverage helper, which counts every call of every mutant's stryCov_9fa48 in an
 * object: over the whole scope that makes a run ~5x slower than plain (measured: 79 s against
 * 16 s for the sweep). Coverage is needed once, so the mutants run in a second bundle where the
 * helper does nothing (the calls stay; V8 makes an empty function nearly free). */
const COVER_HELPER = /function stryCov_9fa48\(\) \{\n[\s\S]*?\n\}\n/;
const withoutCoverage = (code: string): string => {
  if (!code.includes("stryCov_9fa48")) return code;
  if (!COVER_HELPER.test(code)) throw new Error("mutation-fast: the instrumenter's stryCov_9fa48 helper is not where expected");
  return code.replace(COVER_HELPER, "function stryCov_9fa48() {}\n");
};
async function bundleWith(outfile: string, transform: (code: string) => string): Promise<Set<string>> {
  const swapIn: Plugin = {
    name: "instrumented-impl",
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        const code = byDistPath.get(args.path);
        return code === undefined ? undefined : { contents: transform(code), loader: "ts", resolveDir: path.dirname(args.path) };
      });
    },
  };
  const built = await build({
    entryPoints: [path.join(distRoot, "test/mutation/cases.js")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    plugins: [swapIn],
    metafile: true,
  });
  return new Set(Object.keys(built.metafile?.inputs ?? {}).map((p) => path.resolve(p)));
}
/** With coverage: the baseline's. Without: the mutants'. */
const covBundle = path.join(scratch, "cases-coverage.mjs");
const bundle = path.join(scratch, "cases.mjs");
const inBundle = await bundleWith(covBundle, (c) => c);
await bundleWith(bundle, withoutCoverage);
// A file the sweep never loads (types only, or imported only for its types, which tsc's output
// drops) has its mutants reached by no run: NoCoverage, as under Stryker.
const notLoaded = [...byDistPath.keys()].filter((p) => !inBundle.has(p)).map((p) => path.relative(distRoot, p));
if (notLoaded.length > 0) process.stderr.write(`mutation-fast: the sweep never loads ${notLoaded.join(", ")}: their mutants are NoCoverage\n`);

// ---- the plain baseline, on the normal dist ----
const plainRuns = plain.mutationCases().map((c) => {
  const s = performance.now();
  const r = c.run();
  return { name: c.name, problem: plain.verdictProblem(r), traceHash: r.traceHash, ms: performance.now() - s };
});
const plainMs = plainRuns.reduce((n, r) => n + r.ms, 0);
const badPlain = plainRuns.filter((r) => r.problem !== null);
if (badPlain.length > 0) {
  process.stderr.write(`mutation-fast: the unmutated sweep fails (${badPlain.length} runs), nothing to measure: ${badPlain.slice(0, 3).map((r) => `${r.name} ${r.problem}`).join("; ")}\n`);
  process.exit(1);
}

// ---- workers ----
const workerFile = path.join(here, "mutation-fast-worker.js");
class Handle {
  /** Every worker alive, to kill on an interruption. */
  static readonly live = new Set<Handle>();
  readonly worker: ChildProcess;
  private waiting: ((r: WorkerReply | { type: "died"; why: string }) => void) | null = null;
  private dead: string | null = null;
  private stderrTail: () => string = () => "";
  ready: Promise<Extract<WorkerReply, { type: "ready" }> | { type: "died"; why: string }>;
  constructor(bundleFile: string, staticMutant?: string) {
    const init: WorkerInit = { bundle: bundleFile, ...(staticMutant !== undefined ? { staticMutant } : {}) };
    this.worker = fork(workerFile, [JSON.stringify(init)], { execArgv: ["--max-old-space-size=1536"], stdio: ["ignore", "ignore", "pipe", "ipc"] });
    // The start of what a dying worker says (V8's fatal errors go to stderr, message first), for statusReason.
    let head = "";
    this.worker.stderr?.on("data", (d: Buffer) => {
      if (head.length < 600) head += d.toString();
    });
    this.stderrTail = () => head.replace(/#/g, " ").replace(/\s+/g, " ").trim().slice(0, 160);
    this.ready = this.next() as never;
    this.worker.on("message", (r: WorkerReply) => this.deliver(r));
    this.worker.on("error", (e) => this.die(`${e.name}: ${e.message}`));
    Handle.live.add(this);
    this.worker.on("exit", () => Handle.live.delete(this));
    this.worker.on("exit", (code, signal) => this.die(`exit ${code ?? signal}${this.stderrTail() !== "" ? `: ${this.stderrTail()}` : ""}`));
  }
  private deliver(r: WorkerReply | { type: "died"; why: string }): void {
    const w = this.waiting;
    this.waiting = null;
    w?.(r);
  }
  private die(why: string): void {
    if (this.dead !== null) return;
    this.dead = why;
    this.deliver({ type: "died", why });
  }
  next(): Promise<WorkerReply | { type: "died"; why: string }> {
    if (this.dead !== null) return Promise.resolve({ type: "died", why: this.dead });
    return new Promise((resolve) => (this.waiting = resolve));
  }
  send(req: WorkerRequest): Promise<WorkerReply | { type: "died"; why: string }> {
    const p = this.next();
    this.worker.send(req);
    return p;
  }
  async stop(): Promise<void> {
    this.dead ??= "stopped";
    if (this.worker.exitCode !== null || this.worker.signalCode !== null) return;
    const gone = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.kill("SIGKILL");
    await gone;
  }
}
const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | "timeout"> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)))]).finally(() => clearTimeout(timer));
};

/** The unmutated sweep in a fresh worker on this bundle: its runs, which must be the plain
 * build's (same verdicts, same trace hashes), and the worker, left loaded. */
async function baselineOn(bundleFile: string, what: string): Promise<{ h: Handle; ready: Extract<WorkerReply, { type: "ready" }>; runs: BaselineRun[] }> {
  const h = new Handle(bundleFile);
  const rd = await h.ready;
  if (rd.type !== "ready") throw new Error(`mutation-fast: the worker died loading the ${what} bundle: ${rd.why}`);
  const reply = await h.send({ type: "baseline" });
  if (reply.type !== "baseline") throw new Error(`mutation-fast: ${what} baseline failed: ${JSON.stringify(reply).slice(0, 300)}`);
  const runs = reply.runs;
  const diff = runs.filter((r, i) => r.problem !== null || r.traceHash !== plainRuns[i]?.traceHash || r.name !== plainRuns[i]?.name);
  if (runs.length !== plainRuns.length || diff.length > 0) {
    process.stderr.write(`mutation-fast: the instrumented bundle (${what}) with no mutant active differs from the plain build on ${diff.length} of ${runs.length} runs (e.g. ${diff[0]?.name}: ${diff[0]?.problem ?? `hash ${diff[0]?.traceHash} vs ${plainRuns[runs.indexOf(diff[0])]?.traceHash}`})\n`);
    await h.stop();
    process.exit(1);
  }
  return { h, ready: rd, runs };
}
const covPass = await baselineOn(covBundle, "coverage");
await covPass.h.stop();
const caseNames = covPass.ready.cases;
const staticCovered = new Set(covPass.ready.staticCovered);
const base: BaselineRun[] = covPass.runs;
const coverageMs = base.reduce((n, r) => n + r.ms, 0);
const runPass = await baselineOn(bundle, "mutant-run");
const first = runPass.h;
const runBase = runPass.runs;
const instrumentedMs = runBase.reduce((n, r) => n + r.ms, 0);
const timeoutMs = Math.max(timeoutFloorMs, Math.ceil(4 * instrumentedMs));
const coveredBy = new Map<string, number[]>();
base.forEach((r, i) => {
  for (const id of r.covered) {
    const l = coveredBy.get(id) ?? [];
    l.push(i);
    coveredBy.set(id, l);
  }
});
process.stderr.write(
  `mutation-fast: ${scope.length} files, ${mutants.length} mutants; sweep ${caseNames.length} runs (MUTATION_SEEDS=${process.env.MUTATION_SEEDS} MUTATION_EVERY_FAULT=${process.env.MUTATION_EVERY_FAULT} MUTATION_SCENARIO_SEEDS=${process.env.MUTATION_SCENARIO_SEEDS}): plain ${(plainMs / 1000).toFixed(2)} s, instrumented ${(instrumentedMs / 1000).toFixed(2)} s (${(coverageMs / 1000).toFixed(2)} s recording coverage), the plain build's ${base.length} trace hashes both ways; timeout ${(timeoutMs / 1000).toFixed(1)} s; ${workers} workers\n`,
);

// ---- the mutants ----
type Status = "Killed" | "Survived" | "Timeout" | "NoCoverage" | "Ignored";
interface Outcome {
  status: Status;
  statusReason?: string;
  killedBy?: number;
  testsCompleted?: number;
  static?: boolean;
}
const outcome = new Map<string, Outcome>();
const queue: DryMutant[] = [];
for (const m of mutants) {
  if (m.status === "Ignored") outcome.set(m.id, { status: "Ignored", statusReason: m.statusReason ?? "" });
  else if (staticCovered.has(m.id)) queue.push(m);
  else if (!coveredBy.has(m.id)) outcome.set(m.id, { status: "NoCoverage" });
  else queue.push(m);
}
const toRun = queue.length;
const allCases = caseNames.map((_, i) => i);
const short = (s: string): string => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

async function runOne(h: Handle, m: DryMutant, cases: number[]): Promise<{ o: Outcome; workerLost: boolean }> {
  const isStatic = staticCovered.has(m.id);
  const r = await withTimeout(h.send({ type: "mutant", id: m.id, cases }), timeoutMs);
  if (r === "timeout") return { o: { status: "Timeout", statusReason: `no verdict within ${timeoutMs} ms`, static: isStatic }, workerLost: true };
  if (r.type === "died") return { o: { status: "Killed", statusReason: `worker died: ${r.why}`, static: isStatic }, workerLost: true };
  if (r.type !== "mutant" || r.id !== m.id) throw new Error(`mutation-fast: unexpected reply ${JSON.stringify(r).slice(0, 200)}`);
  if (r.killedBy === null) return { o: { status: "Survived", testsCompleted: r.ran, static: isStatic }, workerLost: false };
  return { o: { status: "Killed", statusReason: `${short(r.message)} (run ${caseNames[r.killedBy]})`, killedBy: r.killedBy, testsCompleted: r.ran, static: isStatic }, workerLost: false };
}

// ---- the report (also on an interruption) ----
/** Writes the report. Interrupted (SIGINT/SIGTERM): the mutants not yet run are "Pending", a
 * status outside every count of mutation-summary.ts, so the files finished (mutants run in file
 * order) can still be read; the header's "interrupted" says so. */
function writeReport(wallS: number, interrupted: boolean): void {
  const testIds = caseNames.map((_, i) => `run${i}`);
  const report = {
    schemaVersion: "1",
    thresholds: { high: 85, low: 60 },
    projectRoot: repoRoot,
    framework: { name: "raftsim mutation-fast (bench/mutation-fast.ts)" },
    config: {
      sweep: { MUTATION_SEEDS: process.env.MUTATION_SEEDS, MUTATION_EVERY_FAULT: process.env.MUTATION_EVERY_FAULT, MUTATION_SCENARIO_SEEDS: process.env.MUTATION_SCENARIO_SEEDS, MUTATION_TIME_S: process.env.MUTATION_TIME_S ?? "10", MUTATION_REGRESSION: process.env.MUTATION_REGRESSION ?? "1", MUTATION_ONLINE_CHECKS: process.env.MUTATION_ONLINE_CHECKS ?? "all" },
      runs: caseNames.length,
      timeoutMs,
      workers,
      plainSweepMs: Math.round(plainMs),
      instrumentedSweepMs: Math.round(instrumentedMs),
    coverageSweepMs: Math.round(coverageMs),
      wallSeconds: Math.round(wallS),
      interrupted,
      /** Each run's time, plain and instrumented (ms), to see where a sweep's time goes. */
      runMs: caseNames.map((name, i) => ({ name, plain: Math.round(plainRuns[i].ms), instrumented: Math.round(runBase[i].ms), coverage: Math.round(base[i].ms) })),
      only: opt("only") ?? null,
    },
    files: Object.fromEntries(
      scope.map((f) => [
        f,
        {
          language: "typescript",
          source: sources.get(f),
          mutants: mutants
            .filter((m) => m.fileName === f)
            .map((m) => {
              const o: Omit<Outcome, "status"> & { status: Status | "Pending" } = outcome.get(m.id) ?? { status: "Pending", statusReason: "not run: the run was interrupted" };
              return {
                id: m.id,
                mutatorName: m.mutatorName,
                replacement: m.replacement,
                location: loc(m),
                status: o.status,
                ...(o.statusReason !== undefined ? { statusReason: o.statusReason } : {}),
                coveredBy: staticCovered.has(m.id) ? testIds : (coveredBy.get(m.id) ?? []).map((i) => testIds[i]),
                ...(o.killedBy !== undefined ? { killedBy: [testIds[o.killedBy]] } : {}),
                ...(o.testsCompleted !== undefined ? { testsCompleted: o.testsCompleted } : {}),
                ...(o.static === true ? { static: true } : {}),
              };
            }),
        },
      ]),
    ),
    testFiles: { "test/mutation/cases.ts": { tests: caseNames.map((name, i) => ({ id: testIds[i], name })) } },
  };
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(report) + "\n");
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    for (const h of Handle.live) h.worker.kill("SIGKILL");
    writeReport((performance.now() - started) / 1000, true);
    process.stderr.write(`mutation-fast: ${sig}: ${done}/${toRun} mutants run; partial report (the rest Pending) → ${path.relative(process.cwd(), outFile)}\n`);
    process.exit(130);
  });
}

const started = performance.now();
let done = 0;
const tally: Record<Status, number> = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0 };
let lastProgress = 0;
function progress(force = false): void {
  const now = performance.now();
  if (!force && now - lastProgress < 5000) return;
  lastProgress = now;
  const el = (now - started) / 1000;
  const eta = done === 0 ? "?" : `${Math.round(((toRun - done) * el) / done)} s`;
  process.stderr.write(`mutation-fast: ${done}/${toRun} run, killed ${tally.Killed}, timeout ${tally.Timeout}, survived ${tally.Survived}; ${el.toFixed(0)} s, ETA ${eta}\n`);
}

async function slot(initial: Handle | null): Promise<void> {
  let h: Handle | null = initial;
  for (;;) {
    const m = queue.shift();
    if (m === undefined) break;
    let res: { o: Outcome; workerLost: boolean };
    if (staticCovered.has(m.id)) {
      // Reached while the modules load: only a worker that loads them with it active runs it.
      const sh = new Handle(bundle, m.id);
      const rd = await withTimeout(sh.ready, timeoutMs);
      if (rd === "timeout") res = { o: { status: "Timeout", statusReason: `no verdict within ${timeoutMs} ms (loading)`, static: true }, workerLost: true };
      else if (rd.type === "died") res = { o: { status: "Killed", statusReason: `worker died loading: ${rd.why}`, static: true }, workerLost: true };
      else res = await runOne(sh, m, allCases);
      await sh.stop();
    } else {
      if (h === null) {
        h = new Handle(bundle);
        const rd = await h.ready;
        if (rd.type !== "ready") throw new Error(`mutation-fast: a fresh worker died loading the bundle: ${rd.why}`);
      }
      res = await runOne(h, m, coveredBy.get(m.id) ?? []);
      if (res.workerLost) {
        await h.stop();
        h = null;
      }
    }
    outcome.set(m.id, res.o);
    tally[res.o.status]++;
    done++;
    progress();
  }
  await h?.stop();
}


await Promise.all(Array.from({ length: workers }, (_, i) => slot(i === 0 ? first : null)));
const wallS = (performance.now() - started) / 1000;
progress(true);
writeReport(wallS, false);
const n = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0 } as Record<Status, number>;
for (const o of outcome.values()) n[o.status]++;
process.stderr.write(
  `mutation-fast: ${mutants.length} mutants: killed ${n.Killed}, timeout ${n.Timeout}, survived ${n.Survived}, no coverage ${n.NoCoverage}, ignored ${n.Ignored}; ${staticCovered.size > 0 ? `${mutants.filter((m) => staticCovered.has(m.id)).length} static; ` : ""}${wallS.toFixed(1)} s wall (${toRun > 0 ? ((wallS * workers) / toRun).toFixed(3) : "-"} s per run mutant per worker) → ${path.relative(process.cwd(), outFile)}\n`,
);
