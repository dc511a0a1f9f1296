// Fault schedules as plain data, a swarm-mode generator, and the executor.
// A schedule is a list of timed actions (absolute virtual µs). Generated schedules draw every
// choice (which nodes, which halves) at generation time, so an action means the same thing
// wherever it sits in the list — removing one (shrinking) does not change the others.
// Swarm testing (as TigerBeetle's VOPR): each seed enables a random subset of fault families
// at random rates. Every generated schedule ends with "heal-all", then a liveness phase runs.
import { assert } from "./kernel/assert.js";
import type { LossMode } from "./kernel/disk.js";
import { range } from "./kernel/network.js";
import type { Rng } from "./kernel/rng.js";
import { T } from "./kernel/trace.js";
import type { World } from "./kernel/world.js";

export type FaultAction =
  | { readonly at: number; readonly kind: "partition-halves"; readonly side: readonly number[] }
  | { readonly at: number; readonly kind: "partition-ring"; readonly order: readonly number[] }
  | { readonly at: number; readonly kind: "partition-bridge"; readonly side: readonly number[]; readonly bridge: number }
  | { readonly at: number; readonly kind: "isolate"; readonly node: number }
  | { readonly at: number; readonly kind: "cut-one-way"; readonly from: number; readonly to: number }
  | { readonly at: number; readonly kind: "heal" }
  | { readonly at: number; readonly kind: "crash" | "restart" | "pause" | "resume"; readonly node: number }
  | { readonly at: number; readonly kind: "clock-offset" | "clock-jump"; readonly node: number; readonly us: number }
  | { readonly at: number; readonly kind: "clock-drift"; readonly node: number; readonly ppm: number }
  /** Jepsen's clock strobe: the node's clock jumps +us and back every periodUs for durationUs,
   * ending where it started. */
  | { readonly at: number; readonly kind: "clock-strobe"; readonly node: number; readonly us: number; readonly periodUs: number; readonly durationUs: number }
  | { readonly at: number; readonly kind: "disk-lose-unsynced"; readonly node: number; readonly mode: LossMode }
  | { readonly at: number; readonly kind: "clog"; readonly from: number; readonly to: number; readonly durationUs: number }
  | {
      readonly at: number;
      readonly kind: "net";
      readonly latencyMedianUs?: number;
      readonly latencySigma?: number;
      readonly lossP?: number;
      readonly dupP?: number;
    }
  | { readonly at: number; readonly kind: "heal-all" }
  /** Leader-aware: aimed at whichever node is leader when the action runs (no-op if none). */
  | { readonly at: number; readonly kind: "isolate-leader" }
  | { readonly at: number; readonly kind: "crash-leader"; readonly downUs: number }
  /** Armed at `at` for `times` firings. Each firing waits for a leader to be elected, or to
   * make the first commit of its term (when earlier terms' entries get committed), and cuts
   * that leader off at once — messages it sent in that step are still in flight and die on
   * the cut link — then reconnects it after durationUs. The first firing waits for `event`,
   * later ones for an event drawn at random. Protocol-timed faults reach windows that
   * clock-timed ones almost never hit: Figure 8 needs two in a row. */
  | { readonly at: number; readonly kind: "isolate-leader-on"; readonly event: LeaderEvent; readonly durationUs: number; readonly times: number }
  | { readonly at: number; readonly kind: "reconnect"; readonly node: number }
  /** Backup restore: the node crashes, its disk is replaced by the durable state it had `back`
   * backups ago (backups are taken when it drops WAL segments after a durable snapshot; none
   * yet: its initial empty disk), the operator writes the restore marker, and it restarts.
   * Skipped (no-op) when the node is down or when it would leave fewer than a quorum of nodes
   * without a marker (a majority restored from backups loses committed data: out of scope). */
  | { readonly at: number; readonly kind: "snapshot-restore"; readonly node: number; readonly back: number }
  // ---- membership (operator actions, issued through the world to the servers, never through
  // the client history; see MembershipOp) ----
  /** The node joins the universe through `via` (any server; a non-leader redirects it to the
   * leader, who adds it as a learner and promotes it once caught up). Until the leader lists
   * it as a member the operator retries every 250 ms, `tries` times in all (through a random
   * server after the first). */
  | { readonly at: number; readonly kind: "member-add"; readonly node: number; readonly via: number; readonly tries: number }
  /** The current leader removes `node` (voter or learner); readdUs > 0: the operator re-adds
   * it that much later (member-add through a random server). */
  | { readonly at: number; readonly kind: "member-remove"; readonly node: number; readonly readdUs: number }
  /** The current leader removes itself (it steps down once that configuration commits). */
  | { readonly at: number; readonly kind: "member-remove-leader"; readonly readdUs: number }
  /** Protocol-timed churn, like isolate-leader-on: armed for `times` firings; each waits for a
   * leader to be elected (or to make its term's first commit) and at once asks it for one or
   * two configuration changes (remove a voter, promote a learner, remove itself), then cuts
   * it off — alone or with one other voter — for about durationUs. Removed servers are
   * re-added later. This is where a leader's change races an earlier leader's change. */
  | { readonly at: number; readonly kind: "member-churn-on"; readonly event: LeaderEvent; readonly durationUs: number; readonly times: number }
  /** One churn step on the current leader now (what member-churn-on fires). */
  | { readonly at: number; readonly kind: "member-churn"; readonly durationUs: number };

