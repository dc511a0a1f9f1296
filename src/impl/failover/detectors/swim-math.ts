// The arithmetic of memberlist's SWIM + Lifeguard (FAILURE-DETECTION.md §a4), as pure functions:
// the suspicion timeout, the confirmation-driven shrinking, and local health awareness.
// Source: hashicorp/memberlist @1b4c746 — `util.go suspicionTimeout`, `suspicion.go`
// (newSuspicion, remainingSuspicionTime, Confirm), `awareness.go`; golden tables in
// `util_test.go TestSuspicionTimeout`, `suspicion_test.go`, `awareness_test.go`.
import type { NodeId } from "../../node.js";

/**
 * util.go suspicionTimeout: SuspicionMult · max(1, log10(max(1, n))) · interval, with Go's
 * integer Duration arithmetic (nodeScale is truncated to thousandths). µs in, µs out (floored).
 */
export function suspicionTimeoutUs(suspicionMult: number, n: number, intervalUs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  const milli = Math.trunc(nodeScale * 1000);
  return Math.floor((suspicionMult * milli * intervalUs) / 1000);
}

/**
 * suspicion.go remainingSuspicionTime: with n of k expected confirmations, the timeout is
 * max - log(n+1)/log(k+1)·(max - min), floored to whole milliseconds and at min; minus elapsed.
 * Computed in float seconds exactly as Go does, so the millisecond floor matches.
 */
export function remainingSuspicionTimeUs(n: number, k: number, elapsedUs: number, minUs: number, maxUs: number): number {
  const frac = Math.log(n + 1) / Math.log(k + 1);
  const raw = maxUs / 1e6 - frac * (maxUs / 1e6 - minUs / 1e6);
  let timeout = Math.floor(1000 * raw) * 1000;
  if (timeout < minUs) timeout = minUs;
  return timeout - elapsedUs;
}

/**
 * One suspicion timer (suspicion.go): starts at max (at min when no confirmations are expected,
 * k < 1) and is driven towards min by up to k independent confirmations. The node that raised the
 * suspicion does not count as a confirmation.
 */
export class Suspicion {
  private n = 0;
  private readonly confirmations = new Set<NodeId>();
  /** Local µs at which the suspect is declared dead. */
  deadline: number;

  constructor(
    from: NodeId,
    readonly k: number,
    readonly minUs: number,
    readonly maxUs: number,
    readonly startUs: number,
  ) {
    this.confirmations.add(from);
    this.deadline = startUs + (k < 1 ? minUs : maxUs);
  }

  get confirmationCount(): number {
    return this.n;
  }

  /** Returns true if this was new information (memberlist then re-gossips it). */
  confirm(from: NodeId): boolean {
    if (this.n >= this.k) return false;
    if (this.confirmations.has(from)) return false;
    this.confirmations.add(from);
    this.n++;
    // The timer is reset to `remaining` from now, i.e. it fires at start + timeout(n).
    this.deadline = this.startUs + remainingSuspicionTimeUs(this.n, this.k, 0, this.minUs, this.maxUs);
    return true;
  }
}

/** Lifeguard local health (awareness.go): score in [0, max-1]; timeouts scale by score + 1. */
export class Awareness {
  private s = 0;

  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new Error(`awareness max ${max}: must be an integer ≥ 1`);
  }

  get score(): number {
    return this.s;
  }

  applyDelta(delta: number): void {
    this.s += delta;
    if (this.s < 0) this.s = 0;
    else if (this.s > this.max - 1) this.s = this.max - 1;
  }

  scaleTimeout(us: number): number {
    return us * (this.s + 1);
  }
}
