// The leader's view of one follower (etcd's tracker.Progress, simplified).
// - probe: at most one AppendEntries outstanding (probeSent); after a rejection, next backs off.
// - replicate: optimistic pipelining, next advances on send; at most `cap` unacknowledged
//   non-empty AppendEntries, tracked as a ring of their last indexes.
import type { NodeId } from "../node.js";
import type { RaftSnapshot } from "./snapshot.js";

export class Progress {
  /** Highest index the follower acknowledged (flow control: where to send next). */
  match = 0;
  /** Highest index acknowledged by the follower while not fenced: what commitment counts. */
  cmatch = 0;
  next = 1;
  /** InstallSnapshot in progress: its index (0 = none) and the chunk to send next. */
  snapIndex = 0;
  snapChunk = 0;
  /** The snapshot that transfer sends (snapIndex's): kept until the transfer ends, so that a
   * newer snapshot taken meanwhile does not restart it from chunk 0 (replication.ts). */
  snapshot: RaftSnapshot | null = null;
  // Stryker disable next-line BooleanLiteral: reset() sets it before any use (a leader resets every Progress when elected, election.ts; confchange.ts resets a new member's)
  replicate = false;
  // Stryker disable next-line BooleanLiteral: reset() sets it before any use (a leader resets every Progress when elected, election.ts; confchange.ts resets a new member's)
  probeSent = false;
  /** Heard from since the last CheckQuorum round. */
  // Stryker disable next-line BooleanLiteral: reset() sets it before any use (a leader resets every Progress when elected, election.ts; confchange.ts resets a new member's)
  recentActive = false;
  /** Highest ReadIndex heartbeat round acknowledged in this term. */
  ackedSeq = 0;
  /** The follower's last response said it is fenced (restored from a backup, not caught up):
   * a learner in that state is not promoted. */
  // Stryker disable next-line BooleanLiteral: reset() sets it before any use (a leader resets every Progress when elected, election.ts; confchange.ts resets a new member's)
  fenced = false;
  /** Sent an append, snapshot chunk or heartbeat since the last heartbeat tick (coalesceHeartbeats). */
  // Stryker disable next-line BooleanLiteral: reset() sets it before any use (a leader resets every Progress when elected, election.ts; confchange.ts resets a new member's)
  contacted = false;
  /** The highest commit index sent to the follower that its log could take (coalesceHeartbeats). */
  sentCommit = 0;
  /** Probes sent to the follower (AppendRequest.probe numbers them from 1; never reset: an answer
   * from an earlier term is dropped by its term before this is read). */
  probes = 0;
  private readonly ring: number[];
  private head = 0;
  private count = 0;

  constructor(
    readonly id: NodeId,
    private readonly cap: number,
  ) {
    if (!(cap >= 1)) throw new Error("raft invariant: maxInflight must be >= 1");
    // Stryker disable next-line ArrayDeclaration: a slot is always written (addInflight) before it is read (freeTo reads only the count slots from head), so the initial contents never matter
    this.ring = new Array<number>(cap).fill(0);
  }

  reset(next: number): void {
    this.match = 0;
    this.cmatch = 0;
    this.snapIndex = 0;
    this.snapChunk = 0;
    this.snapshot = null;
    this.next = next;
    this.replicate = false;
    this.probeSent = false;
    this.recentActive = false;
    this.ackedSeq = 0;
    this.fenced = false;
    this.contacted = false;
    this.sentCommit = 0;
    this.head = 0;
    this.count = 0;
  }

  inflightFull(): boolean {
    return this.count >= this.cap;
  }

  inflightCount(): number {
    return this.count;
  }

  addInflight(lastIndex: number): void {
    if (this.count >= this.cap) throw new Error("raft invariant: inflight overflow");
    this.ring[(this.head + this.count) % this.cap] = lastIndex;
    this.count++;
  }

  /** Free every in-flight append whose last index is <= index. */
  freeTo(index: number): void {
    while (this.count > 0 && this.ring[this.head] <= index) {
      this.head = (this.head + 1) % this.cap;
      this.count--;
    }
  }

  freeFirst(): void {
    if (this.count > 0) {
      this.head = (this.head + 1) % this.cap;
      this.count--;
    }
  }

  becomeProbe(next: number): void {
    this.replicate = false;
    this.probeSent = false;
    this.next = next;
    this.head = 0;
    this.count = 0;
  }

  becomeReplicate(): void {
    this.replicate = true;
    // An acknowledgement that ends probing also ends any snapshot transfer: the follower holds
    // what it needs, and a late request for a chunk of that transfer is stale (step-leader.ts
    // ignores a request whose index is not snapIndex's).
    this.snapIndex = 0;
    this.snapshot = null;
    // Stryker disable next-line BooleanLiteral: probeSent is read only while probing (sendAppend's probe branch; sendSnapshot right after becomeProbe), and becomeProbe, the only way back, sets it false first: its value in replicate state is never read
    this.probeSent = false;
    this.next = this.match + 1;
    this.head = 0;
    this.count = 0;
  }
}