/** What the world's membership hook is asked to do (see World.membership). */
export type MembershipOp =
  | { readonly kind: "add"; readonly node: number; readonly via: number }
  | { readonly kind: "remove"; readonly node: number }
  | { readonly kind: "remove-leader" }
  | { readonly kind: "churn" };

/** done: add — the node is a member in the leader's configuration; others — a change was
 * proposed. removed: servers a change removed. cut: servers to cut off together (churn). */
export interface MembershipOutcome {
  readonly done: boolean;
  readonly leader: number;
  readonly removed: readonly number[];
  readonly cut: readonly number[];
}

export type LeaderEvent = "elected" | "first-commit";

export type FaultKind = FaultAction["kind"];

export const FAULT_KINDS: readonly FaultKind[] = [
  "partition-halves", "partition-ring", "partition-bridge", "isolate", "cut-one-way", "heal",
  "crash", "restart", "pause", "resume", "clock-offset", "clock-jump", "clock-drift", "clock-strobe",
  "disk-lose-unsynced", "clog", "net", "heal-all", "isolate-leader", "crash-leader",
  "isolate-leader-on", "reconnect", "snapshot-restore",
  "member-add", "member-remove", "member-remove-leader", "member-churn-on", "member-churn",
];

/** Trace code per kind (stable: the trace hash depends on it). */
export const FAULT_CODE: Record<FaultKind, number> = Object.fromEntries(
  FAULT_KINDS.map((k, i) => [k, i + 1]),
) as Record<FaultKind, number>;

/** Groups the swarm generator switches on and off as a whole. */
export type FaultFamily = "partition" | "crash" | "pause" | "clock" | "disk" | "clog" | "net" | "timed" | "membership";
export const FAULT_FAMILIES: readonly FaultFamily[] = ["partition", "crash", "pause", "clock", "disk", "clog", "net", "timed", "membership"];

/** How a run's servers start (ClusterRunOptions.membership): servers 0..initialVoters-1 are
 * the initial voters — or, with bootstrap, server 0 alone bootstraps the universe and 1..
 * initialVoters-1 join it at the start — and the rest are spares that start outside the
 * configuration with empty disks, waiting to join. */
export interface MembershipSetup {
  readonly initialVoters: number;
  readonly bootstrap: boolean;
}

export interface SwarmOptions {
  servers: number;
  /** Faults happen in [startUs, healAtUs); "heal-all" at healAtUs. */
  startUs?: number;
  healAtUs: number;
  /** Families allowed (default all); the swarm enables a random non-empty subset of them. */
  families?: readonly FaultFamily[];
  /** Enable every family of the pool instead of a random subset. */
  everyFamily?: boolean;
}

export interface GeneratedSchedule {
  readonly families: readonly FaultFamily[];
  /** Set when the membership family is on: how the servers start. */
  readonly membership?: MembershipSetup;
  readonly actions: readonly FaultAction[];
  readonly healAtUs: number;
}

const MS = 1_000;
const S = 1_000_000;

