// Swarm-mode schedule generation (as TigerBeetle's VOPR): each seed enables a random subset of
// fault families at random rates; every generated schedule ends with "heal-all", then the
// system's liveness phase runs. A family is a definition (name, how it is drawn, what it
// emits); the generic ones are here, a system adds its own (Raft: "timed", "membership").
//
// Draw order is part of every trace hash, so it is fixed: "coin" families are drawn one
// chance(0.5) each from the schedule stream, in pool order; families with a stream of their own
// ({p}) are drawn afterwards, each from `family/<name>/draw`, so adding one moved no other
// family's draw. Each enabled family then generates from its own stream `family/<name>`, in
// the order of the system's family list, and the result is stably sorted by time.
import { assert } from "../kernel/assert.js";
import type { LossMode } from "../kernel/disk.js";
import { range } from "../kernel/network.js";
import type { Rng } from "../kernel/rng.js";
import type { FaultAction } from "./kinds.js";
import { MS, S } from "../../util/time.js";


/** What a family's generator gets besides its own stream. */
export interface FamilyContext {
  readonly servers: number;
  /** Faults happen in [start, end); "heal-all" at end. */
  readonly start: number;
  readonly end: number;
  readonly span: number;
  /** The schedule stream itself, for sub-streams a family forks (e.g. family/crash/restore). */
  readonly root: Rng;
  /** Keep an action if it falls in [start, end). */
  emit(a: FaultAction): void;
  /** Call f at the start of each episode (exponential gaps, a mean drawn per family). */
  episodes(f: (at: number) => void): void;
  /** A random episode duration (exponential around 200 ms, 1 s or 3 s). */
  dur(): number;
  /** Pass something to the system's run setup (Raft: how the servers start). */
  setExtra(key: string, value: unknown): void;
}

export interface SwarmFamily {
  readonly name: string;
  /** "coin": one chance(0.5) from the schedule stream; {p}: from a stream of its own. */
  readonly draw: "coin" | { readonly p: number };
  generate(r: Rng, ctx: FamilyContext): void;
}

export interface SwarmOptions {
  servers: number;
  /** Faults happen in [startUs, healAtUs); "heal-all" at healAtUs. */
  startUs?: number;
  healAtUs: number;
  /** The system's family definitions, in generation order. */
  definitions: readonly SwarmFamily[];
  /** Families allowed, by name (default all the definitions); the swarm enables a random
   * non-empty subset of them. */
  families?: readonly string[];
  /** Enable every family of the pool instead of a random subset. */
  everyFamily?: boolean;
}

export interface GeneratedSchedule {
  readonly families: readonly string[];
  readonly actions: readonly FaultAction[];
  readonly healAtUs: number;
  /** What families passed to the system's setup (setExtra). */
  readonly extras: Readonly<Record<string, unknown>>;
}

export function generateSchedule(rng: Rng, opts: SwarmOptions): GeneratedSchedule {
  const N = opts.servers;
  const start = opts.startUs ?? 0;
  const end = opts.healAtUs;
  assert(end >= start, "nemesis: healAt before start");
  const defs = opts.definitions;
  const pool = opts.families ?? defs.map((d) => d.name);
  for (const f of pool) assert(defs.some((d) => d.name === f), `nemesis: unknown fault family "${f}"`);
  const drawOf = (name: string) => defs.find((d) => d.name === name)!.draw;
  const coin = pool.filter((f) => drawOf(f) === "coin");
  const drawn: string[] = coin.filter(() => rng.chance(0.5));
  if (drawn.length === 0 && coin.length > 0) drawn.push(rng.pick(coin));
  for (const f of pool) {
    const d = drawOf(f);
    if (d !== "coin" && (coin.length === 0 || rng.fork(`family/${f}/draw`).chance(d.p))) drawn.push(f);
  }
  // everyFamily: the whole pool on every seed (rates are still drawn per family).
  const families = opts.everyFamily ? [...pool] : drawn;
  const out: FaultAction[] = [];
  const extras: Record<string, unknown> = {};
  const span = Math.max(1, end - start);
  const emit = (a: FaultAction) => {
    if (a.at >= start && a.at < end) out.push(a);
  };

  for (const def of defs) {
    if (!families.includes(def.name)) continue;
    const r = rng.fork(`family/${def.name}`); // families never shift each other's draws
    // Mean gap between episodes: between 1/20 and 1/2 of the fault window, at least 50 ms.
    const meanGap = Math.max(50 * MS, span / r.int(2, 20));
    def.generate(r, {
      servers: N,
      start,
      end,
      span,
      root: rng,
      emit,
      episodes: (f) => {
        for (let t = start + Math.round(r.exponential(meanGap)); t < end; t += Math.max(1, Math.round(r.exponential(meanGap)))) f(t);
      },
      dur: () => Math.max(MS, Math.round(r.exponential(r.pick([200 * MS, S, 3 * S])))),
      setExtra: (k, v) => {
        extras[k] = v;
      },
    });
  }
  // Stable sort by time: equal times keep family order, itself fixed.
  const sorted = out.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a);
  sorted.push({ at: end, kind: "heal-all" });
  return { families, actions: sorted, healAtUs: end, extras };
}

