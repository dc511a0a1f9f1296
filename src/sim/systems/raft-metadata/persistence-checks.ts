// The checks of what a server keeps across a restart and a backup restore (vote-kept-check.ts,
// fence-end-check.ts), wired to the world's hooks as one, so that system.ts registers them in
// one place. Each throws nothing itself: a violation comes back as a message, which system.ts
// turns into a CheckFailure. Read-only: hash-neutral.
import { NOTE_UNFENCED } from "../../../impl/raft/state.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";
import { FenceEndCheck } from "./fence-end-check.js";
import { VoteKeptCheck } from "./vote-kept-check.js";

type VoteMsg = { readonly term: number; readonly pre: boolean };
type VoteAnswer = { readonly term: number; readonly pre: boolean; readonly granted: boolean };

export class PersistenceChecks {
  private readonly votes: VoteKeptCheck;
  private readonly fences: FenceEndCheck;

  constructor(n: number) {
    this.votes = new VoteKeptCheck(n);
    this.fences = new FenceEndCheck(n);
  }

  /** onSend of a vote request (PreVote or not). */
  sentVote(from: number, msg: VoteMsg): void {
    if (!msg.pre) this.votes.askedVote(from, msg.term);
  }

  /** onSend of a vote answer (PreVote or not). */
  sentVoteResp(from: number, to: number, msg: VoteAnswer): void {
    if (msg.granted && !msg.pre) this.votes.grantedVote(from, to, msg.term);
  }

  /** The world's onNote of a custom note (a = its code). */
  noted(id: number, a: number): void {
    if (a === NOTE_UNFENCED) this.fences.unfenceNoted(id);
  }

  /** After every event but a client's (World.touched); null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    if (touched === TOUCHED_ALL) return this.votes.afterFault(w) ?? this.fences.afterFault(w);
    return this.fences.afterEvent(w, touched);
  }
}
