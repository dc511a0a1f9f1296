// Which stretches of a run are calm, read off its fault schedule: the bounded-time checks
// (P-FD1 detection, P-FO6 failover) hold only for a crash in a window with no partition, pause,
// clog, clock step or drift, and no network change — the "correct, connected observer" of the
// specification. Crashes and restarts are seen at run time (the target of "crash-leader" is
// resolved then).
import type { FaultAction } from "../../faults/index.js";

export class Disturbances {
  private readonly spans: [number, number][] = [];
  /** No action but the final heal-all: the run is calm (P-FD3: no false suspicion at all). */
  readonly calm: boolean;

  constructor(actions: readonly FaultAction[], endUs: number) {
    let calm = true;
    const sorted = [...actions].sort((a, b) => a.at - b.at);
    const nextAfter = (at: number, kinds: readonly string[], node?: number): number => {
      for (const a of sorted) {
        if (a.at < at || !kinds.includes(a.kind)) continue;
        if (node !== undefined && a.kind !== "heal-all" && (a as { node?: number }).node !== node) continue;
        return a.at;
      }
      return endUs;
    };
    for (const a of sorted) {
      if (a.kind !== "heal-all") calm = false;
      switch (a.kind) {
        case "partition-halves": case "partition-ring": case "partition-bridge": case "isolate": case "cut-one-way": case "isolate-leader":
          this.spans.push([a.at, nextAfter(a.at, ["heal", "heal-all"])]);
          break;
        case "pause":
          this.spans.push([a.at, nextAfter(a.at, ["resume", "heal-all"], (a as { node: number }).node)]);
          break;
        case "clog": case "clock-strobe":
          this.spans.push([a.at, a.at + ((a as { durationUs?: number }).durationUs ?? 0)]);
          break;
        case "clock-jump": case "clock-offset":
          this.spans.push([a.at, a.at]);
          break;
        case "clock-drift": case "net":
          this.spans.push([a.at, nextAfter(a.at, ["heal-all"])]);
          break;
        default:
          break; // crash, restart, crash-leader, restore, disk: seen at run time or harmless
      }
    }
    this.calm = calm;
  }

  /** Whether [from, to] meets a disturbance. */
  any(from: number, to: number): boolean {
    for (const [a, b] of this.spans) if (a <= to && b >= from) return true;
    return false;
  }
}
