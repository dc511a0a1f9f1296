// Kernel micro-benchmarks: scheduler throughput, message delivery in a small world, wall time
// per simulated second of the pingpong system, and ns/draw of candidate generators.
// Each function returns plain numbers so bench/main.ts can write them to JSON.
import seedrandom from "seedrandom";
import type { NodeEnv, SimNode } from "../src/impl/node.js";
import { Rng } from "../src/sim/kernel/rng.js";
import { runSimulation } from "../src/api/index.js";
import { Scheduler } from "../src/sim/kernel/scheduler.js";
import { World } from "../src/sim/kernel/world.js";

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Best of `reps` timings of fn (ms). */
function best(reps: number, fn: () => void): number {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = nowMs();
    fn();
    b = Math.min(b, nowMs() - t0);
  }
  return b;
}

export function benchScheduler(ops = 2_000_000, pending = 1_000) {
  const r = Rng.root(1);
  const delays = new Float64Array(4096);
  for (let i = 0; i < delays.length; i++) delays[i] = r.int(1, 10_000);
  let sink = 0;
  const ms = best(3, () => {
    const s = new Scheduler({ capacity: pending * 2 });
    for (let i = 0; i < pending; i++) s.push(delays[i & 4095], 1, i, 0, undefined);
    for (let i = 0; i < ops; i++) {
      s.pop();
      sink += s.curA;
      s.push(s.now + delays[i & 4095], 1, i, 0, undefined);
    }
  });
  if (sink === -1) console.log(sink);
  return { ops, pending, ms: round(ms), eventsPerSec: Math.round(ops / (ms / 1000)), note: "one event = one pop + one push" };
}

type Ping = { readonly type: "m"; readonly n: number };

class Bouncer implements SimNode<Ping, unknown> {
  constructor(private readonly env: NodeEnv<Ping, never, never>, private readonly n: number) {}
  onMessage(_from: number, msg: Ping): void {
    // Pass it on to some other node (never self): constant load, all links used.
    this.env.send((this.env.id + 1 + (msg.n % (this.n - 1))) % this.n, msg);
  }
  onTick(): void {}
  onClient(): void {}
  onPersisted(): void {}
}

export function benchNetwork(target = 1_000_000, perLink = 20) {
  const N = 5;
  let stats = { delivered: 0, ms: 0 };
  const ms = best(3, () => {
    const w = new World<Ping, unknown, never, never>({
      seed: 1,
      servers: N,
      factory: (_id, env) => new Bouncer(env, N),
      net: { latencyMedianUs: 1_000, latencySigma: 0.4, lossP: 0, dupP: 0 },
    });
    w.start();
    let k = 0;
    // Seed all-to-all traffic; each delivery sends one message on, so the load stays constant.
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) if (a !== b) for (let i = 0; i < perLink; i++) w.net.send(a, b, { type: "m", n: k++ });
    w.runUntil(Infinity, () => w.net.delivered >= target);
    stats = { delivered: w.net.delivered, ms: 0 };
  });
  stats.ms = ms;
  return { nodes: N, inFlight: N * (N - 1) * perLink, delivered: stats.delivered, ms: round(ms), messagesPerSec: Math.round(stats.delivered / (ms / 1000)) };
}

export function benchPingpong(seeds = 5, simSeconds = 60) {
  let events = 0, simUs = 0;
  const t0 = nowMs();
  for (let s = 1; s <= seeds; s++) {
    const r = runSimulation({ seed: s, timeUs: simSeconds * 1_000_000 });
    events += r.stats.events;
    simUs += r.stats.simulatedUs;
  }
  const ms = nowMs() - t0;
  return { seeds, simSeconds, wallMsPerSimSecond: round(ms / (simUs / 1e6), 3), eventsPerSec: Math.round(events / (ms / 1000)) };
}

export function benchRng(draws = 5_000_000) {
  const gens: Record<string, () => number> = {};
  const sfc = Rng.root(1);
  gens["sfc32 (Rng.float)"] = () => sfc.float();
  gens["sfc32 (Rng.u32)"] = () => sfc.u32();
  gens["sfc32 (Rng.int 0..99)"] = () => sfc.int(0, 99);
  gens["seedrandom ARC4 (default)"] = seedrandom("1");
  gens["seedrandom.alea"] = seedrandom.alea("1");
  gens["seedrandom.xor4096"] = seedrandom.xor4096("1");
  gens["seedrandom.xor128"] = seedrandom.xor128("1");
  gens["Math.random (reference, not seedable)"] = Math.random;
  const out: Record<string, number> = {};
  for (const [name, g] of Object.entries(gens)) {
    // A fresh loop function per generator keeps each call site monomorphic (fair comparison).
    const loop = new Function("g", "n", "let s = 0; for (let i = 0; i < n; i++) s += g(); return s;") as (g: () => number, n: number) => number;
    let sink = 0;
    const ms = best(3, () => {
      sink += loop(g, draws);
    });
    if (sink === -1) console.log(sink);
    out[name] = round((ms * 1e6) / draws, 2);
  }
  return { draws, nsPerDraw: out };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
