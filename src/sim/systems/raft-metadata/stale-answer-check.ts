// Two rules of a leader's flow control, judged on the wire — the follower's answers as they reach
// the leader, the leader's appends and snapshot chunks as it sends them — so they hold for any
// Raft, not only for the bookkeeping of ours (issue 12 part 3: step-leader.ts mutants that act on
// stale answers only cost a message or re-send entries, never a wrong log, so nothing saw them):
//
//   resend-below-ack (progress monotonicity): within a leader's term, once an acknowledgement of
//     index a from follower F reached the leader (an AppendEntries success or a finished
//     snapshot), the leader sends F no AppendEntries with prevIndex < a and no snapshot chunk of
//     a snapshot at index ≤ a — it never re-sends what F told it it holds — unless F since
//     sent a rejection the leader acted on whose hint says F holds less (it lost acknowledged
//     entries: a crash that corrupted its disk, or a restore); then the floor drops to that. Source: etcd's Progress.MaybeUpdate (match only grows) and MaybeDecrTo (a
//     rejection at or below match is stale and ignored), Figure 2's "nextIndex > matchIndex".
//   stale-answer: in the step in which a stale answer reaches the leader, the leader sends F no
//     append and no snapshot chunk. Stale: a rejection of an index below F's acknowledged floor
//     (a, above), or not below a rejection the leader already acted on since F's last
//     acknowledgement (each probe of a backing-off leader is below the one rejected, so a
//     rejection at or above one acted on answers an older append); a request for a snapshot
//     chunk of a snapshot F already acknowledged, or of another snapshot than the leader last
//     sent it (etcd: MsgSnapStatus / stale MsgAppResp are dropped; ours: the chunked
//     InstallSnapshot, step-leader.ts handleSnapshotResponse). "Acted on" is read on the wire too:
//     a rejection in whose step the leader sent F a probe.
//   A stale acknowledgement needs no rule of its own: acting on it lowers the leader's next
//   below the floor, which resend-below-ack sees at the next send.
//
// Not judged: an acknowledgement the leader got in another term (the floor restarts with each
// term: a new leader knows nothing of F, Figure 2 "reinitialized after election"), nor one from
// before F restarted or was restored from a backup (its log may have lost what it said), nor one
// from before the leader last started tracking F afresh (F removed from the configuration and
// added back: the leader's view of F — its Progress object — is new, ours: confchange.ts).
//
// Read-only (messages and two reads of the leader's role and term per answer), never draws or
// schedules: hash-neutral. Cost: typed-array reads per append, chunk and answer; no allocation.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { PairEpochs, PAIR_NEW, PAIR_SAME } from "./pair-epoch.js";

type WireMsg = {
  readonly type: string;
  readonly term: number;
  readonly success?: boolean;
  readonly index?: number;
  readonly next?: number;
  readonly hintIndex?: number;
  readonly hintTerm?: number;
  readonly prevIndex?: number;
};

const STALE_CHUNK_ACKED = 1;
const STALE_CHUNK_OTHER = 2;
const STALE_REJECT_ACKED = 3;
const STALE_REJECT_ACTED = 4;

export class StaleAnswerCheck {
  /** Per leader * n + follower: the epoch the pair's state is of (pair-epoch.ts). */
  private readonly epochs: PairEpochs;
  /** The highest index F acknowledged to the leader in that term (the floor). */
  private readonly acked: Float64Array;
  /** The lowest rejection the leader acted on since F's last acknowledgement (Infinity: none). */
  private readonly acted: Float64Array;
  /** The index of the last snapshot chunk the leader sent F in that term (0: none). */
  private readonly snapSent: Float64Array;
  /** The event in which a stale answer from F reached the leader (sends in it are violations). */
  private readonly staleIn: Float64Array;
  /** The event in which a rejection not stale reached the leader, its index and the floor it
   * would leave if acted on. */
  private readonly rejIn: Float64Array;
  private readonly rejIndex: Float64Array;
  private readonly rejFloor: Float64Array;
  /** Why the answer of staleIn is stale (STALE_*), its index and the value it was compared
   * with: the message is built only on failure. */
  private readonly whyKind: Int8Array;
  private readonly whyIndex: Float64Array;
  private readonly whyRef: Float64Array;

  constructor(private readonly n: number) {
    this.epochs = new PairEpochs(n * n);
    this.acked = new Float64Array(n * n);
    this.acted = new Float64Array(n * n).fill(Infinity);
    this.snapSent = new Float64Array(n * n);
    this.staleIn = new Float64Array(n * n).fill(-1);
    this.rejIn = new Float64Array(n * n).fill(-1);
    this.rejIndex = new Float64Array(n * n);
    this.rejFloor = new Float64Array(n * n);
    this.whyKind = new Int8Array(n * n);
    this.whyIndex = new Float64Array(n * n);
    this.whyRef = new Float64Array(n * n);
  }

  /** The pair's state for `term`, started afresh when the term moved on, when F restarted or
   * was restored, or when the leader's view of F is a new one. */
  private pair(w: AnyWorld, leader: number, f: number, k: number, term: number): boolean {
    const e = this.epochs.enter(w, leader, f, k, term);
    if (e !== PAIR_NEW) return e === PAIR_SAME;
    this.acked[k] = 0;
    this.acted[k] = Infinity;
    this.snapSent[k] = 0;
    this.staleIn[k] = -1;
    this.rejIn[k] = -1;
    return true;
  }

