// The leader's view of its followers (src/impl/raft/progress.ts), checked from outside against
// what the followers actually said on the wire (issue 12 part 3: 34 of progress.ts's mutants
// survived every check — a leader's bookkeeping can go wrong without a wrong answer for a
// long time). After every event that touched a leader, for each follower F it tracks:
//
//   progress-match: match (and the commitment-counting cmatch) ≤ the highest index F itself
//     acknowledged to a leader of this term (an AppendEntries success or a finished snapshot,
//     seen as F sends it). A match that F never acknowledged — carried over from an earlier
//     term, or made up — is what commitment counts, so a quorum's "durable match" would be a
//     fiction. (Raft resets match to 0 when a leader is elected, Figure 2.)
//   progress-next: match < next ≤ the leader's last index + 1 (nextIndex is past what F holds
//     and never beyond what the leader has).
//   progress-inflight: 0 ≤ unacknowledged appends ≤ maxInflight, and none while probing (a
//     probe is one message, not a pipeline).
//
// Read-only (views and sends), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

export class ProgressCheck {
  /** acked[f]: term → the highest index f acknowledged in that term (only the newest terms). */
  private readonly acked: Map<number, number>[];
  /** Per follower: the term of its newest acknowledgement and the highest index acknowledged in
   * it (-1: none, or evicted from acked) — the same as acked[f].get(that term), read without a
   * Map lookup: check() asks for the leader's term, almost always this one, per follower after
   * every event that touches a leader. */
  private readonly newestTerm: Float64Array;
  private readonly newestIndex: Float64Array;

  constructor(private readonly n: number) {
    this.acked = [];
    for (let i = 0; i < n; i++) this.acked.push(new Map());
    this.newestTerm = new Float64Array(n).fill(-1);
    this.newestIndex = new Float64Array(n);
  }

  /** The world's onSend: a follower's acknowledgement of an index. */
  onSend(from: number, msg: { readonly type: string; readonly term: number; readonly success?: boolean; readonly index?: number; readonly next?: number }): void {
    if (from >= this.n) return;
    const ok = (msg.type === "appResp" && msg.success === true) || (msg.type === "snapResp" && msg.next! < 0);
    if (!ok) return;
    const m = this.acked[from];
    const prev = m.get(msg.term);
    if (prev === undefined || msg.index! > prev) {
      m.set(msg.term, msg.index!);
      if (msg.term >= this.newestTerm[from]) {
        this.newestTerm[from] = msg.term;
        this.newestIndex[from] = msg.index!;
      }
    }
    if (m.size > 64) {
      const gone = m.keys().next().value!;
      m.delete(gone);
      if (gone === this.newestTerm[from]) this.newestTerm[from] = -1;
    }
  }

  /** Check the leader `id` (or every leader: id < 0); null: fine. */
  check(w: AnyWorld, id: number): string | null {
    if (id < 0) {
      for (let i = 0; i < this.n; i++) {
        const why = this.check(w, i);
        if (why !== null) return why;
      }
      return null;
    }
    const h = w.nodes[id] as MetaServer | null;
    if (h === null || h.raft.role() !== "leader") return null;
    const raft = h.raft;
    const term = raft.term();
    const last = raft.lastIndex();
    const cap = raft.opts.maxInflight;
    for (let f = 0; f < raft.prs.length; f++) {
      const pr = raft.prs[f];
      if (pr === undefined || f === id) continue;
      const acked = f >= this.n ? 0 : this.newestTerm[f] === term ? this.newestIndex[f] : (this.acked[f].get(term) ?? 0);
      if (pr.match > acked || pr.cmatch > acked) return `${at("progress-match", id, w.now, term, f)}: the leader counts match ${pr.match} (commitment: ${pr.cmatch}), but the follower acknowledged only up to ${acked} in this term`;
      if (!(pr.next > pr.match && pr.next <= last + 1)) return `${at("progress-next", id, w.now, term, f)}: next ${pr.next} is not in (match ${pr.match}, last ${last} + 1]`;
      const inflight = pr.inflightCount();
      if (!(inflight >= 0 && inflight <= cap) || (!pr.replicate && inflight !== 0)) return `${at("progress-inflight", id, w.now, term, f)}: ${inflight} appends in flight (maxInflight ${cap}) while ${pr.replicate ? "replicating" : "probing"}`;
    }
    return null;
  }
}

/** The head of a failure message (built only on failure: check() runs after every event). */
function at(check: string, id: number, nowUs: number, term: number, f: number): string {
  return `${check} at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms, term ${term}, follower ${f}`;
}
