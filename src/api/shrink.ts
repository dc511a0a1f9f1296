// Shrinking a failing run: materialise its fault schedule (and whatever else it drew from its
// seed: System.materialise) as an explicit run, check that the explicit run fails the same way,
// then reduce it — a shorter run, fewer clients and servers, fewer faults (delta debugging),
// faults earlier and shorter — replaying every candidate deterministically and keeping it only
// if the same failure recurs. The wall clock bounds the search (the host layer may read it);
// the result is a function of the run and of how far the budget got.
import type { FaultAction } from "../sim/faults/kinds.js";
import { livenessWindowUs } from "../sim/runner/liveness-window.js";
import { runSystem, type RunOptions, type RunResult } from "../sim/runner/run.js";
import type { System } from "../sim/runner/system.js";
import type { Verdict } from "../sim/runner/verdict.js";

/** What "the same failure" means: the verdict and the check that failed — an invariant's name
 * (the message's first word: `ack-retained`, `election-safety`), `linearizability` with the
 * keys whose history cannot be linearized, or the liveness condition (its first two words). */
export interface Failure {
  readonly verdict: "violation" | "liveness";
  readonly check: string;
  /** Linearizability: the keys that fail (a candidate must fail on one of them). */
  readonly keys?: readonly string[];
}

/** The part of a run's result shrinking looks at (a RunResult is one). */
export type Outcome = Pick<RunResult, "verdict" | "message" | "atUs" | "lin" | "stats" | "history" | "traceHash">;

/** The size of a run, as `raftsim shrink` prints it. */
export interface RunFigures {
  readonly faults: number;
  readonly clients: number;
  readonly servers: number;
  readonly ops: number;
  readonly simulatedMs: number;
  readonly events: number;
  readonly verdict: Verdict;
  readonly message: string | null;
  readonly traceHash: string;
}

export interface ShrinkProgress {
  readonly pass: string;
  readonly tried: number;
  readonly accepted: number;
  readonly faults: number;
  readonly events: number;
  readonly elapsedMs: number;
}

export interface ShrinkOptions {
  /** Wall-clock budget, ms (default 2 minutes): the best run found so far is returned. */
  readonly budgetMs?: number;
  readonly onProgress?: (p: ShrinkProgress) => void;
  /** The clock (ms); tests pass their own. */
  readonly now?: () => number;
}

export interface ShrinkResult {
  readonly failure: Failure;
  /** The run as it was given (a generated schedule, usually). */
  readonly before: RunFigures;
  readonly after: RunFigures;
  /** The explicit run that reproduces `before` (its schedule and drawn configuration). */
  readonly materialised: RunOptions;
  /** The materialised run replayed `before` event for event (the same trace hash), not only
   * its failure. */
  readonly exactReplay: boolean;
  /** The shrunk run: explicit faults, servers, clients, time, system options. */
  readonly options: RunOptions;
  /** Candidates replayed, and how many of them were kept. */
  readonly steps: number;
  readonly accepted: number;
  readonly wallMs: number;
  /** The budget ran out before the passes reached a fixed point. */
  readonly budgetExhausted: boolean;
}

export class NotFailingError extends Error {
  constructor(verdict: Verdict) {
    super(`the run does not fail (verdict ${verdict}): nothing to shrink`);
    this.name = "NotFailingError";
  }
}

export class MaterialiseError extends Error {
  constructor(readonly want: Failure, got: Outcome) {
    super(`the run's materialised schedule does not reproduce its failure (${describeFailure(want)}; the explicit replay gave ${got.verdict}${got.message !== null ? `: ${got.message}` : ""})`);
    this.name = "MaterialiseError";
  }
}

const DEFAULT_BUDGET_MS = 120_000;
const MS = 1_000;
const S = 1_000_000;

/** The failure of a run, or null when it passed (or the checker gave up). */
export function failureOf(r: Outcome): Failure | null {
  if (r.verdict === "violation") {
    const m = r.message ?? "";
    if (m.startsWith("history is not linearizable")) {
      const keys = (r.lin?.counterexample?.parts ?? []).map((p) => String(p.partition));
      return { verdict: "violation", check: "linearizability", keys };
    }
    // "node 3: counter ..." (a per-node check) is named by what follows the node.
    return { verdict: "violation", check: (m.replace(/^node \d+:\s*/, "").split(/\s+/)[0] ?? "").replace(/:$/, "") };
  }
  if (r.verdict === "liveness") return { verdict: "liveness", check: (r.message ?? "").split(/\s+/).slice(0, 2).join(" ") };
  return null;
}