export function generateSchedule(rng: Rng, opts: SwarmOptions): GeneratedSchedule {
  const N = opts.servers;
  const start = opts.startUs ?? 0;
  const end = opts.healAtUs;
  assert(end >= start, "nemesis: healAt before start");
  const pool = opts.families ?? FAULT_FAMILIES;
  // Membership is drawn from a stream of its own (in 30% of the seeds whose pool has it), so
  // the other families' draws are exactly what they were before it existed.
  const legacy = pool.filter((f) => f !== "membership");
  const drawn: FaultFamily[] = legacy.filter(() => rng.chance(0.5));
  if (drawn.length === 0 && legacy.length > 0) drawn.push(rng.pick(legacy));
  if (legacy.length < pool.length && (legacy.length === 0 || rng.fork("family/membership/draw").chance(0.3))) drawn.push("membership");
  // everyFamily: the whole pool on every seed (rates are still drawn per family).
  const families = opts.everyFamily ? [...pool] : drawn;
  const out: FaultAction[] = [];
  let membership: MembershipSetup | undefined;
  const span = Math.max(1, end - start);
  const emit = (a: FaultAction) => { if (a.at >= start && a.at < end) out.push(a); };

  for (const fam of FAULT_FAMILIES) {
    if (!families.includes(fam)) continue;
    const r = rng.fork(`family/${fam}`); // families never shift each other's draws
    // Mean gap between episodes: between 1/20 and 1/2 of the fault window, at least 50 ms.
    const meanGap = Math.max(50 * MS, span / r.int(2, 20));
    const episodes = (f: (at: number) => void) => {
      for (let t = start + Math.round(r.exponential(meanGap)); t < end; t += Math.max(1, Math.round(r.exponential(meanGap)))) f(t);
    };
    const dur = () => Math.max(MS, Math.round(r.exponential(r.pick([200 * MS, S, 3 * S]))));
    switch (fam) {
      case "membership": {
        // Spares outside the configuration (0-2), sometimes a bootstrapped universe; spares
        // join at random times; episodes remove a voter or the leader and re-add it later, or
        // arm protocol-timed churn right after elections / first commits.
        const spares = N >= 3 ? r.int(0, 2) : 0;
        membership = { initialVoters: N - spares, bootstrap: r.chance(0.25) };
        for (let node = N - spares; node < N; node++) {
          emit({ at: start + Math.round(r.exponential(span / 4)), kind: "member-add", node, via: r.int(0, N - spares - 1), tries: 40 });
        }
        episodes((at) => {
          const what = r.int(0, 3);
          if (what === 0) emit({ at, kind: "member-remove", node: r.int(0, N - 1), readdUs: dur() });
          else if (what === 1) emit({ at, kind: "member-remove-leader", readdUs: dur() });
          else emit({ at, kind: "member-churn-on", event: what === 2 ? "elected" : "first-commit", durationUs: r.int(100 * MS, 800 * MS), times: r.int(1, 6) });
        });
        break;
      }
      case "partition":
        episodes((at) => {
          const ids = r.shuffle(range(N));
          const half = Math.floor(N / 2);
          const what = r.int(0, 4);
          if (what === 0) emit({ at, kind: "partition-halves", side: ids.slice(0, half) });
          else if (what === 1) emit({ at, kind: "partition-ring", order: ids });
          else if (what === 2 && N >= 3) emit({ at, kind: "partition-bridge", side: ids.slice(1, 1 + half), bridge: ids[0] });
          else if (what === 3) emit(r.chance(0.5) ? { at, kind: "isolate-leader" } : { at, kind: "isolate", node: ids[0] });
          else if (N >= 2) emit({ at, kind: "cut-one-way", from: ids[0], to: ids[1] });
          emit({ at: at + dur(), kind: "heal" });
        });
        break;
      case "timed":
        // Protocol-timed isolation of leaders (see "isolate-leader-on"), in bursts.
        // Cuts last on the order of an election, so a cut leader is back while the cluster is
        // still settling — which is when a stale leader's log can matter.
        episodes((at) =>
          emit({ at, kind: "isolate-leader-on", event: r.chance(0.5) ? "elected" : "first-commit", durationUs: r.int(100 * MS, 800 * MS), times: r.int(1, 8) }),
        );
        break;
      case "crash": {
        episodes((at) => {
          if (r.chance(0.4)) return emit({ at, kind: "crash-leader", downUs: dur() });
          const node = r.int(0, N - 1);
          emit({ at, kind: "crash", node });
          emit({ at: at + dur(), kind: "restart", node });
        });
        // Backup restores ride with crashes, from their own stream (the crash draws above stay
        // as they were): in half the seeds, at a rate of their own — some seeds restore often.
        const rr = rng.fork("family/crash/restore");
        if (rr.chance(0.5)) {
          const gap = Math.max(100 * MS, span / rr.int(2, 40));
          for (let t = start + Math.round(rr.exponential(gap)); t < end; t += Math.max(1, Math.round(rr.exponential(gap)))) {
            emit({ at: t, kind: "snapshot-restore", node: rr.int(0, N - 1), back: rr.int(1, 3) });
          }
        }
        break;
      }
      case "pause":
        episodes((at) => {
          const node = r.int(0, N - 1);
          emit({ at, kind: "pause", node });
          emit({ at: at + dur(), kind: "resume", node });
        });
        break;
      case "clock":
        episodes((at) => {
          const node = r.int(0, N - 1);
          const what = r.int(0, 2);
          if (what === 0) emit({ at, kind: "clock-drift", node, ppm: r.int(-1000, 1000) });
          else if (what === 1) {
            if (r.chance(0.5)) emit({ at, kind: "clock-jump", node, us: r.int(-2 * S, 2 * S) });
            else emit({ at, kind: "clock-strobe", node, us: r.int(1 * MS, 500 * MS), periodUs: r.int(1 * MS, 100 * MS), durationUs: r.int(100 * MS, 2 * S) });
          }
          else emit({ at, kind: "clock-offset", node, us: r.int(0, 10 * S) });
        });
        break;
      case "disk": {
        const modes: LossMode[] = ["all", "prefix", "torn"];
        for (let node = 0; node < N; node++) emit({ at: start, kind: "disk-lose-unsynced", node, mode: r.pick(modes) });
        break;
      }
      case "clog":
        episodes((at) => {
          const from = r.int(0, N - 1);
          const to = (from + r.int(1, Math.max(1, N - 1))) % N;
          if (from !== to) emit({ at, kind: "clog", from, to, durationUs: dur() });
        });
        break;
      case "net":
        emit({
          at: start,
          kind: "net",
          latencyMedianUs: r.int(100, 10 * MS),
          latencySigma: r.int(0, 120) / 100,
          lossP: r.pick([0, 0.01, 0.05, 0.2]),
          dupP: r.pick([0, 0.01, 0.05]),
        });
        break;
    }
  }
  // Stable sort by time: equal times keep family order, itself fixed.
  const sorted = out.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a);
  sorted.push({ at: end, kind: "heal-all" });
  return { families, actions: sorted, healAtUs: end, ...(membership !== undefined ? { membership } : {}) };
}

