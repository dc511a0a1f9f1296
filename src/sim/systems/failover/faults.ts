// The failover system's own fault kinds (codes reserved in src/sim/faults/codes.ts):
//   "slow-node" {node, us}: the node handles every message delivered to it `us` later, until
//       the heal (Network.setSlow; no other system emits it);
//   "primary-fault" {what, ...}: a fault aimed at the primary as it is when the action runs
//       (a slot-owning primary, at random among them), for the F-schedules that name "the
//       primary" (families.ts): what = "split" (it and one of its replicas cut from the rest for
//       durationUs), "cut-from" (the link observer -> primary cut, one way, for durationUs),
//       "pause" (for durationUs), "clock-jump" (by us), "clock-drift" (ppm), "crash" (`count`
//       distinct primaries in the same tick, each restarted after durationUs).
// Follow-up actions (heal, resume, restart) are scheduled when the fault runs, as
// "crash-leader" does. No primary up: a no-op.
import type { FaultArgs, SystemFault } from "../../faults/index.js";
import type { ValkeyNode } from "../../../impl/failover/valkey/node.js";
import type { AnyWorld } from "../../runner/system.js";

export const FAILOVER_FAULT_KINDS = ["slow-node", "primary-fault"] as const;

/** Who "the primary" and its replicas are, for a design: Valkey's by default; the lease design
 * passes its lease holders and their shards' other members (lease/setup.ts). */
export interface PrimaryFinder {
  primaries(w: AnyWorld): number[];
  replicasOf(w: AnyWorld, p: number): number[];
}

const VALKEY_PRIMARIES: PrimaryFinder = {
  primaries: primariesUp,
  replicasOf(w, p) {
    const me = w.nodes[p] as ValkeyNode;
    const replicas: number[] = [];
    for (let j = 0; j < w.servers; j++) if (me.view.primaryOf[j] === p) replicas.push(j);
    return replicas;
  },
};

/** Slot-owning primaries that are up, by id. */
function primariesUp(w: AnyWorld): number[] {
  const out: number[] = [];
  for (let i = 0; i < w.servers; i++) {
    const x = w.nodes[i] as ValkeyNode | null;
    if (x !== null && w.isUp(i) && x.isPrimary && x.view.numSlots[i] > 0) out.push(i);
  }
  return out;
}

function num(f: SystemFault, field: string): number {
  const v = f[field];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`failover fault "${f.kind}": field "${field}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function executeFailoverFault(w: AnyWorld, f: SystemFault, find: PrimaryFinder = VALKEY_PRIMARIES): FaultArgs {
  const now = w.sched.now;
  if (f.kind === "slow-node") {
    const node = num(f, "node");
    const us = num(f, "us");
    w.net.setSlow(node, us);
    return [node, 0, us | 0];
  }
  if (f.kind !== "primary-fault") throw new Error(`failover: unknown fault kind "${f.kind}"`);
  const ps = find.primaries(w);
  if (ps.length === 0) return [-1, -1, 0];
  const p = w.faultRng.pick(ps);
  switch (f.what) {
    case "split": {
      const d = num(f, "durationUs");
      const replicas = find.replicasOf(w, p);
      const side = replicas.length === 0 ? [p] : [p, w.faultRng.pick(replicas)];
      w.net.partition(side);
      w.scheduleFaults([{ at: now + d, kind: "heal" }]);
      return [p, side.length > 1 ? side[1] : -1, d | 0];
    }
    case "cut-from": {
      const d = num(f, "durationUs");
      const o = num(f, "observer");
      if (o === p) return [p, o, 0];
      w.net.cutOneWay(o, p);
      w.scheduleFaults([{ at: now + d, kind: "heal" }]);
      return [p, o, d | 0];
    }
    case "pause": {
      const d = num(f, "durationUs");
      w.pause(p);
      w.scheduleFaults([{ at: now + d, kind: "resume", node: p }]);
      return [p, -1, d | 0];
    }
    case "clock-jump": {
      const us = num(f, "us");
      w.clockJump(p, us);
      return [p, -1, Math.round(us / 1_000) | 0];
    }
    case "clock-drift": {
      const ppm = num(f, "ppm");
      w.clockDrift(p, ppm);
      return [p, -1, ppm | 0];
    }
    case "crash": {
      const d = num(f, "durationUs");
      const count = Math.min(num(f, "count"), ps.length);
      const hit = w.faultRng.shuffle(ps).slice(0, count);
      for (const x of hit) w.crash(x);
      w.scheduleFaults(hit.map((x) => ({ at: now + d, kind: "restart" as const, node: x })));
      return [hit[0], hit.length > 1 ? hit[1] : -1, d | 0];
    }
    default:
      throw new Error(`failover fault "primary-fault": unknown what ${JSON.stringify(f.what)} (split, cut-from, pause, clock-jump, clock-drift, crash)`);
  }
}
