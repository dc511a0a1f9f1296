// Raft's timers must not depend on a clock that can step backward. Real implementations time
// elections and heartbeats with a monotonic clock; a node here reads its local clock, which an
// NTP step or an operator can move backward — and an election deadline measured on that clock
// then stalls for as long as the step (found by the simulator: a 5 s step left a cluster
// without a leader after every fault had healed). This turns local readings into a time that
// never decreases: a backward step becomes time that does not pass; forward steps pass through
// (they only make timeouts fire early, which Raft tolerates; lease reads assume no steps).

export class MonotonicTime {
  /** monotonic = local + skew */
  private skew = 0;
  private last = Number.NEGATIVE_INFINITY;

  /** Set when a reading found the clock stepped back: pending wake-ups, asked for in local
   * time, must be asked for again. Cleared by takeStep(). */
  private stepped = false;

  /** The monotonic time for a local clock reading. */
  read(local: number): number {
    let m = local + this.skew;
    if (m < this.last) {
      this.skew += this.last - m;
      m = this.last;
      this.stepped = true;
    }
    this.last = m;
    return m;
  }

  /** The monotonic time read(local) would give, without reading (tools: changes nothing). */
  peek(local: number): number {
    return Math.max(local + this.skew, this.last);
  }

  takeStep(): boolean {
    const s = this.stepped;
    this.stepped = false;
    return s;
  }

  /** The local clock reading at which monotonic time `mono` will be reached (for wake-ups). */
  toLocal(mono: number): number {
    return mono - this.skew;
  }
}
