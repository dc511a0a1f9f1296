// The kvrocks-controller system's own fault kinds (trace codes 40-41 in src/sim/faults/codes.ts):
// protocol-aware faults the generic kinds cannot aim.
//   kc-depose-leader {durationUs}: cut the controller that leads now from the other
//     controllers — not from the data nodes or the store (catalogue #10: "cut the old controller
//     leader from its Raft peers but not from the data nodes"); the family heals it later with
//     a generic heal (the network has no per-link heal). durationUs is recorded only.
//   kc-pause-on-update {durationUs}: armed; the next controller to begin an UpdateCluster is
//     paused at once for durationUs (its request is out, its answer waits: catalogue #9's
//     "partition the controller leader, elect another, heal during a failover").
import type { FaultArgs, SystemFault } from "../../faults/index.js";
import type { Controller } from "../../../impl/kvrocks/controller.js";
import { KN, type Layout } from "../../../impl/kvrocks/types.js";
import type { AnyWorld } from "../../runner/system.js";

export const KVROCKS_FAULT_KINDS = ["kc-depose-leader", "kc-pause-on-update"] as const;

export class KvFaultDriver {
  private pauseArmed = 0;
  private w!: AnyWorld;

  constructor(private readonly l: Layout) {}

  attach(w: AnyWorld): void {
    this.w = w;
  }

  /** The controller that leads now (-1: none). */
  leader(): number {
    for (let c = 0; c < this.l.controllers; c++) if ((this.w.nodes[c] as Controller | null)?.leading === true) return c;
    return -1;
  }

  execute(w: AnyWorld, f: SystemFault): FaultArgs {
    const d = Number(f.durationUs);
    if (f.kind === "kc-depose-leader") {
      const c = this.leader();
      if (c < 0) return [-1, 0, d | 0];
      for (let o = 0; o < this.l.controllers; o++) if (o !== c) w.net.cutBoth(c, o);
      return [c, 0, d | 0];
    }
    if (f.kind === "kc-pause-on-update") {
      this.pauseArmed = d;
      return [-1, 0, d | 0];
    }
    throw new Error(`kvrocks-controller: unknown fault kind ${f.kind}`);
  }

  onNote(id: number, code: number): void {
    if (code !== KN.updating || this.pauseArmed <= 0) return;
    const d = this.pauseArmed;
    this.pauseArmed = 0;
    this.w.pause(id);
    this.w.scheduleFaults([{ at: this.w.now + d, kind: "resume", node: id }]);
  }

  disarm(): void {
    this.pauseArmed = 0;
  }
}
