// fence-end: a server restored from a backup ends its fence exactly when fencing.ts says —
//   - in the step in which its commit index moves to an entry of a term above its fence term
//     (the RESTORED marker's fenceTerm), it is unfenced by the end of that step;
//   - it is never unfenced while the entry at its commit index is of a term at or below the
//     fence term;
//   - only a fenced server reports the end of a fence (NOTE_UNFENCED).
// Ours (src/impl/raft/fencing.ts, "Why unfencing needs an entry of a term above fenceTerm"): the
// restored server neither votes nor counts until then, and after it a leader of a term above the
// fence was elected without it, so it holds every entry committed in terms at or below the fence
// term. Ending the fence earlier lets a server vote with a log that lacks a commit; never ending
// it keeps a server that holds everything out of every election and every quorum for good (a
// cluster that loses one more server then stalls). The note is how a host learns of it.
//
// Why (issue 12 part 3): fencing.ts's maybeUnfence could skip the end of a fence, or run it on a
// server that was never fenced (deleting a marker that is not there, an fsync per commit),
// without a wrong answer: the fenced server only stayed out of elections and quorums.
//
// A fenced server's fence term is read off its disk (the marker the harness's operator wrote and
// the server read at its restart). A crash between the end of a fence and the marker's deletion
// becoming durable fences it again at the restart; it then stays fenced until its commit index
// next moves, which the first rule allows (it judges only steps that move the commit index).
//
// Cost: per fault event one pass over the servers; otherwise work only while a server is fenced
// (rare: restores), for its own events — system.ts calls in only then (PersistenceChecks.due). Read-only (notes, views, the disk's durable
// files): hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { asRestoreMarker, RESTORED_FILE } from "../../../impl/raft/snapshot.js";
import type { AnyWorld } from "../../runner/system.js";

export class FenceEndCheck {
  /** Per server: 1 while it is fenced (watched after its events). */
  private readonly fenced: Uint8Array;
  /** Per fenced server: its fence term and its commit index after its last event. */
  private readonly fenceTerm: Float64Array;
  private readonly commit: Float64Array;
  /** A NOTE_UNFENCED seen in this event, from a server not fenced before it (-1: none). */
  private strayNote = -1;
  /** How many servers are fenced (watched). */
  watching = 0;

  constructor(private readonly n: number) {
    this.fenced = new Uint8Array(n);
    this.fenceTerm = new Float64Array(n);
    this.commit = new Float64Array(n);
  }

  /** The world's onNote of NOTE_UNFENCED by `id`. */
  unfenceNoted(id: number): void {
    if (id < this.n && this.fenced[id] === 0 && this.strayNote < 0) this.strayNote = id;
  }

  /** After a fault event: who is fenced now (a restart with the marker fences a server). */
  afterFault(w: AnyWorld): string | null {
    const stray = this.takeStray(w);
    if (stray !== null) return stray;
    this.watching = 0;
    for (let i = 0; i < this.n; i++) {
      const node = w.nodes[i] as MetaServer | null;
      if (node === null || !node.raft.fenced()) {
        this.fenced[i] = 0;
        continue;
      }
      const mk = w.disks[i].durableFile(RESTORED_FILE);
      if (mk === undefined) {
        this.fenced[i] = 0;
        continue;
      }
      this.fenced[i] = 1;
      this.watching++;
      this.fenceTerm[i] = asRestoreMarker(mk).fenceTerm;
      this.commit[i] = node.raft.commitIndex();
    }
    return null;
  }

  /** After an event of server `id` (not a fault); null: fine. */
  afterEvent(w: AnyWorld, id: number): string | null {
    if (this.strayNote >= 0) return this.takeStray(w);
    if (id < 0 || id >= this.n || this.fenced[id] === 0) return null;
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const raft = node.raft;
    const c = raft.commitIndex();
    const moved = c !== this.commit[id];
    this.commit[id] = c;
    const stillFenced = raft.fenced();
    if (!moved && stillFenced) return null;
    const term = c === raft.snapshotIndex() ? raft.snapshotTerm() : (raft.entry(c)?.term ?? -1);
    const f = this.fenceTerm[id];
    const at = `fence-end at node ${id}, t=${(w.now / 1000).toFixed(3)}ms`;
    if (stillFenced) {
      if (term > f) return `${at}: its commit index moved to ${c}, an entry of term ${term} above its fence term ${f}, and it is still fenced`;
      return null;
    }
    this.fenced[id] = 0;
    this.watching--;
    if (term <= f) return `${at}: it ended its fence with its commit index at ${c}, an entry of term ${term}, not above its fence term ${f}`;
    return null;
  }

  private takeStray(w: AnyWorld): string | null {
    const id = this.strayNote;
    if (id < 0) return null;
    this.strayNote = -1;
    return `fence-end at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: it reported the end of a fence (NOTE_UNFENCED), but it was not fenced`;
  }
}
