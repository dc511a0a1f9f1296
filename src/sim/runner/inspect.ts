// Node snapshots at an instant (`raftsim replay --at`): the world's view of every server —
// status, clock, disk — and the fields its system reports (SystemRun.inspectNode). Taken by a
// world probe (World.probe), which only observes: the run's trace hash is the same with and
// without snapshots.
import { NodeStatus } from "../kernel/world.js";
import type { AnyWorld, NodeField, NodeSnapshot, SystemRun } from "./system.js";

const STATUS: Record<number, string> = { [NodeStatus.up]: "up", [NodeStatus.down]: "down", [NodeStatus.paused]: "paused" };

/** Every server's snapshot now, for instant atUs (≥ the world's time of the last event). */
export function snapshotNodes(w: AnyWorld, sys: Pick<SystemRun, "inspectNode">, atUs: number): NodeSnapshot[] {
  const out: NodeSnapshot[] = [];
  for (let id = 0; id < w.servers; id++) {
    const clock = w.clocks[id];
    const disk = w.disks[id];
    const generic: Record<string, NodeField> = {
      status: STATUS[w.status[id]] ?? String(w.status[id]),
      // local − virtual at the instant, and the drift rate: what clock faults did to it
      clockUs: clock.local(atUs) - atUs,
      driftPpm: clock.driftPpm,
      // WAL records written and not yet durable; fsyncs in flight
      unsynced: disk.length - disk.durableLength,
      fsyncs: disk.pendingFsyncs,
    };
    const own = w.nodes[id] === null ? null : sys.inspectNode?.(w, id, atUs) ?? null;
    out.push({ node: id, fields: own === null ? generic : { ...generic, ...own } });
  }
  return out;
}