/** Whether `got` is the failure `want`: same verdict and check, and for linearizability a
 * failing key in common (when the original named any). */
export function sameFailure(want: Failure, got: Failure | null): boolean {
  if (got === null || got.verdict !== want.verdict || got.check !== want.check) return false;
  if (want.keys !== undefined && want.keys.length > 0) return (got.keys ?? []).some((k) => want.keys!.includes(k));
  return true;
}

export function describeFailure(f: Failure): string {
  return `${f.verdict}: ${f.check}${f.keys !== undefined && f.keys.length > 0 ? ` on key ${f.keys.join(", ")}` : ""}`;
}

/** The explicit options that replay a run of `options`: its materialised schedule, and the
 * system's options for what the run drew besides (System.materialise). */
export function materialise(system: System, options: RunOptions, result: RunResult): RunOptions {
  const { families: _f, everyFamily: _e, inspect: _i, ...rest } = options;
  return {
    ...rest,
    keepTrace: false,
    faults: result.faults,
    servers: options.servers ?? system.defaults.servers,
    clients: options.clients ?? system.defaults.clients,
    options: system.materialise !== undefined ? system.materialise({ options: options.options, extras: result.extras, details: result.details }) : options.options,
  };
}

/** Shrink a failing run of `system`. Throws NotFailingError if it passes, MaterialiseError if
 * its explicit replay does not fail the same way. */
export function shrink(system: System, options: RunOptions, o: ShrinkOptions = {}): ShrinkResult {
  const now = o.now ?? (() => Number(process.hrtime.bigint()) / 1e6);
  const t0 = now();
  const first = runSystem(system, { ...options, keepTrace: false, inspect: undefined });
  const failure = failureOf(first);
  if (failure === null) throw new NotFailingError(first.verdict);
  const explicit = materialise(system, options, first);
  const replayed = runSystem(system, explicit);
  if (!sameFailure(failure, failureOf(replayed))) throw new MaterialiseError(failure, replayed);
  const core = shrinkExplicit(explicit, failure, (c) => runSystem(system, c), { ...o, now, startedAt: t0, defaults: system.defaults, known: replayed, lighter: system.lighter?.bind(system) });
  return { ...core, before: figures(explicit, first, system.defaults), materialised: explicit, exactReplay: replayed.traceHash === first.traceHash };
}

export interface ShrinkCore {
  readonly failure: Failure;
  readonly before: RunFigures;
  readonly after: RunFigures;
  readonly options: RunOptions;
  readonly steps: number;
  readonly accepted: number;
  readonly wallMs: number;
  readonly budgetExhausted: boolean;
}

/** The reduction itself, over explicit options and any replay function (tests pass a fake).
 * `explicit.faults` must be set; the final heal-all is kept (appended if missing). */
