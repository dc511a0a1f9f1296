// Which stretches of a run are calm, read off its fault schedule: the bounded-time checks
// (P-FD1 detection, P-FO6 failover) hold only for a crash in a window with no partition, pause,
// clog, clock step or drift, slow node, and no network change — the "correct, connected
// observer" of the specification. Crashes and restarts are seen at run time (the target of
// "crash-leader" is resolved then).
//
// The minority-writer check (minority.ts) needs less: that one node's clock, scheduling and
// message handling were undisturbed (no pause, clock fault or slow processing on it, or on an
// unknown node: "primary-fault" picks its target at run time).
import type { FaultAction } from "../../faults/index.js";

/** A jump this large (a clock step beyond any timeout) leaves the node's timers meaningless
 * until the heal: its deadlines moved by an hour (F8). */
const BIG_JUMP_US = 60_000_000;
/** The largest clock offset the generic clock family sets (10 s). */
const MAX_OFFSET_US = 10_000_000;

export class Disturbances {
  private readonly spans: [number, number][] = [];
  /** Spans that disturb one node's own timing: [from, to, node] (node -1: any node). */
  private readonly nodeSpans: [number, number, number][] = [];
  /** Clock steps, each from its time to its time plus its size (what a step back stalls). */
  private readonly stepSpans: [number, number][] = [];
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
    const nodeOf = (a: FaultAction): number => {
      const n = (a as { node?: unknown }).node;
      return typeof n === "number" ? n : -1;
    };
    const add = (from: number, to: number, node: number | null) => {
      this.spans.push([from, to]);
      if (node !== null) this.nodeSpans.push([from, to, node]);
    };
    for (const a of sorted) {
      if (a.kind !== "heal-all") calm = false;
      switch (a.kind) {
        case "partition-halves": case "partition-ring": case "partition-bridge": case "isolate": case "cut-one-way": case "isolate-leader":
          add(a.at, nextAfter(a.at, ["heal", "heal-all"]), null);
          break;
        case "pause":
          add(a.at, nextAfter(a.at, ["resume", "heal-all"], nodeOf(a)), nodeOf(a));
          break;
        case "clog":
          add(a.at, a.at + ((a as { durationUs?: number }).durationUs ?? 0), null);
          break;
        case "clock-strobe": {
          const end = a.at + ((a as { durationUs?: number }).durationUs ?? 0);
          add(a.at, end, nodeOf(a));
          this.stepSpans.push([a.at, end + Math.abs((a as { us?: number }).us ?? 0)]);
          break;
        }
        case "clock-jump": case "clock-offset": {
          const us = Math.abs((a as { us?: number }).us ?? 0);
          const big = us >= BIG_JUMP_US;
          add(a.at, big ? nextAfter(a.at, ["heal-all"]) : a.at, nodeOf(a));
          // An offset is set, not added: the step is at most the new offset plus the old one.
          this.stepSpans.push([a.at, a.at + (a.kind === "clock-offset" ? 2 * MAX_OFFSET_US : us)]);
          break;
        }
        case "clock-drift": case "slow-node":
          add(a.at, nextAfter(a.at, ["heal-all"]), nodeOf(a));
          break;
        case "net":
          add(a.at, nextAfter(a.at, ["heal-all"]), null);
          break;
        case "primary-fault": {
          const f = a as { what?: string; durationUs?: number; us?: number };
          const d = f.durationUs ?? 0;
          if (f.what === "split" || f.what === "cut-from") add(a.at, a.at + d, null);
          else if (f.what === "pause") add(a.at, a.at + d, -1);
          else if (f.what === "clock-drift") add(a.at, nextAfter(a.at, ["heal-all"]), -1);
          else if (f.what === "clock-jump") {
            add(a.at, Math.abs(f.us ?? 0) >= BIG_JUMP_US ? nextAfter(a.at, ["heal-all"]) : a.at, -1);
            this.stepSpans.push([a.at, a.at + Math.abs(f.us ?? 0)]);
          }
          break; // "crash": seen at run time
        }
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

  /** Whether [from, to] meets a clock step or what it stalls. */
  clockStep(from: number, to: number): boolean {
    for (const [a, b] of this.stepSpans) if (a <= to && b >= from) return true;
    return false;
  }

  /** Whether [from, to] meets a disturbance of `node`'s own timing. */
  nodeTiming(node: number, from: number, to: number): boolean {
    for (const [a, b, n] of this.nodeSpans) if (a <= to && b >= from && (n === node || n < 0)) return true;
    return false;
  }
}
