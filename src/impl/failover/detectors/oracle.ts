// `oracle`: a detector driven by the simulator's ground truth, to test failover logic apart from
// detection (FAILURE-DETECTION.md §e D0). Modelled on Akka's FailureDetectorPuppet
// (akka-cluster tests): the host says when a target really goes down or comes back; the oracle
// suspects it detectDelayUs later and trusts it trustDelayUs after it is back (a later change
// supersedes a pending one). `force` flips the view at once, like the puppet's markNodeAsUnavailable.
import type { NodeId } from "../../node.js";
import { checkParam, type Detector, type DetectorSpec, FdEventKind, type FdOutput, type FdSink, Outbox } from "./types.js";

export interface OracleParams {
  readonly detectDelayUs: number;
  readonly trustDelayUs: number;
}

export const ORACLE_DEFAULTS: OracleParams = { detectDelayUs: 0, trustDelayUs: 0 };

export const ORACLE_SPEC: DetectorSpec<OracleParams> = {
  name: "oracle",
  description: "Ground-truth puppet (Akka FailureDetectorPuppet style): suspects a target a fixed delay after it really fails, trusts it a fixed delay after it is back.",
  defaults: ORACLE_DEFAULTS,
  params: [
    { name: "detectDelayUs", default: 0, unit: "us", doc: "delay from a real failure to the suspicion", source: "FAILURE-DETECTION.md §e D0" },
    { name: "trustDelayUs", default: 0, unit: "us", doc: "delay from a recovery to trust", source: "FAILURE-DETECTION.md §e D0" },
  ],
  bound(p) {
    return { suspectUs: p.detectDelayUs, formula: `detectDelay = ${p.detectDelayUs} µs (on the observer's clock from when the host reports the failure)` };
  },
};

export class OracleDetector implements Detector<never> {
  readonly name = "oracle" as const;
  private readonly out: Outbox<never>;
  private readonly index = new Map<NodeId, number>();
  private readonly suspected: Uint8Array;
  private readonly pendingAt: Float64Array; // local µs of the pending flip; NaN: none
  private readonly pendingTo: Uint8Array; // 1: suspect, 0: trust

  constructor(
    readonly self: NodeId,
    private readonly targets: readonly NodeId[],
    private readonly p: OracleParams = ORACLE_DEFAULTS,
  ) {
    checkParam("detectDelayUs", p.detectDelayUs, 0);
    checkParam("trustDelayUs", p.trustDelayUs, 0);
    this.out = new Outbox(self);
    targets.forEach((t, i) => this.index.set(t, i));
    this.suspected = new Uint8Array(targets.length);
    this.pendingAt = new Float64Array(targets.length).fill(Number.NaN);
    this.pendingTo = new Uint8Array(targets.length);
  }

  /** Ground truth: `target` went down (up = false) or came back (up = true) at local time now. */
  setTruth(target: NodeId, up: boolean, now: number): void {
    const i = this.index.get(target);
    if (i === undefined) return;
    const want = up ? 0 : 1;
    if (this.suspected[i] === want) {
      this.pendingAt[i] = Number.NaN; // back to where the view already is: cancel
      return;
    }
    this.pendingTo[i] = want;
    this.pendingAt[i] = now + (up ? this.p.trustDelayUs : this.p.detectDelayUs);
    this.tick(now);
  }

  /** Flip the view at once (Akka's puppet). */
  force(target: NodeId, suspected: boolean, now: number): void {
    const i = this.index.get(target);
    if (i === undefined) return;
    this.pendingAt[i] = Number.NaN;
    this.flip(i, suspected ? 1 : 0, now);
  }

  private flip(i: number, to: number, now: number): void {
    if (this.suspected[i] === to) return;
    this.suspected[i] = to;
    this.out.event(to === 1 ? FdEventKind.suspect : FdEventKind.trust, this.targets[i], now);
  }

  tick(now: number): void {
    for (let i = 0; i < this.targets.length; i++) {
      const at = this.pendingAt[i];
      if (Number.isNaN(at) || now < at) continue;
      this.pendingAt[i] = Number.NaN;
      this.flip(i, this.pendingTo[i], now);
    }
  }

  onMessage(): boolean {
    return false;
  }

  nextWakeUs(): number {
    let w = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.targets.length; i++) if (this.pendingAt[i] < w) w = this.pendingAt[i];
    return w;
  }

  suspects(target: NodeId): boolean {
    const i = this.index.get(target);
    return i !== undefined && this.suspected[i] === 1;
  }

  drainTo(sink: FdSink<never>): void {
    this.out.drainTo(sink);
  }

  drain(): FdOutput<never> {
    return this.out.drain();
  }
}
