// The generic fault actions: what every system under test can be subjected to (the network,
// processes, clocks and disks of the world), as plain data. A schedule is a list of timed
// actions (absolute virtual µs). Generated schedules draw every choice (which nodes, which
// halves) at generation time, so an action means the same thing wherever it sits in the list —
// removing one (shrinking) does not change the others.
//
// A system adds kinds of its own (Raft's membership and protocol-timed cuts: see
// src/sim/systems/raft-metadata/faults.ts) as SystemFault records it executes itself.
import type { LossMode } from "../kernel/disk.js";

export type GenericFault =
  | { readonly at: number; readonly kind: "partition-halves"; readonly side: readonly number[] }
  | { readonly at: number; readonly kind: "partition-ring"; readonly order: readonly number[] }
  | { readonly at: number; readonly kind: "partition-bridge"; readonly side: readonly number[]; readonly bridge: number }
  | { readonly at: number; readonly kind: "isolate"; readonly node: number }
  | { readonly at: number; readonly kind: "cut-one-way"; readonly from: number; readonly to: number }
  | { readonly at: number; readonly kind: "heal" }
  | { readonly at: number; readonly kind: "crash" | "restart" | "pause" | "resume"; readonly node: number }
  | { readonly at: number; readonly kind: "clock-offset" | "clock-jump"; readonly node: number; readonly us: number }
  | { readonly at: number; readonly kind: "clock-drift"; readonly node: number; readonly ppm: number }
  /** Jepsen's clock strobe: the node's clock jumps +us and back every periodUs for durationUs,
   * ending where it started. */
  | { readonly at: number; readonly kind: "clock-strobe"; readonly node: number; readonly us: number; readonly periodUs: number; readonly durationUs: number }
  | { readonly at: number; readonly kind: "disk-lose-unsynced"; readonly node: number; readonly mode: LossMode }
  /** The node's disk stalls for durationUs: no fsync completes before its end (Disk.stall). */
  | { readonly at: number; readonly kind: "disk-stall"; readonly node: number; readonly durationUs: number }
  | { readonly at: number; readonly kind: "clog"; readonly from: number; readonly to: number; readonly durationUs: number }
  | {
      readonly at: number;
      readonly kind: "net";
      readonly latencyMedianUs?: number;
      readonly latencySigma?: number;
      readonly lossP?: number;
      readonly dupP?: number;
    }
  | { readonly at: number; readonly kind: "heal-all" }
  /** Target faults: aimed at whatever the system's target "leader" resolves to when the action
   * runs (Raft: the node that last announced itself leader of the highest term); no-op if none
   * (-1), and for systems without such a target. */
  | { readonly at: number; readonly kind: "isolate-leader" }
  | { readonly at: number; readonly kind: "crash-leader"; readonly downUs: number }
  | { readonly at: number; readonly kind: "reconnect"; readonly node: number }
  /** Backup restore: the node crashes, its disk is replaced by the durable state it had `back`
   * backups ago (backups are taken when it drops WAL segments after a durable snapshot; none
   * yet: its initial empty disk), the system's restore marker is written, and it restarts.
   * A no-op when the node is down, when the system has no restore procedure, or when the
   * system's restore policy refuses it now. */
  | { readonly at: number; readonly kind: "snapshot-restore"; readonly node: number; readonly back: number };

/** A fault kind only one system understands; it executes it (System.faults.kinds). */
export interface SystemFault {
  readonly at: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

export type FaultAction = GenericFault | SystemFault;

export type GenericFaultKind = GenericFault["kind"];

/** The generic kinds, in code order. */
export const GENERIC_FAULT_KINDS: readonly GenericFaultKind[] = [
  "partition-halves", "partition-ring", "partition-bridge", "isolate", "cut-one-way", "heal",
  "crash", "restart", "pause", "resume", "clock-offset", "clock-jump", "clock-drift", "clock-strobe",
  "disk-lose-unsynced", "clog", "net", "heal-all", "isolate-leader", "crash-leader",
  "reconnect", "snapshot-restore", "disk-stall",
];

const GENERIC = new Set<string>(GENERIC_FAULT_KINDS);

export function isGenericFault(f: FaultAction): f is GenericFault {
  return GENERIC.has(f.kind);
}
