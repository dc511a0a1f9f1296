// The valkey system's online observer: check (b), one writer per shard — after every event, the
// nodes of each shard that accept writes now (Core.writable on the node's own clocks; a paused or
// crashed node accepts nothing); two or more at one instant is a violation, and the time it
// lasts is the dual-writable window. Measured beside it: how long each shard had no writable
// node (unavailability), how long a shard took to serve again when its serving node changed
// (failover time), and the Cores' CAS conflicts and retries (their notes).
import type { ValkeyHost } from "../../../impl/valkey-contract/core/host.js";
import { CN } from "../../../impl/valkey-contract/core/types.js";
import type { AnyWorld } from "../../runner/system.js";

export interface ShardNodes {
  readonly shards: readonly (readonly number[])[];
}

export class ValkeyObserver {
  dualWritableUs = 0;
  /** The first instant two nodes of one shard accepted writes: [time, shard, a, b]. */
  firstDual: { atUs: number; shard: number; nodes: number[] } | null = null;
  unavailableUs = 0;
  readonly failoverUs: number[] = [];
  casConflicts = 0;
  casRetries = 0;
  takeovers = 0;
  manualTakeovers = 0;
  fences = 0;
  reverts = 0;
  private last = 0;
  private readonly writers: number[][];
  /** Per shard: the last serving node, and since when it has none (NaN: it has one). */
  private readonly lastWriter: number[];
  private readonly downSince: number[];
  private w!: AnyWorld;

  constructor(private readonly s: ShardNodes, private readonly startUs: number) {
    this.writers = s.shards.map(() => []);
    this.lastWriter = s.shards.map(() => -1);
    this.downSince = s.shards.map(() => startUs);
  }

  attach(w: AnyWorld): void {
    this.w = w;
  }

  onNote(_id: number, code: number, a: number): void {
    if (code === CN.casConflict) this.casConflicts++;
    else if (code === CN.casRetry) this.casRetries++;
    else if (code === CN.takeover && a !== 3) {
      this.takeovers++;
      if (a === 1) this.manualTakeovers++;
    } else if (code === CN.fence) {
      if (a === 1) this.fences++;
      else this.reverts++;
    }
  }

  /** Nodes of shard s that accept writes at this instant. */
  writersOf(w: AnyWorld, s: number): number[] {
    const out: number[] = [];
    for (const i of this.s.shards[s]!) {
      const n = w.nodes[i] as ValkeyHost | null;
      if (n === null || !w.isUp(i)) continue;
      if (n.core.writable(w.clocks[i]!.monotonic(w.now), w.localNow(i))) out.push(i);
    }
    return out;
  }

  afterEvent(w: AnyWorld): void {
    const now = w.now;
    const dt = now - this.last;
    for (let s = 0; s < this.writers.length; s++) {
      if (now > this.startUs) {
        if (this.writers[s]!.length >= 2) this.dualWritableUs += dt;
        // Unavailability counts from the shard's first primary on (not the boot).
        if (this.writers[s]!.length === 0 && this.lastWriter[s]! >= 0) this.unavailableUs += dt;
      }
      const ws = this.writersOf(w, s);
      this.writers[s] = ws;
      if (ws.length >= 2 && this.firstDual === null) this.firstDual = { atUs: now, shard: s, nodes: ws };
      if (ws.length === 0) {
        if (this.downSince[s] !== this.downSince[s]) this.downSince[s] = now;
      } else {
        if (this.downSince[s] === this.downSince[s] && this.lastWriter[s]! >= 0 && ws[0] !== this.lastWriter[s]) this.failoverUs.push(now - this.downSince[s]!);
        this.downSince[s] = Number.NaN;
        this.lastWriter[s] = ws[0]!;
      }
    }
    this.last = now;
  }

  /** The serving node of each shard now (-1: none, -2: more than one). */
  servingNow(): number[] {
    return this.writers.map((ws) => (ws.length === 1 ? ws[0]! : ws.length === 0 ? -1 : -2));
  }

  get world(): AnyWorld {
    return this.w;
  }
}