export function shrinkExplicit(
  explicit: RunOptions,
  failure: Failure,
  replay: (o: RunOptions) => Outcome,
  o: ShrinkOptions & { readonly startedAt?: number; readonly defaults?: { servers: number; clients: number }; readonly known?: Outcome; readonly lighter?: (options: unknown) => readonly unknown[] } = {},
): ShrinkCore {
  const now = o.now ?? (() => Number(process.hrtime.bigint()) / 1e6);
  const t0 = o.startedAt ?? now();
  const budget = o.budgetMs ?? DEFAULT_BUDGET_MS;
  const defaults = o.defaults ?? { servers: explicit.servers ?? 5, clients: explicit.clients ?? 5 };
  const initial: Cand = toCand(explicit, defaults);
  const initialOutcome: Outcome = o.known ?? replay(fromCand(explicit, initial));
  if (!sameFailure(failure, failureOf(initialOutcome))) throw new MaterialiseError(failure, initialOutcome);
  const before = figures(fromCand(explicit, initial), initialOutcome, defaults);
  let best = initial;
  let bestOutcome = initialOutcome;
  let steps = 0;
  let accepted = 0;
  let exhausted = false;
  let pass = "";
  let strict = true;
  let seen = new Set<string>();

  const out = () => now() - t0 >= budget;
  /** Replay a candidate; keep it if the failure recurs. */
  const attempt = (c: Cand): boolean => {
    if (exhausted || out()) {
      exhausted = true;
      return false;
    }
    const k = key(c);
    if (seen.has(k)) return false;
    seen.add(k);
    steps++;
    let r: Outcome | null = null;
    try {
      r = replay(fromCand(explicit, c));
    } catch {
      r = null; // a candidate the system cannot run (too few servers for its setup, ...)
    }
    // Same failure, and no bigger. Strict: never more events, except that a schedule with fewer
    // faults may cost a quarter more. Loose (the second strategy): any schedule with fewer faults.
    const smaller = r !== null && (r.stats.events <= bestOutcome.stats.events || (c.faults.length < best.faults.length && (!strict || r.stats.events <= 1.25 * bestOutcome.stats.events)));
    const ok = r !== null && smaller && sameFailure(failure, failureOf(r));
    if (ok) {
      best = c;
      bestOutcome = r!;
      accepted++;
    }
    o.onProgress?.({ pass, tried: steps, accepted, faults: best.faults.length, events: bestOutcome.stats.events, elapsedMs: now() - t0 });
    return ok;
  };

  const servers = () => {
    for (let n = 1; n < best.servers; n++) {
      // The schedule as it is when it fits, else with the nodes it names renumbered 0, 1, ...
      const fs = maxNode(best.faults) < n ? best.faults : renumbered(best.faults);
      if (maxNode(fs) >= n) continue;
      if (attempt({ ...best, servers: n, faults: fs })) break;
    }
  };
  const passes: Record<string, () => void> = {
    time: () => shrinkTime(failure, () => best, attempt),
    clients: () => {
      for (let c = 1; c < best.clients && !attempt({ ...best, clients: c }); c++);
    },
    servers,
    workload: () => {
      for (const v of o.lighter?.(best.options) ?? []) if (attempt({ ...best, options: v })) break;
    },
    faults: () => ddmin(() => best, attempt),
    shift: () => shiftEarlier(failure, () => best, attempt),
    compress: () => compressGaps(failure, () => best, attempt),
    durations: () => shortenDurations(() => best, attempt),
  };
  // Two strategies from the same start, the smaller result wins: run size first and only
  // smaller runs kept; then faults first, any schedule with fewer faults kept. (A replay is
  // chaotic — one fault less moves every later event — so the order finds different minima.)
  const strategies: { strict: boolean; order: string[] }[] = [
    { strict: true, order: ["time", "clients", "servers", "workload", "faults", "shift", "compress", "durations"] },
    { strict: false, order: ["faults", "time", "clients", "servers", "workload", "shift", "compress", "durations"] },
  ];
  let winner = initial;
  let winnerOutcome = initialOutcome;
  for (const st of strategies) {
    if (exhausted) break;
    strict = st.strict;
    best = initial;
    bestOutcome = initialOutcome;
    seen = new Set<string>([key(initial)]);
    for (let round = 0; round < 8 && !exhausted; round++) {
      const start = key(best);
      for (const p of st.order) {
        pass = p;
        passes[p]!();
      }
      if (key(best) === start) break;
    }
    if (bestOutcome.stats.events < winnerOutcome.stats.events || (bestOutcome.stats.events === winnerOutcome.stats.events && best.faults.length < winner.faults.length)) {
      winner = best;
      winnerOutcome = bestOutcome;
    }
  }
  best = winner;
  bestOutcome = winnerOutcome;
  const shrunk = fromCand(explicit, best);
  return { failure, before, after: figures(shrunk, bestOutcome, defaults), options: shrunk, steps, accepted, wallMs: now() - t0, budgetExhausted: exhausted };
}

// ---- candidates -----------------------------------------------------------------------------

/** A candidate: the faults before the final heal-all, the heal's time, the run's size. */
interface Cand {
  readonly faults: readonly FaultAction[];
  readonly healAt: number;
  readonly timeUs: number;
  readonly servers: number;
  readonly clients: number;
  /** The system's options (a lighter workload: System.lighter). */
  readonly options: unknown;
}

function toCand(o: RunOptions, defaults: { servers: number; clients: number }): Cand {
  const all = o.faults ?? [];
  const heals = all.filter((f) => f.kind === "heal-all");
  const healAt = heals.length > 0 ? Math.max(...heals.map((f) => f.at)) : o.timeUs - livenessWindowUs(o.timeUs);
  // Every action but the final heal-all (an earlier heal-all stays an ordinary fault).
  let dropped = false;
  const faults: FaultAction[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const f = all[i]!;
    if (!dropped && f.kind === "heal-all" && f.at === healAt) dropped = true;
    else faults.unshift(f);
  }
  return { faults, healAt, timeUs: o.timeUs, servers: o.servers ?? defaults.servers, clients: o.clients ?? defaults.clients, options: o.options };
}

function fromCand(base: RunOptions, c: Cand): RunOptions {
  return { ...base, timeUs: c.timeUs, servers: c.servers, clients: c.clients, faults: [...c.faults, { at: c.healAt, kind: "heal-all" }], ...(c.options !== undefined ? { options: c.options } : {}) };
}

function key(c: Cand): string {
  return JSON.stringify(c);
}