// ---- the generic families --------------------------------------------------------------------

export const partitionFamily: SwarmFamily = {
  name: "partition",
  draw: "coin",
  generate(r, { servers: N, emit, episodes, dur }) {
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
  },
};

export const crashFamily: SwarmFamily = {
  name: "crash",
  draw: "coin",
  generate(r, { servers: N, start, end, span, root, emit, episodes, dur }) {
    episodes((at) => {
      if (r.chance(0.4)) return emit({ at, kind: "crash-leader", downUs: dur() });
      const node = r.int(0, N - 1);
      emit({ at, kind: "crash", node });
      emit({ at: at + dur(), kind: "restart", node });
    });
    // Backup restores ride with crashes, from their own stream (the crash draws above stay as
    // they were): in half the seeds, at a rate of their own — some seeds restore often.
    const rr = root.fork("family/crash/restore");
    if (rr.chance(0.5)) {
      const gap = Math.max(100 * MS, span / rr.int(2, 40));
      for (let t = start + Math.round(rr.exponential(gap)); t < end; t += Math.max(1, Math.round(rr.exponential(gap)))) {
        emit({ at: t, kind: "snapshot-restore", node: rr.int(0, N - 1), back: rr.int(1, 3) });
      }
    }
  },
};

export const pauseFamily: SwarmFamily = {
  name: "pause",
  draw: "coin",
  generate(r, { servers: N, emit, episodes, dur }) {
    episodes((at) => {
      const node = r.int(0, N - 1);
      emit({ at, kind: "pause", node });
      emit({ at: at + dur(), kind: "resume", node });
    });
  },
};

export const clockFamily: SwarmFamily = {
  name: "clock",
  draw: "coin",
  generate(r, { servers: N, end, emit, episodes }) {
    episodes((at) => {
      const node = r.int(0, N - 1);
      const what = r.int(0, 2);
      if (what === 0) emit({ at, kind: "clock-drift", node, ppm: r.int(-1000, 1000) });
      else if (what === 1) {
        if (r.chance(0.5)) emit({ at, kind: "clock-jump", node, us: r.int(-2 * S, 2 * S) });
        else {
          // The strobe's jumps are scheduled when it starts, and heal-all does not cancel them:
          // a strobe must end before the heal, or it jumps the clock on into the liveness phase
          // (found with seed 43933: 1.5 s of jumps after the heal). Drawn as before, then fitted
          // into the time left (the draws, and so every other action, stay what they were).
          const us = r.int(1 * MS, 500 * MS);
          const period = r.int(1 * MS, 100 * MS);
          const duration = r.int(100 * MS, 2 * S);
          const room = end - at;
          emit({ at, kind: "clock-strobe", node, us, periodUs: Math.min(period, Math.max(1, Math.floor(room / 2))), durationUs: Math.min(duration, room) });
        }
      } else emit({ at, kind: "clock-offset", node, us: r.int(0, 10 * S) });
    });
  },
};

const LOSS_MODES: LossMode[] = ["all", "prefix", "torn"];

export const diskFamily: SwarmFamily = {
  name: "disk",
  draw: "coin",
  generate(r, { servers: N, start, emit }) {
    for (let node = 0; node < N; node++) emit({ at: start, kind: "disk-lose-unsynced", node, mode: r.pick(LOSS_MODES) });
  },
};

/** Disk stalls: a node's fsyncs hang for an episode (dur(): around 200 ms, 1 s or 3 s), its
 * writes and the answers that wait for them piling up, then all complete at once. Several
 * writes in flight at a time, truncations of writes not yet durable, and a burst of
 * completions are what a server's write bookkeeping must get right; at the default fsync
 * latency a server rarely has more than one write in flight. Its own draw stream ({p}), so
 * adding it moved no other family's draw. Not in GENERIC_FAMILIES (the other systems' swarms
 * are as they were); a system lists it to use it. */
export const diskStallFamily: SwarmFamily = {
  name: "disk-stall",
  draw: { p: 0.3 },
  generate(r, { servers: N, emit, episodes, dur }) {
    episodes((at) => emit({ at, kind: "disk-stall", node: r.int(0, N - 1), durationUs: dur() }));
  },
};

export const clogFamily: SwarmFamily = {
  name: "clog",
  draw: "coin",
  generate(r, { servers: N, emit, episodes, dur }) {
    episodes((at) => {
      const from = r.int(0, N - 1);
      const to = (from + r.int(1, Math.max(1, N - 1))) % N;
      if (from !== to) emit({ at, kind: "clog", from, to, durationUs: dur() });
    });
  },
};

export const netFamily: SwarmFamily = {
  name: "net",
  draw: "coin",
  generate(r, { start, emit }) {
    emit({
      at: start,
      kind: "net",
      latencyMedianUs: r.int(100, 10 * MS),
      latencySigma: r.int(0, 120) / 100,
      lossP: r.pick([0, 0.01, 0.05, 0.2]),
      dupP: r.pick([0, 0.01, 0.05]),
    });
  },
};

/** The families every system has, in their fixed generation order. */
export const GENERIC_FAMILIES: readonly SwarmFamily[] = [partitionFamily, crashFamily, pauseFamily, clockFamily, diskFamily, clogFamily, netFamily];