/** Apply one action to the world now. Actions on a node in the wrong state are no-ops. */
export function applyFault(w: World<any, any, any, any>, f: FaultAction): void {
  const now = w.sched.now;
  let a = -1, b = -1, c = 0;
  switch (f.kind) {
    case "partition-halves": w.net.partition(f.side); a = f.side.length; break;
    case "partition-ring": w.net.majoritiesRing(f.order); break;
    case "partition-bridge": w.net.bridge(f.side, f.bridge); a = f.side.length; b = f.bridge; break;
    case "isolate": w.net.isolate(f.node); a = f.node; break;
    case "cut-one-way": w.net.cutOneWay(f.from, f.to); a = f.from; b = f.to; break;
    case "heal": w.net.heal(); break;
    case "crash": w.crash(f.node); a = f.node; break;
    case "restart": w.restart(f.node); a = f.node; break;
    case "pause": w.pause(f.node); a = f.node; break;
    case "resume": w.resume(f.node); a = f.node; break;
    case "clock-offset": w.clockOffset(f.node, f.us); a = f.node; c = f.us | 0; break;
    case "clock-jump": w.clockJump(f.node, f.us); a = f.node; c = f.us | 0; break;
    case "clock-drift": w.clockDrift(f.node, f.ppm); a = f.node; c = f.ppm | 0; break;
    case "clock-strobe": {
      // Expanded into jumps now; an even count, so the clock ends where it started.
      const jumps: FaultAction[] = [];
      const n = 2 * Math.max(1, Math.floor(f.durationUs / (2 * f.periodUs)));
      for (let i = 0; i < n; i++) jumps.push({ at: now + i * f.periodUs, kind: "clock-jump", node: f.node, us: i % 2 === 0 ? f.us : -f.us });
      w.scheduleFaults(jumps);
      a = f.node; c = f.us | 0;
      break;
    }
    case "disk-lose-unsynced": w.setLossMode(f.node, f.mode); a = f.node; b = f.mode === "all" ? 0 : f.mode === "prefix" ? 1 : 2; break;
    case "clog": w.net.clog(f.from, f.to, now + f.durationUs); a = f.from; b = f.to; c = f.durationUs | 0; break;
    case "net": {
      const cfg = w.net.cfg;
      if (f.latencyMedianUs !== undefined) cfg.latencyMedianUs = f.latencyMedianUs;
      if (f.latencySigma !== undefined) cfg.latencySigma = f.latencySigma;
      if (f.lossP !== undefined) cfg.lossP = f.lossP;
      if (f.dupP !== undefined) cfg.dupP = f.dupP;
      a = cfg.latencyMedianUs | 0; b = Math.round(cfg.lossP * 1e6); c = Math.round(cfg.dupP * 1e6);
      break;
    }
    case "heal-all": healAll(w); break;
    case "isolate-leader":
      a = w.leader;
      if (a >= 0) w.net.isolate(a);
      break;
    case "isolate-leader-on":
      w.armLeaderTrigger(f.event, f.durationUs, f.times);
      a = f.event === "elected" ? 0 : 1;
      c = f.durationUs | 0;
      break;
    case "reconnect":
      w.net.reconnect(f.node);
      a = f.node;
      break;
    case "snapshot-restore":
      a = f.node;
      b = w.snapshotRestore(f.node, f.back) ? 1 : 0;
      c = f.back;
      break;
    case "member-add": {
      a = f.node;
      b = f.via;
      const r = w.membership === undefined ? null : w.membership(w, { kind: "add", node: f.node, via: f.via });
      if (r !== null && !r.done && f.tries > 1) {
        let via = w.faultRng.int(0, w.servers - 1);
        if (via === f.node) via = (via + 1) % w.servers;
        w.scheduleFaults([{ at: now + 250 * 1000, kind: "member-add", node: f.node, via, tries: f.tries - 1 }]);
      }
      c = r === null ? -1 : r.done ? 1 : 0;
      break;
    }
    case "member-remove":
    case "member-remove-leader": {
      const r = w.membership === undefined ? null : w.membership(w, f.kind === "member-remove" ? { kind: "remove", node: f.node } : { kind: "remove-leader" });
      a = f.kind === "member-remove" ? f.node : (r?.leader ?? -1);
      b = r !== null && r.done ? 1 : 0;
      if (r !== null && f.readdUs > 0) readd(w, r.removed, now + f.readdUs);
      c = f.readdUs | 0;
      break;
    }
    case "member-churn-on":
      w.armMemberTrigger(f.event, f.durationUs, f.times);
      a = f.event === "elected" ? 0 : 1;
      c = f.durationUs | 0;
      break;
    case "member-churn": {
      const r = w.membership === undefined ? null : w.membership(w, { kind: "churn" });
      a = r?.leader ?? -1;
      b = r === null ? 0 : r.removed.length;
      c = f.durationUs | 0;
      if (r !== null && r.cut.length > 0) {
        const d = w.faultRng.int(Math.ceil(f.durationUs / 2), Math.ceil((f.durationUs * 3) / 2));
        if (r.cut.length === 1) {
          w.net.isolate(r.cut[0]);
          w.scheduleFaults([{ at: now + d, kind: "reconnect", node: r.cut[0] }]);
        } else {
          w.net.partition(r.cut);
          w.scheduleFaults([{ at: now + d, kind: "heal" }]);
        }
        if (r !== null) readd(w, r.removed, now + d + w.faultRng.int(0, f.durationUs));
      } else if (r !== null) readd(w, r.removed, now + f.durationUs);
      break;
    }
    case "crash-leader":
      a = w.leader;
      if (a >= 0) {
        w.crash(a);
        w.scheduleFaults([{ at: now + f.downUs, kind: "restart", node: a }]);
      }
      c = f.downUs | 0;
      break;
    default: {
      const never: never = f;
      assert(false, `nemesis: unknown fault ${JSON.stringify(never)}`);
    }
  }
  w.trace.add(T.fault, now, FAULT_CODE[f.kind], a, b, c);
}

/** The operator re-adds removed servers later, through a random server. */
function readd(w: World<any, any, any, any>, nodes: readonly number[], at: number): void {
  for (const node of nodes) {
    let via = w.faultRng.int(0, w.servers - 1);
    if (via === node) via = (via + 1) % w.servers;
    w.scheduleFaults([{ at, kind: "member-add", node, via, tries: 40 }]);
  }
}

/** Restart crashed nodes, resume paused ones, heal and unclog the network, restore the base
 * network profile, stop clock drift (offsets stay: a node never sees real time). */
export function healAll(w: World<any, any, any, any>): void {
  w.disarmLeaderTrigger();
  w.net.heal();
  w.net.unclogAll();
  w.net.cfg = { ...w.baseNet };
  for (let i = 0; i < w.servers; i++) {
    w.restart(i);
    w.resume(i);
    if (w.clocks[i].driftPpm !== 0) w.clockDrift(i, 0);
  }
}