const NODE_FIELDS = ["node", "from", "to", "via", "bridge"] as const;

/** The highest node id a schedule names (-1: none). */
export function maxNode(faults: readonly FaultAction[]): number {
  let m = -1;
  for (const f of faults) {
    const r = f as unknown as Record<string, unknown>;
    for (const k of NODE_FIELDS) if (typeof r[k] === "number") m = Math.max(m, r[k] as number);
    for (const k of ["side", "order"]) if (Array.isArray(r[k])) for (const x of r[k] as number[]) m = Math.max(m, x);
    // A ring lists every server: it fits no smaller cluster.
    if (f.kind === "partition-ring") m = Math.max(m, Number.MAX_SAFE_INTEGER);
  }
  return m;
}

/** The schedule with the node ids it names mapped, in order, onto 0, 1, 2, ... */
export function renumbered(faults: readonly FaultAction[]): readonly FaultAction[] {
  const ids = new Set<number>();
  for (const f of faults) {
    const r = f as unknown as Record<string, unknown>;
    for (const k of NODE_FIELDS) if (typeof r[k] === "number") ids.add(r[k] as number);
    for (const k of ["side", "order"]) if (Array.isArray(r[k])) for (const x of r[k] as number[]) ids.add(x);
  }
  const map = new Map([...ids].sort((a, b) => a - b).map((id, i) => [id, i] as const));
  return faults.map((f) => {
    const r: Record<string, unknown> = { ...f };
    for (const k of NODE_FIELDS) if (typeof r[k] === "number") r[k] = map.get(r[k] as number);
    for (const k of ["side", "order"]) if (Array.isArray(r[k])) r[k] = (r[k] as number[]).map((x) => map.get(x));
    return r as unknown as FaultAction;
  });
}

/** The shortest run whose automatic heal would come no earlier than `healAt` (at least 1 s),
 * rounded up to 100 ms. */
function timeForHeal(healAt: number): number {
  let lo = 1 * S;
  let hi = Math.max(lo, 4 * healAt + 20 * S);
  if (lo - livenessWindowUs(lo) >= healAt) return lo;
  while (hi - lo > 100 * MS) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid - livenessWindowUs(mid) >= healAt) hi = mid;
    else lo = mid;
  }
  return Math.ceil(hi / (100 * MS)) * 100 * MS;
}

/** A shorter run: the final heal earlier (faults after it dropped) and the run cut to its
 * heal plus the liveness window. A liveness failure keeps its window (a shorter window could
 * make a healthy system look stuck): its run only gets shorter when the window stays. */
function shrinkTime(failure: Failure, best: () => Cand, attempt: (c: Cand) => boolean): void {
  const b = best();
  const heals = new Set<number>();
  const lastFault = b.faults.length > 0 ? Math.max(...b.faults.map((f) => f.at)) : 0;
  heals.add(Math.ceil((lastFault + 1) / MS) * MS);
  for (const frac of [0.125, 0.25, 0.5, 0.75]) heals.add(Math.floor((b.healAt * frac) / MS) * MS);
  const candidates: Cand[] = [];
  const up = (us: number) => Math.ceil(us / (100 * MS)) * 100 * MS;
  for (const h of [...heals, b.healAt].sort((x, y) => x - y)) {
    if (h > b.healAt || h <= 0) continue;
    const faults = b.faults.filter((f) => f.at < h);
    const times = new Set<number>();
    if (failure.verdict === "violation") {
      // A safety failure needs no liveness window: the run may end right after its heal
      // (the runner still runs the liveness phase to heal + the window of the shorter run).
      times.add(Math.max(1 * S, up(h + 1)));
      times.add(timeForHeal(h));
    } else if (livenessWindowUs(timeForHeal(h)) >= livenessWindowUs(b.timeUs)) times.add(timeForHeal(h));
    else times.add(b.timeUs);
    for (const t of times) if (t <= b.timeUs && (t < b.timeUs || h < b.healAt)) candidates.push({ ...b, healAt: h, timeUs: t, faults });
  }
  candidates.sort((x, y) => x.timeUs - y.timeUs || x.healAt - y.healAt);
  for (const c of candidates) if (attempt(c)) return;
}

