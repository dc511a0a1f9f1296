// P-FO4 on the minority side (FAILURE-DETECTION.md §d #7, Jepsen's Redis Sentinel test): a
// primary that cannot hear a majority of the voting primaries it knows of must stop
// acknowledging writes within the detector's bound (Valkey's clusterUpdateState minority rule:
// unreachable voting primaries are PFAIL after T, then the cluster state is fail). Valkey
// documents a window (W2) before that, so the check is armed only past the bound: a write
// acknowledged by a primary cut off for longer than B_D + 2C + 2 RTT fails the run.
//
// "Cannot hear" is ground truth: node j is heard by p when j is up and the link j -> p is not
// cut (any message from j is liveness to p; a one-way cut p -> j leaves j's PINGs flowing).
// The voting primaries are those of p's own view (what its minority rule counts). Judged at the
// time the client sent the request (p acknowledged it no earlier, whatever the latencies), and
// armed only while p's own timing is undisturbed (no pause, clock fault or slow processing on
// p: a paused primary acknowledges queued writes on resume before its cron runs — Valkey's #6,
// a metric). Direct detectors only (gossip, timeout, phi): SWIM's
// indirect probes let p hear j through a third node, and the oracle knows no partitions.
import type { ValkeyNode } from "../../../impl/failover/valkey/node.js";
import { NodeStatus } from "../../kernel/world.js";
import { CheckFailure, type AnyWorld } from "../../runner/system.js";
import type { Disturbances } from "./disturbance.js";

const MS = 1_000;
/** How often the cut-off state is sampled (virtual µs). */
const SAMPLE_US = 10 * MS;

export class MinorityWriterCheck {
  /** Virtual µs since which p has been cut off from a majority (NaN: it is not). */
  private readonly cutSince: Float64Array;
  private readonly seen: unknown[];
  private lastSample = -Infinity;
  checkedAcks = 0;

  constructor(
    private readonly n: number,
    /** B_D + 2C + 2 RTT: how long a cut-off primary may keep acknowledging. */
    private readonly boundUs: number,
    /** How far before the cut p's timing must have been undisturbed (T: what the bus remembers). */
    private readonly lookbackUs: number,
    private readonly dist: Disturbances,
  ) {
    this.cutSince = new Float64Array(n).fill(NaN);
    this.seen = new Array(n).fill(null);
  }

  /** Whether p (up) hears fewer than a majority of the voting primaries of its view. */
  private cutOff(w: AnyWorld, p: number): boolean {
    const node = w.nodes[p] as ValkeyNode | null;
    if (node === null || w.status[p] !== NodeStatus.up) return false;
    const v = node.view;
    let reach = 0;
    for (let j = 0; j < this.n; j++) {
      if (!v.isVotingPrimary(j)) continue;
      if (j === p || (w.status[j] === NodeStatus.up && !w.net.isCut(j, p))) reach++;
    }
    return reach < v.quorum();
  }

  /** After every event: sample the cut-off state (and forget it across a restart). */
  afterEvent(w: AnyWorld): void {
    const now = w.now;
    for (let p = 0; p < this.n; p++) {
      if (w.nodes[p] !== this.seen[p]) {
        this.seen[p] = w.nodes[p];
        this.cutSince[p] = NaN; // a new process: its own boot decides when it may write
      }
    }
    if (now - this.lastSample < SAMPLE_US) return;
    this.lastSample = now;
    // Hot (every sample, O(N²) in full): no cut and every node up means every node hears every
    // voting primary, so none is cut off.
    if (!w.net.anyCut) {
      let allUp = true;
      for (let p = 0; p < this.n && allUp; p++) if (w.status[p] !== NodeStatus.up) allUp = false;
      if (allUp) {
        this.cutSince.fill(NaN);
        return;
      }
    }
    for (let p = 0; p < this.n; p++) {
      if (!this.cutOff(w, p)) this.cutSince[p] = NaN;
      else if (this.cutSince[p] !== this.cutSince[p]) this.cutSince[p] = now;
    }
  }

  /** A client got a write acknowledged by node p (now), for a request it sent at sentAt. */
  onWriteAck(w: AnyWorld, p: number, sentAt: number): void {
    const now = w.now;
    const since = this.cutSince[p];
    // Cut off from `since` to now (sampled, and true now), p's timing undisturbed meanwhile.
    if (since !== since || !this.cutOff(w, p) || this.dist.nodeTiming(p, since - this.lookbackUs, now)) return;
    this.checkedAcks++;
    if (sentAt - since <= this.boundUs) return; // maybe inside the documented window (W2, a metric)
    throw new CheckFailure(
      `P-FO4: node ${p} acknowledged a write sent ${((sentAt - since) / MS).toFixed(0)}ms after it was cut off from a majority of the voting primaries it knows (bound ${(this.boundUs / MS).toFixed(0)}ms) (t=${(now / MS).toFixed(1)}ms)`,
      now,
    );
  }
}
