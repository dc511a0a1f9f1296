// vote-durable (Raft Figure 2, "Persistent state on all servers: updated on stable storage before
// responding to RPCs"; dissertation §3.8; durability.ts's contract): what a server says about its
// term and vote in an election is on its disk before it says it —
//   - a RequestVote (not PreVote) for term t from X leaves only when X's durable hard state is
//     term t with its vote for X, or a later term (a request held back for the disk may be
//     released after the server moved on);
//   - a granted vote (not PreVote) for term t to candidate C leaves only when the granter's
//     durable hard state is term t with its vote for C, or a later term;
//   - a rejected vote (not PreVote) for term t leaves only when its durable term is t or later
//     (the rejection tells the candidate the term: ours, durability.ts defers it like a grant);
//   - a server that becomes leader of term t has term t with its vote for itself durable (its
//     own vote counted once durable: otherwise a crash forgets it and it could vote again in t).
// A PreVote changes no state and is not judged.
//
// "Durable" is read off the simulated disk: the last hard-state record among the WAL records an
// fsync has completed (Disk.durableLength). A fresh disk has term 0 and no vote.
//
// Why (issue 12 part 3): election.ts's `respond(…, true)` for RequestVotes and the self-vote,
// the grant's and the rejection's wait for durability (`waitDurable`, `!m.pre && waitDurable`)
// survived every check: the messages left a few milliseconds early, and only a crash in that
// window (rare in the reduced sweep) could turn that into two votes in one term.
//
// Cost: work only on vote requests and vote answers that are not PreVote, and on a server's
// leader note (rare): a backward scan of its WAL to the last durable hard-state record (the
// records written since its last term or vote change). Read-only (messages, notes, the disk's
// records): never draws or schedules, hash-neutral.
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = { readonly type: string; readonly term: number; readonly pre?: boolean; readonly granted?: boolean };
type Rec = { readonly kind?: string; readonly term?: number; readonly vote?: number };

/** Term and vote of the last durable hard-state record of server `id` (term 0, vote -1: none). */
function durableHardState(w: AnyWorld, id: number, out: { term: number; vote: number }): void {
  const disk = w.disks[id];
  const recs = disk.contents() as readonly Rec[];
  for (let k = disk.durableLength - 1; k >= 0; k--) {
    const r = recs[k];
    if (r !== null && typeof r === "object" && r.kind === "hs") {
      out.term = r.term ?? 0;
      out.vote = r.vote ?? -1;
      return;
    }
  }
  out.term = 0;
  out.vote = -1;
}

export class VoteDurableCheck {
  private readonly hs = { term: 0, vote: -1 };
  private pending: string | null = null;

  constructor(private readonly n: number) {}

  /** onSend of a vote request. */
  sentVote(w: AnyWorld, from: number, msg: WireMsg): void {
    if (msg.pre === true || from >= this.n || this.pending !== null) return;
    durableHardState(w, from, this.hs);
    if (this.hs.term < msg.term || (this.hs.term === msg.term && this.hs.vote !== from)) {
      this.pending = `vote-durable at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it sent a RequestVote for term ${msg.term} while its durable hard state was term ${this.hs.term}, vote ${this.hs.vote}`;
    }
  }

  /** onSend of a vote response. */
  sentVoteResp(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (msg.pre === true || from >= this.n || this.pending !== null) return;
    durableHardState(w, from, this.hs);
    const bad = msg.granted === true ? this.hs.term < msg.term || (this.hs.term === msg.term && this.hs.vote !== to) : this.hs.term < msg.term;
    if (bad) {
      this.pending = `vote-durable at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it ${msg.granted === true ? "granted" : "refused"} node ${to} its vote for term ${msg.term} while its durable hard state was term ${this.hs.term}, vote ${this.hs.vote}`;
    }
  }

  /** A leader note of server `id` for `term` (the world's onNote, RaftNote.role with the leader code). */
  becameLeader(w: AnyWorld, id: number, term: number): void {
    if (id >= this.n || this.pending !== null) return;
    durableHardState(w, id, this.hs);
    if (this.hs.term < term || (this.hs.term === term && this.hs.vote !== id)) {
      this.pending = `vote-durable at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: it became leader of term ${term} while its durable hard state was term ${this.hs.term}, vote ${this.hs.vote} (its own vote not yet on disk)`;
    }
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.pending === null;
  }

  /** After every event; null: fine. */
  afterEvent(): string | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }
}