  /** The world's onDeliver of an appResp or snapResp from follower `from` to `to`. */
  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    const t = msg.type;
    if ((t !== "appResp" && t !== "snapResp") || from >= this.n || to >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return;
    const raft = node.raft;
    if (raft.term() !== msg.term || raft.role() !== "leader") return; // not this leader's answer
    const k = to * this.n + from;
    if (!this.pair(w, to, from, k, msg.term)) return;
    const index = msg.index!;
    const event = w.sched.executed;
    if (t === "snapResp") {
      if (msg.next! < 0) {
        this.ack(k, index);
      } else if (index <= this.acked[k] || (this.snapSent[k] > 0 && index !== this.snapSent[k])) {
        // (No chunk seen sent since the state began — it began mid-transfer, after F restarted:
        // which snapshot is in transfer is not known.)
        if (index <= this.acked[k]) this.stale(k, event, STALE_CHUNK_ACKED, index, this.acked[k]);
        else this.stale(k, event, STALE_CHUNK_OTHER, index, this.snapSent[k]);
      }
      return;
    }
    if (msg.success === true) {
      this.ack(k, index);
      return;
    }
    if (index === 0) return; // a bare "stale term" answer: nothing to act on
    if (index < this.acked[k]) {
      this.stale(k, event, STALE_REJECT_ACKED, index, this.acked[k]);
    } else if (index >= this.acted[k]) {
      this.stale(k, event, STALE_REJECT_ACTED, index, this.acted[k]);
    } else {
      this.rejIn[k] = event;
      this.rejIndex[k] = index;
      // If the leader acts on it, what F holds is what the rejection says, whatever it said
      // before: below index, and up to its hint (its log ends at hintIndex, or its run of hintTerm
      // starts there). Lower than the floor only if F lost entries it acknowledged (a corrupted
      // disk, a restore — or an acknowledgement of its previous incarnation that arrived late).
      const hint = msg.hintTerm === 0 ? msg.hintIndex! : msg.hintIndex! - 1;
      const holds = hint < index - 1 ? hint : index - 1;
      this.rejFloor[k] = holds < this.acked[k] ? holds : this.acked[k];
    }
  }

  private ack(k: number, index: number): void {
    if (index > this.acked[k]) this.acked[k] = index;
    this.acted[k] = Infinity;
  }

  private stale(k: number, event: number, kind: number, index: number, ref: number): void {
    this.staleIn[k] = event;
    this.whyKind[k] = kind;
    this.whyIndex[k] = index;
    this.whyRef[k] = ref;
  }

  private why(k: number): string {
    const i = this.whyIndex[k], ref = this.whyRef[k];
    switch (this.whyKind[k]) {
      case STALE_CHUNK_ACKED:
        return `a request for a chunk of the snapshot at ${i}, which it had already acknowledged (up to ${ref})`;
      case STALE_CHUNK_OTHER:
        return `a request for a chunk of the snapshot at ${i}, not the one last sent to it (at ${ref})`;
      case STALE_REJECT_ACKED:
        return `a rejection of index ${i}, below the ${ref} it had acknowledged`;
      default:
        return `a rejection of index ${i}, not below the rejection of ${ref} already acted on`;
    }
  }

  /** The world's onSend of an app or snap from `from` (the leader) to `to`; a violation's text,
   * or null. */
  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): string | null {
    const t = msg.type;
    if ((t !== "app" && t !== "snap") || from >= this.n || to >= this.n) return null;
    const k = from * this.n + to;
    if (!this.pair(w, from, to, k, msg.term)) return null;
    const event = w.sched.executed;
    if (this.staleIn[k] === event) return `stale-answer at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: follower ${to} sent ${this.why(k)} (stale), and in that step the leader sent it ${t === "app" ? `an append from index ${msg.prevIndex!}` : `a chunk of the snapshot at ${msg.index!}`}`;
    if (this.rejIn[k] === event) {
      // The leader acted on the rejection: the episode goes on below it.
      this.rejIn[k] = -1;
      this.acted[k] = this.rejIndex[k];
      this.acked[k] = this.rejFloor[k];
    }
    const floor = this.acked[k];
    if (t === "snap") {
      this.snapSent[k] = msg.index!;
      if (msg.index! <= floor) return `resend-below-ack at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: the leader sent follower ${to} a chunk of the snapshot at ${msg.index!}, but the follower had acknowledged up to ${floor} in this term`;
      return null;
    }
    // A send at or above the rejection acted on: the leader started again higher (its progress
    // of F was reset — F removed and added back — ours: confchange.ts), a new episode.
    if (msg.prevIndex! >= this.acted[k]) this.acted[k] = Infinity;
    if (msg.prevIndex! < floor) return `resend-below-ack at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}: the leader sent follower ${to} an append from prevIndex ${msg.prevIndex!}, but the follower had acknowledged up to ${floor} in this term`;
    return null;
  }
}
