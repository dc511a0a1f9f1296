// The Raft paper's Figure 16 experiment (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm", §9.3): how long does it take to replace a crashed leader, as a function
// of the randomness in the election timeout?
//
// Setup, as in the paper: 5 servers, no loss, the paper's Raft (PreVote and CheckQuorum off),
// heartbeat interval = half the minimum election timeout. The network and disk defaults
// (FIGURE16_DEFAULTS) are calibrated so that the rows the paper quotes come out as in the paper
// (see the comment there): the paper states a broadcast time of "roughly 15 ms (network round
// trip plus disk write)" on LogCabin, but in this model the split-vote rate is set by how long a
// candidate's RequestVote takes to reach the others (its own vote's fsync + one-way latency), and
// 15 ms of that splits nearly every 150–155 ms election, far from the paper's 287 ms median.
// (The paper's benchmark also gave the servers logs of different lengths, so two of the four
// survivors could not win; this model does not.) Each trial is an independent seeded run of the real MetaServer nodes in the World: boot, wait for a stable
// leader whose no-op every follower has committed, then crash the leader at a uniformly random
// point of its heartbeat interval (last heartbeat sent + U(0, heartbeat)) and measure, on the
// virtual clock:
//   - known:   until a node is leader in a newer term and a majority of the cluster (3 of 5,
//              itself included) follows it in that term — the primary figure;
//   - elected: until the first node becomes leader in a newer term.
// A trial is a "split vote" when the new leader's term is more than one above the crashed
// leader's (more than one election round was needed). Trials are capped (30 s simulated by
// default); a capped trial counts at the cap and is reported.
//
// Bootstrap: with no randomness (150–150 ms) the first election would itself split for a long
// time, so node 0's clock is stepped forward by electionMax right after boot: its election timer
// fires first and it wins the first term. Clocks are otherwise perfect (no drift), so durations
// measured by the nodes equal virtual durations.
import type { NodeId } from "../../../../impl/node.js";
import { RaftNote, RoleCode } from "../../../../impl/raft/api.js";
import type { RaftOptions, RaftBugName } from "../../../../impl/raft/api.js";
import type { ClientRequest, ServerReply } from "../../../../impl/metadata/protocol.js";
import { MetaServer, type ServerMessage, type ServerRecord } from "../../../../impl/metadata/server.js";
import { messageTraceKey } from "../trace-key.js";
import { Rng } from "../../../kernel/rng.js";
import { World } from "../../../kernel/world.js";
import { MS, S } from "../../../../util/time.js";
import { knownLeader } from "../liveness.js";


