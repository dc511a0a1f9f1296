// The checks of one election step judged on the wire and the disk (vote-durable-check.ts,
// timeout-now-check.ts), wired to the world's hooks as one, so that system.ts registers them in
// one place. Each throws nothing itself: a violation comes back as a message, which system.ts
// turns into a CheckFailure. Read-only: hash-neutral.
import { RoleCode } from "../../../impl/raft/api.js";
import type { AnyWorld } from "../../runner/system.js";
import { TimeoutNowCheck } from "./timeout-now-check.js";
import { VoteDurableCheck } from "./vote-durable-check.js";

type WireMsg = { readonly type: string; readonly term: number; readonly pre?: boolean; readonly granted?: boolean };

const LEADER: number = RoleCode.leader;

export class ElectionStepChecks {
  private readonly durable: VoteDurableCheck;
  private readonly timeoutNow: TimeoutNowCheck;

  constructor(n: number) {
    this.durable = new VoteDurableCheck(n);
    this.timeoutNow = new TimeoutNowCheck(n);
  }

  /** onSend of a vote request. */
  sentVote(w: AnyWorld, from: number, msg: WireMsg): void {
    this.durable.sentVote(w, from, msg);
  }

  /** onSend of a vote response. */
  sentVoteResp(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    this.durable.sentVoteResp(w, from, to, msg);
  }

  /** onDeliver of a TimeoutNow, before the receiver handles it. */
  deliveredTimeoutNow(w: AnyWorld, to: number, msg: WireMsg): void {
    this.timeoutNow.delivered(w, to, msg);
  }

  /** The world's onNote of a role change: code (RoleCode), term. */
  roleNoted(w: AnyWorld, id: number, code: number, term: number): void {
    if (code === LEADER) this.durable.becameLeader(w, id, term);
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.durable.idle() && this.timeoutNow.idle();
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld): string | null {
    return this.durable.afterEvent() ?? this.timeoutNow.afterEvent(w);
  }
}