/** Delta debugging (Zeller's ddmin) over the faults before the final heal. */
function ddmin(best: () => Cand, attempt: (c: Cand) => boolean): void {
  if (best().faults.length === 0) return;
  if (attempt({ ...best(), faults: [] })) return;
  let n = 2;
  while (best().faults.length >= 2) {
    const fs = best().faults;
    const size = Math.ceil(fs.length / n);
    const chunks: FaultAction[][] = [];
    for (let i = 0; i < fs.length; i += size) chunks.push(fs.slice(i, i + size));
    let reduced = false;
    // Complements first (drop one chunk), then single chunks.
    for (let i = 0; i < chunks.length && !reduced; i++) {
      const rest = chunks.filter((_, j) => j !== i).flat();
      if (attempt({ ...best(), faults: rest })) {
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    for (let i = 0; i < chunks.length && !reduced && chunks.length > 2; i++) {
      if (attempt({ ...best(), faults: chunks[i]! })) {
        n = 2;
        reduced = true;
      }
    }
    if (!reduced) {
      if (n >= fs.length) break;
      n = Math.min(fs.length, 2 * n);
    }
  }
  // A last fault on its own.
  if (best().faults.length === 1) attempt({ ...best(), faults: [] });
}

/** The run's time once its heal moved d earlier: d shorter too — but a liveness failure keeps
 * its time (and so its liveness window). */
function earlierTime(failure: Failure, b: Cand, healAt: number, d: number): number {
  if (failure.verdict === "liveness") return b.timeUs;
  return Math.min(b.timeUs, Math.max(timeForHeal(healAt), b.timeUs - d));
}

/** Everything earlier: the schedule (and its heal) moved up so that its first fault comes at
 * 100 ms, or half-way there. */
function shiftEarlier(failure: Failure, best: () => Cand, attempt: (c: Cand) => boolean): void {
  const b = best();
  if (b.faults.length === 0) return;
  const first = Math.min(...b.faults.map((f) => f.at));
  for (const target of [100 * MS, Math.floor(first / 2 / MS) * MS]) {
    const d = first - target;
    if (d <= 0) continue;
    const healAt = b.healAt - d;
    const c: Cand = { ...b, healAt, timeUs: earlierTime(failure, b, healAt, d), faults: b.faults.map((f) => ({ ...f, at: f.at - d })) };
    if (attempt(c)) return;
  }
}

/** Quiet stretches shortened: from each fault on, the rest of the schedule (and its heal) moved
 * up by half the gap before it. */
function compressGaps(failure: Failure, best: () => Cand, attempt: (c: Cand) => boolean): void {
  for (let i = 1; i < best().faults.length; i++) {
    for (let tries = 0; tries < 4; tries++) {
      const b = best();
      const order = [...b.faults].sort((x, y) => x.at - y.at);
      const from = order[i]!.at;
      const d = Math.floor((from - order[i - 1]!.at) / 2 / MS) * MS;
      if (d <= 0) break;
      const healAt = b.healAt - d;
      const c: Cand = { ...b, healAt, timeUs: earlierTime(failure, b, healAt, d), faults: b.faults.map((f) => (f.at >= from ? { ...f, at: f.at - d } : f)) };
      if (!attempt(c)) break;
    }
  }
}

const DURATION_FIELDS = ["downUs", "durationUs", "readdUs", "periodUs"] as const;

/** Each fault's durations halved while the failure recurs; repeated faults fire once. */
function shortenDurations(best: () => Cand, attempt: (c: Cand) => boolean): void {
  for (let i = 0; i < best().faults.length; i++) {
    const with_ = (patch: Record<string, number>): Cand => {
      const b = best();
      const fs = [...b.faults];
      fs[i] = { ...fs[i]!, ...patch } as FaultAction;
      return { ...b, faults: fs };
    };
    const f = best().faults[i] as unknown as Record<string, unknown>;
    if (typeof f.times === "number" && f.times > 1) {
      if (!attempt(with_({ times: 1 }))) attempt(with_({ times: Math.ceil((f.times as number) / 2) }));
    }
    for (const k of DURATION_FIELDS) {
      for (let tries = 0; tries < 6; tries++) {
        const v = (best().faults[i] as unknown as Record<string, unknown>)[k];
        if (typeof v !== "number" || v < 2 * MS) break;
        if (!attempt(with_({ [k]: Math.floor(v / 2 / MS) * MS }))) break;
      }
    }
  }
}

function figures(o: RunOptions, r: Outcome, defaults: { servers: number; clients: number }): RunFigures {
  const faults = o.faults === undefined ? 0 : o.faults.filter((f) => f.kind !== "heal-all").length;
  return {
    faults,
    clients: o.clients ?? defaults.clients,
    servers: o.servers ?? defaults.servers,
    ops: r.history?.ops ?? 0,
    simulatedMs: Math.round(r.stats.simulatedUs / 1000),
    events: r.stats.events,
    verdict: r.verdict,
    message: r.message,
    traceHash: r.traceHash,
  };
}
