// Per-node local clocks over the one virtual time (both integer µs). A local clock is a
// piecewise-linear function of virtual time: local = anchorLocal + (v - anchorVirtual)·rate,
// rate = 1 + ppm/1e6. Changing drift re-anchors at the current instant; jumps move the anchor.
// A node only ever sees its own local clock; the host converts its wake-ups back to virtual.
import { assert } from "./assert.js";

export class LocalClock {
  // Each field is first stored a double (NaN), then its value: the fields hold doubles from the
  // start, so the first drift (a fractional rate) or the first large step in a worker does not
  // change the clocks' hidden class, which would deoptimise every function that inlined a
  // clock reading (every event's handler) and have it compiled again.
  private anchorVirtual = NaN;
  private anchorLocal = NaN;
  private rate = NaN;
  private ppm = NaN;
  /** Sum of the steps (jumps, offset changes) so far: local - steppedUs is the node's
   * monotonic clock (CLOCK_MONOTONIC: it drifts with the oscillator, steps never move it). */
  private steppedUs = NaN;

  constructor(offsetUs = 0) {
    this.anchorVirtual = 0;
    this.anchorLocal = offsetUs;
    this.rate = 1;
    this.ppm = 0;
    this.steppedUs = 0;
  }

  get driftPpm(): number {
    return this.ppm;
  }

  /** Local time at virtual time v (v ≥ the last re-anchor). */
  local(v: number): number {
    return this.anchorLocal + Math.floor((v - this.anchorVirtual) * this.rate);
  }

  /** The monotonic clock at virtual time v (v ≥ the last re-anchor): the local clock without
   * its steps. Read by systems that model a monotonic clock beside the wall clock (the lease
   * failover design); nothing in the kernel uses it. */
  monotonic(v: number): number {
    return this.local(v) - this.steppedUs;
  }

  /** Earliest virtual time ≥ nowV at which local(v) ≥ localUs. */
  toVirtual(localUs: number, nowV: number): number {
    if (this.local(nowV) >= localUs) return nowV;
    let v = this.anchorVirtual + Math.ceil((localUs - this.anchorLocal) / this.rate);
    if (v < nowV) v = nowV;
    // Float rounding can be off by one either way; settle on the exact earliest integer.
    while (this.local(v) < localUs) v++;
    while (v > nowV && this.local(v - 1) >= localUs) v--;
    return v;
  }

  /** Set drift from virtual time nowV on. Real oscillators are within ±1000 ppm; the bound is
   * ±50% so that the failover system's F8 schedule (rate drift 1-40%, FAILURE-DETECTION.md §e
   * R4, the lease bound rho_max < 0.41) can be run; a rate must stay positive. */
  setDrift(nowV: number, ppm: number): void {
    assert(Number.isFinite(ppm) && Math.abs(ppm) <= 500_000, `clock drift out of range: ${ppm}ppm`);
    this.reanchor(nowV);
    this.ppm = ppm;
    this.rate = 1 + ppm / 1e6;
  }

  /** Step the clock by deltaUs (may be negative: NTP stepping backwards). */
  jump(nowV: number, deltaUs: number): void {
    assert(Number.isSafeInteger(deltaUs), `clock jump must be integer µs: ${deltaUs}`);
    this.reanchor(nowV);
    this.anchorLocal += deltaUs;
    this.steppedUs += deltaUs;
  }

  /** Set local − virtual to offsetUs at nowV. */
  setOffset(nowV: number, offsetUs: number): void {
    assert(Number.isSafeInteger(offsetUs), `clock offset must be integer µs: ${offsetUs}`);
    this.reanchor(nowV);
    this.steppedUs += nowV + offsetUs - this.anchorLocal;
    this.anchorLocal = nowV + offsetUs;
  }

  private reanchor(nowV: number): void {
    this.anchorLocal = this.local(nowV);
    this.anchorVirtual = nowV;
  }
}