export interface TimeoutRange {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The ten ranges of Figure 16: top graph (150 ms + randomness), bottom graph (scaled). */
export const FIGURE16_RANGES: readonly TimeoutRange[] = [
  { minMs: 150, maxMs: 150 },
  { minMs: 150, maxMs: 151 },
  { minMs: 150, maxMs: 155 },
  { minMs: 150, maxMs: 175 },
  { minMs: 150, maxMs: 200 },
  { minMs: 150, maxMs: 300 },
  { minMs: 12, maxMs: 24 },
  { minMs: 25, maxMs: 50 },
  { minMs: 50, maxMs: 100 },
  { minMs: 100, maxMs: 200 },
];

/** The network and disk of the experiment by default. Calibrated against the four figures the
 * paper's text quotes (1,000 trials, seeds 1–3; `raftsim figure16` prints the deviation per row):
 * with 2 ms one-way latency (lognormal sigma 0.3) and a 1.5 ms fsync, 150–155 ms has a median of
 * 295–312 ms (paper 287), 150–200 ms a max of 491–523 ms (paper 513), 12–24 ms a mean of 32 ms
 * (paper 35) and a max of 107–129 ms (paper 152). The old default (7 ms one-way, 1 ms fsync)
 * gave a 985 ms median for 150–155 ms: the 8 ms vulnerability window exceeds the 5 ms of
 * randomness, so nearly every election split. */
export const FIGURE16_DEFAULTS = { latencyMedianUs: 2 * MS, latencySigma: 0.3, fsyncMedianUs: 1.5 * MS } as const;

/** One figure the paper's text gives for a range (§9.3 of the paper; §9.3 of Ongaro's dissertation gives the same). */
export interface PaperClaim {
  /** Which statistic of the "known" times it is about. */
  readonly stat: "min" | "median" | "mean" | "max";
  readonly ms: number;
  /** "≈": a value to match; ">": a lower bound ("longer than 10 s in all trials"). */
  readonly kind: "≈" | ">";
}

/** What the paper's text says about a range (§9.3); the rest appear only as CDF curves. */
export const PAPER_FIGURE16: Readonly<Record<string, { readonly text: string; readonly claims: readonly PaperClaim[] }>> = {
  "150-150": { text: "> 10 s (many split votes)", claims: [{ stat: "min", ms: 10_000, kind: ">" }] },
  "150-155": { text: "median 287 ms", claims: [{ stat: "median", ms: 287, kind: "≈" }] },
  "150-200": { text: "max 513 ms (1,000 trials)", claims: [{ stat: "max", ms: 513, kind: "≈" }] },
  "12-24": { text: "mean 35 ms, max 152 ms", claims: [{ stat: "mean", ms: 35, kind: "≈" }, { stat: "max", ms: 152, kind: "≈" }] },
};

/** Ours against one of the paper's figures: ratio = ours / paper; holds for a ">" claim. */
export interface Deviation extends PaperClaim {
  readonly oursMs: number;
  readonly ratio: number;
  /** "≈": |ratio − 1| ≤ 0.25; ">": ours > the paper's bound. */
  readonly close: boolean;
}

export function deviations(range: string, known: Quantiles): Deviation[] {
  const p = PAPER_FIGURE16[range];
  if (p === undefined) return [];
  return p.claims.map((c) => {
    const oursMs = known[c.stat];
    const ratio = oursMs / c.ms;
    return { ...c, oursMs, ratio, close: c.kind === ">" ? oursMs > c.ms : Math.abs(ratio - 1) <= 0.25 };
  });
}

export interface Figure16Options {
  /** Root seed; every trial's seed is derived from it, the range and the trial number. */
  readonly seed?: number;
  /** Trials per range (default 1,000); the 150–150 range gets a tenth (default 100). */
  readonly trials?: number;
  readonly ranges?: readonly TimeoutRange[];
  /** Simulated-time cap per trial after the crash, µs (default 30 s). */
  readonly capUs?: number;
  /** One-way network latency: median µs and lognormal sigma (FIGURE16_DEFAULTS: 2,000, 0.3). */
  readonly latencyMedianUs?: number;
  readonly latencySigma?: number;
  /** fsync latency median µs (FIGURE16_DEFAULTS: 1,500; sigma 0.2): a vote is answered once durable. */
  readonly fsyncMedianUs?: number;
  readonly fsyncSigma?: number;
  /** Called after each range (progress). */
  readonly onRange?: (row: Figure16Row) => void;
}

export interface Quantiles {
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface Figure16Row {
  /** "150-155" */
  readonly range: string;
  readonly minMs: number;
  readonly maxMs: number;
  readonly heartbeatMs: number;
  readonly trials: number;
  /** Trials that hit the cap before a leader was known (counted at the cap in the figures). */
  readonly capped: number;
  /** Of the capped trials, those whose cluster never settled before the crash (see TrialResult). */
  readonly unsettled: number;
  /** Crash → a new leader known by a majority, ms. */
  readonly known: Quantiles;
  /** Crash → the first node becomes leader of a newer term, ms (capped trials excluded). */
  readonly elected: Quantiles | null;
  /** Fraction of trials that needed more than one election round. */
  readonly splitVoteFraction: number;
  /** Mean number of election rounds (new term − old term) over uncapped trials. */
  readonly meanRounds: number;
  readonly paper: string | null;
  /** Each figure the paper gives for this range against ours (empty: the paper shows only a curve). */
  readonly deviation: readonly Deviation[];
}

export interface Figure16Table {
  readonly seed: number;
  readonly capMs: number;
  readonly setup: {
    readonly servers: number;
    readonly latencyMedianMs: number;
    readonly latencySigma: number;
    readonly fsyncMedianMs: number;
    readonly preVote: false;
    readonly checkQuorum: false;
  };
  readonly rows: readonly Figure16Row[];
}

export interface TrialResult {
  readonly seed: number;
  /** µs from the crash; null if capped. */
  readonly knownUs: number | null;
  readonly electedUs: number | null;
  /** New leader's term − crashed leader's term (0 if capped). */
  readonly rounds: number;
  /** Offset of the crash in the heartbeat interval, µs. */
  readonly crashOffsetUs: number;
  /** The cluster never settled on a stable leader before the crash (e.g. the network is too
   * slow for the timeouts): nothing was measured; the trial counts as capped. */
  readonly unsettled?: true;
}

type W = World<ServerMessage, ClientRequest, ServerRecord, ServerReply>;

const SERVERS = 5;
const NO_BUGS: ReadonlySet<RaftBugName> = new Set();

export function trialsFor(range: TimeoutRange, trials: number): number {
  return range.minMs === range.maxMs ? Math.max(1, Math.ceil(trials / 10)) : trials;
}

export function rangeLabel(r: TimeoutRange): string {
  return `${r.minMs}-${r.maxMs}`;
}

/** Per-trial seeds: a stream per range forked from the root, drawn in trial order (so the
 * first k seeds do not depend on how many trials run). */
export function trialSeeds(root: number, range: TimeoutRange, n: number): number[] {
  const r = Rng.root(root).fork(`figure16/${rangeLabel(range)}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.int(0, 2 ** 48 - 1));
  return out;
}

export function runFigure16(opts: Figure16Options = {}): Figure16Table {
  const seed = opts.seed ?? 1;
  const trials = opts.trials ?? 1000;
  const capUs = opts.capUs ?? 30 * S;
  const ranges = opts.ranges ?? FIGURE16_RANGES;
  const rows: Figure16Row[] = [];
  for (const range of ranges) {
    const n = trialsFor(range, trials);
    const results = trialSeeds(seed, range, n).map((s) => runFigure16Trial(range, s, opts));
    const row = summarize(range, results, capUs);
    rows.push(row);
    opts.onRange?.(row);
  }
  return {
    seed,
    capMs: capUs / MS,
    setup: {
      servers: SERVERS,
      latencyMedianMs: (opts.latencyMedianUs ?? FIGURE16_DEFAULTS.latencyMedianUs) / MS,
      latencySigma: opts.latencySigma ?? FIGURE16_DEFAULTS.latencySigma,
      fsyncMedianMs: (opts.fsyncMedianUs ?? FIGURE16_DEFAULTS.fsyncMedianUs) / MS,
      preVote: false,
      checkQuorum: false,
    },
    rows,
  };
}

/** One trial: boot, settle, crash the leader within its heartbeat interval, time the recovery. */
export function runFigure16Trial(range: TimeoutRange, seed: number, opts: Figure16Options = {}): TrialResult {
  const capUs = opts.capUs ?? 30 * S;
  const electionMinUs = range.minMs * MS;
  const electionMaxUs = range.maxMs * MS;
  const heartbeatUs = Math.floor(electionMinUs / 2);
  const voters: NodeId[] = [];
  for (let i = 0; i < SERVERS; i++) voters.push(i);
  const raft: RaftOptions = {
    voters,
    electionMinUs,
    electionMaxUs,
    heartbeatUs,
    preVote: false,
    checkQuorum: false,
    maxInflight: 8,
    maxBatch: 64,
    bugs: NO_BUGS,
  };
  const lastHbAt = new Array<number>(SERVERS).fill(-1);
  let firstLeaderAt = -1;
  let termAtCrash = Number.POSITIVE_INFINITY;
  const world: W = new World<ServerMessage, ClientRequest, ServerRecord, ServerReply>({
    seed,
    servers: SERVERS,
    clients: 0,
    factory: (id, env, recovered) => new MetaServer(id, { raft, dedupSessions: true, maxPending: 64 }, env, recovered, world.localNow(id)),
    traceKey: messageTraceKey,
    net: { latencyMedianUs: opts.latencyMedianUs ?? FIGURE16_DEFAULTS.latencyMedianUs, latencySigma: opts.latencySigma ?? FIGURE16_DEFAULTS.latencySigma, lossP: 0, dupP: 0 },
    disk: { fsyncMedianUs: opts.fsyncMedianUs ?? FIGURE16_DEFAULTS.fsyncMedianUs, fsyncSigma: opts.fsyncSigma ?? 0.2 },
    clockOffsetMaxUs: 0,
    onSend: (from, _to, msg) => {
      if (msg.type === "hb") lastHbAt[from] = world.now;
    },
    onNote: (_node, kind, a, b) => {
      if (kind === RaftNote.role && a === RoleCode.leader && b > termAtCrash && firstLeaderAt < 0) firstLeaderAt = world.now;
    },
  });
  const rng = world.rng.fork("figure16/crash-at");

  // Boot; node 0's election timer fires first (see the header), then wait for a leader known
  // by a majority whose no-op every node has committed.
  world.start();
  world.clockJump(0, electionMaxUs);
  const settled = (): boolean => {
    const l = knownLeader(world, -1);
    if (l < 0) return false;
    const lead = (world.nodes[l] as MetaServer).raft;
    const c = lead.commitIndex();
    if (c < lead.lastIndex()) return false;
    for (let i = 0; i < SERVERS; i++) if ((world.nodes[i] as MetaServer).raft.commitIndex() < c) return false;
    return true;
  };
  // Crash at the leader's next heartbeat + U(0, heartbeat). With a heavy latency tail a short
  // timeout can depose the leader first; then settle again and retry (bounded).
  let leader = -1;
  let offset = 0;
  for (let attempt = 0; ; attempt++) {
    world.runUntil(world.now + capUs, settled);
    leader = knownLeader(world, -1);
    if (leader < 0 || !settled()) return { seed, knownUs: null, electedUs: null, rounds: 0, crashOffsetUs: 0, unsettled: true };
    const since = world.now;
    world.runUntil(world.now + 2 * heartbeatUs + 1, () => lastHbAt[leader] > since);
    offset = rng.int(0, heartbeatUs - 1);
    if (lastHbAt[leader] > since) {
      world.runUntil(lastHbAt[leader] + offset);
      if (knownLeader(world, -1) === leader) break;
    }
    if (attempt >= 100) return { seed, knownUs: null, electedUs: null, rounds: 0, crashOffsetUs: 0, unsettled: true };
  }
  termAtCrash = (world.nodes[leader] as MetaServer).raft.term();
  world.crash(leader);
  const crashAt = world.now;

  let found = -1;
  world.runUntil(crashAt + capUs, () => (found = knownLeader(world, termAtCrash)) >= 0);
  if (found < 0) return { seed, knownUs: null, electedUs: firstLeaderAt < 0 ? null : firstLeaderAt - crashAt, rounds: 0, crashOffsetUs: offset };
  const newTerm = (world.nodes[found] as MetaServer).raft.term();
  return { seed, knownUs: world.now - crashAt, electedUs: firstLeaderAt - crashAt, rounds: newTerm - termAtCrash, crashOffsetUs: offset };
}

function summarize(range: TimeoutRange, results: readonly TrialResult[], capUs: number): Figure16Row {
  const known = results.map((r) => (r.knownUs ?? capUs) / MS);
  const elected = results.filter((r) => r.knownUs !== null && r.electedUs !== null).map((r) => r.electedUs! / MS);
  const done = results.filter((r) => r.knownUs !== null);
  const label = rangeLabel(range);
  const knownQ = quantiles(known);
  return {
    range: label,
    minMs: range.minMs,
    maxMs: range.maxMs,
    heartbeatMs: Math.floor((range.minMs * MS) / 2) / MS,
    trials: results.length,
    capped: results.length - done.length,
    unsettled: results.filter((r) => r.unsettled === true).length,
    known: knownQ,
    elected: elected.length > 0 ? quantiles(elected) : null,
    splitVoteFraction: done.length === 0 ? 1 : (results.length - done.length + done.filter((r) => r.rounds > 1).length) / results.length,
    meanRounds: done.length === 0 ? 0 : done.reduce((a, r) => a + r.rounds, 0) / done.length,
    paper: PAPER_FIGURE16[label]?.text ?? null,
    deviation: deviations(label, knownQ),
  };
}

/** Nearest-rank quantiles. */
export function quantiles(xs: readonly number[]): Quantiles {
  if (xs.length === 0) throw new Error("quantiles of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { min: s[0], median: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/** The table as text: our numbers, then what the paper says about the range. */
export function formatFigure16(t: Figure16Table): string {
  const fmt = (v: number) => (v >= t.capMs ? `>${t.capMs.toFixed(0)}` : v.toFixed(1));
  const head = ["range ms", "hb ms", "trials", "capped", "min", "median", "p90", "p99", "max", "mean", "elect med", "split", "paper (§9.3)"];
  const body = t.rows.map((r) => [
    r.range,
    r.heartbeatMs.toFixed(1),
    String(r.trials),
    String(r.capped),
    fmt(r.known.min),
    fmt(r.known.median),
    fmt(r.known.p90),
    fmt(r.known.p99),
    fmt(r.known.max),
    r.capped > 0 ? `>${r.known.mean.toFixed(1)}` : r.known.mean.toFixed(1),
    r.elected === null ? "-" : r.elected.median.toFixed(1),
    `${(r.splitVoteFraction * 100).toFixed(1)}%`,
    r.unsettled > 0 ? `did not settle: ${r.unsettled} of ${r.trials} trials never had a stable leader to crash` : paperCell(r),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ").trimEnd();
  const s = t.setup;
  return [
    `Figure 16 (Raft paper §9.3): time from leader crash to a new leader known by a majority, ms`,
    `${s.servers} servers, one-way latency ${s.latencyMedianMs} ms (lognormal sigma ${s.latencySigma}), fsync ${s.fsyncMedianMs} ms, no loss; PreVote off, CheckQuorum off; heartbeat = min timeout / 2; seed ${t.seed}; cap ${t.capMs / 1000} s`,
    "",
    line(head),
    line(head.map((_, i) => "-".repeat(w[i]))),
    ...body.map(line),
    "",
    `columns: min..mean = crash → leader known by 3 of 5; "elect med" = crash → first node becomes leader (median);`,
    `split = trials needing more than one election round (new term − old term > 1; capped trials count as split).`,
    `paper: the figure the paper's text gives, then ours and the deviation (ours / paper − 1); "!" marks more than 25% off.`,
  ].join("\n");
}

function paperCell(r: Figure16Row): string {
  if (r.deviation.length === 0) return r.paper ?? "(CDF only)";
  return r.deviation
    .map((d) => {
      const ours = d.oursMs >= 1000 ? `${(d.oursMs / 1000).toFixed(1)} s` : `${d.oursMs.toFixed(0)} ms`;
      if (d.kind === ">") return `${d.stat} > ${d.ms / 1000} s: ours ${ours} (${d.close ? "holds" : "! does not hold"})`;
      const pct = (d.ratio - 1) * 100;
      return `${d.stat} ${d.ms}: ours ${ours} (${pct >= 0 ? "+" : ""}${pct.toFixed(0)}%${d.close ? "" : " !"})`;
    })
    .join("; ");
}
