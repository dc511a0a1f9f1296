// The worker process of bench/mutation-fast.ts (its header says why and how). It loads the
// instrumented bundle once (.mutation-fast/cases.mjs: test/mutation/cases.ts with the mutated
// files carrying Stryker's mutant switches), then answers the parent's requests one at a time:
// - "baseline": every run of the reduced sweep with no mutant active, each under its own
//   coverage id, giving back each run's verdict, trace hash and time, and which mutants each run
//   reached (Stryker's stryCov_9fa48 calls record them in globalThis.__stryker__).
// - "mutant": activate one mutant and run the given runs in order, stopping at the first whose
//   verdict is not ok or which throws.
// A worker started for a static mutant (one reached while the modules load, e.g. a module-level
// constant) has that mutant active before the bundle is imported, as Stryker does by reloading.
import { pathToFileURL } from "node:url";

interface StrykerNS {
  activeMutant?: string;
  currentTestId?: string;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}
interface RunResultLike {
  verdict: string;
  message?: string;
  traceHash: string;
}
interface CasesModule {
  mutationCases(plan?: unknown): { name: string; run: () => RunResultLike }[];
  mutationPlan(): unknown;
  verdictProblem(r: RunResultLike): string | null;
}

export interface WorkerInit {
  bundle: string;
  /** Active from before the modules load (a static mutant), for the worker's whole life. */
  staticMutant?: string;
}
export type WorkerRequest = { type: "baseline" } | { type: "mutant"; id: string; cases: number[] };
export interface BaselineRun {
  name: string;
  problem: string | null;
  traceHash: string;
  ms: number;
  covered: string[];
}
export type WorkerReply =
  | { type: "ready"; cases: string[]; staticCovered: string[] }
  | { type: "baseline"; runs: BaselineRun[] }
  | { type: "mutant"; id: string; killedBy: number | null; message: string; ran: number };

const init = JSON.parse(process.argv[2] ?? "{}") as WorkerInit;
const g = globalThis as unknown as { __stryker__?: StrykerNS };
const ns: StrykerNS = (g.__stryker__ = g.__stryker__ ?? {});
if (init.staticMutant !== undefined) ns.activeMutant = init.staticMutant;

const mod = (await import(pathToFileURL(init.bundle).href)) as CasesModule;
const cases = mod.mutationCases(mod.mutationPlan());
if (process.send === undefined) throw new Error("mutation-fast-worker runs as a child process of bench/mutation-fast.ts (IPC)");
const reply = (r: WorkerReply): void => void process.send?.(r);

/** The run's problem (null: ok), a thrown error counting as one, as in sweep.mutation.ts. */
function judge(i: number): { problem: string | null; traceHash: string } {
  try {
    const r = cases[i].run();
    return { problem: mod.verdictProblem(r), traceHash: r.traceHash };
  } catch (e) {
    return { problem: e instanceof Error ? `${e.name}: ${e.message}` : String(e), traceHash: "" };
  }
}

process.on("message", (req: WorkerRequest) => {
  if (req.type === "baseline") {
    const runs: BaselineRun[] = [];
    for (let i = 0; i < cases.length; i++) {
      const id = `run${i}`;
      ns.currentTestId = id;
      const t0 = performance.now();
      const { problem, traceHash } = judge(i);
      const ms = performance.now() - t0;
      ns.currentTestId = undefined;
      runs.push({ name: cases[i].name, problem, traceHash, ms, covered: Object.keys(ns.mutantCoverage?.perTest[id] ?? {}) });
    }
    reply({ type: "baseline", runs });
    return;
  }
  if (init.staticMutant === undefined) ns.activeMutant = req.id;
  let ran = 0;
  try {
    for (const i of req.cases) {
      ran++;
      const { problem } = judge(i);
      if (problem !== null) {
        reply({ type: "mutant", id: req.id, killedBy: i, message: problem, ran });
        return;
      }
    }
    reply({ type: "mutant", id: req.id, killedBy: null, message: "", ran });
  } finally {
    if (init.staticMutant === undefined) ns.activeMutant = undefined;
  }
});

reply({ type: "ready", cases: cases.map((c) => c.name), staticCovered: Object.keys(ns.mutantCoverage?.static ?? {}) });
