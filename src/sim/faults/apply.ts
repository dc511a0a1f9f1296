// The executor: applies one fault action to the world now and records it in the trace. Generic
// kinds are executed here; a system's own kinds go to the system. Actions on a node in the
// wrong state are no-ops. Target faults ("isolate-leader", "crash-leader") ask the system which
// node the target names now (-1: none, a no-op).
import { assert } from "../kernel/assert.js";
import { T } from "../kernel/trace.js";
import type { World } from "../kernel/world.js";
import { faultCode } from "./codes.js";
import { isGenericFault, type FaultAction, type SystemFault } from "./kinds.js";
import { fixedNetConfig } from "../kernel/network.js";

type AnyWorld = World<any, any, any, any>;

/** Trace arguments of an executed action (a, b, c of the T.fault record). */
export type FaultArgs = readonly [number, number, number];

export interface FaultHooks {
  /** The node a named target ("leader") resolves to now, or -1. */
  target?(name: string): number;
  /** Execute a kind of the system's own; returns its trace arguments. */
  system?(w: AnyWorld, f: SystemFault): FaultArgs;
  /** Called first by "heal-all" (disarm protocol-timed faults). */
  onHealAll?(w: AnyWorld): void;
}

export type FaultExecutor = (w: AnyWorld, f: FaultAction) => void;

export function faultExecutor(hooks: FaultHooks = {}): FaultExecutor {
  const target = (name: string) => (hooks.target === undefined ? -1 : hooks.target(name));
  return (w, f) => {
    const now = w.sched.now;
    let a = -1, b = -1, c = 0;
    if (!isGenericFault(f)) {
      assert(hooks.system !== undefined, `nemesis: fault kind "${f.kind}" is not one this system knows`);
      [a, b, c] = hooks.system(w, f);
      w.trace.add(T.fault, now, faultCode(f.kind), a, b, c);
      return;
    }
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
      case "disk-stall": w.disks[f.node].stall(now + f.durationUs); a = f.node; c = f.durationUs | 0; break;
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
      case "heal-all":
        if (hooks.onHealAll !== undefined) hooks.onHealAll(w);
        healAll(w);
        break;
      case "isolate-leader":
        a = target("leader");
        if (a >= 0) w.net.isolate(a);
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
      case "crash-leader":
        a = target("leader");
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
    w.trace.add(T.fault, now, faultCode(f.kind), a, b, c);
  };
}

/** Restart crashed nodes, resume paused ones, heal and unclog the network, restore the base
 * network profile, end slow message processing and disk stalls (what a stall held completes
 * now), stop clock drift (offsets stay: a node never sees real time). */
export function healAll(w: AnyWorld): void {
  w.net.heal();
  w.net.unclogAll();
  w.net.cfg = fixedNetConfig(w.baseNet);
  w.net.clearSlow();
  for (let i = 0; i < w.servers; i++) {
    w.restart(i);
    w.resume(i);
    w.disks[i].stall(0);
    if (w.clocks[i].driftPpm !== 0) w.clockDrift(i, 0);
  }
}
