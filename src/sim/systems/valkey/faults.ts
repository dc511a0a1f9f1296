// The valkey system's fault families aimed at primaries, and their executor: its own kind
// "vk-primary-fault" (trace code 34 in src/sim/faults/codes.ts), shaped like the failover
// system's "primary-fault" (which another system may not claim, and whose executor it cannot
// import): the primary is resolved when the action runs — a node serving writes then
// (Core.writable), at random — so the fault hits the current primary after failovers too.
//   vk-primary-fault {what: "pause", durationUs}: the primary pauses (its lease runs on);
//   vk-primary-fault {what: "split", durationUs, withReplica}: the primary (with one of its
//     replicas, or alone) is cut from everyone else;
//   vk-primary-fault {what: "clock-jump", us, isolateUs}: the primary's wall clock is stepped (back)
//     and, isolateUs > 0, the primary is cut off alone for that long;
//   crash-leader {downUs}: the generic kind; "leader" resolves to a serving primary.
import type { FaultArgs, SwarmFamily, SystemFault } from "../../faults/index.js";
import type { AnyWorld } from "../../runner/system.js";
import { MS, S } from "../../../util/time.js";

export const VALKEY_FAULT_KINDS = ["vk-primary-fault"] as const;

/** Nodes serving writes now, and a node's shard peers. */
export interface PrimaryFinder {
  primaries(w: AnyWorld): number[];
  peersOf(p: number): number[];
}

function num(f: SystemFault, field: string): number {
  const v = f[field];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`valkey fault "${f.kind}": field "${field}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function executeValkeyFault(w: AnyWorld, f: SystemFault, find: PrimaryFinder): FaultArgs {
  if (f.kind !== "vk-primary-fault") throw new Error(`valkey: unknown fault kind "${f.kind}"`);
  const ps = find.primaries(w);
  if (ps.length === 0) return [-1, -1, 0];
  const p = w.faultRng.pick(ps);
  const now = w.sched.now;
  switch (f.what) {
    case "pause": {
      const d = num(f, "durationUs");
      w.pause(p);
      w.scheduleFaults([{ at: now + d, kind: "resume", node: p }]);
      return [p, -1, d | 0];
    }
    case "split": {
      const d = num(f, "durationUs");
      const peers = find.peersOf(p);
      const side = f.withReplica === true && peers.length > 0 ? [p, w.faultRng.pick(peers)] : [p];
      w.net.partition(side);
      w.scheduleFaults([{ at: now + d, kind: "heal" }]);
      return [p, side.length > 1 ? side[1]! : -1, d | 0];
    }
    case "clock-jump": {
      const us = num(f, "us");
      w.clockJump(p, us);
      // isolateUs: the same primary is then cut off alone for that long.
      const iso = typeof f.isolateUs === "number" ? f.isolateUs : 0;
      if (iso > 0) {
        w.net.partition([p]);
        w.scheduleFaults([{ at: now + iso, kind: "heal" }]);
      }
      return [p, iso > 0 ? 1 : 0, Math.round(us / 1_000) | 0];
    }
    default:
      throw new Error(`valkey fault "vk-primary-fault": unknown what ${JSON.stringify(f.what)} (pause, split, clock-jump)`);
  }
}

/** A primary crashes and comes back 0.3-4 s later (the leader target: a serving primary). */
const primaryCrash: SwarmFamily = {
  name: "primary-crash",
  draw: { p: 0.5 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "crash-leader", downUs: r.int(300 * MS, 4 * S) }));
  },
};

/** A primary pauses for 0.2-2 s (half a lease to five): it resumes believing it still serves. */
const primaryPause: SwarmFamily = {
  name: "primary-pause",
  draw: { p: 0.5 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "vk-primary-fault", what: "pause", durationUs: r.int(200 * MS, 2 * S) }));
  },
};

/** A primary is cut off, alone or with one replica, for 0.5-3 s. */
const primarySplit: SwarmFamily = {
  name: "primary-split",
  draw: { p: 0.5 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "vk-primary-fault", what: "split", withReplica: r.chance(0.5), durationUs: r.int(500 * MS, 3 * S) }));
  },
};

/** A primary's wall clock is stepped back 1-3 s, and (mostly) it is cut off alone for 2-4 s: the
 * step matters only while a replica takes over (FAIL after 2L, then the 2L wait). */
const primaryClock: SwarmFamily = {
  name: "primary-clock",
  draw: { p: 0.4 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "vk-primary-fault", what: "clock-jump", us: -r.int(S, 3 * S), isolateUs: r.chance(0.7) ? r.int(2 * S, 4 * S) : 0 }));
  },
};

export const VALKEY_FAMILIES: readonly SwarmFamily[] = [primaryCrash, primaryPause, primarySplit, primaryClock];
