// A point-to-point failure detector (src/impl/failover/detectors: timeout, phi, swim, oracle)
// hosted in a Valkey-like node in place of the cluster bus's own PFAIL rule (`--detector NAME`
// of the failover system). The detector's messages travel as cluster-bus messages ({type:
// "fd"}); its suspect and fail events set the node's PFAIL flag of the target and its trust
// events clear it. Everything else is Valkey's: PFAIL is gossiped, FAIL still needs failure
// reports from a majority of voting primaries, and a FAIL is cleared on a PONG as in Valkey
// (only while the detector trusts the node).
import type { ImplRng, NodeId } from "../../node.js";
import { type Detector, FdEventKind, type FdMsg, type FdSink } from "../detectors/types.js";
import type { ValkeyEnv } from "./env.js";

/** Builds a node's detector: `members` are all the nodes (self included; timeout, phi and
 * oracle watch the others), `incarnation` a number larger on every restart (SWIM). */
export type DetectorFactory = (self: NodeId, members: readonly NodeId[], rng: ImplRng, startLocalUs: number, incarnation: number) => Detector<FdMsg>;

/** What the host needs of its node. */
export interface FdNode {
  readonly env: ValkeyEnv;
  /** The detector suspects (or failed) `target`: the node's PFAIL. */
  fdSuspect(target: NodeId, now: number): void;
  /** The detector trusts `target` again. */
  fdTrust(target: NodeId): void;
}

export class FdHost implements FdSink<FdMsg> {
  private now = 0;
  /** detector.nextWakeUs() as of the detector's last input (NaN: ask it). The node asks after
   * every input, and the detectors answer by scanning their targets; only tick, onMessage and
   * changed() can move it. */
  private wakeAt = NaN;

  constructor(
    private readonly node: FdNode,
    readonly detector: Detector<FdMsg>,
  ) {}

  send(to: NodeId, msg: FdMsg): void {
    this.node.env.send(to, { type: "fd", m: msg });
  }

  event(kind: FdEventKind, _observer: NodeId, target: NodeId): void {
    if (kind === FdEventKind.trust) this.node.fdTrust(target);
    else this.node.fdSuspect(target, this.now);
  }

  onMessage(from: NodeId, msg: FdMsg, now: number): void {
    this.wakeAt = NaN;
    this.detector.onMessage(from, msg, now);
  }

  tick(now: number): void {
    if (now >= this.nextWake()) {
      this.wakeAt = NaN;
      this.detector.tick(now);
    }
  }

  /** The detector was changed from outside the host (the oracle's ground truth). */
  changed(): void {
    this.wakeAt = NaN;
  }

  private nextWake(): number {
    if (this.wakeAt !== this.wakeAt) this.wakeAt = this.detector.nextWakeUs();
    return this.wakeAt;
  }

  /** Carry out what the detector asked for (sends, then PFAIL changes). */
  drain(now: number): void {
    this.now = now;
    this.detector.drainTo(this);
  }

  suspects(target: NodeId): boolean {
    return this.detector.suspects(target);
  }

  /** The next local time the node must wake for the detector, or `otherwise` if that is sooner
   * or the detector has nothing due after now. */
  wake(now: number, otherwise: number): number {
    const w = this.nextWake();
    return w > now && w < otherwise ? w : otherwise;
  }
}
