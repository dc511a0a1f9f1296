// One simulation run of the placeholder world: 5 ping/pong nodes, one client actor, a swarm
// fault schedule (or an explicit one), online invariant checks, a liveness phase after the
// final heal. The CLI and sweeps call runSimulation(); the Raft cluster will provide its own
// function with the same shape (RunOptions → RunResult).
import { PlaceholderNode, PING_PERIOD_US, type PMsg, type PRecord, type PRep, type PReq } from "../impl/placeholder/node.js";
import { AssertionError } from "./kernel/assert.js";
import { generateSchedule, type FaultAction, type FaultFamily } from "./nemesis.js";
import { PlaceholderClient } from "./placeholder-client.js";
import { BudgetExhaustedError } from "./kernel/scheduler.js";
import type { Trace } from "./kernel/trace.js";
import { World, type WorldStats } from "./kernel/world.js";

export type Verdict = "ok" | "violation" | "liveness";

export interface Scenario {
  readonly name: string;
  readonly faults: readonly FaultAction[];
}

export interface RunOptions {
  readonly seed: number;
  /** Total simulated time, µs (fault phase + liveness phase). */
  readonly timeUs: number;
  /** Explicit fault schedule; null → generated from the seed (swarm). */
  readonly scenario?: Scenario | null;
  /** Keep trace records for --trace. */
  readonly keepTrace?: boolean;
  readonly servers?: number;
  readonly clients?: number;
  /** Fault families the swarm may enable (default: all). */
  readonly families?: readonly FaultFamily[];
}

export interface RunResult {
  readonly seed: number;
  readonly scenario: string | null;
  readonly verdict: Verdict;
  /** Why the verdict is not ok. */
  readonly message: string | null;
  readonly traceHash: string;
  readonly stats: WorldStats;
  readonly families: readonly FaultFamily[];
  readonly faults: readonly FaultAction[];
  readonly trace: Trace;
}

const S = 1_000_000;

/** The liveness window after the final heal: a third of the run, at most 10 s. */
export function livenessWindowUs(timeUs: number): number {
  return Math.min(10 * S, Math.floor(timeUs / 3));
}

export function runSimulation(opts: RunOptions): RunResult {
  const N = opts.servers ?? 5;
  const C = opts.clients ?? 1;
  const timeUs = opts.timeUs;
  const healAt = timeUs - livenessWindowUs(timeUs);
  // Online check: a node's counter never falls below what it had acknowledged as durable.
  const ackedDurable = new Float64Array(N);
  const world: World<PMsg, PReq, PRecord, PRep> = new World<PMsg, PReq, PRecord, PRep>({
    seed: opts.seed,
    servers: N,
    clients: C,
    factory: (_id, env, rec) => new PlaceholderNode(env, N, rec),
    actorFactory: (_id, env) => new PlaceholderClient(env, N, 500_000),
    keepTrace: opts.keepTrace ?? false,
    budget: 1_000_000 + Math.ceil(timeUs / S) * 200_000,
    traceKey: (m) => {
      const msg = m as PMsg | PReq | PRep;
      return msg.type === "ping" ? 1 + msg.seq * 4 : msg.type === "pong" ? 2 + msg.seq * 4 : msg.type === "get" ? 3 : 4;
    },
    afterEachEvent: (w) => {
      for (let i = 0; i < N; i++) {
        const n = w.nodes[i] as PlaceholderNode | null;
        if (n === null) continue;
        if (n.counterValue < ackedDurable[i])
          throw new AssertionError(`node ${i}: counter ${n.counterValue} below acknowledged durable ${ackedDurable[i]} at t=${w.now}us`);
        if (n.durableCounter > ackedDurable[i]) ackedDurable[i] = n.durableCounter;
      }
    },
  });

  let families: readonly FaultFamily[] = [];
  let faults: readonly FaultAction[];
  let lastHeal = healAt;
  if (opts.scenario) {
    faults = opts.scenario.faults;
    const heals = faults.filter((f) => f.kind === "heal-all");
    if (heals.length === 0) faults = [...faults, { at: healAt, kind: "heal-all" }];
    else lastHeal = Math.max(...heals.map((f) => f.at));
  } else {
    const g = generateSchedule(world.rng.fork("nemesis"), { servers: N, healAtUs: healAt, families: opts.families });
    families = g.families;
    faults = g.actions;
  }
  world.scheduleFaults(faults);

  let verdict: Verdict = "ok";
  let message: string | null = null;
  try {
    world.runUntil(lastHeal);
    // Liveness: after the final heal every node hears a pong from every peer.
    const base = world.nodes.map((n) => (n as PlaceholderNode | null)?.pongsFrom.slice() ?? null);
    const nodesAtHeal = world.nodes.slice();
    world.runUntil(Math.max(timeUs, lastHeal + 2 * PING_PERIOD_US));
    const stuck: string[] = [];
    for (let i = 0; i < N; i++) {
      const n = world.nodes[i] as PlaceholderNode | null;
      if (n === null || n !== nodesAtHeal[i] || base[i] === null) { stuck.push(`${i} (down)`); continue; }
      for (let p = 0; p < N; p++) if (p !== i && n.pongsFrom[p] <= base[i]![p]) stuck.push(`${i}<-${p}`);
    }
    if (stuck.length > 0) {
      verdict = "liveness";
      message = `no pong after the final heal at t=${lastHeal}us: ${stuck.slice(0, 8).join(", ")}`;
    }
  } catch (e) {
    if (e instanceof BudgetExhaustedError) {
      verdict = "liveness";
      message = e.message;
    } else if (e instanceof Error) {
      verdict = "violation";
      message = `${e.name}: ${e.message}`;
    } else throw e;
  }
  return {
    seed: opts.seed,
    scenario: opts.scenario?.name ?? null,
    verdict,
    message,
    traceHash: world.trace.hash(),
    stats: world.stats(),
    families,
    faults,
    trace: world.trace,
  };
}
