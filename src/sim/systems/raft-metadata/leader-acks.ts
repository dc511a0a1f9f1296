// What a leader can know of each peer's log from the acknowledgements delivered to it in its
// term: bounds on its Progress.match, read from the wire (the membership checks judge with
// them; they never read the leader's private Progress).
//   hi: the highest index acknowledged (an append's success index, a finished snapshot's index)
//       delivered to the leader in its current term — match never exceeds it;
//   lo: the highest success index since the last rejection and since the peer last left the
//       leader's configuration — match is at least it (a success raises match to its index; only a
//       rejection lowers match, and leaving the configuration drops the Progress).
// Kept per (leader, peer) pair with the leader's term as epoch. Read-only: hash-neutral.
export class LeaderAcks {
  private readonly n: number;
  private readonly term: Int32Array;
  private readonly hiIdx: Float64Array;
  private readonly loIdx: Float64Array;
  /** The peer's last acknowledgement said it is fenced (the leader then never promotes it). */
  private readonly fencedLast: Uint8Array;

  constructor(n: number) {
    this.n = n;
    this.term = new Int32Array(n * n).fill(-1);
    this.hiIdx = new Float64Array(n * n);
    this.loIdx = new Float64Array(n * n);
    this.fencedLast = new Uint8Array(n * n);
  }

  private slot(leader: number, peer: number, term: number): number {
    const k = leader * this.n + peer;
    if (this.term[k] !== term) {
      this.term[k] = term;
      this.hiIdx[k] = 0;
      this.loIdx[k] = -1;
      this.fencedLast[k] = 0;
    }
    return k;
  }

  /** An append response of `term` delivered to `leader`, which leads `term`. */
  append(leader: number, peer: number, term: number, success: boolean, index: number, fenced: boolean): void {
    const k = this.slot(leader, peer, term);
    this.fencedLast[k] = fenced ? 1 : 0;
    if (!success) {
      if (index > 0) this.loIdx[k] = -1;
      return;
    }
    if (index > this.hiIdx[k]) this.hiIdx[k] = index;
    if (index > this.loIdx[k]) this.loIdx[k] = index;
  }

  /** A snapshot response of `term` delivered to `leader` (done: the peer holds up to index). */
  snapshot(leader: number, peer: number, term: number, done: boolean, index: number, fenced: boolean): void {
    const k = this.slot(leader, peer, term);
    this.fencedLast[k] = fenced ? 1 : 0;
    if (done && index > this.hiIdx[k]) this.hiIdx[k] = index;
  }

  /** Any other response of `term` from `peer` (heartbeat answers carry the fenced flag too). */
  fencedFlag(leader: number, peer: number, term: number, fenced: boolean): void {
    this.fencedLast[this.slot(leader, peer, term)] = fenced ? 1 : 0;
  }

  /** The peer left `leader`'s configuration (its Progress is dropped, or replaced when it is added again). */
  forget(leader: number, peer: number, term: number): void {
    this.loIdx[this.slot(leader, peer, term)] = -1;
  }

  hi(leader: number, peer: number, term: number): number {
    const k = leader * this.n + peer;
    return this.term[k] === term ? this.hiIdx[k] : 0;
  }

  /** -1: nothing known. */
  lo(leader: number, peer: number, term: number): number {
    const k = leader * this.n + peer;
    return this.term[k] === term ? this.loIdx[k] : -1;
  }

  fenced(leader: number, peer: number, term: number): boolean {
    const k = leader * this.n + peer;
    return this.term[k] === term && this.fencedLast[k] === 1;
  }
}
